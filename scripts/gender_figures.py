"""Snakemake step: the gender breakdown figures (SVG, text alternative, data table)."""

from pathlib import Path

import pandas as pd

from rtp_eval import io
from rtp_eval.runner import run_step
from rtp_eval.sections.gender import gender_figures
from rtp_eval.vocabulary import figure_source


def main(snakemake) -> None:
    business = pd.read_csv(snakemake.input.business, keep_default_na=False, na_values=[""])
    params = snakemake.params
    outputs = {Path(p).name: p for p in snakemake.output}
    for figure in gender_figures(
        business,
        figure_source(params.region, params.demo),
        params.statistics["confidence_level"],
        params.classifications["ownership_balance_pct"],
    ):
        io.write_text(outputs[f"{figure.name}.svg"], figure.svg)
        io.write_json(
            {"title": figure.title, "alt_text": figure.alt_text}, outputs[f"{figure.name}.json"]
        )
        io.write_csv(figure.data, outputs[f"{figure.name}.csv"])


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
