"""Snakemake step: sex-disaggregated breakdowns of business and project support.

Combines the per-year cells of both sources (rule gender_partial) into every gender table with
`rtp_eval.breakdown` and writes the unsuppressed work tables to `results/work/` and the
published tables (disclosure control applied) to `results/tables/`.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval import schema
from rtp_eval.breakdown import (
    BreakdownConfig,
    Partial,
    build_tables_from_partials,
    partial_cells,
    suppression_report,
)
from rtp_eval.io import write_csv
from rtp_eval.runner import log, run_step


def read_partials(
    cells: Sequence[str], amounts: Sequence[str], source: str, config: BreakdownConfig
) -> list[Partial]:
    """The partials of one source's years; a source without files gives its empty partial."""
    partials = [
        Partial(pd.read_parquet(c), pd.read_parquet(a))
        for c, a in zip(sorted(cells), sorted(amounts), strict=True)
    ]
    if not partials:
        empty = pd.DataFrame(columns=list(schema.clean_columns(source)))
        partials = [partial_cells(empty.astype(schema.clean_dtypes(source)), source, config)]
    return partials


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
    inputs = snakemake.input
    partials = {
        "business_support": read_partials(
            inputs.business_cells, inputs.business_amounts, "business_support", config
        ),
        "project_support": read_partials(
            inputs.project_cells, inputs.project_amounts, "project_support", config
        ),
    }
    for source, parts in partials.items():
        cells = sum(len(p.cells) for p in parts)
        log.info("%s: %d partitions, %d year cells", source, len(parts), cells)
    tables = build_tables_from_partials(partials, config)
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
