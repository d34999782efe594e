"""Keyed pseudonymisation of organisation and personal identity numbers (HMAC-SHA256).

A keyed hash, unlike a plain hash, cannot be reversed by hashing every possible identity
number, as long as the key stays secret. The key lives outside git: in an environment variable
or in a key file that is created, readable only by its owner, on first use. The fixed demo key
is allowed only for the fictitious demo data.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

from rtp_eval.errors import ConfigError

log = logging.getLogger(__name__)

# Published in the README: it protects nothing and may only be used with fictitious data.
DEMO_KEY = "rtp-eval-demo-key-fictitious-data-only"
PSEUDONYM_HEX_CHARS = 20
_KEY_BYTES = 32


def pseudonymise(identifier: str, key: bytes) -> str:
    """A stable pseudonym for a normalised 10-digit identifier."""
    digest = hmac.new(key, identifier.encode("ascii"), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX_CHARS]


def key_fingerprint(key: bytes) -> str:
    """Identifies the key (so a new key reruns the import) without revealing it."""
    return hmac.new(key, b"rtp-eval key fingerprint", hashlib.sha256).hexdigest()[:16]


def ensure_key_file(path: Path) -> bytes:
    """Read the key file, creating it with a random key (mode 0600) if it does not exist.

    Creation is atomic and never overwrites: two jobs starting at once end up with one key.
    """
    if path.exists():
        return _read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(_KEY_BYTES) + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return _read_key(path)


def key_file_exposure(mode: int) -> str | None:
    """Who besides the owner may use a key file of permission bits `mode` (Swedish), or None."""
    others = [
        who
        for who, bits in (("gruppen", stat.S_IRWXG), ("alla andra", stat.S_IRWXO))
        if mode & bits
    ]
    return " och ".join(others) if others else None


def _warn_if_exposed(path: Path) -> None:
    """Warn when others may read the key: with it, pseudonyms can be traced back to numbers."""
    mode = stat.S_IMODE(path.stat().st_mode)
    exposed = key_file_exposure(mode)
    if exposed is not None:
        log.warning(
            "Nyckelfilen för pseudonymisering %s har rättigheterna %s: %s kan läsa eller ändra "
            "den. Den som har nyckeln kan koppla pseudonymerna till organisations- och "
            "personnummer. Gör filen privat: chmod 600 %s",
            path,
            f"{mode:04o}",
            exposed,
            path,
        )


def _read_key(path: Path) -> bytes:
    _warn_if_exposed(path)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise ConfigError(
            str(path), "pseudonymisation key", "the key file holds fewer than 32 characters"
        )
    return key.encode("utf-8")


def resolve_key(
    *, demo: bool, use_demo_key: bool, key_env: str, key_file: str, environ: dict[str, str]
) -> bytes:
    """The key to use: the environment variable, else the key file; the demo key for demos."""
    if use_demo_key:
        if not demo:
            raise ConfigError(
                "config",
                "pseudonymisation.use_demo_key",
                "the public demo key may only be used with the fictitious demo data "
                "(demo: true); set use_demo_key: false for real data",
            )
        return DEMO_KEY.encode("utf-8")
    from_env = environ.get(key_env, "").strip()
    if from_env:
        if len(from_env) < 32:
            raise ConfigError(
                "environment", key_env, "the pseudonymisation key must be at least 32 characters"
            )
        return from_env.encode("utf-8")
    return ensure_key_file(Path(os.path.expanduser(key_file)))
