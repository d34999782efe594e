"""Row-level validation (contract §1.5): every row is accepted, withdrawn or quarantined.

The validator maps the file's headers to canonical fields, parses every cell with the parsers of
`rtp_eval.parsing`, applies the cross-field rules and returns typed accepted rows and a quarantine
with the file, the row number, the column and the reason for every rejected row.

A problem in a cell of a free-text field (contract §1.6a: project title, owner name, legal form;
no statistic uses them) does not quarantine the row: the cell is blanked (or cleaned, or cut) and
listed as a cell issue, so the decision is kept. Every other field feeds a count, an amount, a
code or a classification, and a cell of it that cannot be read quarantines the row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd

from rtp_eval import parsing, schema
from rtp_eval.errors import InputFileError
from rtp_eval.reading import RawTable, UncalculatedFormula
from rtp_eval.reference import Reference
from rtp_eval.settings import ValidationRules

RULE_DEFAULTS = ValidationRules()

# reason code -> what it means (the quarantine file gives the specific detail per row)
REASONS: dict[str, str] = {
    "wrong_field_count": "the row has a different number of fields than the header",
    "missing_required": "a required value is missing",
    "unparseable": "a value cannot be understood",
    "invalid_date": "a date that does not exist",
    "negative_value": "an amount or count below zero",
    "unknown_code": "a label or code that is not in the code list",
    "invalid_org_id": "an organisation or identity number with a wrong format or check digit",
    "amount_implausible": "an amount above the configured plausible maximum",
    "granted_exceeds_applied": "the granted amount is larger than the applied amount",
    "not_granted_with_amount": "a rejected or withdrawn case has a granted amount",
    "granted_without_amount": "a granted case has no granted amount",
    "duplicate_case_id": "the case id already appears on an earlier row of the file",
    "date_outside_file_year": "the decision date is not in the file's year",
    "date_in_future": "the decision date is after the as-of date",
    "jobs_subset_exceeds_total": "expected jobs for foreign-born exceed the total for that sex",
    "project_end_before_start": "the project ends before it starts",
    "birth_year_implausible": "the CEO's birth year gives an implausible age at decision",
}


@dataclass(frozen=True)
class ValidationSettings:
    """Rules that depend on the file and the configuration (`validation:`, whose defaults
    these are)."""

    file_year: int
    as_of_date: dt.date
    max_amount_sek: int = RULE_DEFAULTS.max_amount_sek
    min_ceo_age: int = RULE_DEFAULTS.min_ceo_age
    max_ceo_age: int = RULE_DEFAULTS.max_ceo_age


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the file holds which canonical field, and what was left over."""

    positions: Mapping[str, int]  # canonical field -> column index in the file
    headers: Mapping[str, str]  # canonical field -> header as written in the file
    extra_columns: tuple[str, ...]


# cell issue code -> what it means; the action says what was done to the cell (the row is kept)
CELL_ISSUES: dict[str, str] = {
    "unreadable": "a free-text cell cannot be read (a formula without a saved value, an Excel "
    "error value): blanked",
    "too_long": "a free-text cell is longer than the field allows: cut",
    "invisible_characters": "invisible characters (control, zero-width, bidirectional) removed",
    "unlisted_label": "a label in no list, counted under the configured code "
    "(validation.unlisted_labels)",
}
CELL_ISSUE_ACTIONS: dict[str, str] = {
    "unreadable": "blanked",
    "too_long": "cut",
    "invisible_characters": "cleaned",
    "unlisted_label": "recoded",
}
CELL_ISSUE_COLUMNS = ("file", "row", "column", "issue_code", "action", "detail")


@dataclass(frozen=True)
class CellIssue:
    """Something done to one cell of a kept row; `detail` never repeats a free-text value."""

    code: str
    detail: str

    @property
    def action(self) -> str:
        return CELL_ISSUE_ACTIONS[self.code]


def _empty_cell_issues() -> pd.DataFrame:
    return pd.DataFrame(columns=list(CELL_ISSUE_COLUMNS))


@dataclass
class ValidationResult:
    accepted: pd.DataFrame  # typed canonical fields + source_row, accepted and withdrawn rows
    quarantine: pd.DataFrame  # one row per quarantined row (see `quarantine_columns`)
    mapping: ColumnMapping
    # one row per issue in a cell of an accepted row (see `CELL_ISSUE_COLUMNS`)
    cell_issues: pd.DataFrame = dataclasses.field(default_factory=_empty_cell_issues)


def map_columns(
    header: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    source: str,
    file: str,
    header_row: int = 1,
) -> ColumnMapping:
    """Match the file's headers to canonical fields, case- and whitespace-insensitively."""
    lookup: dict[str, str] = {}
    for field in schema.fields(source):
        for alias in [field.name, *aliases.get(field.name, ())]:
            lookup.setdefault(parsing.normalise_header(alias), field.name)
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    extra: list[str] = []
    for index, raw_header in enumerate(header):
        canonical = lookup.get(parsing.normalise_header(raw_header))
        if canonical is None:
            if raw_header.strip():
                extra.append(raw_header.strip())
            continue
        if canonical in positions:
            raise InputFileError(
                file,
                f"the columns '{headers[canonical]}' and '{raw_header}' both map to '{canonical}'",
                row=header_row,
                column=raw_header,
                hint="Remove the duplicated column or correct the column mapping in config.",
            )
        positions[canonical] = index
        headers[canonical] = raw_header
    missing = [name for name in schema.required_fields(source) if name not in positions]
    if missing:
        expected = [f"'{aliases.get(name, [name])[0]}' ({name})" for name in missing]
        raise InputFileError(
            file,
            f"required column(s) missing: {', '.join(expected)}",
            row=header_row,
            hint="Add the column to the export, or map its header in config "
            f"(sources: {source}: columns).",
        )
    return ColumnMapping(positions, headers, tuple(extra))


def field_parser(field: schema.Field, reference: Reference) -> Callable[[Any], Any]:
    """The parser for one canonical field."""
    match field.kind:
        case "identifier":
            return partial(parsing.parse_identifier, max_chars=field.max_chars)
        case "text":
            return parsing.parse_text
        case "date":
            return parsing.parse_date
        case "amount":
            return parsing.parse_amount
        case "count":
            return parsing.parse_count
        case "decimal":
            return parsing.parse_decimal
        case "percent":
            return parsing.parse_percent
        case "year":
            return parsing.parse_year
        case "code":
            assert field.code_list is not None
            return partial(parsing.parse_code, labels=reference.labels[field.code_list])
        case "org_id":
            return parsing.parse_org_id
        case "municipality":
            return partial(
                parsing.parse_municipality,
                names=reference.municipality_names,
                county_codes=reference.county_codes,
                listed_codes=frozenset(reference.municipality_counties),
            )
        case "sni":
            return partial(parsing.parse_sni, divisions=reference.sni_divisions)
        case "boolean":
            return parsing.parse_boolean
        case "assessment":
            return parsing.parse_assessment
    raise ValueError(f"no parser for field kind {field.kind!r}")


Problem = tuple[str, str, str]  # (column header, reason code, detail)
CellReading = tuple[Any, tuple[CellIssue, ...]]  # parsed value, what was done to the cell


def _unreadable(value: Any, *, show_formula: bool) -> str | None:
    """Why a cell holds no value to read (a formula never calculated, an Excel error), or None.

    The formula is named only where the reason goes to the quarantine (with the raw row anyway):
    a cell issue never repeats free text, and a formula can hold some (`="Anna …"`).
    """
    if isinstance(value, UncalculatedFormula):
        formula = f"the formula {value}" if show_formula else "a formula"
        return (
            f"the cell holds {formula} but no saved value; open the file in Excel and save it again"
        )
    if isinstance(value, str) and value.strip().upper() in parsing.EXCEL_ERRORS:
        return f"the cell holds the Excel error {value.strip().upper()}, not a value"
    return None


def read_cell(
    value: Any,
    field: schema.Field,
    parser: Callable[[Any], Any],
    unlisted_code: str | None = None,
) -> CellReading:
    """Parse one cell and say what was done to it; raises ParseError if the row is quarantined.

    A free-text field keeps the row: an unreadable cell is blanked, a long one cut; in any other
    field an unreadable cell quarantines the row. Every field
    has invisible characters removed before parsing, except an identifier (it must match the
    case system exactly). A label in no list is counted under `unlisted_code` where one is set.
    """
    unreadable = _unreadable(value, show_formula=field.kind != "text")
    if unreadable is not None:
        if field.kind == "text":
            return None, (CellIssue("unreadable", unreadable),)
        # Not a label either: an Excel error must not be counted as an unlisted label.
        raise parsing.ParseError(unreadable)
    issues: list[CellIssue] = []
    if isinstance(value, str) and field.kind != "identifier":
        removed = dict.fromkeys(parsing.removed_characters(value))
        if removed:
            names = ", ".join(parsing.codepoint(char) for char in removed)
            issues.append(CellIssue("invisible_characters", f"removed {names}"))
    try:
        parsed = parser(value)
    except parsing.ParseError as error:
        if error.code != "unknown_code" or unlisted_code is None:
            raise
        detail = f"{error}; counted as '{unlisted_code}'"
        return unlisted_code, (*issues, CellIssue("unlisted_label", detail))
    limit = field.max_chars
    if field.kind == "text" and parsed is not None and limit is not None and len(parsed) > limit:
        issues.append(CellIssue("too_long", f"{len(parsed)} characters, cut to {limit}"))
        parsed = parsing.cut_text(parsed, limit)
    return parsed, tuple(issues)


def _parse_column(
    values: list[Any],
    read: Callable[[Any], CellReading],
) -> tuple[list[Any], dict[int, parsing.ParseError], dict[int, tuple[CellIssue, ...]]]:
    """Read a column, each distinct value once; parsed values, errors and issues by row index."""
    cache: dict[Any, CellReading | parsing.ParseError] = {}
    parsed: list[Any] = []
    errors: dict[int, parsing.ParseError] = {}
    issues: dict[int, tuple[CellIssue, ...]] = {}
    for index, value in enumerate(values):
        key = (type(value), value)
        if key not in cache:
            try:
                cache[key] = read(value)
            except parsing.ParseError as error:
                cache[key] = error
        result = cache[key]
        if isinstance(result, parsing.ParseError):
            errors[index] = result
            parsed.append(None)
        else:
            parsed.append(result[0])
            if result[1]:
                issues[index] = result[1]
    return parsed, errors, issues


def validate(
    table: RawTable,
    source: str,
    aliases: Mapping[str, Sequence[str]],
    reference: Reference,
    settings: ValidationSettings,
) -> ValidationResult:
    """Validate every data row of `table`; each ends up accepted or quarantined, never lost."""
    mapping = map_columns(table.header, aliases, source, table.file, table.header_row)
    width = len(table.header)
    problems: list[list[Problem]] = [[] for _ in table.rows]
    cells: list[list[Any]] = []
    for index, row in enumerate(table.rows):
        if len(row) > width and not any(str(c).strip() for c in row[width:] if c is not None):
            row = row[:width]
        if table.format == "csv" and len(row) != width:
            problems[index].append(
                ("", "wrong_field_count", f"{len(row)} fields, the header has {width}")
            )
        cells.append(row)

    parsed: dict[str, list[Any]] = {}
    cell_issues: list[tuple[int, int, str, CellIssue]] = []  # (row index, column, header, issue)
    for canonical in schema.fields(source):
        position = mapping.positions.get(canonical.name)
        if position is None:
            parsed[canonical.name] = [None] * len(cells)
            continue
        raw = [row[position] if position < len(row) else None for row in cells]
        unlisted = reference.unlisted_codes.get(canonical.code_list or "")
        read = partial(
            read_cell,
            field=canonical,
            parser=field_parser(canonical, reference),
            unlisted_code=unlisted if canonical.kind == "code" else None,
        )
        values, errors, issues = _parse_column(raw, read)
        header = mapping.headers[canonical.name]
        for index, error in errors.items():
            problems[index].append((header, error.code, str(error)))
        cell_issues += [
            (i, position, header, issue) for i, found in issues.items() for issue in found
        ]
        parsed[canonical.name] = values

    _check_rows(parsed, problems, mapping, source, settings, table.row_numbers)

    row_numbers = table.row_numbers
    accepted_index = [i for i, found in enumerate(problems) if not found]
    accepted = _typed_frame(parsed, accepted_index, row_numbers, source)
    quarantine = _quarantine_frame(table, cells, problems)
    kept = sorted((issue for issue in cell_issues if not problems[issue[0]]), key=lambda i: i[:2])
    return ValidationResult(
        accepted, quarantine, mapping, _cell_issue_frame(table.file, row_numbers, kept)
    )


def cell_issue_record(issues: pd.DataFrame) -> dict[str, Any]:
    """The quality record's part on cell issues: `cells_blanked`, a count that is published,
    and `cell_issues`, the list (row, column, issue_code, action, detail) that is not: it names
    headers, and its details never repeat a free-text value."""
    listed = [
        {
            "row": int(issue.row),
            "column": str(issue.column),
            "issue_code": str(issue.issue_code),
            "action": str(issue.action),
            "detail": str(issue.detail),
        }
        for issue in issues.itertuples()
    ]
    return {
        "cells_blanked": sum(issue["action"] == "blanked" for issue in listed),
        "cell_issues": listed,
    }


def _cell_issue_frame(
    file: str, row_numbers: Sequence[int], issues: Sequence[tuple[int, int, str, CellIssue]]
) -> pd.DataFrame:
    """One line per cell issue of a kept row (`issues` in row and column order)."""
    records = [
        {
            "file": file,
            "row": row_numbers[index],
            "column": header,
            "issue_code": issue.code,
            "action": issue.action,
            "detail": issue.detail,
        }
        for index, _, header, issue in issues
    ]
    return pd.DataFrame(records, columns=list(CELL_ISSUE_COLUMNS))


def _check_rows(
    parsed: dict[str, list[Any]],
    problems: list[list[Problem]],
    mapping: ColumnMapping,
    source: str,
    settings: ValidationSettings,
    row_numbers: Sequence[int],
) -> None:
    """Required fields and the rules that involve more than one cell."""

    def header(name: str) -> str:
        return mapping.headers.get(name, name)

    required = [n for n in schema.required_fields(source) if n != "amount_granted_sek"]
    first_row_of_case: dict[str, int] = {}
    for index, found in enumerate(problems):
        unparsed = {column for column, _, _ in found}
        row = {name: values[index] for name, values in parsed.items()}
        for name in required:
            if row[name] is None and header(name) not in unparsed:
                found.append((header(name), "missing_required", f"'{header(name)}' is empty"))
        found.extend(_amount_problems(row, unparsed, header, settings))
        found.extend(_date_problems(row, header, settings))
        if source == "business_support":
            found.extend(_business_problems(row, header, settings))
        else:
            found.extend(_project_problems(row, header))
        case_id = row["case_id"]
        if case_id is not None:
            if case_id in first_row_of_case:
                found.append(
                    (
                        header("case_id"),
                        "duplicate_case_id",
                        f"case id '{case_id}' already on row {first_row_of_case[case_id]}",
                    )
                )
            else:
                first_row_of_case[case_id] = row_numbers[index]


def _amount_problems(
    row: Mapping[str, Any],
    unparsed: set[str],
    header: Callable[[str], str],
    settings: ValidationSettings,
) -> list[Problem]:
    found: list[Problem] = []
    for name in ("amount_applied_sek", "amount_granted_sek", "total_budget_sek"):
        value = row.get(name)
        if value is not None and value > settings.max_amount_sek:
            found.append(
                (
                    header(name),
                    "amount_implausible",
                    f"{value} kr is above the plausible maximum {settings.max_amount_sek} kr",
                )
            )
    decision = row["decision"]
    granted = row["amount_granted_sek"]
    applied = row["amount_applied_sek"]
    if decision == "granted" and granted is None and header("amount_granted_sek") not in unparsed:
        found.append(
            (header("amount_granted_sek"), "missing_required", "granted case without amount")
        )
    elif decision == "granted" and granted == 0:
        found.append(
            (header("amount_granted_sek"), "granted_without_amount", "granted amount is 0")
        )
    if decision in ("rejected", "withdrawn") and granted:
        found.append(
            (
                header("amount_granted_sek"),
                "not_granted_with_amount",
                f"a {decision} case with a granted amount of {granted} kr",
            )
        )
    if granted is not None and applied is not None and granted > applied:
        found.append(
            (
                header("amount_granted_sek"),
                "granted_exceeds_applied",
                f"granted {granted} kr is more than applied {applied} kr",
            )
        )
    return found


def _date_problems(
    row: Mapping[str, Any], header: Callable[[str], str], settings: ValidationSettings
) -> list[Problem]:
    date = row["decision_date"]
    if date is None:
        return []
    if date > settings.as_of_date:
        return [
            (
                header("decision_date"),
                "date_in_future",
                f"decision date {date.isoformat()} is after {settings.as_of_date.isoformat()}",
            )
        ]
    if date.year != settings.file_year:
        return [
            (
                header("decision_date"),
                "date_outside_file_year",
                f"decision date {date.isoformat()} is not in {settings.file_year}",
            )
        ]
    return []


def _business_problems(
    row: Mapping[str, Any], header: Callable[[str], str], settings: ValidationSettings
) -> list[Problem]:
    found: list[Problem] = []
    for sex in ("women", "men"):
        total = row[f"expected_jobs_{sex}"]
        subset = row[f"expected_jobs_foreign_born_{sex}"]
        if total is not None and subset is not None and subset > total:
            name = f"expected_jobs_foreign_born_{sex}"
            found.append(
                (header(name), "jobs_subset_exceeds_total", f"{subset} is more than {total}")
            )
    birth_year = row["ceo_birth_year"]
    if birth_year is not None:
        age = settings.file_year - birth_year
        if not settings.min_ceo_age <= age <= settings.max_ceo_age:
            found.append(
                (
                    header("ceo_birth_year"),
                    "birth_year_implausible",
                    f"born {birth_year} gives age {age} in {settings.file_year}",
                )
            )
    return found


def _project_problems(row: Mapping[str, Any], header: Callable[[str], str]) -> list[Problem]:
    start, end = row["project_start"], row["project_end"]
    if start is not None and end is not None and end < start:
        return [
            (
                header("project_end"),
                "project_end_before_start",
                f"ends {end.isoformat()} before it starts {start.isoformat()}",
            )
        ]
    return []


def _typed_frame(
    parsed: Mapping[str, list[Any]], keep: list[int], row_numbers: list[int], source: str
) -> pd.DataFrame:
    """The accepted rows as a frame with the clean dtypes of the canonical fields."""
    dtypes = schema.clean_dtypes(source)
    columns: dict[str, Any] = {"source_row": pd.array([row_numbers[i] for i in keep], "Int64")}
    for field in schema.fields(source):
        values = [parsed[field.name][i] for i in keep]
        if field.kind == "org_id":
            columns[field.name] = pd.array(values, dtype="string")
        elif field.kind == "date":
            columns[field.name] = pd.Series(
                pd.to_datetime(pd.Series(values, dtype="object")), dtype="datetime64[ms]"
            ).array
        else:
            columns[field.name] = pd.array(values, dtype=dtypes[field.name])
    return pd.DataFrame(columns)


QUARANTINE_COLUMNS = ("file", "row", "column", "reason_code", "reason", "other_problems")


def _quarantine_frame(
    table: RawTable, cells: list[list[Any]], problems: list[list[Problem]]
) -> pd.DataFrame:
    """One line per quarantined row: where, why, and the row's raw cells under their headers."""
    records: list[dict[str, Any]] = []
    raw_headers = [h if h else f"(column {i + 1})" for i, h in enumerate(table.header)]
    for index, found in enumerate(problems):
        if not found:
            continue
        column, code, detail = found[0]
        record: dict[str, Any] = {
            "file": table.file,
            "row": table.row_numbers[index],
            "column": column,
            "reason_code": code,
            "reason": detail,
            "other_problems": " | ".join(f"{c}: {d}" if c else d for c, _, d in found[1:]),
        }
        row = cells[index]
        for position, name in enumerate(raw_headers):
            value = row[position] if position < len(row) else None
            record.setdefault(f"raw: {name}", "" if value is None else str(value))
        records.append(record)
    columns = [*QUARANTINE_COLUMNS, *dict.fromkeys(f"raw: {h}" for h in raw_headers)]
    return pd.DataFrame(records, columns=columns)
