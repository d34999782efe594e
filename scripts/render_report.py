"""Snakemake step: render the HTML report from the published tables."""

import pandas as pd

from rtp_eval import __version__, io
from rtp_eval.report import quality_context, render_report
from rtp_eval.runner import run_step


def main(snakemake) -> None:
    quality = pd.read_csv(snakemake.input.quality, dtype={"header_row": "Int64"})
    reasons = pd.read_csv(snakemake.input.reasons)
    context = {
        **snakemake.params.report,
        "demo": snakemake.params.demo,
        "region": snakemake.params.region,
        "version": __version__,
        "code_version": snakemake.params.code,
        "config_hash": snakemake.params.config_hash,
        **quality_context(quality, reasons),
    }
    io.write_text(snakemake.output.html, render_report(context))


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
