"""Run `snakemake --lint` and fail on any lint that is not on the allow-list.

The allow-list holds one lint only: "Specify a conda environment or container for each rule".
The project pins its software with a hash-locked virtual environment (requirements*.lock)
instead of per-rule conda environments, as documented in README.md.
"""

import re
import subprocess
import sys

ALLOWED = {"Specify a conda environment or container for each rule."}

result = subprocess.run(
    [sys.executable, "-m", "snakemake", "--lint", "--cores", "1"],
    capture_output=True,
    text=True,
    check=False,
)
output = result.stdout + result.stderr
found = re.findall(r"^\s*\* (.+?):?$", output, flags=re.MULTILINE)
unexpected = [lint for lint in found if lint.rstrip(":") not in ALLOWED]
if unexpected or (result.returncode != 0 and not found):
    print(output)
    print(f"snakemake --lint: {len(unexpected)} lint(s) not on the allow-list", file=sys.stderr)
    sys.exit(1)
print(f"snakemake --lint: clean apart from {len(found)} allow-listed conda/container lint(s)")
