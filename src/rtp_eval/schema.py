"""Canonical fields of the two input sources and the columns of the clean tables.

This module is the single place that names what an imported row looks like. The import stage
writes `results/clean/<source>/<year>.parquet` with exactly `clean_columns(source)`, in that
order, and every later stage reads those columns only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal[
    "identifier",  # text that identifies a case: kept exactly, an invisible character is an error
    "text",  # free text no statistic uses: cleaned; a cell that cannot be read is blanked
    "date",  # calendar date
    "amount",  # money in whole kronor, >= 0
    "count",  # whole number >= 0
    "decimal",  # non-negative number that may have decimals (expected full-time jobs)
    "percent",  # 0-100
    "year",  # calendar year
    "code",  # mapped from a label list to a code
    "org_id",  # Swedish organisation or personal identity number, pseudonymised at import
    "municipality",  # 4-digit municipality code or a municipality name
    "sni",  # SNI 2007 code
    "boolean",  # Ja/Nej
    "assessment",  # horizontal criterion level 0-3
]

SOURCES: tuple[str, ...] = ("business_support", "project_support")


@dataclass(frozen=True)
class Field:
    """One canonical input field: its name, how it is parsed and whether it is required."""

    name: str
    kind: FieldKind
    required: bool = False
    code_list: str | None = None  # for kind == "code": which code list maps its labels
    # For identifiers and free text: the longest value kept. Free text is cut there (and the
    # cut listed), so every output holds the same text; a longer identifier is an error.
    max_chars: int | None = None


_COMMON_HEAD: tuple[Field, ...] = (
    Field("case_id", "identifier", required=True, max_chars=100),
    Field("decision_date", "date", required=True),
)

BUSINESS_FIELDS: tuple[Field, ...] = (
    *_COMMON_HEAD,
    Field("support_type", "code", required=True, code_list="support_type"),
    Field("decision", "code", required=True, code_list="decision"),
    Field("amount_applied_sek", "amount"),
    # Required, but may be empty unless the case is granted (checked as a row rule).
    Field("amount_granted_sek", "amount", required=True),
    Field("org_id", "org_id", required=True),
    Field("municipality_code", "municipality", required=True),
    Field("sni_code", "sni"),
    Field("legal_form", "text", max_chars=200),
    Field("programme_area", "code", code_list="programme_area"),
    Field("ceo_sex", "code", code_list="sex"),
    Field("ceo_birth_year", "year"),
    Field("ceo_birth_background", "code", code_list="birth_background"),
    Field("owners_women", "count"),
    Field("owners_men", "count"),
    Field("owner_share_women_pct", "percent"),
    Field("board_women", "count"),
    Field("board_men", "count"),
    Field("employees_women", "count"),
    Field("employees_men", "count"),
    Field("expected_jobs_women", "decimal"),
    Field("expected_jobs_men", "decimal"),
    Field("expected_jobs_foreign_born_women", "decimal"),
    Field("expected_jobs_foreign_born_men", "decimal"),
)

PROJECT_FIELDS: tuple[Field, ...] = (
    *_COMMON_HEAD,
    Field("decision", "code", required=True, code_list="decision"),
    Field("amount_applied_sek", "amount"),
    Field("amount_granted_sek", "amount", required=True),
    Field("municipality_code", "municipality", required=True),
    Field("programme_area", "code", code_list="programme_area"),
    Field("project_title", "text", max_chars=500),
    Field("owner_name", "text", max_chars=300),
    Field("org_id", "org_id", required=True),
    Field("owner_type", "code", code_list="owner_type"),
    Field("project_manager_sex", "code", code_list="sex"),
    Field("target_women", "count"),
    Field("target_men", "count"),
    Field("equality_assessment", "assessment"),
    Field("equality_routine_applied", "boolean"),
    Field("total_budget_sek", "amount"),
    Field("project_start", "date"),
    Field("project_end", "date"),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "business_support": BUSINESS_FIELDS,
    "project_support": PROJECT_FIELDS,
}

# Columns added at import. `org_id` itself is never written: it is replaced by `org_pseudonym`.
PROVENANCE_COLUMNS: tuple[str, ...] = ("source_file", "source_row", "decision_year")
DERIVED_COLUMNS: dict[str, tuple[str, ...]] = {
    "business_support": (
        "org_pseudonym",
        "county_code",
        "area",
        "industry",
        "leadership_group",
        "ownership_group",
        "age_group",
        "company_size",
    ),
    "project_support": ("org_pseudonym", "county_code", "area", "leadership_group"),
}

# pandas dtypes of the clean tables (nullable where the field is optional).
_KIND_DTYPES: dict[str, str] = {
    "identifier": "string",
    "text": "string",
    "date": "datetime64[ms]",
    "amount": "Int64",
    "count": "Int64",
    "decimal": "Float64",
    "percent": "Float64",
    "year": "Int64",
    "code": "string",
    "municipality": "string",
    "sni": "string",
    "boolean": "boolean",
    "assessment": "Int64",
}
_DERIVED_DTYPES: dict[str, str] = {
    "source_file": "string",
    "source_row": "Int64",
    "decision_year": "Int64",
    "org_pseudonym": "string",
    "county_code": "string",
    "area": "string",
    "industry": "string",
    "leadership_group": "string",
    "ownership_group": "string",
    "age_group": "string",
    "company_size": "string",
}


def fields(source: str) -> tuple[Field, ...]:
    """The canonical input fields of `source`, in contract order."""
    try:
        return FIELDS[source]
    except KeyError:
        raise ValueError(
            f"unknown source {source!r}; expected one of {', '.join(SOURCES)}"
        ) from None


def required_fields(source: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields(source) if f.required)


def free_text_fields(source: str) -> tuple[str, ...]:
    """Fields no count, amount, code or classification uses (contract §1.6a): a cell of one
    that cannot be read is blanked and listed, and the row is kept."""
    return tuple(f.name for f in fields(source) if f.kind == "text")


def clean_columns(source: str) -> tuple[str, ...]:
    """Column order of `results/clean/<source>/<year>.parquet`."""
    input_columns = tuple(f.name for f in fields(source) if f.kind != "org_id")
    return (*PROVENANCE_COLUMNS, *input_columns, *DERIVED_COLUMNS[source])


def clean_dtypes(source: str) -> dict[str, str]:
    """pandas dtype per clean column."""
    dtypes = {f.name: _KIND_DTYPES[f.kind] for f in fields(source) if f.kind != "org_id"}
    derived = {c: _DERIVED_DTYPES[c] for c in (*PROVENANCE_COLUMNS, *DERIVED_COLUMNS[source])}
    return {c: (dtypes | derived)[c] for c in clean_columns(source)}
