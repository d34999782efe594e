"""Snakemake step: reconcile every import and write the combined quality tables."""

import json
from collections import defaultdict

import pandas as pd

from rtp_eval import io
from rtp_eval.quality import (
    QUARANTINE_README,
    check_case_ids_across_files,
    quality_table,
    reasons_table,
    reconciliation_columns,
    verify_counts,
)
from rtp_eval.runner import log, run_step
from rtp_eval.schema import SOURCES


def main(snakemake) -> None:
    records = []
    frames_by_source = defaultdict(list)
    for quality, clean, quarantine in zip(
        snakemake.input.quality, snakemake.input.clean, snakemake.input.quarantine, strict=True
    ):
        with open(quality, encoding="utf-8") as handle:
            record = json.load(handle)
        frame = pd.read_parquet(clean, columns=list(reconciliation_columns(record["source"])))
        quarantined = len(pd.read_csv(quarantine, dtype=str, keep_default_na=False))
        verify_counts(record, frame, quarantined)
        frames_by_source[record["source"]].append(frame)
        records.append(record)
    for source, frames in frames_by_source.items():
        if source in SOURCES:  # the owner follow-up has no case ids
            check_case_ids_across_files(frames)
    table = quality_table(records)
    log.info("Reconciled %d files, %d rows read", len(table), int(table["rows_read"].sum()))
    io.write_csv(table, snakemake.output.table)
    io.write_csv(reasons_table(records), snakemake.output.reasons)
    io.write_text(snakemake.output.readme, QUARANTINE_README)


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
