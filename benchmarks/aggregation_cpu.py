"""CPU time of the aggregations that share the cell kernel (run by hand, never in the tests).

    .venv/bin/python benchmarks/aggregation_cpu.py /tmp/rtp-eval-benchmark-M --repeat 3

Reads the clean Parquet files and published tables of a finished run (`benchmarks/run.py`
leaves them in its working directory) once, then times in this process, in CPU seconds (less
sensitive than wall time to other work on a shared machine), the best of `--repeat` runs of
  - gender: `partial_cells` for every source and clean file, and `combine` (the gender_partial
    and gender_breakdown jobs without reading and writing),
  - strata: the unsuppressed strata table and its shares and baseline indexes (the
    intersectional_cells job and the strata part of disclosure control, without protection),
  - indicators: the supported firms and every indicator from the published tables.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from rtp_eval import schema
from rtp_eval.breakdown import BreakdownConfig, combine, partial_cells
from rtp_eval.classify import age_labels
from rtp_eval.config import load_schema
from rtp_eval.indicators import (
    SUPPORTED_FIRM_COLUMNS,
    SourceData,
    build_indicators,
    load_definitions,
    read_table,
    supported_firms,
)
from rtp_eval.intersectional import (
    IntersectionalConfig,
    build_work_table,
    finish_table,
    read_baseline,
    read_decided_business,
    table_areas,
)
from rtp_eval.io import read_clean

REPO = Path(__file__).resolve().parents[1]


def best_cpu_seconds(task: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        task()
        times.append(time.process_time() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path, help="working directory of a finished run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = yaml.safe_load((args.workdir / "config" / "config.yaml").read_text("utf-8"))
    clean_dir = args.workdir / "results" / "clean"

    gender = BreakdownConfig.from_params(settings["periods"], settings["disclosure"])
    frames = {
        source: [read_clean([p], source) for p in sorted((clean_dir / source).glob("*.parquet"))]
        for source in schema.SOURCES
    }

    def gender_tables() -> None:
        for source, parts in frames.items():
            combine([partial_cells(part, source, gender) for part in parts], source, gender)

    strata = IntersectionalConfig.from_params(
        settings.get("intersectional", {}),
        settings["disclosure"],
        age_labels(settings["classifications"]["age_breaks"]),
    )
    business_files = sorted((clean_dir / "business_support").glob("*.parquet"))
    decided = read_decided_business([str(p) for p in business_files])
    baseline = read_baseline(args.workdir / "data" / "reference" / "business_leaders_baseline.csv")

    def strata_table() -> None:
        work = build_work_table(decided, strata)
        finish_table(work, table_areas(work), baseline, strata)

    goals_file = args.workdir / "config" / "indicators.yaml"
    definitions = load_definitions(
        yaml.safe_load(goals_file.read_text("utf-8")),
        load_schema(REPO / "workflow" / "schemas" / "indicators.schema.yaml"),
        str(goals_file),
    )
    tables = {
        path.stem: SourceData(read_table(str(path)), "table")
        for path in (args.workdir / "results" / "tables").glob("*.csv")
    }
    granted = read_clean(
        [str(p) for p in business_files],
        "business_support",
        columns=SUPPORTED_FIRM_COLUMNS,
        decisions=["granted"],
    )
    # The national benchmark data have no follow-up of owned companies.
    with_data = tuple(i for i in definitions.indicators if i.source != "owner_follow_up")
    goals = dataclasses.replace(definitions, indicators=with_data)

    def indicator_table() -> None:
        sources = {**tables, "supported_firms": SourceData(supported_firms(granted), "units")}
        build_indicators(goals, sources, int(settings["disclosure"]["min_units"]))

    print(f"clean rows: {sum(len(f) for parts in frames.values() for f in parts)}")
    for name, task in (
        ("gender", gender_tables),
        ("strata", strata_table),
        ("indicators", indicator_table),
    ):
        print(f"{name:12s} {best_cpu_seconds(task, args.repeat):7.2f} CPU s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
