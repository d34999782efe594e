"""Disclosure control over the whole system of published case tables.

Every published case table (gender breakdowns, their dimension tables, the strata table) is a
view of the same cells of decided cases. This module protects them together:

1. **Primary rules, counted in units** (the pseudonymised organisation, not the decision):
   - threshold: a cell with fewer than `min_units` organisations hides its counts and amounts;
   - all rejected: a cell in which every organisation was rejected hides its counts unless it
     holds at least `all_rejected_min_units` organisations (otherwise it tells each of them that
     it was turned down);
   - dominance: an amount, job or participant column whose `dominance_n` largest organisations
     (their contributions summed first) exceed `dominance_k_pct` % of the cell hides the amounts;
   - medians only where at least `median_min_units` organisations were granted, and never beside
     hidden counts or amounts.
2. **Secondary suppression for the whole linked system.** The cells of all tables are one set of
   unknowns with every linear relation a reader can write down: `all` rows, periods as sums of
   years or of shorter periods, the same cell in several tables. For each protection a primary
   cell needs, a linear programme (HiGHS) finds the cheapest change of the suppressed cells and
   of cells not yet suppressed that moves the primary cell by its protection while every
   relation and published value stays consistent (the partial-protection model of Fischetti and
   Salazar that τ-ARGUS's optimal method solves as a whole); cells the change touches are
   suppressed. The cost of touching a cell grows with its number of decisions, so small cells
   are hidden before large ones and totals last. Needs: a decision count moved by `min_units`
   (the intruder cannot tell 1 from 4), a granted count moved by one (not all rejected, not
   all granted), amounts moved by `amount_margin_pct` % up and down.
3. **Audit until it passes.** The published tables are then audited as an intruder would
   (`rtp_eval.audit`, from the published values only); any value it can narrow below its
   protection gets that protection as a new need, and the loop repeats.

The published values that remain are exact: nothing is perturbed, only hidden.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from rtp_eval import catalog
from rtp_eval.catalog import (
    AMOUNT,
    COUNT,
    DERIVED,
    GRANTED_UNITS,
    TOP_PREFIX,
    TOTAL,
    UNITS,
    Table,
    working_columns,
)
from rtp_eval.settings import Disclosure

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]
COUNTS = "counts"
MAX_ROUNDS = 8


DISCLOSURE_DEFAULTS = Disclosure()


@dataclass(frozen=True)
class ProtectionRules:
    """The disclosure rules (configuration block `disclosure`)."""

    min_units: int = DISCLOSURE_DEFAULTS.min_units
    dominance_n: int = DISCLOSURE_DEFAULTS.dominance_n
    dominance_k_pct: float = float(DISCLOSURE_DEFAULTS.dominance_k_pct)
    amount_margin_pct: float = float(DISCLOSURE_DEFAULTS.amount_margin_pct)
    median_min_units: int = DISCLOSURE_DEFAULTS.median_min_units
    all_rejected_min_units: int = DISCLOSURE_DEFAULTS.all_rejected_min_units

    def __post_init__(self) -> None:
        if self.min_units < 1 or self.dominance_n < 1 or self.median_min_units < 1:
            raise ValueError("min_units, dominance_n and median_min_units must be at least 1")
        if not 0.0 < self.dominance_k_pct <= 100.0:
            raise ValueError(f"dominance_k_pct must lie in (0, 100], got {self.dominance_k_pct}")
        if not 0.0 < self.amount_margin_pct < 100.0:
            raise ValueError(
                f"amount_margin_pct must lie in (0, 100), got {self.amount_margin_pct}"
            )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ProtectionRules:
        defaults = cls()
        return cls(
            **{
                name: type(getattr(defaults, name))(config.get(name, getattr(defaults, name)))
                for name in cls.__dataclass_fields__
            }
        )


# --- cells ------------------------------------------------------------------------------------


@dataclass
class _Cells:
    """The distinct cells of all tables: one row per cell, and where each table row points."""

    frame: pd.DataFrame  # key, source, first, last, pattern, dims, and measures / working values
    row_cells: dict[str, np.ndarray]  # table -> cell index of each row


def _dimension_names(table: Table, frame: pd.DataFrame, template: str) -> pd.Series:
    """The dimension a key column names per row: `{classification}_group` → `ownership_group`."""
    if "{" not in template:
        return pd.Series(template, index=frame.index, dtype="string")
    prefix, rest = template.split("{", 1)
    column, suffix = rest.split("}", 1)
    return prefix + frame[column].astype("string") + suffix


def _cell_keys(
    table: Table, frame: pd.DataFrame, periods: Mapping[str, tuple[int, int]]
) -> pd.DataFrame:
    """source, first, last, pattern (dimensions fixed) and dims (with values) of every row."""
    assert table.source is not None and table.period_column is not None
    label = frame[table.period_column].astype("string")
    first = label.map(lambda p: periods[p][0] if p in periods else int(p)).astype("int64")
    last = label.map(lambda p: periods[p][1] if p in periods else int(p)).astype("int64")
    items: list[list[tuple[str, str]]] = [[] for _ in range(len(frame))]
    for column, template in table.dimensions.items():
        names = _dimension_names(table, frame, template).to_numpy(dtype=object)
        values = frame[column].astype("string").fillna("").to_numpy(dtype=object)
        for i, (name, value) in enumerate(zip(names, values, strict=True)):
            if value != TOTAL:
                items[i].append((name, value))
    dims = ["|".join(f"{n}={v}" for n, v in sorted(i)) for i in items]
    pattern = ["|".join(n for n, _ in sorted(i)) for i in items]
    out = pd.DataFrame(
        {
            "source": table.source,
            "first": first.to_numpy(),
            "last": last.to_numpy(),
            "pattern": pattern,
            "dims": dims,
        },
        index=frame.index,
    )
    out["key"] = (
        out["source"] + "#" + out["first"].astype(str) + "-" + out["last"].astype(str)
    ) + ("#" + out["dims"])
    return out


def _cells(works: Mapping[str, pd.DataFrame], periods: Mapping[str, tuple[int, int]]) -> _Cells:
    pieces = []
    for name, work in works.items():
        table = catalog.table(name)
        keys = _cell_keys(table, work, periods)
        values = [c for c in (*table.of_kind(COUNT, AMOUNT), *working_columns(table)) if c in work]
        piece = pd.concat([keys, work[values].astype("float64")], axis=1)
        piece["table"] = name
        pieces.append(piece)
    everything = pd.concat(pieces, ignore_index=True)
    codes, uniques = pd.factorize(everything["key"], sort=True)
    everything["cell"] = codes
    # One value per cell: tables agree where they share a cell (a test checks it).
    frame = everything.drop(columns="table").groupby("cell", sort=True).first()
    row_cells = {}
    start = 0
    for name, work in works.items():
        row_cells[name] = codes[start : start + len(work)]
        start += len(work)
    frame["key"] = np.asarray(uniques)
    return _Cells(frame, row_cells)


# --- relations --------------------------------------------------------------------------------


def _total_relations(
    works: Mapping[str, pd.DataFrame], cells: _Cells
) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """Per measure: (cells, coefficients) of every `all` row = Σ its parts, in every table."""
    relations: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    for name, work in works.items():
        table = catalog.table(name)
        ids = cells.row_cells[name]
        measures = table.of_kind(COUNT, AMOUNT)
        for key in table.totals:
            others = [k for k in table.keys if k != key]
            codes = work[others].astype("string").groupby(others, sort=False, dropna=False).ngroup()
            codes = codes.to_numpy(dtype=np.int64)
            is_total = (work[key].astype("string") == TOTAL).fillna(False).to_numpy(dtype=bool)
            order = np.argsort(codes, kind="stable")
            bounds = np.searchsorted(codes[order], np.arange(codes.max() + 2))
            for g in range(len(bounds) - 1):
                members = order[bounds[g] : bounds[g + 1]]
                totals = members[is_total[members]]
                parts = members[~is_total[members]]
                if len(totals) != 1 or not len(parts):
                    continue
                relation = (
                    np.concatenate([ids[totals], ids[parts]]),
                    np.concatenate([[-1.0], np.ones(len(parts))]),
                )
                for measure in measures:
                    relations[measure].append(relation)
    return relations


def _period_relations(cells: _Cells) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """Per measure: every period = Σ of each set of shorter published ranges covering it.

    A pattern (the dimensions a cell fixes) published for a range lists every cell with
    decisions; a cell without a row in that range is zero.
    """
    frame = cells.frame
    ranges: dict[tuple[str, str], set[tuple[int, int]]] = defaultdict(set)
    for source, pattern, first, last in zip(
        frame["source"], frame["pattern"], frame["first"], frame["last"], strict=True
    ):
        ranges[(source, pattern)].add((int(first), int(last)))
    by_dims: dict[tuple[str, str], dict[tuple[int, int], int]] = defaultdict(dict)
    for cell, source, dims, first, last in zip(
        frame.index, frame["source"], frame["dims"], frame["first"], frame["last"], strict=True
    ):
        by_dims[(source, dims)][(int(first), int(last))] = int(cell)
    measures = [
        c
        for c in frame.columns
        if c in catalog.COLUMNS and catalog.COLUMNS[c].kind in (COUNT, AMOUNT)
    ]
    has = frame[measures].notna().to_numpy()
    position = {cell: i for i, cell in enumerate(frame.index)}
    relations: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    for (source, dims), by_range in by_dims.items():
        pattern = "|".join(item.split("=", 1)[0] for item in dims.split("|")) if dims else ""
        available = ranges[(source, pattern)]
        for (first, last), cell in by_range.items():
            if first == last:
                continue
            for partition in _partitions(first, last, available):
                parts = [by_range[r] for r in partition if r in by_range]
                relation = (np.array([cell, *parts]), np.array([-1.0] + [1.0] * len(parts)))
                shared = has[[position[c] for c in (cell, *parts)]].all(axis=0)
                for measure, ok in zip(measures, shared, strict=True):
                    if ok:
                        relations[measure].append(relation)
    return relations


def _partitions(
    first: int, last: int, available: set[tuple[int, int]], limit: int = 64
) -> list[list[tuple[int, int]]]:
    starts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for start, end in available:
        if first <= start and end <= last and (start, end) != (first, last):
            starts[start].append((start, end))
    found: list[list[tuple[int, int]]] = []

    def extend(start: int, chosen: list[tuple[int, int]]) -> None:
        if len(found) >= limit:
            return
        if start == last + 1:
            found.append(list(chosen))
            return
        for candidate in sorted(starts.get(start, [])):
            extend(candidate[1] + 1, [*chosen, candidate])

    extend(first, [])
    return found


# --- primary suppression ----------------------------------------------------------------------


@dataclass
class _State:
    """Per family (counts, amounts, jobs, participants): which cells are hidden, and why.

    Hidden counts hide every family of the cell; `hidden(family)` includes that.
    """

    suppressed: dict[str, npt.NDArray[np.bool_]]
    rule: dict[str, npt.NDArray[np.object_]]
    median_hidden: npt.NDArray[np.bool_]

    def hidden(self, family: str) -> npt.NDArray[np.bool_]:
        if family == COUNTS:
            return self.suppressed[COUNTS]
        return self.suppressed[family] | self.suppressed[COUNTS]

    def hide(self, family: str, cells: np.ndarray) -> int:
        """Hide `family` in `cells`; the number of cells newly hidden."""
        new = cells[~self.hidden(family)[cells]]
        self.suppressed[family][new] = True
        return len(new)


def primary_state(cells: _Cells, rules: ProtectionRules) -> _State:
    frame = cells.frame
    n = len(frame)
    units = frame[UNITS].fillna(0).to_numpy()
    granted = frame["granted"].fillna(0).to_numpy()
    rule = {family: np.full(n, "", dtype=object) for family in catalog.FAMILIES}
    threshold = units < rules.min_units
    rejected = ~threshold & (granted == 0) & (units < rules.all_rejected_min_units)
    for family in catalog.FAMILIES:
        rule[family][threshold] = "threshold"
    # A dominated amount needs its margin also where hidden counts hide it anyway.
    for column in frame.columns:
        if not column.startswith(TOP_PREFIX):
            continue
        measure = column.removeprefix(TOP_PREFIX)
        family = str(catalog.COLUMNS[measure].family)
        total = frame[measure].to_numpy(dtype=np.float64)
        top = frame[column].to_numpy(dtype=np.float64)
        dominated = (total > 0) & (top * 100.0 > rules.dominance_k_pct * total)
        rule[family][dominated & ~threshold] = "dominance"
    for family in catalog.FAMILIES:
        rule[family][rejected & (rule[family] == "")] = "all_rejected"
    granted_units = frame[GRANTED_UNITS].fillna(0).to_numpy()
    return _State(
        suppressed={family: rule[family] != "" for family in catalog.FAMILIES},
        rule=rule,
        median_hidden=granted_units < rules.median_min_units,
    )


# --- secondary suppression by linear programming -------------------------------------------------


@dataclass(frozen=True)
class Need:
    """Cell `cell` must be able to move by `amount` in `direction` (+1 up, -1 down)."""

    cell: int
    measure: str
    direction: int
    amount: float


@dataclass
class _MeasureModel:
    """The deviation LP of one measure: y+ and y- per cell, Σ relation (y+ - y-) = 0.

    A need is solved on the cells within a few relations of its cell (every relation touching
    them kept, cells outside held still), which is a valid deviation of the whole system; the
    neighbourhood widens until the need can be met.
    """

    measure: str
    cells: np.ndarray  # cell index of each position
    position: dict[int, int]
    matrix: sp.csr_matrix  # relations × positions
    by_cell: sp.csc_matrix  # the same, for the relations of a position
    value: FloatArray
    col_upper: FloatArray  # per position: room up (y+) and down (y-), interleaved
    weight: FloatArray
    reach_up: FloatArray
    reach_down: FloatArray
    highs: Any = None  # one solver, reused for every need


def _bounds(
    cells: _Cells, measure: str, suppressed: npt.NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Value, least and greatest value an intruder allows for each cell having `measure`.

    A measure capped by another (granted by decisions) may rise to the cap's value where the
    cap is published; where the cap is hidden too, both can rise together.
    """
    frame = cells.frame
    value = frame[measure].to_numpy(dtype=np.float64)
    lower = np.full(len(frame), catalog.COLUMNS[measure].lower)
    cap = catalog.COLUMNS[measure].at_most
    upper = np.full(len(frame), np.inf)
    if cap is not None and cap in frame:
        upper = np.where(suppressed, np.inf, frame[cap].to_numpy(dtype=np.float64))
    return value, lower, np.where(np.isnan(upper), np.inf, upper)


def _measure_model(
    cells: _Cells,
    measure: str,
    relations: Sequence[tuple[np.ndarray, np.ndarray]],
    suppressed: npt.NDArray[np.bool_],
) -> _MeasureModel | None:
    value, lower, upper = _bounds(cells, measure, suppressed)
    members = np.flatnonzero(~np.isnan(value))
    if not len(members) or not relations:
        return None
    position = {int(c): i for i, c in enumerate(members)}
    rows, cols, data = [], [], []
    for r, (ids, coefficients) in enumerate(relations):
        for cell, coefficient in zip(ids, coefficients, strict=True):
            rows.append(r)
            cols.append(position[int(cell)])
            data.append(coefficient)
    size = len(members)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(relations), size))
    matrix.sum_duplicates()
    v, lo, hi = value[members], lower[members], upper[members]
    col_upper = np.empty(2 * size)
    col_upper[0::2] = np.maximum(hi - v, 0.0)
    col_upper[1::2] = np.maximum(v - lo, 0.0)
    decisions = cells.frame["decisions"].to_numpy(dtype=np.float64)[members]
    return _MeasureModel(
        measure,
        members,
        position,
        matrix,
        matrix.tocsc(),
        v,
        col_upper,
        1.0 + np.nan_to_num(decisions),
        np.zeros(size),
        np.zeros(size),
    )


def _members(indptr: np.ndarray, indices: np.ndarray, of: np.ndarray) -> np.ndarray:
    """The column indices of the rows `of` of a compressed matrix, without building it."""
    starts, ends = indptr[of], indptr[of + 1]
    lengths = ends - starts
    if not lengths.sum():
        return np.zeros(0, dtype=indices.dtype)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return indices[np.arange(lengths.sum()) + offsets]


def _neighbourhood(model: _MeasureModel, start: np.ndarray, hops: int) -> np.ndarray:
    """Positions within `hops` relations of `start`."""
    reached = np.zeros(model.matrix.shape[1], dtype=bool)
    reached[start] = True
    frontier = start
    for _ in range(hops):
        relations = np.unique(_members(model.by_cell.indptr, model.by_cell.indices, frontier))
        found = np.unique(_members(model.matrix.indptr, model.matrix.indices, relations))
        frontier = found[~reached[found]]
        if not len(frontier):
            break
        reached[frontier] = True
    return np.flatnonzero(reached)


def _solve_local(
    model: _MeasureModel,
    local: np.ndarray,
    j: int,
    need: Need,
    hidden: npt.NDArray[np.bool_],
) -> FloatArray | None:
    """Net deviation of the positions `local` meeting `need`, or None if they cannot."""
    import highspy

    sub = model.by_cell[:, local]
    rows = np.unique(sub.indices)
    # Renumber the relations the neighbourhood touches: 0, 1, … in the local LP.
    sub = sp.csc_matrix(
        (sub.data, np.searchsorted(rows, sub.indices), sub.indptr), shape=(len(rows), len(local))
    )
    size = len(local)
    # Columns: y+ then y- of each position; y- has the negated coefficients.
    matrix = sp.hstack([sub, -sub]).tocsc()
    upper = np.concatenate([model.col_upper[2 * local], model.col_upper[2 * local + 1]])
    lower = np.zeros(2 * size)
    where = int(np.searchsorted(local, j))
    moving = where if need.direction > 0 else size + where
    fixed = size + where if need.direction > 0 else where
    amount = min(need.amount, upper[moving])
    if amount <= 1e-9:
        return np.zeros(size)
    lower[moving] = amount
    upper[fixed] = 0.0
    cost = np.where(hidden[local], 0.0, model.weight[local])
    infinity = highspy.kHighsInf
    if model.highs is None:
        model.highs = highspy.Highs()
        model.highs.setOptionValue("output_flag", False)
        # One thread: the LPs are small and many; a thread pool costs more than it gains.
        model.highs.setOptionValue("threads", 1)
    highs = model.highs
    highs.clearModel()
    lp = highspy.HighsLp()
    lp.num_col_ = 2 * size
    lp.num_row_ = len(rows)
    lp.col_cost_ = np.concatenate([cost, cost])
    lp.col_lower_ = lower
    lp.col_upper_ = np.where(np.isfinite(upper), upper, infinity)
    lp.row_lower_ = np.zeros(len(rows))
    lp.row_upper_ = np.zeros(len(rows))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = np.asarray(highs.getSolution().col_value)
    # With no cost on hidden cells, y+ and y- of one cell may both be positive: only the net
    # change is a deviation.
    return solution[:size] - solution[size:]


def _protect_need(
    model: _MeasureModel, need: Need, suppressed: npt.NDArray[np.bool_]
) -> np.ndarray:
    """Cells (indexes) the cheapest deviation that meets `need` touches."""
    j = model.position[need.cell]
    reach = model.reach_up if need.direction > 0 else model.reach_down
    if reach[j] >= need.amount - 1e-9:
        return np.zeros(0, dtype=np.int64)
    hidden = suppressed[model.cells]
    everything = model.matrix.shape[1]
    for hops in (2, 5, None):
        local = (
            np.arange(everything) if hops is None else _neighbourhood(model, np.array([j]), hops)
        )
        net = _solve_local(model, local, j, need, hidden)
        if net is not None or len(local) == everything:
            break
    if net is None:
        raise RuntimeError(f"no suppression pattern protects {need.measure} of cell {need.cell}")
    np.maximum.at(model.reach_up, local, net)
    np.maximum.at(model.reach_down, local, -net)
    scale = np.maximum(np.abs(model.value[local]), 1.0)
    touched = local[np.abs(net) > 1e-7 * scale]
    return model.cells[touched]


# --- publishing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Protection:
    """Published tables, the primary suppressions (for the audit) and every suppression."""

    published: dict[str, pd.DataFrame]
    primaries: pd.DataFrame  # table, row, family, rule
    log: pd.DataFrame  # table, row, family, rule
    rounds: int = 0
    stats: dict[str, int] = field(default_factory=dict)
    # Tables whose cells' complete-case count (the model summary's) must not be published.
    hidden_case_counts: frozenset[str] = frozenset()


def publish(
    works: Mapping[str, pd.DataFrame], cells: _Cells, state: _State
) -> dict[str, pd.DataFrame]:
    """The work tables with suppressed families, derived columns and thin medians emptied."""
    published = {}
    for name, work in works.items():
        table = catalog.table(name)
        ids = cells.row_cells[name]
        frame = work[[c for c in table.columns if c in work]].copy()
        any_hidden = np.zeros(len(frame), dtype=bool)
        for column in table.of_kind(COUNT, AMOUNT):
            hidden = state.hidden(str(catalog.COLUMNS[column].family))[ids]
            frame.loc[hidden, column] = pd.NA
            any_hidden |= hidden
        if "median_granted_sek" in frame:
            frame.loc[state.median_hidden[ids], "median_granted_sek"] = pd.NA
        hide_derived(frame, table)
        frame["suppressed"] = pd.array(any_hidden, dtype="boolean")
        published[name] = frame
    return published


def hide_derived(frame: pd.DataFrame, table: Table) -> None:
    """Empty every derived value whose inputs, or whose total row's inputs, are empty."""
    for column in table.of_kind(DERIVED):
        info = catalog.COLUMNS[column]
        inputs = [c for c in info.inputs if c in frame]
        if column not in frame or not inputs:
            continue
        hidden = frame[inputs].isna().any(axis=1).to_numpy(dtype=bool).copy()
        if info.share and table.share_keys:
            others = [k for k in table.keys if k not in table.share_keys]
            is_total = np.ones(len(frame), dtype=bool)
            for key in table.share_keys:
                is_total &= (frame[key].astype("string") == TOTAL).fillna(False).to_numpy()
            totals = frame.loc[is_total, others].copy()
            totals["_hidden"] = frame.loc[is_total, inputs].isna().any(axis=1).to_numpy()
            merged = frame[others].merge(totals, on=others, how="left")
            hidden |= merged["_hidden"].fillna(True).to_numpy(dtype=bool)
        frame.loc[hidden, column] = pd.NA
    if "median_granted_sek" in frame and "mean_granted_sek" in frame:
        frame.loc[frame["mean_granted_sek"].isna(), "median_granted_sek"] = pd.NA


def _frames_of(
    works: Mapping[str, pd.DataFrame], cells: _Cells, state: _State, which: str
) -> pd.DataFrame:
    """table, row, family, rule for every table row whose cell has a rule (or is hidden)."""
    from rtp_eval.audit import row_labels

    pieces = []
    for name, work in works.items():
        table = catalog.table(name)
        ids = cells.row_cells[name]
        labels = row_labels(work, table.keys).to_numpy()
        present = {str(catalog.COLUMNS[c].family) for c in table.of_kind(COUNT, AMOUNT)}
        for family in (f for f in catalog.FAMILIES if f in present):
            flags, rule = state.hidden(family), state.rule[family]
            rows = flags[ids] if which == "log" else (rule[ids] != "")
            if not rows.any():
                continue
            rules = np.where(rule[ids][rows] == "", "secondary", rule[ids][rows])
            pieces.append(
                pd.DataFrame({"table": name, "row": labels[rows], "family": family, "rule": rules})
            )
    columns = ["table", "row", "family", "rule"]
    if not pieces:
        return pd.DataFrame(columns=columns, dtype="string")
    return pd.concat(pieces, ignore_index=True)[columns].astype("string")


# The measures whose protection is sought first; the others of their family (applied amounts,
# foreign-born jobs, men in the target group) mostly move with them, and the audit finds any
# that do not.
LEAD_MEASURES = ("amount_granted_sek", "expected_jobs_women", "expected_jobs_men", "target_women")


def _initial_needs(cells: _Cells, state: _State, rules: ProtectionRules) -> list[Need]:
    frame = cells.frame
    needs: list[Need] = []
    margin = rules.amount_margin_pct / 100.0
    decisions = frame["decisions"].to_numpy(dtype=np.float64)
    granted = frame["granted"].to_numpy(dtype=np.float64)
    amount_measures = [c for c in LEAD_MEASURES if c in frame]
    # Smallest cells first: their protection tends to cover the larger ones around them.
    order = np.argsort(np.nan_to_num(decisions), kind="stable")
    for cell in order:
        if state.rule[COUNTS][cell]:
            needs.append(Need(int(cell), "decisions", 1, float(rules.min_units)))
            up = granted[cell] < decisions[cell]
            needs.append(Need(int(cell), "granted", 1 if up else -1, 1.0))
        for measure in amount_measures:
            if state.rule[str(catalog.COLUMNS[measure].family)][cell] in ("threshold", "dominance"):
                value = frame.at[cell, measure]
                # A zero needs no margin: it is no one's contribution.
                if value > 0:
                    needs.append(Need(int(cell), measure, 1, margin * value))
                    needs.append(Need(int(cell), measure, -1, margin * value))
    return needs


def _audit_needs(
    cells: _Cells,
    works: Mapping[str, pd.DataFrame],
    failures: pd.DataFrame,
    rules: ProtectionRules,
) -> list[Need]:
    """Needs for the values the audit could narrow too far."""
    from rtp_eval.audit import row_labels

    lookup: dict[tuple[str, str], int] = {}
    for name, work in works.items():
        labels = row_labels(work, catalog.table(name).keys).to_numpy()
        for label, cell in zip(labels, cells.row_cells[name], strict=True):
            lookup[(name, str(label))] = int(cell)
    margin = rules.amount_margin_pct / 100.0
    needs = []
    for table, row, measure, low, high in failures[
        ["table", "row", "measure", "low", "high"]
    ].itertuples(index=False):
        cell = lookup[(str(table), str(row))]
        value = float(cells.frame.at[cell, measure])
        if measure == "decisions":
            needs.append(Need(cell, measure, 1, float(rules.min_units)))
        elif catalog.COLUMNS[measure].kind == COUNT:
            decisions = float(cells.frame.at[cell, "decisions"])
            needs.append(Need(cell, measure, 1 if value < decisions else -1, 1.0))
        else:
            if high < value * (1 + margin):
                needs.append(Need(cell, measure, 1, margin * value))
            if value > 0 and low > value * (1 - margin):
                needs.append(Need(cell, measure, -1, margin * value))
    return needs


CASE_COUNT = "model_case_count"


def _add_case_count_cells(
    works: Mapping[str, pd.DataFrame], cells: _Cells, model_period: str | None
) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """The model's complete cases, published as a count: a cell of its own, their sum.

    One cell per summed table holds the decisions and granted decisions of its cells with every
    dimension known in the model period; a relation ties it to them. It is protected like any
    cell (hidden only where a protection needs it, at the cost of its size), and where it is
    hidden the model summary does not show its counts. The granted count is only a bound in
    the published summary (the amount model takes granted cases with a positive amount); held
    as an equality here it gives deviations a reader cannot rule out either.
    """
    relations: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    if model_period is None:
        return relations
    summed_tables = {s.table for t in catalog.TABLES.values() for s in t.sums}
    for name in sorted(summed_tables):
        work = works.get(name)
        table = catalog.table(name)
        if work is None or table.period_column is None:
            continue
        mask = catalog.known_cells(work, table.keys, table.period_column, model_period)
        ids = np.unique(cells.row_cells[name][mask.to_numpy(dtype=bool)])
        if not len(ids):
            continue
        known = cells.frame.loc[ids]
        virtual = len(cells.frame)
        row: dict[str, object] = {column: np.nan for column in cells.frame.columns}
        row |= {
            "key": f"{CASE_COUNT}#{name}#{model_period}",
            "decisions": known["decisions"].sum(),
            "granted": known["granted"].sum(),
            # Not a group of organisations: no primary rule applies to it.
            UNITS: np.inf,
            GRANTED_UNITS: np.inf,
        }
        cells.frame.loc[virtual] = pd.Series(row)
        cells.row_cells[f"{CASE_COUNT}:{name}"] = np.array([virtual])
        relation = (np.array([virtual, *ids]), np.array([-1.0] + [1.0] * len(ids)))
        for measure in ("decisions", "granted"):
            relations[measure].append(relation)
    return relations


def _hide_smallest_partners(
    cells: _Cells,
    state: _State,
    relations: Mapping[str, list[tuple[np.ndarray, np.ndarray]]],
    needs: Sequence[Need],
) -> int:
    """Hide, for each unmet need, the smallest published cell nearest to it in the relations.

    The last resort when the linear programmes find a need met but the audit does not (the
    audit also reads relations the programmes leave out, such as bounds between measures).
    Nearest: in a relation with the cell, else with a hidden cell that is, and so on. Hiding
    a cell only ever widens what a reader can prove, so the rounds still converge.
    """
    added = 0
    for need in needs:
        family = str(catalog.COLUMNS[need.measure].family)
        hidden = state.hidden(family)
        values = cells.frame[need.measure].to_numpy(dtype=float)
        around: dict[int, set[int]] = defaultdict(set)
        for ids, _ in relations.get(need.measure, []):
            members = {int(c) for c in ids}
            for member in members:
                around[member] |= members
        seen, frontier = {need.cell}, {need.cell}
        while frontier:
            reached = set().union(*(around[c] for c in frontier)) - seen
            shown = [c for c in reached if not hidden[c] and np.isfinite(values[c])]
            if shown:
                smallest = min(shown, key=lambda c: (values[c], c))
                added += state.hide(family, np.array([smallest]))
                break
            seen |= reached
            frontier = reached
    return added


def case_count_hidden(protection_cells: _Cells, state: _State, table: str) -> bool:
    """Whether the model summary must leave out its counts of complete cases."""
    ids = protection_cells.row_cells.get(f"{CASE_COUNT}:{table}")
    return ids is not None and bool(state.hidden(COUNTS)[ids].any())


def _case_count_frames(
    cells: _Cells, state: _State, model_period: str | None
) -> dict[str, pd.DataFrame]:
    """The published case counts as the audit reads them from the model summary.

    Only the columns the audit's relations use, for counts protection lets through; the
    granted count stands for the amount model's (at most that many), a relation at least as
    strict as the reader's.
    """
    frames: dict[str, pd.DataFrame] = {}
    if model_period is None:
        return frames
    for table in catalog.TABLES.values():
        rows = []
        for case_sum in table.sums:
            ids = cells.row_cells.get(f"{CASE_COUNT}:{case_sum.table}")
            if ids is None or state.hidden(COUNTS)[ids].any():
                continue
            value = float(cells.frame.loc[int(ids[0]), case_sum.measure])
            rows.append({"period": model_period, **case_sum.where, case_sum.column: value})
        if rows:
            frames[table.name] = pd.DataFrame(rows)
    return frames


def protect(
    works: Mapping[str, pd.DataFrame],
    periods: Mapping[str, tuple[int, int]],
    rules: ProtectionRules | None = None,
    model_period: str | None = None,
    workers: int = 1,
) -> Protection:
    """Protect the work tables together; returns what to publish, audited.

    `works`: every published case table by name, unsuppressed, with its working columns
    (`working_columns`). `periods`: the period labels of all tables and their years.
    `model_period`: the period whose complete cases the published model summary counts.

    Tables that share no cell and no relation, directly or through other tables (business
    and project support do not), are separate systems: no suppression in one can protect or
    expose a cell of the other, so each is protected and audited on its own, in up to
    `workers` processes (the same result with any number). On the demo data this publishes
    the same tables as protecting everything as one system, in two thirds of the time.
    """
    rules = rules or ProtectionRules()
    # A table without rows (a source without files) is published empty as it is.
    empty = {
        name: work[[c for c in catalog.table(name).columns if c in work]].assign(
            suppressed=pd.array([], dtype="boolean")
        )
        for name, work in works.items()
        if not len(work)
    }
    works = {name: work.reset_index(drop=True) for name, work in works.items() if len(work)}
    if not works:
        nothing = pd.DataFrame(columns=["table", "row", "family", "rule"], dtype="string")
        return Protection(empty, nothing, nothing)
    linked = _linked(works, periods, model_period)
    systems = [{name: works[name] for name in group} for group in _components(works, *linked)]
    if len(systems) == 1:
        results = [_protect_system(works, periods, rules, model_period, linked)]
    else:
        results = _protect_each(systems, periods, rules, model_period, workers)
    return _merged(results, list(works), empty)


def _linked(
    works: Mapping[str, pd.DataFrame],
    periods: Mapping[str, tuple[int, int]],
    model_period: str | None,
) -> tuple[_Cells, dict[str, list[tuple[np.ndarray, np.ndarray]]]]:
    """The cells of the tables and every relation between them, per measure."""
    cells = _cells(works, periods)
    relations: dict[str, list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    for source in (
        _total_relations(works, cells),
        _period_relations(cells),
        _add_case_count_cells(works, cells, model_period),
    ):
        for measure, found in source.items():
            relations[measure] += found
    return cells, relations


def independent_systems(
    works: Mapping[str, pd.DataFrame],
    periods: Mapping[str, tuple[int, int]],
    model_period: str | None = None,
) -> list[list[str]]:
    """The tables in groups that share no cell and no relation, in the order of `works`."""
    return _components(works, *_linked(works, periods, model_period))


def _components(
    works: Mapping[str, pd.DataFrame],
    cells: _Cells,
    relations: Mapping[str, list[tuple[np.ndarray, np.ndarray]]],
) -> list[list[str]]:
    size = len(cells.frame)
    # Union-find over cells: a table row joins its cell to the table's first cell, and a
    # relation joins all of its cells.
    parent = np.arange(size)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    def join(ids: np.ndarray) -> None:
        if not len(ids):
            return
        first = root(int(ids[0]))
        for other in ids[1:]:
            top = root(int(other))
            if top != first:
                parent[top] = first

    for ids in cells.row_cells.values():
        join(np.unique(ids))
    for found in relations.values():
        for members, _ in found:
            join(np.unique(members))
    groups: dict[int, list[str]] = {}
    for name in works:
        groups.setdefault(root(int(cells.row_cells[name][0])), []).append(name)
    return list(groups.values())


def _protect_each(
    systems: Sequence[Mapping[str, pd.DataFrame]],
    periods: Mapping[str, tuple[int, int]],
    rules: ProtectionRules,
    model_period: str | None,
    workers: int,
) -> list[Protection]:
    """Each system protected on its own, in up to `workers` forked processes, the largest
    started first."""
    from rtp_eval.parallel import map_in_forks

    protect_one = functools.partial(
        _protect_system, periods=periods, rules=rules, model_period=model_period
    )
    return map_in_forks(
        protect_one, systems, workers, cost=lambda system: sum(len(w) for w in system.values())
    )


def _merged(
    results: Sequence[Protection], order: Sequence[str], empty: Mapping[str, pd.DataFrame]
) -> Protection:
    """One protection of separate systems, its tables and rows in the order of `order`."""
    position = {name: i for i, name in enumerate(order)}

    def in_order(frames: list[pd.DataFrame]) -> pd.DataFrame:
        frame = pd.concat(frames, ignore_index=True)
        rank = frame["table"].astype(str).map(position)
        return frame.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)

    published = {name: r.published[name] for r in results for name in r.published}
    stats: dict[str, int] = {}
    for result in results:
        for key, value in result.stats.items():
            stats[key] = stats.get(key, 0) + value
    return Protection(
        {name: published[name] for name in order} | dict(empty),
        in_order([r.primaries for r in results]),
        in_order([r.log for r in results]),
        max(r.rounds for r in results),
        stats,
        frozenset().union(*(r.hidden_case_counts for r in results)),
    )


def _protect_system(
    works: Mapping[str, pd.DataFrame],
    periods: Mapping[str, tuple[int, int]],
    rules: ProtectionRules,
    model_period: str | None,
    linked: tuple[_Cells, dict[str, list[tuple[np.ndarray, np.ndarray]]]] | None = None,
) -> Protection:
    """Protection of tables linked into one system (`protect`); `linked`: their cells and
    relations, if already worked out."""
    from rtp_eval.audit import AuditRules, run_audit

    cells, relations = linked or _linked(works, periods, model_period)
    state = primary_state(cells, rules)
    models: dict[str, _MeasureModel | None] = {}

    def suppressed_for(measure: str) -> npt.NDArray[np.bool_]:
        return state.hidden(str(catalog.COLUMNS[measure].family))

    def meet(needs: Sequence[Need]) -> int:
        added = 0
        for need in needs:
            if need.measure not in models:
                models[need.measure] = _measure_model(
                    cells,
                    need.measure,
                    relations.get(need.measure, []),
                    suppressed_for(need.measure),
                )
            model = models[need.measure]
            if model is None:
                continue
            touched = _protect_need(model, need, suppressed_for(need.measure))
            added += state.hide(str(catalog.COLUMNS[need.measure].family), touched)
        return added

    primaries = _frames_of(works, cells, state, "primary")
    stats = {"cells": len(cells.frame)}
    stats |= {f"primary_{f}": int(state.suppressed[f].sum()) for f in catalog.FAMILIES}
    meet(_initial_needs(cells, state, rules))
    audit_rules = AuditRules(rules.min_units, rules.amount_margin_pct, rules.median_min_units)
    for rounds in range(1, MAX_ROUNDS + 1):
        published = publish(works, cells, state)
        counts = _case_count_frames(cells, state, model_period)
        result = run_audit(published | counts, primaries, audit_rules, intervals_only=True)
        failures = result.intervals[~result.intervals["passed"]]
        if failures.empty:
            stats |= {f"suppressed_{f}": int(state.hidden(f).sum()) for f in catalog.FAMILIES}
            hidden_counts = frozenset(
                name for name in works if case_count_hidden(cells, state, name)
            )
            return Protection(
                published,
                primaries,
                _frames_of(works, cells, state, "log"),
                rounds,
                stats,
                hidden_counts,
            )
        # Reaches found before are still valid deviations, but the audit shows they were not
        # enough: drop them so that every need is solved again under the current pattern.
        for model in models.values():
            if model is not None:
                model.reach_up[:] = 0.0
                model.reach_down[:] = 0.0
        log.info(
            "audit round %d: %d value(s) too narrow (%s)",
            rounds,
            len(failures),
            ", ".join(f"{m}: {n}" for m, n in failures["measure"].value_counts().items()),
        )
        needs = _audit_needs(cells, works, failures, rules)
        if not meet(needs) and not _hide_smallest_partners(cells, state, relations, needs):
            raise RuntimeError(
                "disclosure control cannot protect these values:\n" + failures.head(10).to_string()
            )
    raise RuntimeError(f"disclosure control did not converge in {MAX_ROUNDS} rounds")
