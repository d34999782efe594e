"""Snakemake step: the gender breakdown cells of one source and year (see rtp_eval.breakdown)."""

from typing import Any

from rtp_eval.breakdown import BreakdownConfig, partial_cells
from rtp_eval.io import read_clean, write_parquet
from rtp_eval.runner import log, run_step


def main(snakemake: Any) -> None:
    source = snakemake.wildcards.source
    clean = read_clean([snakemake.input.clean], source)
    # Only the number of largest organisations kept per cell matters here; the periods are
    # computed when the years are combined.
    config = BreakdownConfig(dominance_n=int(snakemake.params.dominance_n))
    partial = partial_cells(clean, source, config)
    write_parquet(partial.cells, snakemake.output.cells)
    write_parquet(partial.cases, snakemake.output.cases)
    log.info(
        "%s %s: %d rows, %d cells, %d decided cases",
        source,
        snakemake.wildcards.year,
        len(clean),
        len(partial.cells),
        len(partial.cases),
    )


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
