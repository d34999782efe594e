"""Snakemake step: the unsuppressed strata table of business support (rtp_eval.intersectional).

Writes it with the working columns disclosure control needs to `results/work/`; the rule
disclosure_control protects it together with the gender tables.
"""

from typing import Any

from rtp_eval.classify import age_labels
from rtp_eval.intersectional import IntersectionalConfig, build_work_table, read_decided_business
from rtp_eval.io import write_csv
from rtp_eval.runner import log, run_step


def main(snakemake: Any) -> None:
    params = snakemake.params
    config = IntersectionalConfig.from_params(
        params.intersectional, params.disclosure, age_labels(params.age_breaks)
    )
    log.info("dimensions %s; periods %s", config.dimensions, dict(config.periods))
    work = build_work_table(read_decided_business(snakemake.input.business), config)
    write_csv(work, snakemake.output.work)
    log.info("%d rows", len(work))


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
