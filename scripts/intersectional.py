"""Snakemake step: the published MAIHDA results and the intersectional figures.

Publishes the models fitted by the intersectional_models step for the strata the published
strata table shows (disclosure_control wrote it), and draws the figures from the published
tables.
"""

from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval import io
from rtp_eval.classify import age_labels
from rtp_eval.figures import source_line
from rtp_eval.intersectional import IntersectionalConfig, intersectional_figures
from rtp_eval.io import read_table, write_csv
from rtp_eval.maihda import ModelResults, model_settings, publish_models
from rtp_eval.outputs import STRATA_TABLE
from rtp_eval.runner import log, run_step


def main(snakemake: Any) -> None:
    params = snakemake.params
    config = IntersectionalConfig.from_params(
        params.intersectional, params.disclosure, age_labels(params.age_breaks)
    )
    settings = model_settings(params.intersectional, config)
    log.info("model settings %s", settings)
    table = read_table(snakemake.input.table, STRATA_TABLE)
    results = ModelResults(
        pd.read_parquet(snakemake.input.model_summary),
        pd.read_parquet(snakemake.input.model_strata),
    )
    summary, strata = publish_models(results, table)
    write_csv(results.summary, snakemake.output.work_summary)
    write_csv(results.strata, snakemake.output.work_strata)
    write_csv(summary, snakemake.output.summary)
    write_csv(strata, snakemake.output.strata)

    outputs = {Path(p).name: p for p in snakemake.output.figures}
    source = source_line(params.region, params.demo)
    for figure in intersectional_figures(table, strata, config.keys, settings.period, source):
        io.write_text(outputs[f"{figure.name}.svg"], figure.svg)
        io.write_json(
            {"title": figure.title, "alt_text": figure.alt_text}, outputs[f"{figure.name}.json"]
        )
        io.write_csv(figure.data, outputs[f"{figure.name}.csv"])
    log.info("%d strata with model results shown", int((~strata["suppressed"]).sum()))


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
