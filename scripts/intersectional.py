"""Snakemake step: the intersectional figures, drawn from the published tables.

The strata table and the model results shown for its published strata come from the step
disclosure_control.
"""

from pathlib import Path
from typing import Any

from rtp_eval import io
from rtp_eval.classify import age_labels
from rtp_eval.intersectional import IntersectionalConfig
from rtp_eval.io import read_table
from rtp_eval.maihda import model_settings
from rtp_eval.outputs import STRATA_TABLE
from rtp_eval.runner import log, run_step
from rtp_eval.sections.intersectional import intersectional_figures
from rtp_eval.vocabulary import figure_source


def main(snakemake: Any) -> None:
    params = snakemake.params
    config = IntersectionalConfig.from_params(
        params.intersectional, params.disclosure, age_labels(params.age_breaks)
    )
    settings = model_settings(params.intersectional, config)
    table = read_table(snakemake.input.table, STRATA_TABLE)
    strata = read_table(snakemake.input.strata, "intersectional_model_strata")
    outputs = {Path(p).name: p for p in snakemake.output.figures}
    source = figure_source(params.region, params.demo)
    for figure in intersectional_figures(
        table, strata, config.keys, settings.period, source, config.confidence_level
    ):
        io.write_text(outputs[f"{figure.name}.svg"], figure.svg)
        io.write_json(
            {"title": figure.title, "alt_text": figure.alt_text}, outputs[f"{figure.name}.json"]
        )
        io.write_csv(figure.data, outputs[f"{figure.name}.csv"])
        log.info("%s drawn", figure.name)


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
