"""Snakemake step: the MAIHDA models of business support (see rtp_eval.maihda).

Fits both outcomes' null and main-effects models on the clean business cases of the model
period and writes their unsuppressed results as Parquet (exact values) for the intersectional
step, which publishes them next to the strata table.
"""

import time
from typing import Any

from rtp_eval.classify import age_labels
from rtp_eval.intersectional import (
    IntersectionalConfig,
    period_cases,
    prepare_cases,
    read_decided_business,
)
from rtp_eval.io import write_parquet
from rtp_eval.maihda import fit_models, model_settings
from rtp_eval.runner import log, run_step


def main(snakemake: Any) -> None:
    params = snakemake.params
    config = IntersectionalConfig.from_params(
        params.intersectional, params.disclosure, age_labels(params.age_breaks)
    )
    settings = model_settings(params.intersectional, config)
    log.info("model settings %s", settings)
    clean = read_decided_business(snakemake.input.business)
    cases = period_cases(prepare_cases(clean, config), config.periods)[settings.period]
    start = time.perf_counter()
    results = fit_models(cases, config.keys, settings)
    log.info(
        "%d decisions; models fitted in %.1f s (approval %.1f s, amount %.1f s)",
        len(cases),
        time.perf_counter() - start,
        results.seconds["approval"],
        results.seconds["amount"],
    )
    for row in results.summary.itertuples():
        log.info(
            "%s %s: %s %s vpc=%s pcv=%s auc=%s",
            row.outcome,
            row.model,
            row.status,
            row.reason,
            row.vpc,
            row.pcv,
            row.auc,
        )
    write_parquet(results.summary, snakemake.output.summary)
    write_parquet(results.strata, snakemake.output.strata)


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
