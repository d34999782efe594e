"""Snakemake step: import every raw case export of the run (see rtp_eval.import_step), each
file to its own outputs, with its year's gender breakdown cells (rule gender_breakdown
combines the years)."""

import datetime as dt
import os
from pathlib import Path

from rtp_eval.import_step import (
    OUTPUT_KINDS,
    ImportContext,
    case_files,
    import_case_files,
    import_reference,
)
from rtp_eval.pseudonymise import resolve_key
from rtp_eval.runner import log, run_step


def main(snakemake) -> None:
    settings = snakemake.params.settings
    pseudonymisation = settings["pseudonymisation"]
    key = resolve_key(
        demo=settings["demo"],
        use_demo_key=pseudonymisation.get("use_demo_key", False),
        key_env=pseudonymisation.get("key_env", "RTP_EVAL_PSEUDONYM_KEY"),
        key_file=pseudonymisation.get("key_file", "~/.config/rtp-eval/pseudonym.key"),
        environ=dict(os.environ),
    )
    reference = import_reference(settings, Path(snakemake.params.reference_dir))
    context = ImportContext(
        settings, reference, key, dt.date.today(), int(snakemake.params.dominance_n)
    )
    files = case_files(
        snakemake.params.files,
        list(snakemake.input.raw),
        {kind: list(snakemake.output[kind]) for kind in OUTPUT_KINDS},
    )
    log.info("%d file(s) in %d process(es)", len(files), min(snakemake.threads, len(files)))
    for summary in import_case_files(context, files, snakemake.threads):
        log.info("%s: %s", summary.file, summary.rows)
        log.info("%s: %d cells, %d decided cases", summary.file, summary.cells, summary.cases)


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
