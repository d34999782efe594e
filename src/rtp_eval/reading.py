"""Reading raw export files (CSV in several dialects, XLSX) into rows of untyped cells.

A `RawTable` keeps every data row with its row number as a person counts it in a spreadsheet
(header = row 1 in a CSV; the real sheet row in an XLSX), so any later problem can point at it.
Nothing here interprets values: that is the validator's job.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rtp_eval.errors import InputFileError

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}
SUPPORTED_SUFFIXES = (".csv", ".xlsx")
_MAX_FIELD_CHARS = 10_000_000
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A multi-byte UTF-8 sequence (e.g. 'Ä' as C3 84); Windows-1252 text practically never has one.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_EXCEL_HINT = "Open it in Excel and save it again as .xlsx."


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


@dataclass(frozen=True)
class ReadOptions:
    """Per-file overrides from the configuration; None means detect."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def read_raw_file(path: Path, display_name: str, options: ReadOptions | None = None) -> RawTable:
    """Read a CSV or XLSX export, choosing the reader from the file's content and suffix."""
    options = options or ReadOptions()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(
            display_name,
            f"unsupported file type '{suffix}'",
            hint="Save the export as .csv or .xlsx.",
        )
    try:
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
        return read_xlsx(data, display_name, options.sheet)
    return read_csv(data, display_name, options)


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


def read_csv(data: bytes, display_name: str, options: ReadOptions) -> RawTable:
    """Parse a delimited text export; the first non-blank record is the header."""
    text, encoding = decode(data, display_name, options.encoding)
    if not text.strip():
        raise InputFileError(
            display_name, "the file is empty", hint="Export the file again with its header row."
        )
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = options.delimiter or detect_delimiter(first, display_name)
    csv.field_size_limit(_MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_row = 0
    rows: list[list[Any]] = []
    row_numbers: list[int] = []
    blank = 0
    record = 0
    try:
        for record, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                if header is not None:
                    blank += 1
                continue
            if header is None:
                header, header_row = cells, record
                continue
            rows.append(cells)
            row_numbers.append(record)
    except csv.Error as error:
        raise InputFileError(
            display_name,
            f"the file is not valid CSV ({error})",
            row=record + 1,
            hint="An unclosed quote is the usual cause; export the file again.",
        ) from None
    if header is None:
        raise InputFileError(
            display_name,
            "the file has no header row",
            hint="Export the file again with its header row and data.",
        )
    return RawTable(
        file=display_name,
        header=[h.strip() for h in header],
        header_row=header_row,
        rows=rows,
        row_numbers=row_numbers,
        format="csv",
        encoding=encoding,
        delimiter=DELIMITER_NAMES[delimiter],
        blank_rows_skipped=blank,
    )


def read_xlsx(data: bytes, display_name: str, sheet: str | None) -> RawTable:
    """Read the first (or configured) sheet; the header is the first non-empty row."""
    from openpyxl import load_workbook

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
        return _sheet_rows(worksheet, display_name, formulas)
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
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(
            b"<f>" in archive.read(name) or b"<f " in archive.read(name)
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def _formulas(data: bytes, title: str) -> dict[tuple[int, int], str]:
    """(row, column) -> formula of every formula cell of the sheet."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        return {
            (cell.row, cell.column): cell.value
            for row in workbook[title].iter_rows()
            for cell in row
            if getattr(cell, "data_type", None) == "f" and isinstance(cell.value, str)
        }
    finally:
        workbook.close()


def _sheet_rows(
    worksheet: Any, display_name: str, formulas: dict[tuple[int, int], str]
) -> RawTable:
    header: list[str] | None = None
    header_row = 0
    rows: list[list[Any]] = []
    row_numbers: list[int] = []
    blank = 0
    for row in worksheet.iter_rows():
        values = [_cell_value(cell, formulas) for cell in row]
        if not any(v is not None and str(v).strip() for v in values):
            if header is not None:
                blank += 1
            continue
        number = next(c.row for c in row if hasattr(c, "row"))
        if header is None:
            header = ["" if v is None else str(v).strip() for v in values]
            header_row = number
            continue
        rows.append(values)
        row_numbers.append(number)
    if header is None:
        raise InputFileError(
            display_name,
            "the first sheet is empty (no header row)",
            hint="Put the data on the first sheet, or name its sheet in config (files: ... sheet).",
        )
    while header and header[-1] == "":
        header.pop()
    return RawTable(
        file=display_name,
        header=header,
        header_row=header_row,
        rows=rows,
        row_numbers=row_numbers,
        format="xlsx",
        blank_rows_skipped=blank,
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
