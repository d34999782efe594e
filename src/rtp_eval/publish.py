"""The publishing bundle: published tables as CSV and as one XLSX workbook with Swedish headers.

Only tables from `results/tables/` (disclosure control applied) go into the bundle. Text cells
that a spreadsheet would run as a formula (starting with `=`, `+`, `-` or `@`) are prefixed with
an apostrophe, so an export label such as `=HYPERLINK(...)` stays inert text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

import pandas as pd

from rtp_eval.catalog import swedish_header
from rtp_eval.io import format_for_csv, normalise_xlsx

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SUPPRESSED = ".."


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would evaluate with an apostrophe."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
            text = values.astype("string")
            risky = text.str.startswith(FORMULA_PREFIXES, na=False)
            # A negative number written as text is data, not a formula.
            numeric = pd.to_numeric(text, errors="coerce").notna()
            out[column] = text.where(~(risky & ~numeric), "'" + text)
    return out


def bundle_csv(frame: pd.DataFrame) -> str:
    return format_for_csv(neutralise_formulas(frame)).to_csv(index=False, lineterminator="\n")


def _sheet_values(frame: pd.DataFrame) -> list[list[object]]:
    """Cells for the workbook: numbers as numbers, `..` where a suppressed row has no value."""
    suppressed = (
        frame["suppressed"].astype("string").str.lower().eq("true").fillna(False).tolist()
        if "suppressed" in frame.columns
        else [False] * len(frame)
    )
    rows = []
    for row, hidden in zip(
        neutralise_formulas(frame).itertuples(index=False), suppressed, strict=True
    ):
        cells: list[object] = []
        for value in row:
            if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
                cells.append(SUPPRESSED if hidden else None)
            elif isinstance(value, bool):
                cells.append("ja" if value else "nej")
            elif hasattr(value, "item"):
                cells.append(value.item())
            else:
                cells.append(value)
        rows.append(cells)
    return rows


def workbook_bytes(
    tables: Mapping[str, pd.DataFrame], titles: Mapping[str, str], timestamp: dt.datetime
) -> bytes:
    """One sheet per table (T01, T02, …) and a first sheet listing them."""
    from openpyxl import Workbook

    workbook = Workbook()
    index = workbook.active
    index.title = "Innehåll"
    index.append(["Blad", "Tabell", "Beskrivning"])
    for number, (name, frame) in enumerate(tables.items(), start=1):
        sheet_name = f"T{number:02d}"
        index.append([sheet_name, name, titles.get(name, name)])
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([titles.get(name, name)])
        sheet.append([swedish_header(str(c)) for c in frame.columns])
        for cells in _sheet_values(frame):
            sheet.append(cells)
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula
    index.append([])
    index.append([f"{SUPPRESSED} = uppgiften redovisas inte (röjandeskydd)."])
    workbook.properties.creator = "rtp-eval"
    workbook.properties.created = timestamp
    workbook.properties.modified = timestamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalise_xlsx(buffer.getvalue(), timestamp)
