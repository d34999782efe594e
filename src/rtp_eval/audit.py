"""Disclosure audit: what an intruder can prove about each suppressed cell from the published files.

Written from the intruder's side and apart from disclosure control (`protection`): it reads
nothing but the published tables and the documented meaning of their columns (the catalogue),
writes down every linear relation a reader can (see `catalog`: `all` rows are sums of their
parts, a period is the sum of its years or shorter periods, the same cell in several tables is
one unknown, a published row holds at least one decision, 0 ≤ granted ≤ decisions and the like),
and solves for every suppressed value the smallest and largest value those relations allow:
first by interval propagation, then by linear programming (HiGHS) per connected component of
the unknowns. Every value that fails its protection gets its exact minimum and maximum; one
that passes may be shown by values the LPs already reached (an interval at most as wide as
the exact one, which is enough to prove that it passes).

Then it checks the protection each suppressed cell needs, given by the list of primary
suppressions (table, row, family, rule) that disclosure control hands over without values:
- every suppressed decision count: an interval at least `min_units` wide, so that with a
  threshold of 3 an intruder cannot tell 1 from 4 (a published row is never empty);
- cells suppressed by the threshold or all-rejected rule: their granted count not pinned;
- amounts, jobs and participants of cells suppressed by the threshold or dominance rule: not
  pinned within ±`amount_margin_pct` % (no x with the interval inside x ± 15 %), unless shown to
  be exactly zero (a zero is no one's contribution);
- derived columns (rates, shares, means, medians, intervals) never published beside a suppressed
  input or a suppressed denominator; medians only with at least `median_min_units` grants.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from rtp_eval import catalog
from rtp_eval.catalog import AMOUNT, COUNT, DERIVED, TOTAL, Table
from rtp_eval.settings import Disclosure

FloatArray = npt.NDArray[np.float64]
PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-(\d{4}))?$")
TOLERANCE = 1e-6
# Decimals are published to 6 significant digits: a published value is within this share of
# the true one, so sums of them only hold within the same share.
ROUNDING = 5e-6
# Below this an interval end is zero (a thousandth of a krona or of a job: rounding only).
ZERO = 1e-3
MAX_PARTITIONS = 64


DISCLOSURE_DEFAULTS = Disclosure()


@dataclass(frozen=True)
class AuditRules:
    """The protection the audit demands (defaults: the configured disclosure rules)."""

    min_units: int = DISCLOSURE_DEFAULTS.min_units
    amount_margin_pct: float = float(DISCLOSURE_DEFAULTS.amount_margin_pct)
    median_min_units: int = DISCLOSURE_DEFAULTS.median_min_units

    @property
    def amount_ratio(self) -> float:
        """An interval is pinned within ±p if its upper end is at most this times its lower."""
        p = self.amount_margin_pct / 100.0
        return (1.0 + p) / (1.0 - p)


@dataclass(frozen=True)
class AuditResult:
    """Every suppressed value with its interval, the problems found and a summary per table."""

    intervals: pd.DataFrame  # table, row, measure, family, rule, low, high, required, passed
    violations: pd.DataFrame  # table, row, column, problem, low, high
    summary: pd.DataFrame  # per table and rule, no values

    @property
    def passed(self) -> bool:
        return self.violations.empty


# --- reading the published tables as cells ----------------------------------------------------


def row_labels(frame: pd.DataFrame, keys: Iterable[str]) -> pd.Series:
    """`key=value; …` for every row: how the audit names a row to a reader."""
    keys = list(keys)
    text = frame[keys].astype("string").fillna("")
    label = pd.Series("", index=frame.index, dtype="string")
    for number, key in enumerate(keys):
        label = label + ("; " if number else "") + f"{key}=" + text[key]
    return label


def _period_bounds(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """First and last year of each period label (`2014`, `2012-2015`); -1 where unparsable."""
    parts = values.astype("string").str.extract(PERIOD_PATTERN)
    first = pd.to_numeric(parts[0], errors="coerce")
    last = pd.to_numeric(parts[1], errors="coerce").fillna(first)
    return (
        first.fillna(-1).astype("int64").to_numpy(),
        last.fillna(-1).astype("int64").to_numpy(),
    )


def _template(name: str, frame: pd.DataFrame) -> pd.Series:
    """A dimension name for every row, `{column}` replaced by the row's value of that column."""
    pieces = re.split(r"(\{[a-z_]+\})", name)
    out = pd.Series("", index=frame.index, dtype="string")
    for piece in pieces:
        if piece.startswith("{"):
            out = out + frame[piece[1:-1]].astype("string").fillna("")
        elif piece:
            out = out + piece
    return out


@dataclass(frozen=True)
class _Rows:
    """The rows of one view of one table as cells: ids, dimension pattern, and values."""

    table: Table
    frame: pd.DataFrame
    cell_key: pd.Series  # source|first|last|dims
    pattern_key: pd.Series  # source|dims names (which dimensions the row fixes)
    first: np.ndarray
    last: np.ndarray
    measures: Mapping[str, str]  # column -> canonical measure


def _view_rows(table: Table, frame: pd.DataFrame, view: catalog.CellView) -> _Rows:
    period = table.period_column
    assert period is not None
    first, last = _period_bounds(frame[period])
    if table.source_column:
        source = frame[table.source_column].astype("string").fillna("")
    else:
        source = pd.Series(table.source or "", index=frame.index, dtype="string")
    pairs: list[tuple[pd.Series, pd.Series]] = []
    for column, dimension in table.dimensions.items():
        value = frame[column].astype("string").fillna("")
        name = _template(dimension, frame)
        pairs.append((name, value.where(value != TOTAL, "")))
    for dimension, value in view.fixed.items():
        pairs.append((_template(dimension, frame), pd.Series(value, index=frame.index)))
    # Dimension names sorted per row, so that the same cell gets the same key in every table.
    names = pd.concat([n for n, _ in pairs], axis=1).to_numpy(dtype=object) if pairs else None
    values = pd.concat([v for _, v in pairs], axis=1).to_numpy(dtype=object) if pairs else None
    dims_text, pattern_text = [], []
    for i in range(len(frame)):
        if names is None or values is None:
            dims_text.append("")
            pattern_text.append("")
            continue
        items = sorted((n, v) for n, v in zip(names[i], values[i], strict=True) if v != "")
        dims_text.append("|".join(f"{n}={v}" for n, v in items))
        pattern_text.append("|".join(n for n, _ in items))
    dims = pd.Series(dims_text, index=frame.index, dtype="string")
    pattern = pd.Series(pattern_text, index=frame.index, dtype="string")
    cell_key = source + "#" + pd.Series(first, index=frame.index).astype("string") + "-"
    cell_key = cell_key + pd.Series(last, index=frame.index).astype("string") + "#" + dims
    measures = view.measures or {
        c: c for c in table.columns if catalog.COLUMNS[c].kind in (COUNT, AMOUNT)
    }
    return _Rows(table, frame, cell_key, source + "#" + pattern, first, last, dict(measures))


@dataclass
class _System:
    """All cells of the published tables and what is known of each measure."""

    cell_index: dict[str, int]
    present: list[bool]
    values: dict[str, dict[int, float]]  # measure -> cell -> published value
    hidden: dict[str, set[int]]  # measure -> cells with a suppressed occurrence
    conflicts: list[tuple[str, str]]  # (measure, cell key) published with two values

    def cell(self, key: str) -> int:
        index = self.cell_index.get(key)
        if index is None:
            index = len(self.cell_index)
            self.cell_index[key] = index
            self.present.append(False)
        return index


def _measure_lower(measure: str, present: bool) -> float:
    return catalog.COLUMNS[measure].lower if present else 0.0


# --- the relations ------------------------------------------------------------------------------


@dataclass
class _Relation:
    """Σ coefficient × cell = constant (or ≤ constant, `at_most`) for one measure."""

    measure: str
    cells: list[int]
    coefficients: list[float]
    constant: float = 0.0
    at_most: bool = False


def _total_relations(rows: _Rows, system: _System, cell_ids: np.ndarray) -> list[_Relation]:
    """Every `all` row is the sum of its parts, per total key and measure."""
    relations: list[_Relation] = []
    table, frame = rows.table, rows.frame
    for key in table.totals:
        others = [k for k in table.keys if k != key]
        is_total = (frame[key].astype("string") == TOTAL).fillna(False).to_numpy(dtype=bool)
        groups = (
            frame[others].astype("string").groupby(others, sort=False, dropna=False).ngroup()
        ).to_numpy()
        members: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for group, total, cell in zip(groups, is_total, cell_ids, strict=True):
            members[group][0 if total else 1].append(int(cell))
        for totals, parts in members.values():
            # A total without any part listed is a table that does not break it down here.
            if len(totals) != 1 or not parts:
                continue
            for measure in rows.measures.values():
                relations.append(
                    _Relation(measure, [totals[0], *parts], [-1.0] + [1.0] * len(parts))
                )
    return relations


def _partitions(
    first: int, last: int, ranges: set[tuple[int, int]], limit: int = MAX_PARTITIONS
) -> list[list[tuple[int, int]]]:
    """Ways to cover first..last exactly with shorter ranges from `ranges`."""
    by_start: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for start, end in ranges:
        if first <= start and end <= last and (start, end) != (first, last):
            by_start[start].append((start, end))
    found: list[list[tuple[int, int]]] = []

    def extend(start: int, chosen: list[tuple[int, int]]) -> None:
        if len(found) >= limit:
            return
        if start == last + 1:
            found.append(list(chosen))
            return
        for candidate in sorted(by_start.get(start, [])):
            chosen.append(candidate)
            extend(candidate[1] + 1, chosen)
            chosen.pop()

    extend(first, [])
    return found


def _period_relations(
    all_rows: list[_Rows], system: _System, measures_of: Mapping[int, set[str]]
) -> list[_Relation]:
    """A period is the sum of any set of published shorter periods or years that covers it.

    A table lists every cell with cases of a pattern and period it shows; a cell it does not
    list is zero (it has no row because it has no decisions).
    """
    ranges: dict[str, set[tuple[int, int]]] = defaultdict(set)
    cells_of: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    dims_of: dict[int, tuple[str, str]] = {}
    for rows in all_rows:
        dims = rows.cell_key.str.split("#").str[2].to_numpy()
        for pattern, first, last, key, dim in zip(
            rows.pattern_key.to_numpy(), rows.first, rows.last, rows.cell_key, dims, strict=True
        ):
            if first < 0:
                continue
            ranges[pattern].add((int(first), int(last)))
            cell = system.cell_index[key]
            cells_of[f"{pattern}@{dim}"][(int(first), int(last))] = cell
            dims_of[cell] = (pattern, dim)
    relations: list[_Relation] = []
    for group, by_range in cells_of.items():
        pattern = group.split("@", 1)[0]
        for (first, last), cell in by_range.items():
            if first == last:
                continue
            for partition in _partitions(first, last, ranges[pattern]):
                parts = [by_range.get(r) for r in partition]
                present_parts = [p for p in parts if p is not None]
                for measure in sorted(measures_of[cell]):
                    if any(measure not in measures_of[p] for p in present_parts):
                        continue
                    relations.append(
                        _Relation(
                            measure,
                            [cell, *present_parts],
                            [-1.0] + [1.0] * len(present_parts),
                        )
                    )
    return relations


# --- solving ------------------------------------------------------------------------------------


def _case_sum_relations(
    published: Mapping[str, pd.DataFrame], all_rows: list[_Rows], system: _System
) -> list[_Relation]:
    """Published counts that are sums of the cells with every dimension known (model cases)."""
    relations: list[_Relation] = []
    rows_of = {rows.table.name: rows for rows in all_rows}
    for name, frame in published.items():
        for case_sum in catalog.table(name).sums:
            summed = rows_of.get(case_sum.table)
            if summed is None or case_sum.column not in frame:
                continue
            chosen = frame
            for column, value in case_sum.where.items():
                chosen = chosen[chosen[column].astype("string") == value]
            found = chosen[["period", case_sum.column]].dropna().drop_duplicates()
            table = summed.table
            for period, value in found.itertuples(index=False):
                assert table.period_column is not None
                mask = catalog.known_cells(
                    summed.frame, table.keys, table.period_column, str(period)
                ).to_numpy(dtype=bool)
                cells = [system.cell_index[k] for k in summed.cell_key[mask]]
                if not cells:
                    continue
                sign = 1.0 if case_sum.exact else -1.0
                relations.append(
                    _Relation(
                        case_sum.measure,
                        cells,
                        [sign] * len(cells),
                        sign * float(value),
                        at_most=not case_sum.exact,
                    )
                )
    return relations


def _measure_groups() -> list[tuple[str, ...]]:
    """Measures that must be solved together because one bounds another (granted ≤ decisions)."""
    parent: dict[str, str] = {}

    def find(m: str) -> str:
        parent.setdefault(m, m)
        while parent[m] != m:
            m = parent[m]
        return m

    for column in catalog.COLUMNS.values():
        if column.kind in (COUNT, AMOUNT):
            find(column.name)
            if column.at_most:
                parent[find(column.name)] = find(column.at_most)
    groups: dict[str, list[str]] = defaultdict(list)
    for measure in parent:
        groups[find(measure)].append(measure)
    return [tuple(sorted(g)) for g in groups.values()]


@dataclass(frozen=True)
class _LinearSystem:
    """A x = b (relations) and C x ≤ d (bounds between measures) with bounds on x."""

    variables: list[tuple[int, str]]
    equalities: sp.csr_matrix
    rhs: FloatArray
    slack: FloatArray  # rounding of the published values in each relation
    inequalities: sp.csr_matrix
    inequality_rhs: FloatArray
    lower: FloatArray
    upper: FloatArray


def _linear_system(
    group: tuple[str, ...], relations: list[_Relation], system: _System
) -> _LinearSystem:
    variables: list[tuple[int, str]] = []
    index: dict[tuple[int, str], int] = {}
    for measure in group:
        for cell in sorted(system.hidden.get(measure, ())):
            if cell in system.values.get(measure, {}):
                continue
            index[(cell, measure)] = len(variables)
            variables.append((cell, measure))
    rows, cols, data, slack = [], [], [], []
    irows, icols, idata = [], [], []
    rhs: list[float] = []
    irhs: list[float] = []
    for relation in relations:
        if relation.measure not in group:
            continue
        known = system.values.get(relation.measure, {})
        # Whole numbers are published exactly; decimals to 6 significant digits.
        share = ROUNDING if catalog.COLUMNS[relation.measure].dtype == "Float64" else 0.0
        constant = 0.0
        rounding = 0.0
        terms: dict[int, float] = defaultdict(float)
        for cell, coefficient in zip(relation.cells, relation.coefficients, strict=True):
            variable = index.get((cell, relation.measure))
            if variable is None:
                value = known.get(cell, 0.0)
                constant += coefficient * value
                rounding += abs(value) * share
            else:
                terms[variable] += coefficient
        terms = {v: c for v, c in terms.items() if c != 0.0}
        if not terms:
            continue
        if relation.at_most:
            for variable, coefficient in terms.items():
                irows.append(len(irhs))
                icols.append(variable)
                idata.append(coefficient)
            irhs.append(relation.constant - constant + rounding)
            continue
        for variable, coefficient in terms.items():
            rows.append(len(rhs))
            cols.append(variable)
            data.append(coefficient)
        rhs.append(relation.constant - constant)
        slack.append(rounding)
    n = len(variables)
    equalities = sp.csr_matrix((data, (rows, cols)), shape=(len(rhs), n))
    lower = np.array([_measure_lower(m, system.present[c]) for c, m in variables], dtype=np.float64)
    upper = np.full(n, np.inf)
    for (cell, measure), variable in index.items():
        bound = catalog.COLUMNS[measure].at_most
        if bound is None:
            continue
        other = index.get((cell, bound))
        if other is None:
            cap = system.values.get(bound, {}).get(cell)
            if cap is not None:
                upper[variable] = min(upper[variable], cap)
            continue
        irows += [len(irhs), len(irhs)]
        icols += [variable, other]
        idata += [1.0, -1.0]
        irhs.append(0.0)
    # A known value bounds the unknown measures it caps (granted known, decisions hidden).
    for (cell, measure), variable in index.items():
        for column in catalog.COLUMNS.values():
            if column.at_most == measure and (cell, column.name) not in index:
                capped = system.values.get(column.name, {}).get(cell)
                if capped is not None:
                    lower[variable] = max(lower[variable], capped)
    inequalities = sp.csr_matrix((idata, (irows, icols)), shape=(len(irhs), n))
    return _LinearSystem(
        variables,
        equalities,
        np.array(rhs, dtype=np.float64),
        np.array(slack, dtype=np.float64),
        inequalities,
        np.array(irhs, dtype=np.float64),
        lower,
        upper,
    )


def propagate(
    matrix: sp.csr_matrix,
    rhs: FloatArray,
    slack: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    rounds: int = 100,
) -> tuple[FloatArray, FloatArray]:
    """Bounds implied by b - slack ≤ A x ≤ b + slack, one row at a time, until nothing tightens."""
    lower, upper = lower.copy(), upper.copy()
    coo = matrix.tocoo()
    row, col, a = coo.row, coo.col, coo.data
    n_rows = matrix.shape[0]
    for _ in range(rounds):
        low_term = np.where(a > 0, a * lower[col], a * upper[col])
        high_term = np.where(a > 0, a * upper[col], a * lower[col])
        low_inf = ~np.isfinite(low_term)
        high_inf = ~np.isfinite(high_term)
        low_sum = np.bincount(row, np.where(low_inf, 0.0, low_term), n_rows)
        high_sum = np.bincount(row, np.where(high_inf, 0.0, high_term), n_rows)
        low_count = np.bincount(row, low_inf.astype(np.float64), n_rows)
        high_count = np.bincount(row, high_inf.astype(np.float64), n_rows)
        # The rest of the row without this term: a x_j = b - rest.
        rest_low = np.where(
            low_inf, np.where(low_count[row] > 1, -np.inf, low_sum[row]), low_sum[row] - low_term
        )
        rest_low = np.where(~low_inf & (low_count[row] > 0), -np.inf, rest_low)
        rest_high = np.where(
            high_inf,
            np.where(high_count[row] > 1, np.inf, high_sum[row]),
            high_sum[row] - high_term,
        )
        rest_high = np.where(~high_inf & (high_count[row] > 0), np.inf, rest_high)
        with np.errstate(invalid="ignore"):
            bound_a = (rhs[row] - slack[row] - rest_high) / a
            bound_b = (rhs[row] + slack[row] - rest_low) / a
        new_low = np.where(a > 0, bound_a, bound_b)
        new_high = np.where(a > 0, bound_b, bound_a)
        tightened_low = lower.copy()
        np.maximum.at(tightened_low, col, np.nan_to_num(new_low, nan=-np.inf))
        tightened_high = upper.copy()
        np.minimum.at(tightened_high, col, np.nan_to_num(new_high, nan=np.inf))
        with np.errstate(invalid="ignore"):
            change = np.nanmax(
                np.concatenate(
                    [
                        np.where(np.isfinite(tightened_low - lower), tightened_low - lower, 0.0),
                        np.where(np.isfinite(upper - tightened_high), upper - tightened_high, 0.0),
                        [0.0],
                    ]
                )
            )
        newly_finite = (np.isfinite(tightened_low) & ~np.isfinite(lower)).any() or (
            np.isfinite(tightened_high) & ~np.isfinite(upper)
        ).any()
        lower, upper = tightened_low, tightened_high
        if change <= TOLERANCE and not newly_finite:
            break
    return lower, upper


def _highs_model(
    matrix: sp.csc_matrix,
    row_lower: FloatArray,
    row_upper: FloatArray,
    col_lower: FloatArray,
    col_upper: FloatArray,
) -> Any:
    import highspy

    infinity = highspy.kHighsInf
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    # One thread: the LPs are small and many; a thread pool costs more than it gains.
    highs.setOptionValue("threads", 1)
    model = highspy.HighsLp()
    model.num_col_ = matrix.shape[1]
    model.num_row_ = matrix.shape[0]
    model.col_cost_ = np.zeros(matrix.shape[1])
    model.col_lower_ = np.where(np.isfinite(col_lower), col_lower, -infinity)
    model.col_upper_ = np.where(np.isfinite(col_upper), col_upper, infinity)
    model.row_lower_ = np.where(np.isfinite(row_lower), row_lower, -infinity)
    model.row_upper_ = np.where(np.isfinite(row_upper), row_upper, infinity)
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = matrix.indptr
    model.a_matrix_.index_ = matrix.indices
    model.a_matrix_.value_ = matrix.data
    status = highs.passModel(model)
    if status != highspy.HighsStatus.kOk:
        raise RuntimeError(f"the audit could not set up its LP: {status}")
    return highs


@dataclass(frozen=True)
class _Needs:
    """What each variable must show: an interval this wide, and upper > ratio × lower."""

    width: FloatArray
    ratio: FloatArray

    def met(self, low: FloatArray, high: FloatArray) -> npt.NDArray[np.bool_]:
        with np.errstate(invalid="ignore"):
            return self._met(low, high)

    def _met(self, low: FloatArray, high: FloatArray) -> npt.NDArray[np.bool_]:
        wide = high - low >= self.width - TOLERANCE
        scale = np.maximum(np.abs(np.where(np.isfinite(low), low, 0.0)), 1.0)
        apart = (
            (self.ratio <= 0) | ~np.isfinite(high) | (high > self.ratio * low + TOLERANCE * scale)
        )
        # A value shown to be zero is no one's contribution: it needs no margin.
        zero = (self.ratio > 0) & (np.abs(high) <= ZERO) & (np.abs(low) <= ZERO)
        return wide & (apart | zero)

    @property
    def any(self) -> npt.NDArray[np.bool_]:
        return (self.width > 0) | (self.ratio > 0)

    def take(self, members: np.ndarray) -> _Needs:
        return _Needs(self.width[members], self.ratio[members])


def _component_intervals(
    matrix: sp.csc_matrix,
    row_lower: FloatArray,
    row_upper: FloatArray,
    low: FloatArray,
    high: FloatArray,
    needs: _Needs,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """The interval of every variable of one component that has a need; exact where it matters.

    Every LP solution is a point the intruder cannot rule out. A few solutions towards random
    corners give each variable an inner interval (values it can certainly take); a variable whose
    inner interval already meets its need passes. Every other one gets its exact minimum and
    maximum, each by its own LP (hot-started from the previous basis). Returns the bounds and
    whether they are exact; for a passing variable they are the inner interval, at most as wide
    as the exact one.
    """
    import highspy

    size = matrix.shape[1]
    wanted = needs.any
    exact = np.zeros(size, dtype=bool)
    if not wanted.any():
        return low, high, exact
    highs = _highs_model(matrix, row_lower, row_upper, low, high)
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("simplex_strategy", 4)  # primal simplex: a new objective keeps the basis
    seen_low = np.full(size, np.inf)
    seen_high = np.full(size, -np.inf)
    outer_low, outer_high = low.copy(), high.copy()
    low, high = low.copy(), high.copy()
    positions = np.arange(size)
    optimal = highspy.HighsModelStatus.kOptimal
    unbounded = highspy.HighsModelStatus.kUnbounded

    def solve(columns: np.ndarray, costs: FloatArray) -> tuple[object, np.ndarray]:
        highs.changeColsCost(len(columns), columns.astype(np.int32), costs)
        highs.run()
        status = highs.getModelStatus()
        if status not in (optimal, unbounded):
            # A hot start can stall on a badly scaled basis: solve this one afresh.
            highs.clearSolver()
            highs.setOptionValue("presolve", "on")
            highs.setOptionValue("simplex_strategy", 1)
            highs.run()
            status = highs.getModelStatus()
            highs.setOptionValue("presolve", "off")
            highs.setOptionValue("simplex_strategy", 4)
        values = np.asarray(highs.getSolution().col_value)
        # Changing the model resets its status: read the result first.
        highs.changeColsCost(len(columns), columns.astype(np.int32), np.zeros(len(columns)))
        if status == optimal:
            np.minimum(seen_low, values, out=seen_low)
            np.maximum(seen_high, values, out=seen_high)
        elif status != unbounded:
            raise RuntimeError(f"the published cells are inconsistent: the audit's LP is {status}")
        return status, values

    generator = np.random.default_rng(size)
    candidates = positions[wanted]
    # Every candidate as high, then as low, as the others allow; then random corners.
    solve(candidates, -np.ones(len(candidates)))
    solve(candidates, np.ones(len(candidates)))
    for _ in range(2):
        signs = generator.choice([-1.0, 1.0], size=len(candidates))
        solve(candidates, signs)
    already = needs.met(seen_low, seen_high)
    for position in candidates:
        if already[position]:
            low[position], high[position] = seen_low[position], seen_high[position]
            continue
        one = np.array([position])
        for sense in (1.0, -1.0):
            reached = seen_low if sense > 0 else seen_high
            outer = outer_low if sense > 0 else outer_high
            if abs(reached[position] - outer[position]) <= TOLERANCE:
                value = outer[position]
            else:
                status, values = solve(one, np.array([sense]))
                value = (-sense * np.inf) if status == unbounded else values[position]
            if sense > 0:
                low[position] = value
            else:
                high[position] = value
        exact[position] = True
    return low, high, exact


def _lp_intervals(
    linear: _LinearSystem, needs: _Needs
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Intervals of the variables: propagation, then LP per component of the open ones.

    Values propagation pins are exact constants; the rest splits into components that share no
    relation, each solved on its own.
    """
    low, high = propagate(linear.equalities, linear.rhs, linear.slack, linear.lower, linear.upper)
    scale = np.maximum(np.abs(np.where(np.isfinite(low), low, 0.0)), 1.0)
    if (low > high + TOLERANCE * scale).any():
        raise RuntimeError("the published cells are inconsistent: no value satisfies them")
    open_ = high - low > TOLERANCE * scale
    exact = ~open_
    if not open_.any():
        return low, high, exact
    fixed_values = np.where(open_, 0.0, np.where(np.isfinite(low), low, 0.0))
    equalities = linear.equalities.tocsc()
    inequalities = linear.inequalities.tocsc()
    eq_rhs = linear.rhs - equalities[:, ~open_] @ fixed_values[~open_]
    in_rhs = linear.inequality_rhs - inequalities[:, ~open_] @ fixed_values[~open_]
    columns = np.flatnonzero(open_)
    incidence = sp.vstack([equalities[:, columns], inequalities[:, columns]]).tocsr()
    adjacency = (abs(incidence).T @ abs(incidence)).tocsr()
    n_components, labels = connected_components(adjacency, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_components + 1))
    row_lower = np.concatenate([eq_rhs - linear.slack, np.full(len(in_rhs), -np.inf)])
    row_upper = np.concatenate([eq_rhs + linear.slack, in_rhs])
    for component in range(n_components):
        local = order[bounds[component] : bounds[component + 1]]
        members = columns[local]
        sub = incidence[:, local].tocsr()
        rows = np.flatnonzero(np.diff(sub.indptr) > 0)
        low[members], high[members], exact[members] = _component_intervals(
            sub[rows].tocsc(),
            row_lower[rows],
            row_upper[rows],
            low[members],
            high[members],
            needs.take(members),
        )
    return low, high, exact


# --- the audit ----------------------------------------------------------------------------------


def _read_cells(published: Mapping[str, pd.DataFrame]) -> tuple[_System, list[_Rows]]:
    system = _System({}, [], defaultdict(dict), defaultdict(set), [])
    all_rows: list[_Rows] = []
    for name, frame in published.items():
        table = catalog.table(name)
        if not table.is_case_table or frame.empty:
            continue
        frame = frame.reset_index(drop=True)
        for view in table.views:
            rows = _view_rows(table, frame, view)
            all_rows.append(rows)
            ids = [system.cell(key) for key in rows.cell_key]
            for cell in ids:
                system.present[cell] = True
            for column, measure in rows.measures.items():
                numbers = pd.to_numeric(frame[column]).to_numpy(dtype=np.float64, na_value=np.nan)
                known_values = system.values[measure]
                for cell, key, value in zip(ids, rows.cell_key, numbers, strict=True):
                    if np.isnan(value):
                        system.hidden[measure].add(cell)
                        continue
                    known = known_values.get(cell)
                    if known is not None and abs(known - value) > TOLERANCE * max(1, abs(value)):
                        system.conflicts.append((measure, key))
                    known_values[cell] = float(value)
    return system, all_rows


# --- what each suppressed value needs ---------------------------------------------------------

PRIMARY_COUNT_RULES = ("threshold", "all_rejected")
PRIMARY_AMOUNT_RULES = ("threshold", "dominance")


def _family(column: str) -> str:
    return str(catalog.COLUMNS[column].family)


def _needs_of(occurrences: pd.DataFrame, rules: AuditRules) -> tuple[FloatArray, FloatArray]:
    """The width and ratio each suppressed occurrence needs, from its measure and rule."""
    rule = occurrences["rule"]
    width = np.zeros(len(occurrences))
    width[(occurrences["measure"] == "decisions").to_numpy()] = rules.min_units
    open_granted = (occurrences["measure"] == "granted") & rule.isin(PRIMARY_COUNT_RULES)
    width[open_granted.to_numpy()] = 1.0
    ratio = np.zeros(len(occurrences))
    amounts = (occurrences["family"] != "counts") & rule.isin(PRIMARY_AMOUNT_RULES)
    ratio[amounts.to_numpy()] = rules.amount_ratio
    return width, ratio


def _requirement_text(width: float, ratio: float, rules: AuditRules) -> str:
    if ratio > 0:
        return f"not within ±{rules.amount_margin_pct:g} %"
    if width > 0:
        return f"width >= {width:g}"
    return ""


def _derived_violations(
    published: Mapping[str, pd.DataFrame], rules: AuditRules
) -> list[pd.DataFrame]:
    """Derived values published beside a suppressed input or denominator; thin medians."""
    found: list[pd.DataFrame] = []

    def report(table: Table, rows: pd.DataFrame, column: str, problem: str) -> None:
        if len(rows):
            found.append(
                pd.DataFrame(
                    {
                        "table": table.name,
                        "row": row_labels(rows, table.keys).to_numpy(),
                        "column": column,
                        "problem": problem,
                    }
                )
            )

    for name, frame in published.items():
        table = catalog.table(name)
        if frame.empty:
            continue
        hidden_total = _hidden_totals(table, frame)
        for column in (c for c in table.of_kind(DERIVED) if c in frame.columns):
            info = catalog.COLUMNS[column]
            shown = frame[column].notna()
            inputs = [c for c in info.inputs if c in frame.columns]
            hidden_input = frame[inputs].isna().any(axis=1) if inputs else shown & False
            report(
                table, frame[shown & hidden_input], column, "published beside a suppressed input"
            )
            if info.share and hidden_total is not None and inputs:
                bad = hidden_total[inputs].any(axis=1).to_numpy(dtype=bool)
                report(table, frame[shown & bad], column, "published beside a suppressed total")
        if "median_granted_sek" in frame.columns and "granted" in frame.columns:
            granted = pd.to_numeric(frame["granted"], errors="coerce")
            thin = frame["median_granted_sek"].notna() & (granted < rules.median_min_units)
            report(
                table,
                frame[thin],
                "median_granted_sek",
                f"median of fewer than {rules.median_min_units} grants",
            )
        for source_name in table.derived_from:
            if table.of_kind(catalog.COPY) and source_name in published:
                found += _copy_violations(table, frame, published[source_name])
    return found


def _hidden_totals(table: Table, frame: pd.DataFrame) -> pd.DataFrame | None:
    """For every row, which additive columns of its share-total row are empty (or missing)."""
    if not table.share_keys:
        return None
    others = [k for k in table.keys if k not in table.share_keys]
    is_total = np.ones(len(frame), dtype=bool)
    for key in table.share_keys:
        is_total &= (frame[key].astype("string") == TOTAL).fillna(False).to_numpy()
    additive = [c for c in table.of_kind(COUNT, AMOUNT) if c in frame.columns]
    totals = frame.loc[is_total, others].copy()
    for column in additive:
        totals[column] = frame.loc[is_total, column].isna().to_numpy()
    merged = frame[others].merge(totals, on=others, how="left")
    return merged[additive].fillna(True).astype(bool).set_axis(frame.index)


def _copy_violations(table: Table, frame: pd.DataFrame, source: pd.DataFrame) -> list[pd.DataFrame]:
    """A change table must not show a value its source table suppresses."""
    found = []
    keys = [k for k in table.keys if k not in ("period_from", "period_to")]
    for end in ("from", "to"):
        copies = [c for c in table.of_kind(catalog.COPY) if c.endswith(f"_{end}")]
        originals = [c.removesuffix(f"_{end}") for c in copies]
        right = source[["period", *keys, *originals]].rename(columns={"period": f"period_{end}"})
        merged = frame[[f"period_{end}", *keys, *copies]].astype({f"period_{end}": "string"})
        right = right.astype({f"period_{end}": "string"})
        for key in keys:
            merged[key] = merged[key].astype("string")
            right[key] = right[key].astype("string")
        merged = merged.merge(right, on=[f"period_{end}", *keys], how="left")
        for copy, original in zip(copies, originals, strict=True):
            bad = (merged[copy].notna() & merged[original].isna()).to_numpy(dtype=bool)
            if bad.any():
                rows = frame[bad]
                found.append(
                    pd.DataFrame(
                        {
                            "table": table.name,
                            "row": row_labels(rows, table.keys).to_numpy(),
                            "column": copy,
                            "problem": "repeats a value its source table suppresses",
                        }
                    )
                )
    return found


def _rule_lookup(primaries: pd.DataFrame | None) -> dict[tuple[str, str, str], str]:
    if primaries is None or primaries.empty:
        return {}
    return {
        (str(t), str(r), str(f)): str(rule)
        for t, r, f, rule in primaries[["table", "row", "family", "rule"]].itertuples(index=False)
    }


def summarise(published: Mapping[str, pd.DataFrame], intervals: pd.DataFrame) -> pd.DataFrame:
    """Per table and rule: rows, suppressed values and the narrowest intervals (no values)."""
    records = []
    for name, frame in published.items():
        table = catalog.table(name)
        if not table.is_case_table:
            continue
        of_table = intervals[intervals["table"] == name]
        for rule in ["all", *sorted(set(of_table["rule"]))]:
            part = of_table if rule == "all" else of_table[of_table["rule"] == rule]
            counts = part[part["measure"] == "decisions"]
            checked = part[(part["family"] != "counts") & (part["requirement"] != "")]
            width = counts["high"] - counts["low"]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = (checked["high"] / checked["low"]).replace(np.nan, np.inf).min()
            # The ±margin around the midpoint that the narrowest interval still spans.
            margin = np.nan
            if len(checked):
                margin = 100.0 if not np.isfinite(ratio) else 100.0 * (ratio - 1) / (ratio + 1)
            records.append(
                {
                    "table": name,
                    "rule": rule,
                    "rows": len(frame) if rule == "all" else pd.NA,
                    "suppressed_rows": part["row"].nunique(),
                    "suppressed_counts": len(counts),
                    "min_count_width": width.min() if len(width) else np.nan,
                    "suppressed_amounts": int((part["family"] != "counts").sum()),
                    "checked_amounts": len(checked),
                    "min_amount_margin_pct": margin,
                    "failures": int((~part["passed"].astype(bool)).sum()),
                }
            )
    columns = list(catalog.table("disclosure_audit").columns)
    return pd.DataFrame.from_records(records, columns=columns).astype({"rows": "Int64"})


def _occurrences(
    all_rows: list[_Rows], cell_ids: list[np.ndarray], lookup: Mapping[tuple[str, str, str], str]
) -> pd.DataFrame:
    """Every suppressed additive value: table, row, column, measure, family, rule, cell."""
    pieces = []
    for rows, ids in zip(all_rows, cell_ids, strict=True):
        labels = row_labels(rows.frame, rows.table.keys)
        for column, measure in rows.measures.items():
            hidden = rows.frame[column].isna().to_numpy(dtype=bool)
            if not hidden.any():
                continue
            family = _family(column)
            row = labels[hidden].to_numpy()
            pieces.append(
                pd.DataFrame(
                    {
                        "table": rows.table.name,
                        "row": row,
                        "column": column,
                        "measure": measure,
                        "family": family,
                        "rule": [
                            lookup.get((rows.table.name, r, family), "secondary") for r in row
                        ],
                        "cell": ids[hidden],
                    }
                )
            )
    columns = ["table", "row", "column", "measure", "family", "rule", "cell"]
    if not pieces:
        return pd.DataFrame(columns=columns)
    return pd.concat(pieces, ignore_index=True)[columns]


def run_audit(
    published: Mapping[str, pd.DataFrame],
    primaries: pd.DataFrame | None = None,
    rules: AuditRules | None = None,
    intervals_only: bool = False,
) -> AuditResult:
    """Audit the published tables against the protection each suppressed value needs.

    `primaries` (table, row, family, rule) names the cells disclosure control suppressed by a
    rule, so that the audit knows which protection they need; a suppressed value not listed is
    `secondary` (its decision count still needs an interval of `min_units`).
    `intervals_only` leaves out the checks of derived columns and the summary (for a caller
    that only needs the intervals, such as disclosure control between its rounds).
    """
    rules = rules or AuditRules()
    system, all_rows = _read_cells(published)
    measures_of: dict[int, set[str]] = defaultdict(set)
    cell_ids: list[np.ndarray] = []
    for rows in all_rows:
        ids = np.array([system.cell_index[k] for k in rows.cell_key], dtype=np.int64)
        cell_ids.append(ids)
        for cell in ids:
            measures_of[int(cell)].update(rows.measures.values())
    relations: list[_Relation] = []
    for rows, ids in zip(all_rows, cell_ids, strict=True):
        relations += _total_relations(rows, system, ids)
    relations += _period_relations(all_rows, system, measures_of)
    relations += _case_sum_relations(published, all_rows, system)

    occurrences = _occurrences(all_rows, cell_ids, _rule_lookup(primaries))
    width, ratio = _needs_of(occurrences, rules)
    need_width: dict[tuple[int, str], float] = defaultdict(float)
    need_ratio: dict[tuple[int, str], float] = defaultdict(float)
    for cell, measure, w, r in zip(
        occurrences["cell"], occurrences["measure"], width, ratio, strict=True
    ):
        key = (int(cell), str(measure))
        need_width[key] = max(need_width[key], float(w))
        need_ratio[key] = max(need_ratio[key], float(r))

    bounds: dict[tuple[int, str], tuple[float, float, bool]] = {}
    for group in _measure_groups():
        if not any(system.hidden.get(m) for m in group):
            continue
        linear = _linear_system(group, relations, system)
        needs = _Needs(
            np.array([need_width[v] for v in linear.variables]),
            np.array([need_ratio[v] for v in linear.variables]),
        )
        low, high, exact = _lp_intervals(linear, needs)
        for variable, lo, hi, ex in zip(linear.variables, low, high, exact, strict=True):
            bounds[variable] = (float(lo), float(hi), bool(ex))

    found = []
    for cell, measure in zip(occurrences["cell"], occurrences["measure"], strict=True):
        variable = (int(cell), str(measure))
        if variable in bounds:
            found.append(bounds[variable])
        else:  # published elsewhere
            value = system.values[measure][int(cell)]
            found.append((value, value, True))
    intervals = occurrences.drop(columns="cell")
    intervals["low"] = np.array([f[0] for f in found], dtype=np.float64)
    intervals["high"] = np.array([f[1] for f in found], dtype=np.float64)
    intervals["exact"] = np.array([f[2] for f in found], dtype=bool)
    intervals["requirement"] = pd.array(
        [_requirement_text(w, r, rules) for w, r in zip(width, ratio, strict=True)],
        dtype="string",
    )
    intervals["passed"] = _Needs(width, ratio).met(
        intervals["low"].to_numpy(), intervals["high"].to_numpy()
    )
    failed = intervals[~intervals["passed"]]
    violations = [
        pd.DataFrame(
            {
                "table": failed["table"],
                "row": failed["row"],
                "column": failed["column"],
                "problem": "interval narrower than required: " + failed["requirement"],
                "low": failed["low"],
                "high": failed["high"],
            }
        )
    ]
    if not intervals_only:
        violations += _derived_violations(published, rules)
    for measure, cell_key in system.conflicts:
        violations.append(
            pd.DataFrame(
                {
                    "table": ["(several)"],
                    "row": [cell_key],
                    "column": [measure],
                    "problem": ["one cell published with two values"],
                }
            )
        )
    columns = ["table", "row", "column", "problem", "low", "high"]
    non_empty = [v for v in violations if len(v)]
    frame = (
        pd.concat(non_empty, ignore_index=True).reindex(columns=columns)
        if non_empty
        else pd.DataFrame(columns=columns)
    )
    summary = pd.DataFrame() if intervals_only else summarise(published, intervals)
    return AuditResult(intervals, frame, summary)
