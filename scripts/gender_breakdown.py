"""Snakemake script: sex-disaggregated breakdowns of business and project support.

Reads the clean parquet files of both sources, builds every gender table with
`rtp_eval.breakdown` and writes the unsuppressed work tables to `results/work/` and the
published tables (disclosure control applied) to `results/tables/`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval import schema
from rtp_eval.breakdown import BreakdownConfig, build_tables, suppression_report, write_csv

log = logging.getLogger("gender_breakdown")


def read_clean(paths: Sequence[str], source: str) -> pd.DataFrame:
    """All years of one source, typed as the schema says (also when there is no file)."""
    columns = list(schema.clean_columns(source))
    frames = [pd.read_parquet(path, columns=columns) for path in sorted(paths)]
    if not frames:
        frames = [pd.DataFrame(columns=columns)]
    return pd.concat(frames, ignore_index=True).astype(schema.clean_dtypes(source))


def run(
    business_paths: Sequence[str],
    project_paths: Sequence[str],
    config: BreakdownConfig,
    tables_dir: Path,
    work_dir: Path,
) -> list[str]:
    business = read_clean(business_paths, "business_support")
    project = read_clean(project_paths, "project_support")
    log.info("read %d business and %d project cases", len(business), len(project))
    tables = build_tables(business, project, config)
    for name, table in tables.items():
        write_csv(table.work, work_dir / f"{name}.csv")
        write_csv(table.published, tables_dir / f"{name}.csv")
        log.info(
            "%s: %d rows, %d with suppressed cells",
            name,
            len(table.published),
            int(table.published["suppressed"].sum()),
        )
    write_csv(suppression_report(tables), work_dir / "disclosure_suppressions.csv")
    return list(tables)


def main(snakemake: Any) -> None:
    logging.basicConfig(
        filename=snakemake.log[0],
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    params = snakemake.params
    config = BreakdownConfig.from_params(params.periods, params.disclosure)
    log.info(
        "periods %s; min_units %d; dominance (%d, %s %%); confidence level %s",
        dict(config.periods),
        config.rules.min_units,
        config.rules.dominance_n,
        config.rules.dominance_k_pct,
        config.confidence_level,
    )
    tables_dir = Path(getattr(params, "tables_dir", "results/tables"))
    work_dir = Path(getattr(params, "work_dir", "results/work"))
    try:
        run(
            list(snakemake.input.business),
            list(snakemake.input.project),
            config,
            tables_dir,
            work_dir,
        )
    except Exception:
        log.exception("gender breakdown failed")
        raise


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
