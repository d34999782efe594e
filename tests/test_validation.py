"""One test per quarantine reason, plus the file-level errors of the column mapping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
import yaml

from rtp_eval.catalog import TABLES
from rtp_eval.errors import ConfigError, InputFileError
from rtp_eval.reading import RawTable, UncalculatedFormula
from rtp_eval.reference import Reference, load_reference
from rtp_eval.schema import SOURCES, fields, free_text_fields
from rtp_eval.validation import (
    CELL_ISSUES,
    REASONS,
    ValidationSettings,
    cell_issue_record,
    validate,
)
from tests.conftest import REPO

BUSINESS_HEADER = [
    "Ärendenummer",
    "Beslutsdatum",
    "Stödtyp",
    "Beslut",
    "Sökt belopp",
    "Beviljat belopp",
    "Organisationsnummer",
    "Kommun",
    "SNI",
    "VD kön",
    "VD födelseår",
    "Nya jobb kvinnor",
    "Nya jobb utrikes födda kvinnor",
]
VALID_BUSINESS = {
    "Ärendenummer": "2016-0001",
    "Beslutsdatum": "2016-03-01",
    "Stödtyp": "Regionalt investeringsstöd",
    "Beslut": "Beviljat",
    "Sökt belopp": "1 000 000",
    "Beviljat belopp": "800 000",
    "Organisationsnummer": "556036-0793",
    "Kommun": "2380",
    "SNI": "56.10",
    "VD kön": "Kvinna",
    "VD födelseår": "1970",
    "Nya jobb kvinnor": "2",
    "Nya jobb utrikes födda kvinnor": "1",
}
PROJECT_HEADER = [
    "Ärendenummer",
    "Beslutsdatum",
    "Beslut",
    "Beviljat belopp",
    "Kommun",
    "Organisationsnummer",
    "Jämställdhetsbedömning",
    "Projektstart",
    "Projektslut",
]
VALID_PROJECT = {
    "Ärendenummer": "P-1",
    "Beslutsdatum": "2016-03-01",
    "Beslut": "Beviljat",
    "Beviljat belopp": "500 000",
    "Kommun": "Östersund",
    "Organisationsnummer": "212000-2411",
    "Jämställdhetsbedömning": "2 - Integrerat",
    "Projektstart": "2016-04-01",
    "Projektslut": "2018-03-31",
}
SETTINGS = ValidationSettings(file_year=2016, as_of_date=dt.date(2026, 11, 28))
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
BUSINESS_ALIASES = CONFIG["sources"]["business_support"]["columns"]
PROJECT_ALIASES = CONFIG["sources"]["project_support"]["columns"]


def _table(header: list[str], rows: list[dict[str, str]], fmt: str = "csv") -> RawTable:
    return RawTable(
        file="data/raw/business_support/2016.csv",
        header=header,
        header_row=1,
        rows=[[row.get(h, "") for h in header] for row in rows],
        row_numbers=list(range(2, len(rows) + 2)),
        format=fmt,
    )


def _business(reference: Reference, **changes: str):
    rows = [VALID_BUSINESS, {**VALID_BUSINESS, "Ärendenummer": "2016-0002", **changes}]
    return validate(
        _table(BUSINESS_HEADER, rows), "business_support", BUSINESS_ALIASES, reference, SETTINGS
    )


def _project(reference: Reference, **changes: str):
    rows = [VALID_PROJECT, {**VALID_PROJECT, "Ärendenummer": "P-2", **changes}]
    return validate(
        _table(PROJECT_HEADER, rows), "project_support", PROJECT_ALIASES, reference, SETTINGS
    )


def _only_reason(result) -> tuple[int, str, str]:
    assert len(result.accepted) == 1, result.quarantine
    assert len(result.quarantine) == 1
    line = result.quarantine.iloc[0]
    return int(line["row"]), line["column"], line["reason_code"]


def test_valid_rows_are_typed(reference: Reference) -> None:
    result = _business(reference)
    assert result.quarantine.empty
    first = result.accepted.iloc[0]
    assert first["support_type"] == "investment"
    assert first["decision"] == "granted"
    assert first["amount_granted_sek"] == 800_000
    assert first["org_id"] == "5560360793"
    assert first["sni_code"] == "5610"
    assert first["decision_date"] == pd.Timestamp("2016-03-01")
    assert list(result.accepted["source_row"]) == [2, 3]


# Each business rule: (cell changes, column named in the quarantine, reason code).
BUSINESS_CASES = [
    ({"Ärendenummer": ""}, "Ärendenummer", "missing_required"),
    ({"Beslutsdatum": ""}, "Beslutsdatum", "missing_required"),
    ({"Sökt belopp": "tolv tusen"}, "Sökt belopp", "unparseable"),
    ({"Beslutsdatum": "150231"}, "Beslutsdatum", "invalid_date"),
    ({"Sökt belopp": "-5 000"}, "Sökt belopp", "negative_value"),
    ({"Stödtyp": "Innovationscheck"}, "Stödtyp", "unknown_code"),
    ({"Beslut": "Kanske"}, "Beslut", "unknown_code"),
    ({"Kommun": "2399"}, "Kommun", "unknown_code"),
    ({"VD kön": "X"}, "VD kön", "unknown_code"),
    ({"Organisationsnummer": "556036-0794"}, "Organisationsnummer", "invalid_org_id"),
    ({"Beviljat belopp": "1000000000000"}, "Beviljat belopp", "amount_implausible"),
    ({"Beviljat belopp": "1 200 000"}, "Beviljat belopp", "granted_exceeds_applied"),
    ({"Beslut": "Avslag"}, "Beviljat belopp", "not_granted_with_amount"),
    ({"Beslut": "Återtaget"}, "Beviljat belopp", "not_granted_with_amount"),
    ({"Beviljat belopp": ""}, "Beviljat belopp", "missing_required"),
    ({"Beviljat belopp": "0"}, "Beviljat belopp", "granted_without_amount"),
    ({"Ärendenummer": "2016-0001"}, "Ärendenummer", "duplicate_case_id"),
    ({"Beslutsdatum": "2015-12-31"}, "Beslutsdatum", "date_outside_file_year"),
    ({"Beslutsdatum": "2031-01-01"}, "Beslutsdatum", "date_in_future"),
    (
        {"Nya jobb utrikes födda kvinnor": "3"},
        "Nya jobb utrikes födda kvinnor",
        "jobs_subset_exceeds_total",
    ),
    ({"VD födelseår": "2010"}, "VD födelseår", "birth_year_implausible"),
]


@pytest.mark.parametrize(("changes", "column", "reason"), BUSINESS_CASES)
def test_business_quarantine_reason(
    reference: Reference, changes: dict[str, str], column: str, reason: str
) -> None:
    row, named_column, code = _only_reason(_business(reference, **changes))
    assert (row, named_column, code) == (3, column, reason)


PROJECT_CASES = [
    ({"Projektslut": "2016-01-01"}, "Projektslut", "project_end_before_start"),
    ({"Jämställdhetsbedömning": "5"}, "Jämställdhetsbedömning", "unknown_code"),
    ({"Kommun": "Stockholm"}, "Kommun", "unknown_code"),
]


@pytest.mark.parametrize(("changes", "column", "reason"), PROJECT_CASES)
def test_project_quarantine_reason(
    reference: Reference, changes: dict[str, str], column: str, reason: str
) -> None:
    row, named_column, code = _only_reason(_project(reference, **changes))
    assert (row, named_column, code) == (3, column, reason)


def test_every_reason_code_is_tested() -> None:
    tested = {case[2] for case in BUSINESS_CASES + PROJECT_CASES} | {"wrong_field_count"}
    assert tested == set(REASONS)


def test_wrong_field_count_and_trailing_empty_fields(reference: Reference) -> None:
    rows = [[VALID_BUSINESS[h] for h in BUSINESS_HEADER] + ["", ""]]
    rows.append([VALID_BUSINESS[h] for h in BUSINESS_HEADER[:5]])
    table = RawTable("f.csv", BUSINESS_HEADER, 1, rows, [2, 3], "csv")
    result = validate(table, "business_support", BUSINESS_ALIASES, reference, SETTINGS)
    assert len(result.accepted) == 1
    assert result.quarantine["reason_code"].tolist() == ["wrong_field_count"]


def test_several_problems_are_all_reported(reference: Reference) -> None:
    result = _business(reference, **{"Kommun": "2399", "VD kön": "X"})
    line = result.quarantine.iloc[0]
    assert line["reason_code"] == "unknown_code"
    assert "VD kön" in line["other_problems"]


def test_quarantine_keeps_the_raw_cells(reference: Reference) -> None:
    result = _business(reference, **{"Sökt belopp": "tolv tusen"})
    line = result.quarantine.iloc[0]
    assert line["raw: Sökt belopp"] == "tolv tusen"
    assert line["raw: Organisationsnummer"] == "556036-0793"


def test_withdrawn_case_is_kept(reference: Reference) -> None:
    result = _business(reference, **{"Beslut": "Avskrivet", "Beviljat belopp": ""})
    assert result.quarantine.empty
    assert result.accepted["decision"].tolist() == ["granted", "withdrawn"]


def test_headers_match_case_and_whitespace_insensitively(reference: Reference) -> None:
    header = [f"  {h.upper()} " for h in BUSINESS_HEADER] + ["Handläggare"]
    table = _table(header, [{f"  {k.upper()} ": v for k, v in VALID_BUSINESS.items()}])
    result = validate(table, "business_support", BUSINESS_ALIASES, reference, SETTINGS)
    assert len(result.accepted) == 1
    assert result.mapping.extra_columns == ("Handläggare",)


def test_configured_header_alias(reference: Reference) -> None:
    header = ["Diarienummer" if h == "Ärendenummer" else h for h in BUSINESS_HEADER]
    row = {("Diarienummer" if k == "Ärendenummer" else k): v for k, v in VALID_BUSINESS.items()}
    aliases = {**BUSINESS_ALIASES, "case_id": ["Diarienummer"]}
    result = validate(_table(header, [row]), "business_support", aliases, reference, SETTINGS)
    assert result.accepted["case_id"].tolist() == ["2016-0001"]


def test_missing_required_column_stops_the_file(reference: Reference) -> None:
    header = [h for h in BUSINESS_HEADER if h != "Beslut"]
    with pytest.raises(InputFileError) as error:
        validate(
            _table(header, [VALID_BUSINESS]),
            "business_support",
            BUSINESS_ALIASES,
            reference,
            SETTINGS,
        )
    message = error.value.user_message()
    assert "data/raw/business_support/2016.csv" in message
    assert "Beslut" in message and "decision" in message


def test_two_columns_for_one_field_stop_the_file(reference: Reference) -> None:
    header = [*BUSINESS_HEADER, "beslut"]
    with pytest.raises(InputFileError) as error:
        validate(
            _table(header, [VALID_BUSINESS]),
            "business_support",
            BUSINESS_ALIASES,
            reference,
            SETTINGS,
        )
    assert "both map to 'decision'" in error.value.problem


# --- free text, closed vocabularies and cell issues (contract §1.6 and §1.6a) ---------------

TEXT_HEADER = [*PROJECT_HEADER, "Projektnamn", "Projektägare", "Insatsområde"]
VALID_TEXT = {
    **VALID_PROJECT,
    "Projektnamn": "Kompetens i länet",
    "Projektägare": "Region Jämtland Härjedalen",
    "Insatsområde": "Kompetensförsörjning",
}


def _project_text(reference: Reference, **changes: object):
    rows = [VALID_TEXT, {**VALID_TEXT, "Ärendenummer": "P-2", **changes}]
    return validate(
        _table(TEXT_HEADER, rows), "project_support", PROJECT_ALIASES, reference, SETTINGS
    )


def _issues(result) -> list[tuple[int, str, str, str]]:
    return [(int(r.row), r.column, r.issue_code, r.action) for r in result.cell_issues.itertuples()]


@pytest.mark.parametrize("column", ["Projektnamn", "Projektägare"])
@pytest.mark.parametrize("value", [UncalculatedFormula('=A3&" projekt"'), "#N/A", " #div/0! "])
def test_an_unreadable_free_text_cell_is_blanked_and_the_decision_kept(
    reference: Reference, column: str, value: object
) -> None:
    result = _project_text(reference, **{column: value})
    assert result.quarantine.empty
    field = {"Projektnamn": "project_title", "Projektägare": "owner_name"}[column]
    assert result.accepted[field].isna().tolist() == [False, True]
    assert _issues(result) == [(3, column, "unreadable", "blanked")]
    assert "unreadable" in CELL_ISSUES


@pytest.mark.parametrize("column", ["Beviljat belopp", "Insatsområde", "Jämställdhetsbedömning"])
def test_an_unreadable_cell_that_feeds_a_statistic_quarantines_the_row(
    reference: Reference, column: str
) -> None:
    result = _project_text(reference, **{column: UncalculatedFormula("=D3*0.8")})
    assert _only_reason(result) == (3, column, "unparseable")
    assert result.cell_issues.empty


def test_long_free_text_is_cut_at_its_limit_and_listed(reference: Reference) -> None:
    result = _project_text(reference, Projektnamn="Långt namn " * 100)
    title = result.accepted["project_title"].iloc[1]
    assert len(title) <= 500 and title.startswith("Långt namn Långt")
    assert _issues(result) == [(3, "Projektnamn", "too_long", "cut")]
    assert result.cell_issues["detail"].iloc[0] == "1099 characters, cut to 500"


def test_invisible_characters_are_removed_and_listed(reference: Reference) -> None:
    result = _project_text(
        reference, Projektnamn="Projekt\u202e i länet", Insatsområde="kompetensförsörjning\u200b"
    )
    assert result.quarantine.empty
    assert result.accepted["project_title"].tolist()[1] == "Projekt i länet"
    assert result.accepted["programme_area"].tolist() == ["skills_supply", "skills_supply"]
    assert _issues(result) == [
        (3, "Projektnamn", "invisible_characters", "cleaned"),
        (3, "Insatsområde", "invisible_characters", "cleaned"),
    ]
    assert "U+200B" in result.cell_issues["detail"].iloc[1]


def test_a_free_text_programme_area_is_an_unknown_code(reference: Reference) -> None:
    result = _project_text(reference, Insatsområde="Kund Anna Svensson 19640823-3234")
    assert _only_reason(result) == (3, "Insatsområde", "unknown_code")


def test_an_unlisted_label_can_be_counted_under_a_configured_code() -> None:
    areas = {"skills_supply": "Kompetensförsörjning", "other": "Övriga insatsområden"}
    reference = load_reference(
        REPO / "data" / "reference",
        region_county_codes=["23"],
        programme_areas=areas,
        unlisted_labels={"programme_area": "other"},
    )
    result = _project_text(reference, Insatsområde="Besöksnäring")
    assert result.quarantine.empty
    assert result.accepted["programme_area"].tolist() == ["skills_supply", "other"]
    assert _issues(result) == [(3, "Insatsområde", "unlisted_label", "recoded")]
    # An Excel error is no label: it is not counted as `other` but quarantined.
    result = _project_text(reference, Insatsområde="#N/A")
    assert _only_reason(result) == (3, "Insatsområde", "unparseable")


def test_the_quality_record_counts_blanked_cells_and_lists_every_issue(
    reference: Reference,
) -> None:
    import json

    result = _project_text(reference, Projektnamn="#REF!", Projektägare="Region\u200b")
    record = cell_issue_record(result.cell_issues)
    assert record["cells_blanked"] == 1
    assert [(i["row"], i["column"], i["action"]) for i in record["cell_issues"]] == [
        (3, "Projektnamn", "blanked"),
        (3, "Projektägare", "cleaned"),
    ]
    assert json.loads(json.dumps(record)) == record  # it goes into the JSON quality record
    assert cell_issue_record(_project_text(reference).cell_issues) == {
        "cells_blanked": 0,
        "cell_issues": [],
    }


def test_a_cell_issue_does_not_repeat_the_free_text(reference: Reference) -> None:
    formula = UncalculatedFormula('="Anna Svensson 19640823-3234"')
    result = _project_text(reference, Projektnamn=formula)
    assert "Anna" not in " ".join(result.cell_issues["detail"])
    assert result.cell_issues["detail"].iloc[0].startswith("the cell holds a formula")


@pytest.mark.parametrize(
    ("arguments", "key"),
    [
        ({"programme_areas": {"all": "Alla"}}, "region.programme_areas.all"),
        (
            {"programme_areas": {"a": "Turism", "b": "turism"}},
            "region.programme_areas.b",
        ),
        (
            {"programme_areas": {"a": "Turism"}, "unlisted_labels": {"programme_area": "b"}},
            "validation.unlisted_labels.programme_area",
        ),
        (
            {"programme_areas": {"a": "Turism"}, "extra_labels": {"programme_area": {"T": "b"}}},
            "labels.programme_area.T",
        ),
    ],
)
def test_programme_area_configuration_errors_name_the_key(
    arguments: dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_reference(REPO / "data" / "reference", **arguments)
    assert error.value.key == key


def test_no_free_text_field_is_a_column_of_a_published_table() -> None:
    """Every label in a published table comes from a code list or the configuration."""
    kinds = {f.name: f.kind for source in SOURCES for f in fields(source)}
    for name, spec in TABLES.items():
        for column in spec.columns:
            assert kinds.get(column) not in ("text", "identifier"), (name, column)
    assert set(free_text_fields("project_support")) == {"project_title", "owner_name"}
    assert set(free_text_fields("business_support")) == {"legal_form"}
