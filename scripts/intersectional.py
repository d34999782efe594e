"""Snakemake step: intersectional breakdown of business support, with the MAIHDA models.

Reads the clean business support files, the business-leader baseline and the published gender
tables (to keep cells they suppress suppressed here), builds `intersectional_business_support`
with `rtp_eval.intersectional`, publishes the models fitted by the intersectional_models step
for the strata the table shows, and writes the unsuppressed tables to `results/work/` and the
published ones to `results/tables/`.
"""

from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval import io
from rtp_eval.classify import age_labels
from rtp_eval.figures import source_line
from rtp_eval.intersectional import (
    IntersectionalConfig,
    build_table,
    forced_from_gender_tables,
    intersectional_figures,
    read_baseline,
    read_decided_business,
)
from rtp_eval.io import write_csv
from rtp_eval.maihda import ModelResults, model_settings, publish_models
from rtp_eval.runner import log, run_step


def read_table(path: str) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"period": str})


def main(snakemake: Any) -> None:
    params = snakemake.params
    config = IntersectionalConfig.from_params(
        params.intersectional, params.disclosure, age_labels(params.age_breaks)
    )
    settings = model_settings(params.intersectional, config)
    log.info("dimensions %s; periods %s", config.dimensions, dict(config.periods))
    log.info("model settings %s", settings)
    clean = read_decided_business(snakemake.input.business)
    baseline = read_baseline(snakemake.input.baseline)
    forced = forced_from_gender_tables(
        read_table(snakemake.input.by_gender), read_table(snakemake.input.by_area), config
    )
    table = build_table(clean, baseline, config, forced)
    write_csv(table.work, snakemake.output.work_table)
    write_csv(table.published, snakemake.output.table)
    log.info(
        "%s rows, %d with suppressed cells",
        len(table.published),
        int(table.published["suppressed"].sum()),
    )

    results = ModelResults(
        pd.read_parquet(snakemake.input.model_summary),
        pd.read_parquet(snakemake.input.model_strata),
    )
    summary, strata = publish_models(results, table.published)
    write_csv(results.summary, snakemake.output.work_summary)
    write_csv(results.strata, snakemake.output.work_strata)
    write_csv(summary, snakemake.output.summary)
    write_csv(strata, snakemake.output.strata)
    write_csv(table.log, snakemake.output.suppressions)

    outputs = {Path(p).name: p for p in snakemake.output.figures}
    source = source_line(params.region, params.demo)
    for figure in intersectional_figures(
        table.published, strata, config.keys, settings.period, source
    ):
        io.write_text(outputs[f"{figure.name}.svg"], figure.svg)
        io.write_json(
            {"title": figure.title, "alt_text": figure.alt_text}, outputs[f"{figure.name}.json"]
        )
        io.write_csv(figure.data, outputs[f"{figure.name}.csv"])


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
