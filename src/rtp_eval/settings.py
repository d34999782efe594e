"""The configuration's keys: their types, constraints, defaults and descriptions, written once.

`config/config.yaml` holds a region's own values only; every other key takes its default from
these models. `resolve` turns the loaded YAML (with any `--configfile`/`--config` overrides
merged in by Snakemake) into the complete configuration the rules read, or raises a
`ConfigError` naming the key and what was expected. The JSON schema
(`workflow/schemas/config.schema.yaml`) and the commented `config/config.default.yaml` are
generated from the models: `python -m rtp_eval.settings --write` rewrites both.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from rtp_eval import schema
from rtp_eval.errors import ConfigError
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL

# --- value types ---------------------------------------------------------------------------------

# What a pattern means, in the words of an error message and of the generated documentation.
PATTERN_MEANINGS: dict[str, str] = {}


def _form(pattern: str, meaning: str) -> Any:
    """A string's pattern, with its meaning for the error messages and the schema."""
    PATTERN_MEANINGS[pattern] = meaning
    return Field(pattern=pattern, description=meaning)


RESERVED_CODES = ("all", "unknown")


def _not_reserved(code: str) -> str:
    if code in RESERVED_CODES:
        raise PydanticCustomError(
            "config_reserved_code",
            "'{code}' should not be valid: {reserved} are reserved for totals and missing values",
            {"code": code, "reserved": " and ".join(RESERVED_CODES)},
        )
    return code


CountyCode = Annotated[str, _form("^[0-9]{2}$", 'a two-digit county code like "23"')]
MunicipalityCode = Annotated[str, _form("^[0-9]{4}$", "a four-digit municipality code")]
Code = Annotated[
    str,
    _form(
        "^[a-z][a-z0-9_]{0,39}$",
        "a code of lower-case letters a-z, digits and _, starting with a letter, at most 40 "
        "characters, and not all or unknown (the tables use those for totals and missing values)",
    ),
    AfterValidator(_not_reserved),
    Field(json_schema_extra={"not": {"enum": list(RESERVED_CODES)}}),
]
PublishedLabel = Annotated[
    str,
    Field(min_length=1, max_length=200),
    _form(
        "^[^=+@\\-\\s][^\\u0000-\\u001f\\u007f-\\u009f]*$",
        "a name of at most 200 characters without control characters, not starting with "
        "whitespace, =, +, - or @ (which a spreadsheet would read as a formula)",
    ),
]
PeriodLabel = Annotated[
    str, _form("^[0-9]{4}-[0-9]{4}$", 'a label "first-last" such as "2012-2015"')
]
RawFileKey = Annotated[
    str,
    _form(
        "^(business_support|project_support|owner_follow_up)/[0-9]{4}\\.(csv|xlsx)$",
        "a file below paths.raw, like business_support/2016.csv",
    ),
]
Edition = Annotated[
    str,
    _form(
        "^(?!\\.\\.?$)[A-Za-z0-9_.-]+$",
        "a folder name below reports/ such as 2012-2021 (letters, digits, '.', '_' and '-'; "
        "not '.' or '..')",
    ),
]
EnvironmentName = Annotated[str, _form("^[A-Z_][A-Z0-9_]*$", "an environment variable name")]
IsoDate = Annotated[str, _form("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "a date written YYYY-MM-DD")]
PublicUrl = Annotated[str, _form("^https?://.+/$", 'a web address ending with "/"')]
NonEmpty = Annotated[str, Field(min_length=1)]
# Whole numbers stay whole: the resolved configuration (and its SHA-256 in the report) keeps the
# numbers as written.
Number = int | float
Year = Annotated[int, Field(ge=1900, le=2100)]
Headers = Annotated[list[NonEmpty], Field(min_length=1)]

LabelList = Literal[
    "support_type", "decision", "sex", "birth_background", "owner_type", "programme_area"
]
UnlistedLabelList = Literal["support_type", "owner_type", "programme_area"]
Dimension = Literal["leadership_group", "birth_background", "age_group", "area"]
Covariate = Literal["support_type", "industry"]
OwnerFollowUpField = Literal[
    "organisation",
    "ownership_share_pct",
    "directive_includes_equality",
    "annual_report_reports_equality",
    "took_part_in_dialogues",
    "board_women",
    "board_men",
    "ceo_sex",
]


def _unique(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("config_unique_items", "has items that appear more than once")
    return values


def _first_not_after_last(period: list[int]) -> list[int]:
    if period[0] > period[1]:
        raise PydanticCustomError("config_period_order", "the first year is after the last")
    return period


UNIQUE = Field(json_schema_extra={"uniqueItems": True})
Period = Annotated[
    list[Year], Field(min_length=2, max_length=2), AfterValidator(_first_not_after_last)
]
Periods = Annotated[dict[PeriodLabel, Period], Field(min_length=1)]


class Section(BaseModel):
    """A configuration section: unknown keys are errors, values are not coerced."""

    # The python engine: the edition pattern needs a look-ahead.
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, regex_engine="python-re", defer_build=True
    )


# --- sections ------------------------------------------------------------------------------------


class Region(Section):
    name: NonEmpty = Field(description="The region's name as the report writes it.")
    county_codes: Annotated[list[CountyCode], AfterValidator(_unique), UNIQUE] = Field(
        min_length=1, description="The region's county code(s)."
    )
    programme_areas: dict[Code, PublishedLabel] = Field(
        default={},
        description="The programme areas (Insatsområde) of the region's growth programme, as "
        "code -> Swedish name; the only programme areas published. Export labels are matched "
        "to a code or a name (case-insensitively), or mapped under labels.programme_area.",
    )


class Paths(Section):
    raw: NonEmpty = Field(default="data/raw", description="The raw exports, one file per year.")
    reference: NonEmpty = Field(default="data/reference", description="The reference data.")
    results: NonEmpty = Field(default="results", description="Intermediate and work results.")
    reports: NonEmpty = Field(default="reports", description="The reports, one folder per edition.")


class ValidationRules(Section):
    """Rules for accepting a row (contract §1.5)."""

    as_of_date: IsoDate | None = Field(
        default=None,
        description="Decision dates after this date are quarantined; null = the day of the run.",
    )
    max_amount_sek: int = Field(
        default=1_000_000_000, ge=1, description="Amounts above this are implausible (kronor)."
    )
    min_ceo_age: int = Field(
        default=15, ge=0, le=120, description="The lowest plausible age of a CEO at decision."
    )
    max_ceo_age: int = Field(
        default=100, ge=0, le=150, description="The highest plausible age of a CEO at decision."
    )
    unlisted_labels: dict[UnlistedLabelList, Code] = Field(
        default={},
        description="Code list -> the code a label in no list is counted under (and listed as "
        "a cell issue) instead of being quarantined as an unknown code, e.g. "
        "{programme_area: other} (with `other` in the list).",
    )

    @field_validator("as_of_date")
    @classmethod
    def _is_a_date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise PydanticCustomError(
                    "config_date", "'{value}' is not a date", {"value": value}
                ) from None
        return value


class Pseudonymisation(Section):
    use_demo_key: bool = Field(
        default=False,
        description="Use the public demo key (see README); allowed only when demo: true.",
    )
    key_env: EnvironmentName = Field(
        default="RTP_EVAL_PSEUDONYM_KEY", description="The environment variable with the key."
    )
    key_file: NonEmpty = Field(
        default="~/.config/rtp-eval/pseudonym.key",
        description="The key file, created on first use when the variable is not set.",
    )


class Areas(Section):
    default: NonEmpty = Field(
        default="rest_of_county", description="The area of a municipality in no group."
    )
    groups: dict[str, Annotated[list[MunicipalityCode], Field(min_length=1)]] = Field(
        default={}, description="Area name -> its municipality codes."
    )


class Classifications(Section):
    """Derived classifications (contract §1.7)."""

    ownership_balance_pct: list[Annotated[Number, Field(ge=0, le=100)]] = Field(
        default=[40, 60],
        min_length=2,
        max_length=2,
        description="The even gender balance band in percent women (Swedish definition 40-60).",
    )
    age_breaks: list[Annotated[int, Field(ge=1, le=120)]] = Field(
        default=[30, 50, 65],
        min_length=1,
        description="Lower bounds of the age groups after the first "
        "(default <30, 30-49, 50-64, 65+).",
    )
    company_size_breaks: list[Annotated[int, Field(ge=1)]] = Field(
        default=[10, 50, 250],
        min_length=1,
        description="Lower bounds of the company size bands in employees (women and men) after "
        "the first (default the EU bands 0-9, 10-49, 50-249, 250+).",
    )
    areas: Areas = Field(default=Areas(), description="The areas municipalities are grouped in.")

    @field_validator("ownership_balance_pct")
    @classmethod
    def _low_not_above_high(cls, band: list[Number]) -> list[Number]:
        if band[0] > band[1]:
            raise PydanticCustomError("config_band_order", "the lower bound is above the upper")
        return band

    @field_validator("age_breaks", "company_size_breaks")
    @classmethod
    def _increasing(cls, breaks: list[int]) -> list[int]:
        if breaks != sorted(set(breaks)):
            raise PydanticCustomError("config_increasing", "must be strictly increasing")
        return breaks


class IntersectionalModel(Section):
    period: PeriodLabel = Field(
        description="The pooled period (a key of intersectional.periods) the models are fitted on."
    )
    covariates: Annotated[list[Covariate], AfterValidator(_unique), UNIQUE] = Field(
        default=["support_type", "industry"],
        description="Fixed covariates in the adjusted models (not strata).",
    )
    min_decisions: int = Field(
        default=300, ge=1, description="Below this many decisions a model is skipped."
    )
    min_outcome_events: int = Field(
        default=30, ge=1, description="Below this many of the rarer outcome a model is skipped."
    )
    min_strata: int = Field(
        default=8, ge=2, description="Below this many strata a model is skipped."
    )
    min_stratum_decisions: int = Field(
        default=5, ge=1, description="Strata with fewer decisions are left out of the models."
    )
    min_granted_for_amount: int = Field(
        default=150, ge=1, description="Below this many grants the amount model is skipped."
    )
    min_covariate_level: int = Field(
        default=20, ge=1, description="Covariate levels with fewer decisions are pooled."
    )
    max_stratum_decisions: int = Field(
        default=5000,
        ge=100,
        description="A stratum with more decisions is represented in the models by a seeded "
        "random sample of this many (the models' time grows with decisions; the report says "
        "when sampling happened).",
    )
    fdr: float = Field(
        default=0.05,
        gt=0,
        lt=1,
        description="False discovery rate (Benjamini-Hochberg) for strata whose interaction "
        "stands out.",
    )


class Intersectional(Section):
    """Intersectional strata table and MAIHDA models of business support."""

    dimensions: Annotated[list[Dimension], AfterValidator(_unique), UNIQUE] = Field(
        default=["leadership_group", "birth_background", "age_group", "area"],
        min_length=1,
        description="The stratum dimensions.",
    )
    periods: Periods = Field(
        description="Years are pooled into these periods so that strata are not too thin, as "
        "label -> [first, last]."
    )
    model: IntersectionalModel = Field(description="The MAIHDA models.")


class Disclosure(Section):
    """Disclosure control for every published table, figure and sentence; the unit is the
    organisation (pseudonymised org_id), not the decision."""

    min_units: int = Field(
        default=3,
        ge=1,
        description="Cells with fewer organisations (distinct pseudonymised org_id) than this "
        "are suppressed, and a suppressed count must not be narrowed to fewer values than this.",
    )
    dominance_n: int = Field(
        default=2,
        ge=1,
        description="How many of the largest organisations the dominance rule "
        "adds up (their contributions summed first).",
    )
    dominance_k_pct: Annotated[Number, Field(gt=0, le=100)] = Field(
        default=85,
        description="Amounts (also jobs and participants) are suppressed when the dominance_n "
        "largest organisations hold more than this per cent of the cell.",
    )
    amount_margin_pct: Annotated[Number, Field(gt=0, lt=100)] = Field(
        default=15,
        description="A suppressed amount of a threshold or dominance cell must not be narrowed "
        "to within plus or minus this per cent of its value by anything published.",
    )
    median_min_units: int = Field(
        default=5,
        ge=1,
        description="A median is published only where at least this many organisations were "
        "granted.",
    )
    all_rejected_min_units: int = Field(
        default=5,
        ge=1,
        description="A cell in which every organisation was rejected is suppressed unless it "
        "holds at least this many organisations.",
    )


class Statistics(Section):
    confidence_level: float = Field(
        default=DEFAULT_CONFIDENCE_LEVEL,
        gt=0,
        lt=1,
        description="The confidence level of every interval in the tables and the report.",
    )


class Source(Section):
    columns: dict[str, Headers] = Field(
        description="Canonical field -> the export's headers for it. The canonical name itself "
        "is always accepted; headers are matched case-insensitively after trimming."
    )


class Sources(Section):
    """Export header -> canonical field, per source."""

    business_support: Source
    project_support: Source


class ReadOverride(Section):
    encoding: Literal["utf-8", "utf-8-sig", "cp1252", "utf-16"] | None = None
    delimiter: Literal[";", ",", "\t"] | None = None
    sheet: NonEmpty | None = None
    header_row: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="The row number of the header (1 = the first row), instead of the search.",
    )

    @model_serializer(mode="wrap")
    def _only_what_is_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # An override names only what differs from reading the file as found.
        values: dict[str, Any] = handler(self)
        return {key: value for key, value in values.items() if key in self.model_fields_set}


class Limits(Section):
    """Limits on the raw files: a file beyond one stops with a message before it is parsed
    (far above any real export, far below what fills the memory)."""

    max_file_mb: int = Field(default=200, ge=1, description="Size of a raw file.")
    max_xlsx_uncompressed_mb: int = Field(
        default=1024,
        ge=1,
        description="Size of an XLSX file's parts unpacked (an XLSX file is a zip archive).",
    )
    max_columns: int = Field(default=500, ge=1, description="Columns of a row.")
    max_line_kb: int = Field(default=1024, ge=1, description="Length of a CSV line.")
    file_years: list[Annotated[int, Field(ge=1000, le=9999)]] = Field(
        default=[2000, 2100],
        min_length=2,
        max_length=2,
        description="The years a raw file may be named after (<YEAR>.csv), as [first, last].",
    )

    @field_validator("file_years")
    @classmethod
    def _first_not_after_last(cls, years: list[int]) -> list[int]:
        return _first_not_after_last(years)


class OwnerFollowUp(Section):
    columns: dict[OwnerFollowUpField, Headers] = Field(
        default={},
        description="A region's own headers per field of data/raw/owner_follow_up/<YEAR>.csv, "
        "e.g. {organisation: [Bolag]}.",
    )


class Goals(Section):
    """Goal follow-up (Måluppfyllelse)."""

    indicators: NonEmpty = Field(
        default="config/indicators.yaml",
        description="The file defining the indicators "
        "(schema workflow/schemas/indicators.schema.yaml).",
    )
    owner_follow_up: OwnerFollowUp = Field(
        default=OwnerFollowUp(), description="The optional owner follow-up files."
    )


EmailAddress = Annotated[
    str, _form(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "an e-mail address such as name@region.se")
]
# The Creative Commons licences the national data portal offers, as it writes their addresses
# (opendata.LICENCES gives their SPDX identifiers; a test keeps the two lists equal).
Licence = Literal[
    "http://creativecommons.org/publicdomain/zero/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
    "http://creativecommons.org/licenses/by-sa/4.0/",
]


class Publication(Section):
    """The edition as open data: publisher, contact and licence stated in datapackage.json (the
    tables' Frictionless Data Package) and dcat.jsonld (DCAT-AP-SE metadata for dataportal.se).
    The files' web addresses are below report.public_url."""

    publisher: NonEmpty = Field(
        description="The organisation that publishes the data (dcterms:publisher), e.g. the region."
    )
    contact_email: EmailAddress = Field(
        description="E-mail address for questions about the data (dcat:contactPoint)."
    )
    licence: Licence = Field(
        description="Licence of the published tables: the address of a Creative Commons licence "
        "as the data portal writes it (CC0 1.0, CC BY 4.0 or CC BY-SA 4.0)."
    )


class Report(Section):
    edition: Edition = Field(description="The edition: the report's folder below reports/.")
    title: NonEmpty = Field(description="The report's title.")
    public_url: PublicUrl | None = Field(
        default=None,
        description="Web address of the published report folder (links in the PDF point "
        'there), ending with "/", or null.',
    )
    realia_text: NonEmpty = Field(
        default="config/texts/realia.md",
        description="The analyst's own R3 Realia text (Markdown), shown as written.",
    )
    area_labels: dict[str, NonEmpty] = Field(
        description="Swedish name of each area of classifications.areas (and its default)."
    )


class Config(Section):
    """Configuration of the rtp-eval workflow. Unknown keys are errors, so a misspelt key is
    reported instead of silently ignored."""

    demo: bool = Field(
        description="The raw data are the fictitious demo data (banner on every report page). "
        "Set to false only for real exports: the reports then lose the banner and the public "
        "demo key is refused."
    )
    region: Region
    paths: Paths = Field(default=Paths(), description="Folders, relative to the working folder.")
    validation: ValidationRules = Field(
        default=ValidationRules(), description="Rules for accepting a row (contract §1.5)."
    )
    pseudonymisation: Pseudonymisation = Field(
        default=Pseudonymisation(), description="The key that pseudonymises org_id at import."
    )
    classifications: Classifications = Field(
        default=Classifications(), description="Derived classifications (contract §1.7)."
    )
    periods: Periods = Field(
        description="Periods compared with single years and each other (the action plan's "
        "baseline and programme period), as label -> [first, last]."
    )
    intersectional: Intersectional = Field(
        description="Intersectional strata table and MAIHDA models of business support."
    )
    disclosure: Disclosure = Field(
        default=Disclosure(),
        description="Disclosure control for every published table, figure and sentence "
        "(docs/anvandarguide.md); the unit is the organisation, not the decision.",
    )
    statistics: Statistics = Field(default=Statistics(), description="Statistical settings.")
    sources: Sources = Field(description="Export header -> canonical field, per source.")
    labels: dict[LabelList, dict[str, str]] = Field(
        default={},
        description="A region's own labels for codes, per code list, e.g. support_type: "
        '{"Innovationscheck": other}.',
    )
    files: dict[RawFileKey, ReadOverride] = Field(
        default={},
        description="Per-file reading overrides keyed by the path below paths.raw: encoding "
        "(utf-8, utf-8-sig, cp1252, utf-16), delimiter (; , or tab), sheet, header_row (the "
        "header's row instead of the search), e.g. business_support/2016.xlsx: {sheet: Blad1}.",
    )
    limits: Limits = Field(
        default=Limits(),
        description="Limits on the raw files (docs/anvandarguide.md, section 3.4); raise one "
        "only for a file you have checked.",
    )
    goals: Goals = Field(default=Goals(), description="Goal follow-up (Måluppfyllelse).")
    publication: Publication = Field(description="The edition as open data.")
    report: Report = Field(description="The report.")


# --- resolving and checking ----------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def _key_path(parts: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in parts) if parts else "(top level)"


def _schema_at(node: Mapping[str, Any], loc: Sequence[str | int], defs: Mapping[str, Any]) -> Any:
    """The JSON schema node of a location ({} where the schema does not say)."""
    for part in loc:
        node = _deref(node, defs)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part) or node.get("additionalProperties") or {}
    return _deref(node, defs)


def _deref(node: Any, defs: Mapping[str, Any]) -> Any:
    if not isinstance(node, Mapping):
        return {}
    if "$ref" in node:
        return _deref(defs.get(node["$ref"].rsplit("/", 1)[-1], {}), defs)
    for branch in node.get("anyOf", ()):
        if branch.get("type") != "null":
            return {**_deref(branch, defs), **{k: v for k, v in node.items() if k != "anyOf"}}
    return node


JSON_TYPES = {
    "bool_type": "boolean",
    "int_type": "integer",
    "float_type": "number",
    "string_type": "string",
    "list_type": "array",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
}
BOUNDS = {
    "greater_than_equal": ("ge", "less than the minimum of"),
    "greater_than": ("gt", "less than or equal to the minimum of"),
    "less_than_equal": ("le", "greater than the maximum of"),
    "less_than": ("lt", "greater than or equal to the maximum of"),
}


def _explain(error: ErrorDetails, description: str | None) -> str:
    """A JSON schema validator's wording (as the user guide lists it): what is wrong, and what
    was expected."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx", {})
    if kind.startswith("config_"):
        return error["msg"]  # the models' own checks say what was expected
    if kind in JSON_TYPES:
        message = f"{value!r} is not of type '{JSON_TYPES[kind]}'"
    elif kind in BOUNDS:
        name, words = BOUNDS[kind]
        message = f"{value!r} is {words} {ctx[name]}"
    elif kind == "string_pattern_mismatch":
        expected = PATTERN_MEANINGS.get(ctx["pattern"], f"pattern {ctx['pattern']}")
        return f"{value!r} does not have the expected form: {expected}"
    elif kind == "literal_error":
        message = f"{value!r} is not one of {ctx['expected']}"
    else:
        message = error["msg"]
    return f"{message} ({description})" if description else message


NUMBER_BRANCHES = ("int", "float")


def config_errors(error: ValidationError, file: str) -> list[ConfigError]:
    """Pydantic's errors as `ConfigError`s that name the key and say what was expected.

    Unknown keys come first: a misspelt key is also a missing one, and its message lists the
    keys allowed there.
    """
    doc = json_schema()
    defs = doc.get("$defs", {})
    unknown: dict[tuple[str | int, ...], list[str]] = {}
    found: list[ConfigError] = []
    for details in error.errors():
        loc = details["loc"]
        if loc and loc[-1] in NUMBER_BRANCHES:
            # The int and float branches of a number: one error, about a number.
            loc = loc[:-1]
            details = {**details, "type": "float_type"}
        if details["type"] == "extra_forbidden":
            unknown.setdefault(loc[:-1], []).append(str(loc[-1]))
        elif details["type"] == "missing":
            found.append(ConfigError(file, _key_path(loc[:-1]), f"'{loc[-1]}' is missing"))
        elif loc and loc[-1] == "[key]":
            # A key of a mapping: the mapping is where the error is.
            node = _schema_at(doc, loc[:-2], defs).get("propertyNames", {})
            problem = _explain(details, node.get("description"))
            found.append(
                ConfigError(
                    file,
                    _key_path(loc[:-2]),
                    f"{details['input']!r} is not a valid key here ({problem})",
                )
            )
        else:
            node = _schema_at(doc, loc, defs)
            found.append(
                ConfigError(file, _key_path(loc), _explain(details, node.get("description")))
            )
    misspelt = []
    for parent, names in unknown.items():
        allowed = sorted(_schema_at(doc, parent, defs).get("properties", {}))
        hint = f"; allowed keys are: {', '.join(allowed)}" if allowed else ""
        listed = ", ".join(repr(n) for n in sorted(names))
        misspelt.append(ConfigError(file, _key_path(parent), f"unknown key(s) {listed}{hint}"))
    return misspelt + found


def _check_across_keys(config: Config, file: str) -> None:
    """The rules that relate keys to each other or to the code (a schema cannot express them)."""
    for source in schema.SOURCES:
        known = {f.name for f in schema.fields(source)}
        for name in getattr(config.sources, source).columns:
            if name not in known:
                raise ConfigError(
                    file,
                    f"sources.{source}.columns.{name}",
                    f"'{name}' is not a field of {source}; fields are: {', '.join(sorted(known))}",
                )
    for label, (first, last) in config.periods.items():
        if label != f"{first}-{last}":
            raise ConfigError(
                file, f"periods.{label}", f"the label must match its years: '{first}-{last}'"
            )
    strata = config.intersectional
    if strata.model.period not in strata.periods:
        raise ConfigError(
            file,
            "intersectional.model.period",
            f"'{strata.model.period}' is not one of intersectional.periods "
            f"({', '.join(strata.periods)})",
        )


def parse(values: Mapping[str, Any], file: str) -> Config:
    """The typed configuration, or the first error as a `ConfigError`."""
    try:
        config = Config.model_validate(values)
    except ValidationError as error:
        raise config_errors(error, file)[0] from None
    _check_across_keys(config, file)
    return config


def resolve(values: Mapping[str, Any], file: str) -> dict[str, Any]:
    """The complete configuration as plain data: the given values, every other key's default."""
    return parse(values, file).model_dump(mode="json")


def section(model: type[M], values: Mapping[str, object] | None) -> M:
    """One section from a rule's params (which may merge sections: only `model`'s keys count)."""
    own = {k: v for k, v in (values or {}).items() if k in model.model_fields}
    try:
        return model.model_validate(own)
    except ValidationError as error:
        raise config_errors(error, f"the rule's params ({model.__name__})")[0] from None


# --- generated files -----------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = Path("workflow") / "schemas" / "config.schema.yaml"
DEFAULTS_FILE = Path("config") / "config.default.yaml"
GENERATED = "Generated from src/rtp_eval/settings.py by `python -m rtp_eval.settings --write`"
BOUND_NAMES = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def _tidy(node: Any) -> Any:
    """Standard JSON schema words for what pydantic writes its own way, no titles."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "patternProperties" and len(value) == 1:
            # A mapping whose keys have a pattern: every key must match it.
            [(pattern, values)] = value.items()
            out.setdefault("propertyNames", {})["pattern"] = pattern
            out["additionalProperties"] = _tidy(values)
            continue
        if key == "propertyNames":
            out.setdefault("propertyNames", {}).update(_tidy(value))
            continue
        if key == "description" and isinstance(value, str):
            value = " ".join(value.split())
        out[str(BOUND_NAMES.get(key, key))] = _tidy(value)
    if out.get("anyOf") == [{"type": "integer"}, {"type": "number"}]:
        del out["anyOf"]
        out["type"] = "number"
    return out


@functools.cache
def json_schema() -> dict[str, Any]:
    doc = _tidy(Config.model_json_schema())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "rtp-eval configuration",
        **doc,
    }


def schema_text() -> str:
    body = yaml.safe_dump(json_schema(), allow_unicode=True, sort_keys=False, width=100)
    return f"# {GENERATED}; do not edit.\n{body}"


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), 100, initial_indent=f"{indent}# ", subsequent_indent=f"{indent}# "
    )


def _flow(value: object) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000)
    return text.removesuffix("\n").removesuffix("\n...")


def _default_lines(model: type[BaseModel], indent: str = "") -> Iterator[str]:
    for name, spec in model.model_fields.items():
        nested = spec.annotation if isinstance(spec.annotation, type) else None
        if nested is not None and not issubclass(nested, Section):
            nested = None
        description = spec.description or (nested.__doc__ if nested else None)
        if description:
            yield from _comment(description, indent)
        if nested is not None:
            required = "  # required: the region's own values" if spec.is_required() else ""
            yield f"{indent}{name}:{required}"
            yield from _default_lines(nested, indent + "  ")
        elif spec.is_required():
            yield f"{indent}# {name}: required: the region's own value"
        else:
            yield f"{indent}{name}: {_flow(json.loads(json.dumps(spec.default)))}"


def defaults_text() -> str:
    header = [
        f"# {GENERATED}; do not edit.",
        "# Every configuration key with its default. config/config.yaml holds the region's own",
        "# values and any key it changes; a key not there takes the default below.",
        "",
    ]
    return "\n".join([*header, *_default_lines(Config)]) + "\n"


def generated_files() -> dict[Path, str]:
    return {SCHEMA_FILE: schema_text(), DEFAULTS_FILE: defaults_text()}


def main(argv: Sequence[str]) -> int:
    """`--write` rewrites the generated files; `--check` fails when one differs from the models."""
    stale = [p for p, text in generated_files().items() if _read(REPO / p) != text]
    if "--write" in argv:
        for path, text in generated_files().items():
            (REPO / path).write_text(text, encoding="utf-8")
        return 0
    for path in stale:
        print(f"{path} is out of date: run python -m rtp_eval.settings --write", file=sys.stderr)
    return 1 if stale else 0


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
