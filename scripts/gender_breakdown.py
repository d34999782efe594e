"""Snakemake step: sex-disaggregated breakdowns of business and project support.

Reads the clean parquet files of both sources, builds every gender table with
`rtp_eval.breakdown` and writes the unsuppressed work tables to `results/work/` and the
published tables (disclosure control applied) to `results/tables/`.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval import schema
from rtp_eval.breakdown import BreakdownConfig, build_tables, suppression_report
from rtp_eval.io import write_csv
from rtp_eval.runner import log, run_step


def read_clean(paths: Sequence[str], source: str) -> pd.DataFrame:
    """All years of one source, typed as the schema says (also when there is no file)."""
    columns = list(schema.clean_columns(source))
    frames = [pd.read_parquet(path, columns=columns) for path in sorted(paths)]
    if not frames:
        frames = [pd.DataFrame(columns=columns)]
    return pd.concat(frames, ignore_index=True).astype(schema.clean_dtypes(source))


def main(snakemake: Any) -> None:
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
    business = read_clean(snakemake.input.business, "business_support")
    project = read_clean(snakemake.input.project, "project_support")
    log.info("read %d business and %d project cases", len(business), len(project))
    tables = build_tables(business, project, config)
    published = {Path(p).stem: p for p in snakemake.output.tables}
    work = {Path(p).stem: p for p in snakemake.output.work}
    if set(tables) != set(published):
        raise RuntimeError(f"tables built {sorted(tables)} differ from outputs {sorted(published)}")
    for name, table in tables.items():
        write_csv(table.work, work[name])
        write_csv(table.published, published[name])
        log.info(
            "%s: %d rows, %d with suppressed cells",
            name,
            len(table.published),
            int(table.published["suppressed"].sum()),
        )
    write_csv(suppression_report(tables), snakemake.output.suppressions)


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
