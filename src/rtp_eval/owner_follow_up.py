"""The yearly follow-up of the region's owned companies and member organisations.

An optional input, `data/raw/owner_follow_up/<YEAR>.csv` (or `.xlsx`), with one row per
organisation: its ownership share, whether its owner directive covers gender equality with an
intersectional perspective, whether its annual report reports the equality work, whether it took
part in the region's dialogues, the women and men on its board and the CEO's sex.

The file is read as the case exports are: by `rtp_eval.reading` (every CSV dialect and XLSX, title
rows above the header, the file's `files:` settings and the configured limits), described by
`rtp_eval.importing.quality_record` (so it is a row of `import_quality.csv`), and each cell is
parsed with `rtp_eval.parsing`. Only the rules below are its own. A row that breaks a rule is
quarantined with the file, the row number, the column and the reason; a file that cannot be read
at all stops the run with one message; the row counts must reconcile. Organisations are
legal persons owned by or affiliated with the region, not private persons, so their names are
kept as written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval import parsing
from rtp_eval.errors import InputFileError
from rtp_eval.goals_config import OWNER_FOLLOW_UP as SOURCE
from rtp_eval.goals_config import discover_owner_follow_up as discover_files  # noqa: F401
from rtp_eval.importing import quality_record
from rtp_eval.reading import HeaderSpec, RawTable, ReadLimits, ReadOptions, read_raw_file
from rtp_eval.validation import QUARANTINE_COLUMNS


@dataclass(frozen=True)
class OwnerField:
    name: str
    kind: str  # text, percent, boolean, count, sex
    required: bool = False


FIELDS: tuple[OwnerField, ...] = (
    OwnerField("organisation", "text", required=True),
    OwnerField("ownership_share_pct", "percent", required=True),
    OwnerField("directive_includes_equality", "boolean", required=True),
    OwnerField("annual_report_reports_equality", "boolean", required=True),
    OwnerField("took_part_in_dialogues", "boolean"),
    OwnerField("board_women", "count"),
    OwnerField("board_men", "count"),
    OwnerField("ceo_sex", "sex"),
)

# Typical export headers; config (goals.owner_follow_up.columns) may add a region's own.
DEFAULT_HEADERS: dict[str, list[str]] = {
    "organisation": ["Organisation"],
    "ownership_share_pct": ["Ägarandel (%)", "Ägarandel"],
    "directive_includes_equality": ["Ägardirektiv jämställdhet"],
    "annual_report_reports_equality": ["Årsredovisning jämställdhet"],
    "took_part_in_dialogues": ["Deltagit i dialog"],
    "board_women": ["Styrelse kvinnor"],
    "board_men": ["Styrelse män"],
    "ceo_sex": ["VD kön"],
}

CLEAN_DTYPES: dict[str, str] = {
    "source_file": "string",
    "source_row": "Int64",
    "follow_up_year": "Int64",
    "organisation": "string",
    "ownership_share_pct": "Float64",
    "directive_includes_equality": "boolean",
    "annual_report_reports_equality": "boolean",
    "took_part_in_dialogues": "boolean",
    "board_women": "Int64",
    "board_men": "Int64",
    "ceo_sex": "string",
}
CLEAN_COLUMNS: tuple[str, ...] = tuple(CLEAN_DTYPES)

REASONS: dict[str, str] = {
    "wrong_field_count": "the row has a different number of fields than the header",
    "missing_required": "a required value is missing",
    "unparseable": "a value cannot be understood",
    "negative_value": "a count below zero",
    "unknown_code": "a label that is not in the code list",
    "duplicate_organisation": "the organisation already appears on an earlier row of the file",
}


@dataclass
class OwnerImport:
    clean: pd.DataFrame  # CLEAN_COLUMNS
    quarantine: pd.DataFrame  # validation.QUARANTINE_COLUMNS + raw cells
    quality: dict[str, Any] = field(default_factory=dict)


def header_aliases(extra: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[str]]:
    """Default headers per field, with a region's own headers (from config) added."""
    aliases = {name: list(headers) for name, headers in DEFAULT_HEADERS.items()}
    for name, headers in (extra or {}).items():
        if name not in aliases:
            known = ", ".join(aliases)
            raise ValueError(f"'{name}' is not a field of {SOURCE}; fields are: {known}")
        aliases[name] = [*aliases[name], *headers]
    return aliases


def header_spec(aliases: Mapping[str, Sequence[str]]) -> HeaderSpec:
    """The required fields under their headers (`header_aliases`), to find the header row."""
    return HeaderSpec(
        required={f.name: (*aliases.get(f.name, ()), f.name) for f in FIELDS if f.required},
        config_key="goals: owner_follow_up: columns",
    )


def map_columns(
    header: Sequence[str], aliases: Mapping[str, Sequence[str]], file: str, header_row: int = 1
) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Field -> column position and header as written; unknown headers are listed."""
    lookup: dict[str, str] = {}
    for owner_field in FIELDS:
        for alias in [owner_field.name, *aliases.get(owner_field.name, ())]:
            lookup.setdefault(parsing.normalise_header(alias), owner_field.name)
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    extra: list[str] = []
    for index, raw_header in enumerate(header):
        name = lookup.get(parsing.normalise_header(raw_header))
        if name is None:
            if raw_header.strip():
                extra.append(raw_header.strip())
            continue
        if name in positions:
            raise InputFileError(
                file,
                f"the columns '{headers[name]}' and '{raw_header}' both map to '{name}'",
                row=header_row,
                column=raw_header,
                hint="Remove the duplicated column.",
            )
        positions[name] = index
        headers[name] = raw_header
    missing = [f for f in FIELDS if f.required and f.name not in positions]
    if missing:
        expected = [f"'{aliases.get(f.name, [f.name])[0]}' ({f.name})" for f in missing]
        raise InputFileError(
            file,
            f"required column(s) missing: {', '.join(expected)}",
            row=header_row,
            hint="Add the column to the file, or map its header in config "
            "(goals: owner_follow_up: columns).",
        )
    return positions, headers, extra


def _parser(kind: str, sex_labels: Mapping[str, str]) -> Callable[[Any], Any]:
    parsers: dict[str, Callable[[Any], Any]] = {
        "text": parsing.normalise_text,
        "percent": parsing.parse_percent,
        "boolean": parsing.parse_boolean,
        "count": parsing.parse_count,
        "sex": partial(parsing.parse_code, labels=sex_labels),
    }
    return parsers[kind]


def validate_table(
    table: RawTable,
    year: int,
    aliases: Mapping[str, Sequence[str]],
    sex_labels: Mapping[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict[str, str]]:
    """Accepted rows (typed) and the quarantine, one entry per rejected row."""
    positions, headers, extra = map_columns(table.header, aliases, table.file, table.header_row)
    width = len(table.header)
    accepted: list[dict[str, Any]] = []
    quarantined: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    raw_headers = [h if h else f"(column {i + 1})" for i, h in enumerate(table.header)]
    for row, number in zip(table.rows, table.row_numbers, strict=True):
        if len(row) > width and not any(str(c).strip() for c in row[width:] if c is not None):
            row = row[:width]
        problems: list[tuple[str, str, str]] = []
        if table.format == "csv" and len(row) != width:
            problems.append(("", "wrong_field_count", f"{len(row)} fields, the header has {width}"))
        values: dict[str, Any] = {}
        for owner_field in FIELDS:
            position = positions.get(owner_field.name)
            cell = row[position] if position is not None and position < len(row) else None
            column = headers.get(owner_field.name, owner_field.name)
            try:
                value = _parser(owner_field.kind, sex_labels)(cell)
            except parsing.ParseError as error:
                problems.append((column, error.code, str(error)))
                value = None
            else:
                if value is None and owner_field.required:
                    problems.append((column, "missing_required", f"'{column}' is empty"))
            values[owner_field.name] = value
        organisation = values["organisation"]
        if organisation is not None:
            key = parsing.normalise_header(organisation)
            if key in first_row:
                problems.append(
                    (
                        headers["organisation"],
                        "duplicate_organisation",
                        f"'{organisation}' already on row {first_row[key]}",
                    )
                )
            else:
                first_row[key] = number
        if problems:
            column, code, detail = problems[0]
            record = {
                "file": table.file,
                "row": number,
                "column": column,
                "reason_code": code,
                "reason": detail,
                "other_problems": " | ".join(f"{c}: {d}" if c else d for c, _, d in problems[1:]),
            }
            for position, name in enumerate(raw_headers):
                cell = row[position] if position < len(row) else None
                record.setdefault(f"raw: {name}", "" if cell is None else str(cell))
            quarantined.append(record)
        else:
            accepted.append(
                {"source_file": table.file, "source_row": number, "follow_up_year": year, **values}
            )
    clean = pd.DataFrame(accepted, columns=list(CLEAN_COLUMNS)).astype(CLEAN_DTYPES)
    columns = [*QUARANTINE_COLUMNS, *dict.fromkeys(f"raw: {h}" for h in raw_headers)]
    quarantine = pd.DataFrame(quarantined, columns=columns)
    return clean, quarantine, extra, headers


def import_owner_file(
    path: Path,
    display_name: str,
    year: int,
    sex_labels: Mapping[str, str],
    extra_headers: Mapping[str, Sequence[str]] | None = None,
    read_options: ReadOptions | None = None,
    limits: ReadLimits | None = None,
) -> OwnerImport:
    """Read, validate and reconcile one follow-up file; InputFileError if it cannot be read."""
    aliases = header_aliases(extra_headers)
    table = read_raw_file(path, display_name, read_options, header_spec(aliases), limits)
    clean, quarantine, extra, headers = validate_table(table, year, aliases, sex_labels)
    quality = quality_record(
        source=SOURCE,
        table=table,
        rows_accepted=len(clean),
        rows_withdrawn=0,  # an organisation's follow-up has no decision to withdraw
        quarantine=quarantine,
        details={"extra_columns": extra, "columns": headers},
    )
    return OwnerImport(clean, quarantine, quality)


def read_clean(paths: Sequence[str | Path]) -> pd.DataFrame:
    """All imported follow-up years, typed (an empty frame when there is no file)."""
    frames = [pd.read_parquet(path, columns=list(CLEAN_COLUMNS)) for path in sorted(paths)]
    if not frames:
        frames = [pd.DataFrame(columns=list(CLEAN_COLUMNS))]
    return pd.concat(frames, ignore_index=True).astype(CLEAN_DTYPES)


def owner_follow_up_header(delimiter: str = ";") -> str:
    """The header row of a follow-up file with the default headers (for templates and tests)."""
    return delimiter.join(headers[0] for headers in DEFAULT_HEADERS.values())
