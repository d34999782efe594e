"""The publishing bundle: published tables as CSV and as one XLSX workbook with Swedish headers.

Only tables from `results/tables/` (disclosure control applied) go into the bundle, read typed by
the catalogue. The bundle is for people with a spreadsheet: its CSV files open by a double-click
in Swedish Excel (`;` between fields, `,` as decimal mark, UTF-8 with a byte order mark), while
`results/tables/` keeps the data contract's comma and decimal point for other tools. Text cells
are neutralised as in every CSV the package writes (`io.neutralise_text`), in the CSV files and
the workbook alike, so an export label such as `=HYPERLINK(...)` stays inert text.

The workbook never fails on text: characters that XML (and so XLSX) cannot hold are left out of
it, with a warning. A text longer than an Excel cell holds (32 767 characters) stops the bundle
with a clear error instead of being cut short by the spreadsheet without notice.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from rtp_eval.catalog import swedish_header
from rtp_eval.errors import PublishError
from rtp_eval.io import (
    BYTE_ORDER_MARK,
    EXCEL_DECIMAL,
    EXCEL_SEPARATOR,
    format_for_csv,
    neutralise_text,
    normalise_xlsx,
)

log = logging.getLogger(__name__)

SUPPRESSED = ".."
# The most characters (UTF-16 code units) an Excel cell holds; Excel cuts longer text silently.
EXCEL_CELL_LIMIT = 32_767
# Characters outside XML 1.0's Char production (control characters, lone surrogates, U+FFFE,
# U+FFFF): an XLSX part cannot hold them, and openpyxl/lxml refuse to write them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_compatible(text: str) -> str:
    """`text` without the characters an XLSX file cannot hold."""
    return _NOT_XML.sub("", text)


def excel_length(text: str) -> int:
    """Length as Excel counts it (UTF-16 code units: a character outside the BMP counts 2)."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def check_excel_limits(tables: Mapping[str, pd.DataFrame]) -> None:
    """Stop if a header or text cell, as the bundle writes it, is too long for an Excel cell."""
    for name, frame in tables.items():
        text = format_for_csv(frame)
        for position, column in enumerate(frame.columns):
            cells = [str(column), swedish_header(str(column)), *text.iloc[:, position]]
            for row, cell in enumerate(cells, start=-1):
                if excel_length(cell) > EXCEL_CELL_LIMIT:
                    where = "rubriken" if row < 1 else f"rad {row + 1} (rubriken är rad 1)"
                    raise PublishError(
                        f"Tabellen {name}, kolumn {column}, {where}: texten har "
                        f"{excel_length(cell)} tecken, fler än de {EXCEL_CELL_LIMIT} som ryms i "
                        "en cell i Excel, som skulle korta den utan att säga det. Korta texten "
                        "där den kommer ifrån (kodlistan eller konfigurationen) och kör igen."
                    )


def bundle_csv(frame: pd.DataFrame) -> str:
    """The table as a CSV file for Swedish Excel: `;`, decimal comma, byte order mark.

    Only float columns get the decimal comma; integers, text and `true`/`false` are as in
    `results/tables/`. Text is neutralised like every CSV the package writes.
    """
    text = format_for_csv(frame)
    for position, column in enumerate(frame.columns):
        if pd.api.types.is_float_dtype(frame[column].dtype):
            text.iloc[:, position] = text.iloc[:, position].str.replace(
                ".", EXCEL_DECIMAL, regex=False
            )
    return BYTE_ORDER_MARK + text.to_csv(index=False, sep=EXCEL_SEPARATOR, lineterminator="\n")


def _sheet_text(value: str) -> str:
    return xml_compatible(neutralise_text(value))


def _sheet_cell(value: object, hidden: bool) -> object:
    """A cell for the workbook: numbers as numbers, text neutralised and XML-safe."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return SUPPRESSED if hidden else None
    if isinstance(value, bool | np.bool_):
        return "ja" if value else "nej"
    if isinstance(value, str):
        return _sheet_text(value)
    if hasattr(value, "item"):
        return value.item()
    return value


def _sheet_values(frame: pd.DataFrame) -> list[list[object]]:
    """Cells for the workbook: numbers as numbers, `..` where a suppressed row has no value."""
    suppressed = (
        frame["suppressed"].astype("string").str.lower().eq("true").fillna(False).tolist()
        if "suppressed" in frame.columns
        else [False] * len(frame)
    )
    return [
        [_sheet_cell(value, hidden) for value in row]
        for row, hidden in zip(frame.itertuples(index=False), suppressed, strict=True)
    ]


def _count_not_xml(frame: pd.DataFrame) -> int:
    """How many characters of the table's text the workbook has to leave out."""
    count = 0
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column].dtype) or frame[column].dtype == object:
            text = frame[column].dropna().astype(str)
            count += int(text.str.count(_NOT_XML.pattern).sum())
    return count + sum(len(_NOT_XML.findall(str(c))) for c in frame.columns)


def workbook_bytes(
    tables: Mapping[str, pd.DataFrame], titles: Mapping[str, str], timestamp: dt.datetime
) -> bytes:
    """One sheet per table (T01, T02, …) and a first sheet listing them."""
    from openpyxl import Workbook

    check_excel_limits(tables)
    workbook = Workbook()
    index = workbook.active
    index.title = "Innehåll"
    index.append(["Blad", "Tabell", "Beskrivning"])
    for number, (name, frame) in enumerate(tables.items(), start=1):
        sheet_name = f"T{number:02d}"
        title = _sheet_text(titles.get(name, name))
        index.append([sheet_name, _sheet_text(name), title])
        removed = _count_not_xml(frame)
        if removed:
            log.warning(
                "Tabellen %s: %d tecken som inte får finnas i en XLSX-fil (styrtecken, U+FFFE "
                "m.fl.) är utelämnade i arbetsboken; CSV-filerna har dem kvar. Rätta källan.",
                name,
                removed,
            )
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([title])
        sheet.append([_sheet_text(swedish_header(str(c))) for c in frame.columns])
        for cells in _sheet_values(frame):
            sheet.append(cells)
    index.append([])
    index.append([f"{SUPPRESSED} = uppgiften redovisas inte (röjandeskydd)."])
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula
    workbook.properties.creator = "rtp-eval"
    workbook.properties.created = timestamp
    workbook.properties.modified = timestamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalise_xlsx(buffer.getvalue(), timestamp)
