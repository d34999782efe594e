#!/usr/bin/env bash
# Installs what rtp-eval needs on Debian/Ubuntu with Python 3.11:
#   - system libraries for PDF rendering (WeasyPrint: Pango, HarfBuzz subsetting) and fonts,
#   - a virtual environment in .venv with the exact locked Python packages,
#   - the rtp_eval package itself (editable, so the workflow always runs the code you see).
# Options: --runtime-only (no test/dev tools); --with-browser (what the report tests need beyond
# Python: Chromium and axe-core for the accessibility test, poppler-utils to read PDF pages).
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")"

lock=requirements-dev.lock
with_browser=0
for arg in "$@"; do
  case "$arg" in
    --runtime-only) lock=requirements.lock ;;
    --with-browser) with_browser=1 ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

system_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "$with_browser" = 1 ]; then
  system_packages+=(chromium poppler-utils)
  command -v npm >/dev/null || system_packages+=(nodejs npm)
fi

missing=()
for package in "${system_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "Run as root or install sudo to add: ${missing[*]}" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3.11}
command -v "$python" >/dev/null || python=python3
"$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
  || { echo "rtp-eval needs Python 3.11 (found $("$python" --version))" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
# The project itself, built with a pinned setuptools (requirements-build.lock).
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-build.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
if [ "$with_browser" = 1 ]; then
  npm ci --prefix tests/accessibility --no-audit --no-fund --loglevel=error
fi
echo "rtp-eval is installed in .venv (packages from $lock)."
