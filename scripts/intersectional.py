"""Snakemake step: the published strata table, the MAIHDA results and the intersectional figures.

Reads the strata table protected by disclosure_control and adds its shares and indexes (from
its own published values) with `rtp_eval.intersectional`, publishes the models fitted by the
intersectional_models step for the strata the table shows, and draws the figures from the
published tables.
"""

from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval import io
from rtp_eval.classify import age_labels
from rtp_eval.figures import source_line
from rtp_eval.intersectional import (
    IntersectionalConfig,
    finish_table,
    intersectional_figures,
    known_areas,
    read_baseline,
    read_decided_business,
)
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
    areas = known_areas(read_decided_business(snakemake.input.business))
    baseline = read_baseline(snakemake.input.baseline)
    protected = read_table(snakemake.input.protected, STRATA_TABLE)
    work = read_table(snakemake.input.work, STRATA_TABLE)
    table = finish_table(protected, areas, baseline, config)
    write_csv(finish_table(work, areas, baseline, config), snakemake.output.work_table)
    write_csv(table, snakemake.output.table)
    log.info("%s rows, %d with suppressed cells", len(table), int(table["suppressed"].sum()))

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


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
