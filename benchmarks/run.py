"""Benchmark the whole workflow at a given data size (run by hand, never in the test suite).

    .venv/bin/python benchmarks/run.py --size S --cores 2

Generates the input data in a fresh working directory, runs the workflow under
`/usr/bin/time -v`, then a no-op rerun and a rerun after adding one year, and prints wall time,
CPU time and peak memory per stage (from Snakemake's per-job `benchmark:` files).

S is the shipped demo (one county, ~2 600 decisions over 10 years). M, L and XL are national
data for all 21 counties from `tools.national_demo` over 2012-2021: 8 000, 100 000 and
1 000 000 decisions a year (80 000, 1 million and 10 million in all), run with a copy of the
configuration that lists every county. `--python` picks the environment to measure (the
runtime-only install is what a production machine has).
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
# Decisions a year of the national sizes (both sources); S is the shipped demo.
PER_YEAR = {"M": 8_000, "L": 100_000, "XL": 1_000_000}
SIZES = ("S", *PER_YEAR)
STAGES = {
    "import": "import",
    "gender": "gender breakdown + figures",
    "intersectional": "intersectional",
    "goals": "goals",
    "report": "report + bundle",
}


def run(command: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    timed = ["/usr/bin/time", "-v", *command] if Path("/usr/bin/time").exists() else command
    result = subprocess.run(timed, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return elapsed, result.stderr


def peak_rss_mb(time_output: str) -> float:
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_output)
    return int(match.group(1)) / 1024 if match else float("nan")


def generate(python: str, size: str, first: int, last: int, out: Path) -> None:
    command = [python, str(REPO / "tools" / "generate_demo_data.py"), "--out", str(out)]
    command += ["--first-year", str(first), "--last-year", str(last)]
    if size != "S":
        command += ["--national", str(PER_YEAR[size])]
    subprocess.run(command, check=True, capture_output=True)


def national_config(workdir: Path) -> None:
    """The shipped configuration, for every county of the country."""
    path = workdir / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    with (REPO / "data" / "reference" / "counties.csv").open(encoding="utf-8") as handle:
        counties = [row["county_code"] for row in csv.DictReader(handle)]
    config["region"] |= {"name": "Sverige (syntetiska nationella data)", "county_codes": counties}
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def stage_table(benchmarks: Path) -> list[tuple[str, float, float, float, int]]:
    """Per stage: summed wall seconds, summed CPU seconds, peak RSS (MB), jobs."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for path in benchmarks.rglob("*.tsv"):
        stage = path.relative_to(benchmarks).parts[0]
        with path.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        entry = totals[stage]
        entry[0] += float(row["s"])
        entry[1] += float(row.get("cpu_time") or 0)
        entry[2] = max(entry[2], float(row.get("max_rss") or 0))
        entry[3] += 1
    return [(STAGES.get(k, k), *v) for k, v in sorted(totals.items())]


def slowest_jobs(benchmarks: Path, count: int = 6) -> list[tuple[str, float, float]]:
    """The `count` longest jobs: (benchmark file, wall seconds, peak RSS MB)."""
    jobs = []
    for path in benchmarks.rglob("*.tsv"):
        with path.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        name = path.relative_to(benchmarks).with_suffix("").as_posix()
        jobs.append((name, float(row["s"]), float(row.get("max_rss") or 0)))
    return sorted(jobs, key=lambda job: -job[1])[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--python", default=sys.executable, help="interpreter with rtp-eval")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(f"/tmp/rtp-eval-benchmark-{args.size}")
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "data").mkdir(parents=True)
    shutil.copytree(REPO / "config", workdir / "config")
    shutil.copytree(REPO / "data" / "reference", workdir / "data" / "reference")
    started = time.perf_counter()
    generate(args.python, args.size, 2012, 2021, workdir / "data" / "raw")
    if args.size != "S":
        national_config(workdir)
    print(f"generated size {args.size} in {time.perf_counter() - started:.1f} s")

    snakemake = [args.python, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    snakemake += ["--cores", str(args.cores), "--quiet", "all"]
    full, full_time = run(snakemake, workdir)
    stages = stage_table(workdir / "results" / "benchmarks")
    slowest = slowest_jobs(workdir / "results" / "benchmarks")
    noop, _ = run(snakemake, workdir)
    extra = workdir / "extra"
    generate(args.python, args.size, 2022, 2022, extra)
    for source in ("business_support", "project_support"):
        for path in (extra / source).glob("2022.*"):
            shutil.copy(path, workdir / "data" / "raw" / source / path.name)
    added, _ = run(snakemake, workdir)

    print(f"\nsize {args.size}, --cores {args.cores}")
    print(f"full run   {full:8.1f} s wall, peak RSS {peak_rss_mb(full_time):8.0f} MB")
    print(f"no-op rerun{noop:8.1f} s")
    print(f"add a year {added:8.1f} s ({100 * added / full:.0f} % of the full run)")
    print("\nstage                          wall s    CPU s  peak MB  jobs")
    for name, wall, cpu, rss, jobs in stages:
        print(f"{name:28s} {wall:8.1f} {cpu:8.1f} {rss:8.0f} {int(jobs):5d}")
    print("\nslowest jobs                   wall s  peak MB")
    for name, wall, rss in slowest:
        print(f"{name:30s} {wall:7.1f} {rss:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
