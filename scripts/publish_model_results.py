"""Snakemake step: the model results shown beside the published strata.

A stratum's results are shown only where its cells are published in the protected strata table
(rule disclosure_control), and the counts of complete cases only where disclosure control
allows (see `rtp_eval.maihda.publish_models`).
"""

import json
from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval.io import read_table, write_csv
from rtp_eval.maihda import ModelResults, publish_models
from rtp_eval.outputs import STRATA_TABLE
from rtp_eval.runner import log, run_step


def main(snakemake: Any) -> None:
    results = ModelResults(
        pd.read_parquet(snakemake.input.model_summary),
        pd.read_parquet(snakemake.input.model_strata),
    )
    strata_table = read_table(snakemake.input.strata, STRATA_TABLE)
    decision = json.loads(Path(snakemake.input.model_counts).read_text(encoding="utf-8"))
    hide_counts = bool(decision["hide_case_counts"])
    summary, model_strata = publish_models(results, strata_table, hide_counts)
    write_csv(summary, snakemake.output.summary)
    write_csv(model_strata, snakemake.output.strata)
    write_csv(results.summary, snakemake.output.work_summary)
    write_csv(results.strata, snakemake.output.work_strata)
    log.info(
        "%d model rows, %d strata rows (%d hidden); counts of complete cases %s",
        len(summary),
        len(model_strata),
        int(model_strata["suppressed"].sum()),
        "hidden" if hide_counts else "shown",
    )


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
