"""Snakemake step: the publishing bundle (published tables as CSV and one XLSX workbook) and
its description as a Frictionless Data Package."""

import datetime as dt
from pathlib import Path

from rtp_eval import io
from rtp_eval.catalog import TABLES
from rtp_eval.opendata import Publication, datapackage, to_json_text
from rtp_eval.publish import bundle_csv, workbook_bytes
from rtp_eval.report import data_epoch
from rtp_eval.runner import log, run_step


def main(snakemake) -> None:
    params = snakemake.params
    # Typed by the catalogue, so numbers stay numbers in the workbook and get the decimal
    # comma in the CSV files, and only text is neutralised.
    tables = {
        Path(path).stem: io.read_table(path, Path(path).stem) for path in snakemake.input.tables
    }
    epoch = data_epoch(tables["business_support_by_gender"])
    timestamp = dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None)
    # Built (and its cell lengths checked) before anything is written, so a bundle stopped by a
    # text too long for Excel leaves no partial set of files.
    workbook = workbook_bytes(tables, {n: t.title_sv for n, t in TABLES.items()}, timestamp)
    csv_files = {name: bundle_csv(frame).encode("utf-8") for name, frame in tables.items()}
    publication = Publication.from_config(
        params.publication, params.report, params.region, params.demo
    )
    package = datapackage(
        {name: list(frame.columns) for name, frame in tables.items()},
        csv_files,
        publication,
        epoch,
    )
    outputs = {Path(path).stem: path for path in snakemake.output.csv}
    for name, content in csv_files.items():
        io.write_bytes(outputs[name], content)
    io.write_bytes(snakemake.output.xlsx, workbook)
    io.write_text(snakemake.output.datapackage, to_json_text(package))
    log.info("Bundle: %d tables as CSV and XLSX, described in datapackage.json", len(tables))


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
