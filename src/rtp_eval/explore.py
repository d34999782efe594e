"""The website edition's explorer: filters that redraw the main tables and figures in the
reader's browser, without a server, from published cells embedded in the page.

What the page embeds is worked out here, in Python, from the published (protected) tables only:
- for a table, the text of every published cell a filter can bring into it, written with the
  same formatter as the page's own cell (so a filtered table reads like the printed one, and a
  cell the protection hid stays `..`);
- for a figure, its `rtp_eval.charts.Chart` for every choice of its filters: marks, data table
  and text alternative.
The browser only looks these up and draws them (`templates/explore.js`); it computes no number.
With scripts off, the page is the printed report: the embedded data are inert JSON.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from rtp_eval import vocabulary
from rtp_eval.charts import Chart, chart_json, style_json
from rtp_eval.report_content import ReportTable, TableFilter, cell_text, row_key

ALL_ROWS = "*"
ALL_ROWS_LABEL = "Alla"


# --- filters ------------------------------------------------------------------------------


def category_filter(
    column: str,
    label: str,
    present: Iterable[str],
    labels: Mapping[str, str],
    all_label: str,
) -> TableFilter:
    """Swap one category for another (`all` first, then the labelled codes present, in the
    labels' order, then codes without a label)."""
    codes = {str(code) for code in present} - {"all"}
    ordered = [c for c in labels if c in codes] + sorted(codes - set(labels))
    options = (("all", all_label), *((c, labels.get(c, c)) for c in ordered))
    return TableFilter(column, label, options, "all", "swap")


def period_filter(periods: Sequence[str], default: str) -> TableFilter:
    """Swap the table's period for another published one."""
    return TableFilter("period", "Period", tuple((p, p) for p in periods), default, "swap")


def rows_filter(column: str, label: str, options: Sequence[tuple[str, str]]) -> TableFilter:
    """Show only the rows with one value (or all rows, the page's state)."""
    return TableFilter(column, label, ((ALL_ROWS, ALL_ROWS_LABEL), *options), ALL_ROWS, "rows")


def table_rows_filter(table: ReportTable, column: str, label: str) -> TableFilter:
    """A rows filter whose options are the table's rows, by their value of `column`."""
    options: dict[str, str] = {}
    for row in table.rows:
        value = row_value(row_sources(row), column)
        if value is not None:
            options.setdefault(value, row[0].text)
    return rows_filter(column, label, list(options.items()))


def with_filters(table: ReportTable, *filters: TableFilter) -> ReportTable:
    return replace(table, filters=tuple(f for f in filters if len(f.options) > 1))


# --- the page's cells -------------------------------------------------------------------------


Source = tuple[str, str, str]


def row_sources(row: Sequence[Any]) -> list[Source | None]:
    """The source (table, key, column) of each number cell of a row, after its header."""
    return [cell.source for cell in row[1:]]


def parse_key(key: str) -> list[tuple[str, str]]:
    return [(part.partition("=")[0], part.partition("=")[2]) for part in key.split(";")]


def row_value(sources: Sequence[Source | None], column: str) -> str | None:
    for source in sources:
        if source is not None:
            for name, value in parse_key(source[1]):
                if name == column:
                    return value
    return None


def stored_key(key: str) -> tuple[str, str]:
    """How the page stores a cell's key: its columns joined by `;`, its values by `|`
    (each column name once per table rather than once per cell)."""
    pairs = parse_key(key)
    return ";".join(k for k, _ in pairs), "|".join(v for _, v in pairs)


def swapped_key(key: str, choice: Mapping[str, str]) -> str:
    """The key with the chosen values put in; the explorer's script does the same."""
    return ";".join(f"{k}={choice.get(k, v)}" for k, v in parse_key(key))


@dataclass
class _Index:
    """A published table's rows by their key (for one order of key columns)."""

    frame: pd.DataFrame
    by_columns: dict[tuple[str, ...], dict[str, dict[str, object]]]

    def row(self, key: str) -> dict[str, object] | None:
        columns = tuple(k for k, _ in parse_key(key))
        if columns not in self.by_columns:
            self.by_columns[columns] = {
                row_key(record, columns): record for record in self.frame.to_dict("records")
            }
        return self.by_columns[columns].get(key)


def table_explorer(
    table: ReportTable,
    indexes: Mapping[str, _Index],
    store: dict[str, dict[str, dict[str, dict[str, str]]]],
) -> dict[str, Any]:
    """A table's filters and cell layout; the cells its filters can show go into `store`."""
    swaps = [f for f in table.filters if f.mode == "swap"]
    choices = [
        dict(zip((f.column for f in swaps), values, strict=True))
        for values in itertools.product(*([v for v, _ in f.options] for f in swaps))
    ]
    sources: dict[tuple[str, str], int] = {}
    columns: dict[str, int] = {}
    layout = []
    for row in table.rows:
        line: list[list[int] | None] = []
        for cell in row[1:]:
            source = cell.source
            if source is None:
                line.append(None)
                continue
            name, key, column = source
            line.append(
                [
                    sources.setdefault((name, key), len(sources)),
                    columns.setdefault(column, len(columns)),
                ]
            )
            if cell.format is None:
                continue
            if name not in indexes:
                raise KeyError(f"table {table.id}: the page has no published table {name}")
            for choice in choices:
                shown_key = swapped_key(key, choice)
                key_columns, key_values = stored_key(shown_key)
                row_cells = (
                    store.setdefault(name, {})
                    .setdefault(key_columns, {})
                    .setdefault(key_values, {})
                )
                if column not in row_cells:
                    found = indexes[name].row(shown_key)
                    row_cells[column] = cell_text(found, column, cell.format)
                    # A key with no published row is marked, so that the page shows `..`
                    # without claiming a source for it.
                    if found is None:
                        row_cells["_missing"] = "1"
        layout.append(line)
    return {
        "caption": table.caption,
        "filters": [filter_json(f) for f in table.filters],
        # Each number cell: [position in `sources` (table, key), position in `columns`].
        "sources": [list(source) for source in sources],
        "columns": list(columns),
        "cells": layout,
    }


def filter_json(table_filter: TableFilter) -> dict[str, Any]:
    return {
        "column": table_filter.column,
        "label": table_filter.label,
        "mode": table_filter.mode,
        "default": table_filter.default,
        "options": [list(option) for option in table_filter.options],
    }


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureExplorer:
    """A figure's filters and its chart for every choice of them (keys: values joined by |)."""

    name: str
    filters: tuple[TableFilter, ...]
    charts: Mapping[str, Chart]


def figure_explorer(
    name: str,
    filters: Sequence[TableFilter],
    draw: Callable[..., Chart],
) -> FigureExplorer:
    """Every chart of a figure: `draw(**choice)` for each choice of the filters' values."""
    filters = tuple(f for f in filters if len(f.options) > 1)
    charts = {}
    for values in itertools.product(*([v for v, _ in f.options] for f in filters)):
        choice = dict(zip((f.column for f in filters), values, strict=True))
        charts["|".join(values)] = draw(**choice)
    return FigureExplorer(name, filters, charts)


def figure_json(explorer: FigureExplorer) -> dict[str, Any]:
    return {
        "filters": [filter_json(f) for f in explorer.filters],
        "charts": {key: chart_json(chart) for key, chart in explorer.charts.items()},
    }


# --- the page ---------------------------------------------------------------------------------


def report_tables(context: Mapping[str, Any]) -> list[ReportTable]:
    """Every table of the report's context with filters, in the context's order."""
    found: list[ReportTable] = []

    def walk(value: object) -> None:
        if isinstance(value, ReportTable):
            if value.filters:
                found.append(value)
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(context)
    return found


def explorer_data(
    tables: Sequence[ReportTable],
    figures: Sequence[FigureExplorer],
    frames: Mapping[str, pd.DataFrame],
) -> dict[str, Any]:
    store: dict[str, dict[str, dict[str, dict[str, str]]]] = {}
    indexes = {name: _Index(frame, {}) for name, frame in frames.items()}
    table_data = {table.id: table_explorer(table, indexes, store) for table in tables}
    return {
        "tables": table_data,
        "cells": store,
        "figures": {f.name: figure_json(f) for f in figures},
        "suppressionNote": vocabulary.SUPPRESSION_NOTE,
        "styles": style_json(),
    }


def script_json(data: Mapping[str, Any]) -> str:
    """JSON that may stand inside `<script type="application/json">`: sorted keys (the same
    bytes from the same data), and no `<` that could close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
