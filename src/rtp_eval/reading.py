"""Reading raw export files (CSV in several dialects, XLSX) into rows of untyped cells.

A `RawTable` keeps every data row with its row number as a person counts it in a spreadsheet
(the file's own row: title rows and blank rows above the header count too), so any later problem
can point at it. The header is the first row, among the first `HEADER_SEARCH_ROWS`, that holds
every required header of the source (`HeaderSpec`), unless the configuration names its row.
Files beyond the configured `ReadLimits` are refused before they are parsed, so that a damaged
file or a zip bomb ends with a message instead of filling the memory. Nothing here interprets
values: that is the validator's job.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rtp_eval.errors import InputFileError
from rtp_eval.parsing import normalise_header
from rtp_eval.settings import Limits

LIMIT_DEFAULTS = Limits()

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}
SUPPORTED_SUFFIXES = (".csv", ".xlsx")
_MAX_FIELD_CHARS = 10_000_000
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A multi-byte UTF-8 sequence (e.g. 'Ä' as C3 84); Windows-1252 text practically never has one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_EXCEL_HINT = "Open it in Excel and save it again as .xlsx."
# Title lines of a real export ("Utdrag ur ärendehanteringssystemet …") are a few at most.
HEADER_SEARCH_ROWS = 20
_MB = 1024 * 1024
_HEADER_ROW_HINT = (
    "Correct header_row for this file in config (files:), or remove it so that the header row "
    "is found."
)


@dataclass
class RawTable:
    """Header and data rows of one file, each row with its spreadsheet row number."""

    file: str
    header: list[str]
    header_row: int
    rows: list[list[Any]]
    row_numbers: list[int]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    blank_rows_skipped: int = 0
    notes: list[str] = field(default_factory=list)
    title_rows: int = 0  # non-empty rows above the header (an export's title lines)
    sha256: str = ""  # of the bytes that were read


@dataclass(frozen=True)
class ReadOptions:
    """Per-file overrides from the configuration (`files:`); None means detect."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # 1-based, as a person counts rows in a spreadsheet


@dataclass(frozen=True)
class ReadLimits:
    """Sizes beyond which a file is refused before it is parsed (config `limits:`).

    The defaults (the configuration's) are far above any real export of a region and far below
    what fills a computer's memory.
    """

    max_file_mb: int = LIMIT_DEFAULTS.max_file_mb
    max_xlsx_uncompressed_mb: int = LIMIT_DEFAULTS.max_xlsx_uncompressed_mb
    max_columns: int = LIMIT_DEFAULTS.max_columns
    max_line_kb: int = LIMIT_DEFAULTS.max_line_kb


@dataclass(frozen=True)
class HeaderSpec:
    """The headers that make a row the header row: every required field under one of its names.

    `required` maps each required field to the headers it may have (the configured ones first,
    as named in messages); `config_key` is where a region adds its own headers.
    """

    required: Mapping[str, Sequence[str]]
    config_key: str

    def missing(self, cells: Sequence[Any]) -> list[str]:
        """The required fields none of `cells` names (matched as the validator matches them)."""
        present = {normalise_header(cell) for cell in cells if cell is not None}
        return [
            name
            for name, headers in self.required.items()
            if not any(normalise_header(h) in present for h in headers)
        ]

    def describe(self, names: Sequence[str]) -> str:
        return ", ".join(f"'{self.required[name][0]}' ({name})" for name in names)


def read_raw_file(
    path: Path,
    display_name: str,
    options: ReadOptions | None = None,
    spec: HeaderSpec | None = None,
    limits: ReadLimits | None = None,
) -> RawTable:
    """Read a CSV or XLSX export, choosing the reader from the file's content and suffix.

    Without a `spec` the first non-empty row is the header (for files that are not exports).
    """
    options = options or ReadOptions()
    limits = limits or ReadLimits()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(
            display_name,
            f"unsupported file type '{suffix}'",
            hint="Save the export as .csv or .xlsx.",
        )
    try:
        check_file_size(path.stat().st_size, display_name, limits)
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(
            display_name, f"the file cannot be opened ({error.strerror})"
        ) from None
    if not data.strip():
        raise InputFileError(
            display_name, "the file is empty", hint="Export the file again with its header row."
        )
    if data.startswith(_OLE_MAGIC):
        raise InputFileError(
            display_name,
            "the file is password-protected or in the old Excel format (.xls)",
            hint="Remove the password and save it as .xlsx (Excel workbook).",
        )
    if suffix == ".xlsx" or data.startswith(_XLSX_MAGIC):
        if suffix != ".xlsx":
            raise InputFileError(
                display_name,
                "the file is an Excel workbook but is named .csv",
                hint="Rename it to .xlsx.",
            )
        table = read_xlsx(data, display_name, options, spec, limits)
    else:
        table = read_csv(data, display_name, options, spec, limits)
    table.sha256 = hashlib.sha256(data).hexdigest()
    return table


# --- limits ------------------------------------------------------------------------------------


def _megabytes(size: int) -> int:
    return math.ceil(size / _MB)


def check_file_size(size: int, display_name: str, limits: ReadLimits) -> None:
    """Refuse a file larger than the limit before any of it is read."""
    if size > limits.max_file_mb * _MB:
        raise InputFileError(
            display_name,
            f"the file is larger than the limit of {limits.max_file_mb} MB ({_megabytes(size)} MB)",
            hint="Check that it is the export of one source and one year; if it is, raise "
            "limits: max_file_mb in config.",
        )


def check_unpacked_size(data: bytes, display_name: str, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts unpack to more than the limit, before it is parsed.

    The sizes are those the archive declares; Python's zip reader stops at the declared size
    of each part (and then fails its checksum), so they bound what unpacking can produce.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a readable archive: the workbook reader names the damage
    if total > limits.max_xlsx_uncompressed_mb * _MB:
        raise InputFileError(
            display_name,
            f"the Excel file unpacks to more than the limit of {limits.max_xlsx_uncompressed_mb}"
            f" MB ({_megabytes(total)} MB), far more than a table export",
            hint="Check the file (it may be damaged or not an export); if it is a real export, "
            "save it as CSV or raise limits: max_xlsx_uncompressed_mb in config.",
        )


def first_long_line(data: bytes, max_bytes: int) -> int | None:
    """The number of the first line longer than `max_bytes`, or None.

    Jumps a window of `max_bytes` at a time to the last line break in it, so a file of short
    lines is checked in a few steps instead of line by line.
    """
    start = 0
    while len(data) - start > max_bytes:
        newline = data.rfind(b"\n", start, start + max_bytes + 1)
        if newline < 0:
            return data.count(b"\n", 0, start) + 1
        start = newline + 1
    return None


def check_line_length(data: bytes, display_name: str, limits: ReadLimits) -> None:
    line = first_long_line(data, limits.max_line_kb * 1024)
    if line is not None:
        raise InputFileError(
            display_name,
            f"a line is longer than the limit of {limits.max_line_kb} KB: the file is not a "
            "table export, or its line breaks are missing",
            row=line,
            hint="Check that the file is a CSV export; if a field really is this long, raise "
            "limits: max_line_kb in config.",
        )


def check_width(cells: Sequence[Any], row: int, display_name: str, limits: ReadLimits) -> None:
    """Refuse a row with more columns (up to its last non-empty cell) than the limit."""
    if len(cells) <= limits.max_columns:
        return
    width = len(cells)
    while width > limits.max_columns and _is_blank_cell(cells[width - 1]):
        width -= 1
    if width > limits.max_columns:
        raise InputFileError(
            display_name,
            f"the row has {width} columns, more than the limit of {limits.max_columns}",
            row=row,
            hint="Check that the file is a table export with the right delimiter; if it really "
            "has this many columns, raise limits: max_columns in config.",
        )


# --- the header row ----------------------------------------------------------------------------


def _is_blank_cell(value: Any) -> bool:
    return value is None or not str(value).strip()


def is_blank(cells: Sequence[Any]) -> bool:
    return all(_is_blank_cell(value) for value in cells)


@dataclass
class _Layout:
    header: Sequence[Any]
    header_row: int
    title_rows: int
    rows: list[list[Any]]
    row_numbers: list[int]
    blank_rows: int


def split_table(
    records: Iterable[tuple[int, list[Any]]],
    display_name: str,
    spec: HeaderSpec | None,
    header_row: int | None,
) -> _Layout | None:
    """Header, title rows above it and data rows below it; None if every row is empty.

    `records` are (row number, cells) for every row of the file, empty ones included.
    """
    rows = iter(records)
    found = find_header(rows, display_name, spec, header_row)
    if found is None:
        return None
    number, header, title_rows = found
    data: list[list[Any]] = []
    numbers: list[int] = []
    blank = 0
    for row_number, cells in rows:
        if is_blank(cells):
            blank += 1
            continue
        data.append(cells)
        numbers.append(row_number)
    return _Layout(header, number, title_rows, data, numbers, blank)


def find_header(
    rows: Iterator[tuple[int, list[Any]]],
    display_name: str,
    spec: HeaderSpec | None,
    header_row: int | None,
) -> tuple[int, list[Any], int] | None:
    """(row number, cells, non-empty rows above) of the header; consumes rows up to it."""
    if header_row is not None:
        return _configured_header(rows, display_name, header_row)
    above = 0
    searched = 0
    closest: tuple[int, int, list[str]] | None = None  # (fields found, row, fields missing)
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS and spec is not None:
            break
        searched = number
        if is_blank(cells):
            continue
        if spec is None:
            return number, cells, 0
        missing = spec.missing(cells)
        if not missing:
            return number, cells, above
        found = len(spec.required) - len(missing)
        if found and (closest is None or found > closest[0]):
            closest = (found, number, missing)
        above += 1
    else:
        if above == 0:
            return None  # nothing but empty rows: the reader says the file is empty
    assert spec is not None
    missing = closest[2] if closest else list(spec.required)
    raise InputFileError(
        display_name,
        f"no header row among rows 1-{searched}: required column(s) missing: "
        f"{spec.describe(missing)}" + (f" (row {closest[1]} comes closest)" if closest else ""),
        row=closest[1] if closest else None,
        hint="Check that the export has its header row within its first "
        f"{HEADER_SEARCH_ROWS} rows (title rows above it are fine), map the region's own "
        f"headers in config ({spec.config_key}), or set header_row for this file in config "
        "(files:).",
    )


def _configured_header(
    rows: Iterator[tuple[int, list[Any]]], display_name: str, header_row: int
) -> tuple[int, list[Any], int] | None:
    above = 0
    last = 0
    for number, cells in rows:
        last = number
        if number < header_row:
            above += not is_blank(cells)
            continue
        if is_blank(cells):
            raise InputFileError(
                display_name,
                "the header row set in config (files: ... header_row) is empty",
                row=number,
                hint=_HEADER_ROW_HINT,
            )
        return number, cells, above
    if above == 0:
        return None
    raise InputFileError(
        display_name,
        f"the header row is set to row {header_row} in config (files: ... header_row), but "
        f"the file ends at row {last}",
        hint=_HEADER_ROW_HINT,
    )


# --- CSV ---------------------------------------------------------------------------------------


def decode(data: bytes, display_name: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes as the configured encoding, or detect UTF-8 (with BOM), UTF-16 or cp1252."""
    if encoding:
        candidates = [encoding]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
        if _looks_like_utf16(data):
            raise InputFileError(
                display_name,
                "the file looks like UTF-16 without a byte-order mark (every other byte is zero)",
                hint="Export the file again as UTF-8, or set encoding: utf-16 for this file "
                "in config (files:).",
            )
    for candidate in candidates:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError as error:
            last_error = error
            if candidate == "utf-8" and not encoding and _UTF8_SEQUENCE.search(data):
                # Real UTF-8 text elsewhere: reading it all as cp1252 would garble it silently.
                raise InputFileError(
                    display_name,
                    "the file is UTF-8 but is not valid UTF-8 from this row on "
                    f"(byte {data[error.start]:#04x}): it is cut off or mixes two encodings",
                    row=data[: error.start].count(b"\n") + 1,
                    hint="Export the file again, whole and in one encoding (UTF-8).",
                ) from None
        except LookupError:
            raise InputFileError(
                display_name,
                f"unknown encoding '{candidate}' in the configuration",
                hint="Use utf-8, utf-8-sig, utf-16 or cp1252.",
            ) from None
    row = data[: last_error.start].count(b"\n") + 1
    raise InputFileError(
        display_name,
        f"the text is neither UTF-8 nor Windows-1252 (byte {data[last_error.start]:#04x})",
        row=row,
        hint="Export the file again as UTF-8 or as CSV from Excel.",
    )


def _looks_like_utf16(data: bytes) -> bool:
    """Text in UTF-16 without a BOM: zero bytes at every other position (ASCII characters)."""
    sample = data[:2000]
    zeros = max(sample[0::2].count(0), sample[1::2].count(0))
    return len(sample) >= 4 and zeros * 4 >= len(sample)


def detect_delimiter(header_line: str, display_name: str) -> str:
    """The delimiter that splits the header line most, counted outside quotes."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    ranked = sorted(counts.values(), reverse=True)
    if ranked[0] == 0:
        raise InputFileError(
            display_name,
            "cannot find a column delimiter in the header row (expected ';', ',' or tab)",
            row=1,
            hint="Check that the file is a table export, or set the delimiter in config.",
        )
    if ranked[0] == ranked[1]:
        raise InputFileError(
            display_name,
            "the header row has as many ';' as ',' or tabs, so the delimiter is ambiguous",
            row=1,
            hint="Set the delimiter for this file in config (files: ... delimiter).",
        )
    return best


def read_csv(
    data: bytes,
    display_name: str,
    options: ReadOptions,
    spec: HeaderSpec | None = None,
    limits: ReadLimits | None = None,
) -> RawTable:
    """Parse a delimited text export; see `split_table` for where the header is."""
    limits = limits or ReadLimits()
    check_line_length(data, display_name, limits)
    text, encoding = decode(data, display_name, options.encoding)
    if not text.strip():
        raise InputFileError(
            display_name, "the file is empty", hint="Export the file again with its header row."
        )
    csv.field_size_limit(_MAX_FIELD_CHARS)
    delimiter = options.delimiter or _detect_delimiter(text, display_name, spec, options)
    records = _csv_records(text, delimiter, display_name, limits)
    layout = split_table(records, display_name, spec, options.header_row)
    if layout is None:
        raise InputFileError(
            display_name,
            "the file has no header row",
            hint="Export the file again with its header row and data.",
        )
    return RawTable(
        file=display_name,
        header=[h.strip() for h in layout.header],
        header_row=layout.header_row,
        rows=layout.rows,
        row_numbers=layout.row_numbers,
        format="csv",
        encoding=encoding,
        delimiter=DELIMITER_NAMES[delimiter],
        blank_rows_skipped=layout.blank_rows,
        title_rows=layout.title_rows,
    )


def _detect_delimiter(
    text: str, display_name: str, spec: HeaderSpec | None, options: ReadOptions
) -> str:
    """From the configured header row, else the header found by its names, else the first line."""
    if options.header_row is not None:
        lines = io.StringIO(text)
        line = next((line for n, line in enumerate(lines, 1) if n == options.header_row), "")
        if line.strip():
            return detect_delimiter(line, display_name)
    elif spec is not None:
        found = delimiter_of_header(text, spec)
        if found is not None:
            return found
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    return detect_delimiter(first, display_name)


def _csv_records(
    text: str, delimiter: str, display_name: str, limits: ReadLimits
) -> Iterator[tuple[int, list[Any]]]:
    """(row number, fields) of every record; a record with quoted line breaks is one row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    record = 0
    try:
        for record, cells in enumerate(reader, start=1):
            check_width(cells, record, display_name, limits)
            yield record, cells
    except csv.Error as error:
        raise InputFileError(
            display_name,
            f"the file is not valid CSV ({error})",
            row=record + 1,
            hint="An unclosed quote is the usual cause; export the file again.",
        ) from None


def delimiter_of_header(text: str, spec: HeaderSpec) -> str | None:
    """The delimiter that splits a row among the first ones into the required headers.

    A title line above the header may hold any delimiter or none (e.g. "Utdrag, 2016"), so
    the header itself decides. None when no delimiter, or more than one, gives a header row:
    then the first line decides as before, and the header search reports what is missing.
    """
    found: dict[str, int] = {}
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            for number, cells in enumerate(reader, start=1):
                if number > HEADER_SEARCH_ROWS:
                    break
                if not is_blank(cells) and not spec.missing(cells):
                    found[delimiter] = number
                    break
        except csv.Error:
            continue  # not this delimiter's file (or damaged: the full read reports it)
    if not found:
        return None
    first = min(found.values())
    candidates = [d for d, number in found.items() if number == first]
    return candidates[0] if len(candidates) == 1 else None


# --- XLSX --------------------------------------------------------------------------------------


def read_xlsx(
    data: bytes,
    display_name: str,
    options: ReadOptions,
    spec: HeaderSpec | None = None,
    limits: ReadLimits | None = None,
) -> RawTable:
    """Read the first (or configured) sheet; see `split_table` for where the header is."""
    from openpyxl import load_workbook

    limits = limits or ReadLimits()
    check_unpacked_size(data, display_name, limits)
    sheet = options.sheet
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InputFileError(
            display_name,
            f"the Excel file is damaged or not an .xlsx workbook ({type(error).__name__})",
            hint=_EXCEL_HINT,
        ) from None
    except Exception as error:  # openpyxl raises its own classes for many malformed parts
        raise InputFileError(
            display_name,
            f"the Excel file cannot be read ({type(error).__name__}: {error})",
            hint=_EXCEL_HINT,
        ) from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise InputFileError(
                display_name,
                f"there is no sheet named '{sheet}' (sheets: {', '.join(workbook.sheetnames)})",
                hint="Correct the sheet name in config.",
            )
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        formulas = _formulas(data, worksheet.title) if _has_formulas(data) else {}
        records = _sheet_records(worksheet, display_name, formulas, limits)
        return _sheet_table(records, display_name, spec, options.header_row)
    except InputFileError:
        raise
    except Exception as error:  # the sheet's cells are parsed lazily, while iterating
        detail = " ".join(str(error).split())[:200]
        raise InputFileError(
            display_name,
            f"the Excel file cannot be read ({type(error).__name__}: {detail})",
            hint=_EXCEL_HINT,
        ) from None
    finally:
        workbook.close()


@dataclass(frozen=True)
class UncalculatedFormula:
    """A formula cell without the value Excel saves with it (e.g. written by another program)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


def _has_formulas(data: bytes) -> bool:
    """Whether any sheet holds a formula, read in pieces (a sheet may unpack to much)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as member:
                    if _contains(member, (b"<f>", b"<f ")):
                        return True
    return False


def _contains(stream: IO[bytes], needles: Sequence[bytes], chunk: int = _MB) -> bool:
    overlap = max(len(n) for n in needles) - 1
    tail = b""
    while piece := stream.read(chunk):
        window = tail + piece
        if any(needle in window for needle in needles):
            return True
        tail = window[-overlap:]
    return False


def _formulas(data: bytes, title: str) -> dict[tuple[int, int], str]:
    """(row, column) -> formula of every formula cell of the sheet."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        workbook[title].reset_dimensions()  # as in `_sheet_records`
        return {
            (cell.row, cell.column): cell.value
            for row in workbook[title].iter_rows()
            for cell in row
            if getattr(cell, "data_type", None) == "f" and isinstance(cell.value, str)
        }
    finally:
        workbook.close()


def _sheet_records(
    worksheet: Any,
    display_name: str,
    formulas: dict[tuple[int, int], str],
    limits: ReadLimits,
) -> Iterator[tuple[int, list[Any]]]:
    """(sheet row number, values) of every row, empty ones included."""
    # The declared size (<dimension>) is ignored: some programs write a wrong one, and openpyxl
    # would then drop the rows below it or pad every row to its width.
    worksheet.reset_dimensions()
    number = 0
    for row in worksheet.iter_rows():
        number = next((c.row for c in row if hasattr(c, "row")), number + 1)
        values = [_cell_value(cell, formulas) for cell in row]
        check_width(values, number, display_name, limits)
        yield number, values


def _sheet_table(
    records: Iterable[tuple[int, list[Any]]],
    display_name: str,
    spec: HeaderSpec | None,
    header_row: int | None,
) -> RawTable:
    layout = split_table(records, display_name, spec, header_row)
    if layout is None:
        raise InputFileError(
            display_name,
            "the first sheet is empty (no header row)",
            hint="Put the data on the first sheet, or name its sheet in config (files: ... sheet).",
        )
    header = ["" if v is None else str(v).strip() for v in layout.header]
    while header and header[-1] == "":
        header.pop()
    return RawTable(
        file=display_name,
        header=header,
        header_row=layout.header_row,
        rows=layout.rows,
        row_numbers=layout.row_numbers,
        format="xlsx",
        blank_rows_skipped=layout.blank_rows,
        title_rows=layout.title_rows,
    )


def _cell_value(cell: Any, formulas: dict[tuple[int, int], str]) -> Any:
    """A cell's value; percent-formatted numbers become text so 0.45 is read as 45 %."""
    value = getattr(cell, "value", None)
    if value is None and formulas and hasattr(cell, "row"):
        formula = formulas.get((cell.row, cell.column))
        if formula is not None:
            return UncalculatedFormula(formula)
    number_format = getattr(cell, "number_format", "") or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in number_format:
        return f"{value * 100:.10g} %"
    if isinstance(value, dt.time):
        return value.isoformat()
    return value
