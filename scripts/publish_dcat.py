"""Snakemake step: DCAT-AP-SE metadata of the edition (dcat.jsonld), for the national data
portal: the edition as a dataset, every published file as a distribution."""

from pathlib import Path

import pandas as pd

from rtp_eval import io
from rtp_eval.opendata import (
    Publication,
    PublishedFile,
    dcat_dataset,
    decision_years,
    to_json_text,
)
from rtp_eval.report import data_epoch
from rtp_eval.runner import log, run_step


def main(snakemake) -> None:
    params = snakemake.params
    edition_folder = Path(snakemake.output.dcat).parent
    inputs = snakemake.input
    paths = [inputs.html, inputs.pdf, inputs.xlsx, inputs.datapackage, *inputs.csv]
    files = [
        PublishedFile(Path(path).relative_to(edition_folder).as_posix(), Path(path).read_bytes())
        for path in paths
    ]
    tables = {Path(path).stem: path for path in inputs.csv}
    business = io.read_table(tables["business_support_by_gender"], "business_support_by_gender")
    projects = io.read_table(tables["project_support_by_gender"], "project_support_by_gender")
    counties = pd.read_csv(inputs.counties, dtype=str)
    covered = counties[counties["county_code"].isin(params.county_codes)]
    publication = Publication.from_config(
        params.publication, params.report, params.region, params.demo
    )
    metadata = dcat_dataset(
        files,
        publication,
        decision_years(business["year"].dropna(), projects["year"].dropna()),
        dict(zip(covered["county_code"], covered["county_name"], strict=True)),
        data_epoch(business),
    )
    io.write_text(snakemake.output.dcat, to_json_text(metadata))
    if not publication.public_url:
        log.warning(
            "report.public_url saknas: adresserna i dcat.jsonld är relativa till "
            "utgåvans mapp. Ange webbadressen innan metadata lämnas till dataportal.se."
        )
    log.info("DCAT-AP-SE: %d distributions", len(files))


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
