"""The gender breakdown's aggregation against the same aggregation in DuckDB SQL (run by hand).

    .venv/bin/python benchmarks/duckdb_aggregation.py /tmp/rtp-eval-benchmark-L

Reads the clean Parquet files of a finished run (`benchmarks/run.py` leaves them in its
working directory), then times, on one core and on two (worker processes for the years'
partials; DuckDB threads)
  - rtp-eval: reading the files, `partial_cells` for every source and year, and `combine` into
    the unsuppressed tables (what the import and gender_breakdown jobs compute before
    disclosure control; this also derives rates, intervals and shares, which the SQL leaves
    out), and
  - DuckDB: one GROUPING SETS query per table block over the same Parquet files, with the same
    definitions (decided cases, `unknown` for missing categories, sums over granted cases,
    pooled medians and the n largest grants of each cell),
and compares every cell of both (decisions, granted, amounts, median, organisations).
DuckDB is a benchmark-only dependency (the `dev` extra); the workflow does not use it.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml

from rtp_eval import schema
from rtp_eval.breakdown import (
    Block,
    BreakdownConfig,
    Partial,
    aggregation_plan,
    combine,
    partial_cells,
)
from rtp_eval.io import read_clean
from rtp_eval.settings import resolve

COMPARED = (
    "decisions",
    "granted",
    "amount_applied_sek",
    "amount_granted_sek",
    "median_granted_sek",
    "units",
    "granted_units",
)


def _partial(path: Path, source: str, config: BreakdownConfig) -> Partial:
    return partial_cells(read_clean([path], source), source, config)


def pandas_cells(clean_dir: Path, config: BreakdownConfig, processes: int) -> tuple[dict, float]:
    """The unsuppressed tables and the seconds taken; the years' partials in `processes`
    worker processes, as Snakemake runs the per-year jobs side by side."""
    # The interval functions load statsmodels on first use; that is start-up, not aggregation.
    import statsmodels.stats.proportion  # noqa: F401

    with ProcessPoolExecutor(max_workers=processes) as pool:
        list(pool.map(abs, range(processes)))  # start the workers before the clock
        started = time.perf_counter()
        works = {}
        for source in schema.SOURCES:
            paths = sorted((clean_dir / source).glob("*.parquet"))
            partials = list(pool.map(_partial, paths, [source] * len(paths), [config] * len(paths)))
            works |= combine(partials, source, config)
        return works, time.perf_counter() - started


def _category(column: str) -> str:
    return f"coalesce(nullif(trim(CAST({column} AS VARCHAR)), ''), 'unknown')"


def _cases_sql(source: str, pattern: str) -> str:
    granted = "decision = 'granted'"
    columns = [
        "decision_year AS year",
        "org_pseudonym AS unit",
        f"CAST({granted} AS INTEGER) AS granted_flag",
        "amount_applied_sek",
        f"CASE WHEN {granted} THEN amount_granted_sek END AS granted_amount",
        f"CASE WHEN {granted} THEN coalesce(amount_granted_sek, 0) ELSE 0 END AS granted_sum",
    ]
    if source == "business_support":
        categories = ["leadership_group", "ownership_group", "support_type", "programme_area",
                      "industry", "area"]  # fmt: skip
    else:
        categories = ["leadership_group", "owner_type", "equality_assessment", "programme_area",
                      "area"]  # fmt: skip
    columns += [f"{_category(c)} AS {c}" for c in categories]
    return (
        f"SELECT {', '.join(columns)} FROM read_parquet('{pattern}') "
        "WHERE decision IN ('granted', 'rejected')"
    )


def _block_sql(block: Block) -> str:
    keys, totals = block.keys, block.totals
    renamed = {k: (block.group_column if k == "group" and block.group_column else k) for k in keys}
    for key, value in block.constant.items():
        renamed[key] = f"'{value}'"
    sets = []
    for mask in range(2 ** len(totals)):
        dropped = {t for i, t in enumerate(totals) if mask >> i & 1}
        kept = [renamed[k] for k in keys if k not in dropped and k not in block.constant]
        sets.append("(" + ", ".join(["label", *kept]) + ")")
    selected = [
        f'{renamed[k]} AS "{k}"'
        if k in block.constant
        else f"CASE WHEN GROUPING({renamed[k]}) = 1 THEN 'all' ELSE {renamed[k]} END AS \"{k}\""
        for k in keys
    ]
    periods = "" if block.years else "WHERE NOT is_year"
    return f"""
        SELECT label AS period, {", ".join(selected)},
            count(*) AS decisions,
            sum(granted_flag) AS granted,
            coalesce(sum(amount_applied_sek), 0) AS amount_applied_sek,
            sum(granted_sum) AS amount_granted_sek,
            median(granted_amount) AS median_granted_sek,
            count(DISTINCT unit) AS units,
            count(DISTINCT CASE WHEN granted_flag = 1 THEN unit END) AS granted_units
        FROM cases JOIN periods ON year BETWEEN first AND last
        {periods}
        GROUP BY GROUPING SETS ({", ".join(sets)})
    """


def duckdb_cells(
    clean_dir: Path, config: BreakdownConfig, threads: int
) -> tuple[dict[tuple[str, str | None], pd.DataFrame], float]:
    connection = duckdb.connect(config={"threads": threads})
    started = time.perf_counter()
    results = {}
    for source in schema.SOURCES:
        pattern = (clean_dir / source / "*.parquet").as_posix()
        connection.execute(f"CREATE OR REPLACE TEMP TABLE cases AS {_cases_sql(source, pattern)}")
        found = connection.execute("SELECT DISTINCT year FROM cases").fetchall()
        years = sorted(int(y) for (y,) in found)
        periods = [(str(y), y, y, True) for y in years] + [
            (label, first, last, False) for label, (first, last) in config.periods.items()
        ]
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE periods "
            "(label VARCHAR, first INT, last INT, is_year BOOLEAN)"
        )
        connection.executemany("INSERT INTO periods VALUES (?, ?, ?, ?)", periods)
        for block in aggregation_plan(source):
            sql = _block_sql(block)
            results[(block.table, block.classification)] = connection.execute(sql).df()
    return results, time.perf_counter() - started


def compare(works: dict, sql: dict[tuple[str, str | None], pd.DataFrame]) -> tuple[int, int]:
    """(cells compared, cells that differ in any compared measure)."""
    compared = differing = 0
    for (table, classification), theirs in sql.items():
        ours = works[table]
        if classification is not None:
            ours = ours[ours["classification"] == classification]
        keys = [c for c in theirs.columns if c not in COMPARED]
        measures = [c for c in COMPARED if c in ours.columns]
        ours = ours[[*keys, *measures]].astype({k: str for k in keys})
        theirs = theirs[[*keys, *measures]].astype({k: str for k in keys})
        if "median_granted_sek" in measures:
            theirs["median_granted_sek"] = np.floor(theirs["median_granted_sek"] + 0.5)
        merged = ours.merge(theirs, on=keys, how="outer", suffixes=("", "_sql"), indicator=True)
        compared += len(merged)
        bad = merged["_merge"] != "both"
        for column in measures:
            left = merged[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            right = merged[f"{column}_sql"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            same = (left == right) | (np.isnan(left) & np.isnan(right))
            bad |= ~same
        differing += int(bad.sum())
    return compared, differing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path, help="working directory of a finished run")
    args = parser.parse_args()
    overlay = yaml.safe_load((args.workdir / "config" / "config.yaml").read_text("utf-8"))
    settings = resolve(overlay, "config/config.yaml")
    config = BreakdownConfig.from_params(settings["periods"], settings["disclosure"])
    clean_dir = args.workdir / "results" / "clean"
    files = [p for source in schema.SOURCES for p in (clean_dir / source).glob("*.parquet")]
    rows = sum(len(pd.read_parquet(p, columns=["case_id"])) for p in files)
    print(f"clean rows: {rows}")
    for workers in (1, 2):
        works, pandas_seconds = pandas_cells(clean_dir, config, workers)
        sql, sql_seconds = duckdb_cells(clean_dir, config, workers)
        print(
            f"{workers} core(s): rtp-eval {pandas_seconds:6.1f} s, DuckDB {duckdb.__version__} "
            f"{sql_seconds:6.1f} s, ratio {pandas_seconds / sql_seconds:5.2f}"
        )
    compared, differing = compare(works, sql)
    print(f"cells compared: {compared}, differing: {differing}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
