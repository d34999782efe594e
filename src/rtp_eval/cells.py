"""The cells of every table: counts, sums, medians and organisation measures per combination of
keys, with `all` rows for each subset of the total dimensions.

One kernel for the gender tables (per-year partials and pooled periods), the intersectional
strata and their baseline, and the sums behind the indicators, so that a cell means the same
thing in every table. Written with numpy rather than pandas groupbys: a year's gender tables need
a hundred or so small aggregations, pandas' per-call overhead was most of their time, and the
national data reach ten million decisions. The keys of a table block are factorised once, and
every total combination of the block is one pass over integer cell numbers.

What a cell holds, as the tables define it:
- `decisions`: rows of the cell; `granted`: the sum of the 0/1 `granted_flag`.
- Sums of amounts, jobs and targets with missing values counted as 0 (a cell whose values are
  all missing shows 0); integer columns of the catalogue are rounded to whole numbers.
- `median_granted_sek`: the median of the known granted amounts (the mean of the two middle
  values for an even count), missing for a cell without any; `granted_amounts` counts them.
- `units`: distinct organisations of the cell; `granted_units`: those with a granted case; for
  each amount, `top_<amount>`: the sum of the `top_n` largest organisations' amounts, each
  organisation's cases summed first.
- Cells are numbered, and rows come out, in the order the cells first appear in the data; only
  combinations that occur get a row.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rtp_eval import catalog
from rtp_eval.catalog import GRANTED_UNITS, TOTAL, UNITS, top_column

UNKNOWN = "unknown"

Measures = Callable[[np.ndarray, int], dict[str, object]]

# --- shared helpers of the tables ------------------------------------------------------------


def category(values: pd.Series) -> pd.Series:
    """Category codes as text, with a missing or blank value as `unknown`."""
    text = values.astype("string").str.strip()
    return text.mask(text.isna() | (text == ""), UNKNOWN).astype("string")


def floats(values: pd.Series) -> np.ndarray:
    """A column as float64, NaN where it is missing or not a number (a published table's text)."""
    return (
        pd.to_numeric(values, errors="coerce")
        .astype("Float64")
        .to_numpy(dtype=np.float64, na_value=np.nan)
    )


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> pd.arrays.FloatingArray:
    """numerator / denominator, missing where the denominator is not positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(denominator > 0, numerator / denominator, np.nan)
    return pd.array(values, dtype="Float64")


def category_rank(values: pd.Series, known: Sequence[str]) -> pd.Series:
    """Sort position: known codes in their order, others alphabetically, then unknown, then all."""
    text = values.astype("string").fillna("")
    others = sorted(set(text) - set(known) - {UNKNOWN, TOTAL})
    order = [*(k for k in known if k not in (UNKNOWN, TOTAL)), *others, UNKNOWN, TOTAL]
    return text.map({v: i for i, v in enumerate(order)}).astype("int64")


def period_order(periods: Mapping[str, tuple[int, int]]) -> list[str]:
    """Period labels by first year, then last year, then label."""
    return sorted(periods, key=lambda p: (periods[p][0], periods[p][1], p))


def column_totals(rows: pd.DataFrame, columns: Sequence[str]) -> tuple[float, bool]:
    """The sum of `columns` over `rows`, and whether any of the values is missing.

    Each column is summed first and the column sums then added, as pandas sums a frame, so the
    total is the same to the last bit.
    """
    values = [floats(rows[column]) for column in columns]
    missing = any(bool(np.isnan(v).any()) for v in values)
    per_column = [np.sum(v[~np.isnan(v)]) for v in values]
    return float(np.sum(per_column)), missing


# --- per-cell reductions ---------------------------------------------------------------------


def cell_ids(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell number of every row (cells numbered by first appearance) and each cell's first row."""
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    renumber = np.empty_like(order)
    renumber[order] = np.arange(len(order))
    return renumber[inverse.reshape(-1)], first[order]


def per_cell_sum(values: np.ndarray, cell: np.ndarray, n_cells: int) -> np.ndarray:
    return np.bincount(cell, weights=values, minlength=n_cells)


def per_cell_median(values: np.ndarray, cell: np.ndarray, n_cells: int) -> np.ndarray:
    """Median of the known values of each cell (NaN for a cell without any)."""
    known = ~np.isnan(values)
    values, cell = values[known], cell[known]
    counts = np.bincount(cell, minlength=n_cells)
    ordered = values[np.lexsort((values, cell))]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    median = np.full(n_cells, np.nan)
    has = counts > 0
    low = starts[has] + (counts[has] - 1) // 2
    high = starts[has] + counts[has] // 2
    median[has] = (ordered[low] + ordered[high]) / 2
    return median


def rank_in_cell(cell: np.ndarray, n_cells: int) -> np.ndarray:
    """Position of each row among the rows of its cell, in data order."""
    by_cell = np.argsort(cell, kind="stable")
    sizes = np.bincount(cell, minlength=n_cells)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    rank = np.empty(len(cell), dtype=np.int64)
    rank[by_cell] = np.arange(len(cell)) - starts[cell[by_cell]]
    return rank


def unit_measures(
    unit: np.ndarray,
    granted: np.ndarray,
    amounts: Mapping[str, np.ndarray],
    cell: np.ndarray,
    n_cells: int,
    top_n: int,
) -> dict[str, object]:
    """Organisations per cell, those granted, and the `top_n` largest organisations' sums.

    A contribution is summed per organisation first: three grants to one firm are one unit.
    """
    n_units = int(unit.max()) + 1 if len(unit) else 1
    pair_key = cell.astype(np.int64) * n_units + unit
    pairs, pair_of_row = np.unique(pair_key, return_inverse=True)
    pair_cell = pairs // n_units
    out: dict[str, object] = {UNITS: np.bincount(pair_cell, minlength=n_cells).astype(np.int64)}
    granted_pairs = np.unique(pair_key[granted.astype(bool)])
    out[GRANTED_UNITS] = np.bincount(granted_pairs // n_units, minlength=n_cells).astype(np.int64)
    for name, values in amounts.items():
        per_pair = np.bincount(pair_of_row.reshape(-1), weights=values, minlength=len(pairs))
        order = np.lexsort((-per_pair, pair_cell))
        rank = rank_in_cell(pair_cell[order], n_cells)
        largest = order[rank < top_n]
        out[top_column(name)] = np.bincount(
            pair_cell[largest], weights=per_pair[largest], minlength=n_cells
        )
    return out


# --- the cases and the measures of their cells -----------------------------------------------


@dataclass(frozen=True)
class CaseArrays:
    """The per-case numbers the cells are computed from, taken out of the frame once.

    `granted_amount` (NaN for a case without a grant) gives the median and `granted_amounts`;
    without it the cells have neither.
    """

    unit: np.ndarray
    granted_flag: np.ndarray
    amounts: dict[str, np.ndarray]  # additive amounts, jobs and targets (0 where missing)
    sums: dict[str, np.ndarray]  # other additive columns (0 where missing)
    granted_amount: np.ndarray | None = None

    @classmethod
    def of(
        cls,
        data: pd.DataFrame,
        amounts: Sequence[str] | Mapping[str, str],
        sums: Sequence[str] = (),
        median_of: str | None = None,
    ) -> CaseArrays:
        """From case rows with `unit`, `granted_flag` and the named columns.

        `amounts` names the amount columns, or maps each measure to the case column it sums.
        """

        def column(name: str, missing: float) -> np.ndarray:
            return data[name].to_numpy(dtype=np.float64, na_value=missing)

        sources = amounts if isinstance(amounts, Mapping) else {name: name for name in amounts}
        return cls(
            unit=pd.factorize(data["unit"])[0].astype(np.int64),
            granted_flag=column("granted_flag", 0.0),
            amounts={name: column(source, 0.0) for name, source in sources.items()},
            sums={name: column(name, 0.0) for name in sums},
            granted_amount=None if median_of is None else column(median_of, np.nan),
        )


def case_measures(cases: CaseArrays, top_n: int) -> Measures:
    """The measures of every cell of `cases`, as `cells_with_totals` asks for them."""

    def measures(cell: np.ndarray, n_cells: int) -> dict[str, object]:
        out: dict[str, object] = {"decisions": np.bincount(cell, minlength=n_cells)}
        out["granted"] = per_cell_sum(cases.granted_flag, cell, n_cells).astype(np.int64)
        for name, values in cases.amounts.items():
            total = per_cell_sum(values, cell, n_cells)
            integer = catalog.COLUMNS[name].dtype == "Int64"
            out[name] = pd.array(
                np.round(total).astype(np.int64) if integer else total,
                dtype="Int64" if integer else "Float64",
            )
        if cases.granted_amount is not None:
            known = (~np.isnan(cases.granted_amount)).astype(np.float64)
            out["granted_amounts"] = per_cell_sum(known, cell, n_cells).astype(np.int64)
            median = per_cell_median(cases.granted_amount, cell, n_cells)
            out["median_granted_sek"] = pd.array(median, dtype="Float64")
        for name, values in cases.sums.items():
            out[name] = pd.array(per_cell_sum(values, cell, n_cells), dtype="Float64")
        return out | unit_measures(
            cases.unit, cases.granted_flag, cases.amounts, cell, n_cells, top_n
        )

    return measures


def cells_with_totals(
    data: pd.DataFrame,
    keys: Sequence[str],
    total_dimensions: Sequence[str],
    measures: Measures,
) -> pd.DataFrame:
    """Cells for every combination of `period` and keys, with `all` rows for each subset of
    `total_dimensions`: one block per subset, the block without totals first.

    `measures(cell, n_cells)` gives the measure columns from each row's cell number. Key columns
    come out as strings; a missing key is a cell of its own.
    """
    columns = ["period", *keys]
    factorised = {c: pd.factorize(data[c], use_na_sentinel=False) for c in columns}
    blocks = []
    for as_total in itertools.product([False, True], repeat=len(total_dimensions)):
        totals = {d for d, t in zip(total_dimensions, as_total, strict=True) if t}
        key = np.zeros(len(data), dtype=np.int64)
        for column in columns:
            if column not in totals:
                codes, uniques = factorised[column]
                key = key * max(len(uniques), 1) + codes
        cell, first = cell_ids(key)
        block: dict[str, object] = {}
        for column in columns:
            if column in totals:
                block[column] = pd.array([TOTAL] * len(first), dtype="string")
            else:
                codes, uniques = factorised[column]
                block[column] = pd.array(np.asarray(uniques.take(codes[first])), dtype="string")
        block |= measures(cell, len(first))
        blocks.append(pd.DataFrame(block))
    return pd.concat(blocks, ignore_index=True)
