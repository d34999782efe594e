"""Snakemake step: the publishing bundle (published tables as CSV and one XLSX workbook)."""

import datetime as dt
from pathlib import Path

import pandas as pd

from rtp_eval import io
from rtp_eval.catalog import TABLES
from rtp_eval.publish import bundle_csv, workbook_bytes
from rtp_eval.report import data_epoch
from rtp_eval.runner import log, run_step


def main(snakemake) -> None:
    tables = {
        Path(path).stem: pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        for path in snakemake.input.tables
    }
    outputs = {Path(path).stem: path for path in snakemake.output.csv}
    for name, frame in tables.items():
        io.write_text(outputs[name], bundle_csv(frame))
    epoch = data_epoch(tables["business_support_by_gender"])
    timestamp = dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)
    io.write_bytes(
        snakemake.output.xlsx,
        workbook_bytes(tables, {n: t.title_sv for n, t in TABLES.items()}, timestamp),
    )
    log.info("Bundle: %d tables as CSV and XLSX", len(tables))


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
