"""Snakemake step: sex-disaggregated breakdowns of business and project support.

Combines the per-year cells and case rows of both sources (written by the import rules,
`import_<batch>`) into every gender case table with `rtp_eval.breakdown` and writes them
unsuppressed, with the working columns disclosure control needs, to `results/work/` (rule
disclosure_control publishes them).
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval import schema
from rtp_eval.breakdown import BreakdownConfig, Partial, partial_cells, work_tables_from_partials
from rtp_eval.io import write_csv
from rtp_eval.runner import log, run_step


def read_partials(
    cells: Sequence[str], cases: Sequence[str], source: str, config: BreakdownConfig
) -> list[Partial]:
    """The partials of one source's years; a source without files gives its empty partial."""
    partials = [
        Partial(pd.read_parquet(c), pd.read_parquet(a))
        for c, a in zip(sorted(cells), sorted(cases), strict=True)
    ]
    if not partials:
        empty = pd.DataFrame(columns=list(schema.clean_columns(source)))
        partials = [partial_cells(empty.astype(schema.clean_dtypes(source)), source, config)]
    return partials


def main(snakemake: Any) -> None:
    params = snakemake.params
    config = BreakdownConfig.from_params(params.periods, params.disclosure)
    log.info(
        "periods %s; dominance n %d; confidence level %s",
        dict(config.periods),
        config.dominance_n,
        config.confidence_level,
    )
    inputs = snakemake.input
    partials = {
        "business_support": read_partials(
            inputs.business_cells, inputs.business_cases, "business_support", config
        ),
        "project_support": read_partials(
            inputs.project_cells, inputs.project_cases, "project_support", config
        ),
    }
    for source, parts in partials.items():
        cells = sum(len(p.cells) for p in parts)
        log.info("%s: %d partitions, %d year cells", source, len(parts), cells)
    works = work_tables_from_partials(partials, config)
    outputs = {Path(p).stem: p for p in snakemake.output.work}
    if set(works) != set(outputs):
        raise RuntimeError(f"tables built {sorted(works)} differ from outputs {sorted(outputs)}")
    for name, work in works.items():
        write_csv(work, outputs[name])
        log.info("%s: %d rows", name, len(work))


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
