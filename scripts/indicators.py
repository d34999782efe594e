"""Snakemake step: the goal indicators (`results/tables/indicators.csv`).

Reads the published tables the indicators name, the clean business cases (for the supported
firms) and the owner follow-up, computes every configured indicator with
`rtp_eval.indicators` and writes the table. The intervals use the report's confidence level
(`statistics.confidence_level`).
"""

from pathlib import Path
from typing import Any

from rtp_eval.config import load_schema
from rtp_eval.indicators import (
    SUPPORTED_FIRM_COLUMNS,
    SourceData,
    build_indicators,
    load_definitions,
    owner_units,
    read_table,
    supported_firms,
)
from rtp_eval.io import read_clean, write_csv
from rtp_eval.owner_follow_up import read_clean as read_owner_follow_up
from rtp_eval.runner import log, run_step


def main(snakemake: Any) -> None:
    params = snakemake.params
    settings = load_definitions(
        params.definitions, load_schema(Path(snakemake.input.schema)), params.definitions_file
    )
    sources = {
        Path(path).stem: SourceData(read_table(path), "table") for path in snakemake.input.tables
    }
    business = read_clean(
        snakemake.input.business,
        "business_support",
        columns=SUPPORTED_FIRM_COLUMNS,
        decisions=["granted"],
    )
    firms = supported_firms(business)
    owners = owner_units(read_owner_follow_up(list(snakemake.input.owner)))
    sources["supported_firms"] = SourceData(firms, "units")
    sources["owner_follow_up"] = SourceData(owners, "units")
    log.info(
        "%d indicators; %d supported firm-years; %d organisation-years; min_units %d",
        len(settings.indicators),
        len(firms),
        len(owners),
        params.min_units,
    )
    table = build_indicators(
        settings,
        sources,
        params.min_units,
        params.definitions_file,
        confidence_level=float(params.confidence_level),
        applies_after={i.id for i in settings.indicators if i.target_applies_after},
    )
    for status, count in table["status"].value_counts().sort_index().items():
        log.info("status %s: %d rows", status, count)
    judged = table[table["judgement_period"].notna()]
    for row in judged.itertuples():
        instead = "" if row.period == row.judgement_period else f" (for {row.judgement_period})"
        log.info("%s: judged on %s%s: %s", row.indicator_id, row.period, instead, row.status)
    write_csv(table, snakemake.output.table)


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
