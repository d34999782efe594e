"""Statistical disclosure control for every published table and figure.

Three rules, applied in this order to an aggregated table whose totals are rows labelled `all`:

1. threshold: a cell built from fewer than `min_units` units (decisions) is suppressed whole;
2. dominance: if the `n` largest contributions (grants) exceed `k` % of a cell's amount, the
   cell's amount columns are suppressed, because a firm could then estimate a competitor's grant;
3. secondary: no suppressed cell may be recoverable by subtracting published parts from a
   published total. Along every line of parts that add up to a total, a line with exactly one
   suppressed part gets its next smallest part suppressed as well, until nothing changes.

Columns are handled in families (e.g. counts and amounts): a family is suppressed or published as
a whole in a row, and lines are checked per family. A column derived from several families (a
mean amount per granted decision reveals the count given the amount) is listed under each of
them and suppressed when any of them is. The caller describes its table with a `TableLayout`;
nothing here knows about gender, support types or years.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

TOTAL = "all"
SUPPRESSED_COLUMN = "suppressed"
RULES = ("threshold", "dominance", "secondary")

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class DisclosureRules:
    """Parameters of the threshold and (n, k) dominance rules."""

    min_units: int = 3
    dominance_n: int = 2
    dominance_k_pct: float = 85.0

    def __post_init__(self) -> None:
        if self.min_units < 1:
            raise ValueError(f"min_units must be at least 1, got {self.min_units}")
        if self.dominance_n < 1:
            raise ValueError(f"dominance_n must be at least 1, got {self.dominance_n}")
        if not 0.0 < self.dominance_k_pct <= 100.0:
            raise ValueError(f"dominance_k_pct must lie in (0, 100], got {self.dominance_k_pct}")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DisclosureRules:
        """Build from the `disclosure` configuration block; missing keys keep their defaults."""
        defaults = cls()
        return cls(
            min_units=int(config.get("min_units", defaults.min_units)),
            dominance_n=int(config.get("dominance_n", defaults.dominance_n)),
            dominance_k_pct=float(config.get("dominance_k_pct", defaults.dominance_k_pct)),
        )


@dataclass(frozen=True)
class Family:
    """Columns published or suppressed together.

    `columns` add up along every line (part cells sum to the total cell); the first one tells a
    reader of the published table whether the family is suppressed. `derived` columns (rates,
    shares, means, medians, intervals) are computed from the family and go with it.
    """

    name: str
    columns: tuple[str, ...]
    derived: tuple[str, ...] = ()
    dominance: bool = False


@dataclass(frozen=True)
class NestedTotal:
    """A total that is not labelled `all`: e.g. period `2012-2015` is the sum of four years."""

    column: str
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class TableLayout:
    """How a table is built: its keys, which key values are totals, and its column families.

    `total_dimensions` are key columns whose value `all` is the sum over the column's other
    values with all remaining keys fixed. `shares` maps a share column to the dimension whose
    `all` row is its denominator: a published share and a published part would reveal a
    suppressed total, so such shares are suppressed whenever that total is.
    """

    keys: tuple[str, ...]
    total_dimensions: tuple[str, ...]
    unit_column: str
    families: tuple[Family, ...]
    nested_totals: tuple[NestedTotal, ...] = ()
    shares: Mapping[str, str] = field(default_factory=dict)
    dominance_column: str | None = None
    dominance_base: str | None = None
    working_columns: tuple[str, ...] = ()
    total_label: str = TOTAL

    def __post_init__(self) -> None:
        missing = [d for d in self.total_dimensions if d not in self.keys]
        missing += [n.column for n in self.nested_totals if n.column not in self.keys]
        if missing:
            raise ValueError(f"total dimensions must be key columns: {', '.join(missing)}")
        if any(f.dominance for f in self.families) and not (
            self.dominance_column and self.dominance_base
        ):
            raise ValueError("a dominance family needs dominance_column and dominance_base")

    def family_of_share(self, share: str) -> list[Family]:
        return [f for f in self.families if share in f.columns or share in f.derived]


@dataclass(frozen=True)
class DisclosureResult:
    """The table to publish and one row per suppressed (row, family) for the quality report."""

    published: pd.DataFrame
    log: pd.DataFrame


@dataclass(frozen=True)
class _Line:
    """Membership of every row in the lines of one kind: line id (-1: none) and total flag."""

    name: str
    line_id: IntArray
    is_total: BoolArray

    @property
    def n_lines(self) -> int:
        return int(self.line_id.max()) + 1 if self.line_id.size else 0


def _line_ids(frame: pd.DataFrame, by: list[str], member: BoolArray) -> IntArray:
    ids = np.full(len(frame), -1, dtype=np.int64)
    if not member.any():
        return ids
    if not by:
        ids[member] = 0
        return ids
    sub = frame.loc[member, by].astype("string").fillna("\x00NA")
    ids[member] = sub.groupby(by, sort=True, dropna=False).ngroup().to_numpy(dtype=np.int64)
    return ids


def _lines(frame: pd.DataFrame, layout: TableLayout) -> list[_Line]:
    lines = []
    everything = np.ones(len(frame), dtype=bool)
    for dimension in layout.total_dimensions:
        by = [k for k in layout.keys if k != dimension]
        is_total = (frame[dimension].astype("string") == layout.total_label).fillna(False)
        lines.append(
            _Line(dimension, _line_ids(frame, by, everything), is_total.to_numpy(dtype=bool))
        )
    for nested in layout.nested_totals:
        values = frame[nested.column].astype("string")
        is_total = (values == nested.total).fillna(False).to_numpy(dtype=bool)
        member = is_total | values.isin(nested.parts).fillna(False).to_numpy(dtype=bool)
        by = [k for k in layout.keys if k != nested.column]
        lines.append(_Line(nested.total, _line_ids(frame, by, member), is_total))
    return lines


def _row_order(frame: pd.DataFrame, keys: tuple[str, ...]) -> IntArray:
    """Rank of each row when sorted by its keys as text: tie-breaks independent of input order."""
    text = frame[list(keys)].astype("string").fillna("")
    order = np.lexsort([text[k].to_numpy(dtype=object).astype(str) for k in reversed(keys)])
    rank = np.empty(len(frame), dtype=np.int64)
    rank[order] = np.arange(len(frame))
    return rank


def _as_float(series: pd.Series) -> npt.NDArray[np.float64]:
    return pd.to_numeric(series, errors="coerce").astype("float64").fillna(np.nan).to_numpy()


def _line_totals_suppressed(line: _Line, suppressed: BoolArray) -> BoolArray:
    """Per line: is its total row suppressed."""
    rows = (line.line_id >= 0) & line.is_total
    counts = np.bincount(line.line_id[rows & suppressed], minlength=line.n_lines)
    return counts > 0


def _secondary_step(
    line: _Line, suppressed: BoolArray, units: npt.NDArray[np.float64], rank: IntArray
) -> BoolArray:
    """Rows to suppress so that no line of this kind has exactly one suppressed part."""
    new = np.zeros(len(suppressed), dtype=bool)
    if line.n_lines == 0:
        return new
    in_line = line.line_id >= 0
    part = in_line & ~line.is_total
    total = in_line & line.is_total
    lid = np.where(in_line, line.line_id, 0)
    suppressed_parts = np.bincount(lid[part & suppressed], minlength=line.n_lines)
    has_total = np.bincount(lid[total], minlength=line.n_lines) > 0
    flagged = has_total & ~_line_totals_suppressed(line, suppressed) & (suppressed_parts == 1)
    if not flagged.any():
        return new
    candidates = np.nonzero(part & ~suppressed & flagged[lid])[0]
    order = np.lexsort((rank[candidates], np.nan_to_num(units[candidates]), lid[candidates]))
    candidates = candidates[order]
    _, first = np.unique(lid[candidates], return_index=True)
    chosen = candidates[first]
    new[chosen] = True
    # A line whose other parts are all suppressed already: only its total can protect the part.
    unresolved = flagged.copy()
    unresolved[lid[chosen]] = False
    new |= total & unresolved[lid]
    return new


def apply_disclosure(
    work: pd.DataFrame,
    layout: TableLayout,
    rules: DisclosureRules,
    forced: pd.DataFrame | None = None,
) -> DisclosureResult:
    """Suppress cells of an aggregated table by threshold, dominance and secondary rules.

    `forced` (keys plus one boolean column per family name) marks cells another table already
    suppresses, so that overlapping tables cannot be combined to recover a cell. The published
    frame keeps the row order of `work`, drops the working columns, sets suppressed cells to NA
    and has a boolean `suppressed` column that is true when any cell of the row is suppressed.
    """
    frame = work.reset_index(drop=True)
    units = _as_float(frame[layout.unit_column])
    below = ~(units >= rules.min_units)  # a missing unit count is treated as too few units
    rank = _row_order(frame, layout.keys)
    lines = _lines(frame, layout)

    state: dict[str, BoolArray] = {}
    rule: dict[str, npt.NDArray[np.object_]] = {}
    for family in layout.families:
        suppressed = below.copy()
        why = np.where(below, "threshold", "").astype(object)
        if family.dominance:
            top = _as_float(frame[layout.dominance_column])
            base = _as_float(frame[layout.dominance_base])
            dominated = (base > 0) & (top * 100.0 > rules.dominance_k_pct * base) & ~suppressed
            suppressed |= dominated
            why[dominated] = "dominance"
        if forced is not None and family.name in forced.columns:
            flags = _forced_flags(frame, forced, layout.keys, family.name) & ~suppressed
            suppressed |= flags
            why[flags] = "secondary"
        state[family.name] = suppressed
        rule[family.name] = why

    for family in layout.families:
        suppressed = state[family.name]
        changed = True
        while changed:
            changed = False
            for line in lines:
                new = _secondary_step(line, suppressed, units, rank)
                if new.any():
                    suppressed |= new
                    rule[family.name][new] = "secondary"
                    changed = True

    published, share_hidden = _publish(frame, layout, state, lines)
    log = _suppression_log(frame, layout, state, rule, share_hidden)
    return DisclosureResult(published=published, log=log)


def _forced_flags(
    frame: pd.DataFrame, forced: pd.DataFrame, keys: tuple[str, ...], name: str
) -> BoolArray:
    left = frame[list(keys)].astype("string")
    right = forced[[*keys, name]].copy()
    right[list(keys)] = right[list(keys)].astype("string")
    merged = left.merge(right.drop_duplicates(list(keys)), on=list(keys), how="left")
    return merged[name].astype("boolean").fillna(False).to_numpy(dtype=bool)


def _publish(
    frame: pd.DataFrame,
    layout: TableLayout,
    state: Mapping[str, BoolArray],
    lines: list[_Line],
) -> tuple[pd.DataFrame, dict[str, BoolArray]]:
    published = frame.drop(columns=[c for c in layout.working_columns if c in frame.columns])
    any_suppressed = np.zeros(len(frame), dtype=bool)
    for family in layout.families:
        rows = state[family.name]
        any_suppressed |= rows
        for column in (*family.columns, *family.derived):
            if column in published.columns:
                published.loc[rows, column] = pd.NA
    by_name = {line.name: line for line in lines}
    share_hidden: dict[str, BoolArray] = {}
    for share, dimension in layout.shares.items():
        line = by_name[dimension]
        hidden = np.zeros(len(frame), dtype=bool)
        for family in layout.family_of_share(share):
            totals = _line_totals_suppressed(line, state[family.name])
            hidden |= (line.line_id >= 0) & totals[np.maximum(line.line_id, 0)]
        hidden &= published[share].notna().to_numpy(dtype=bool)
        published.loc[hidden, share] = pd.NA
        share_hidden[share] = hidden
        any_suppressed |= hidden
    published[SUPPRESSED_COLUMN] = pd.array(any_suppressed, dtype="boolean")
    return published, share_hidden


def _suppression_log(
    frame: pd.DataFrame,
    layout: TableLayout,
    state: Mapping[str, BoolArray],
    rule: Mapping[str, npt.NDArray[np.object_]],
    share_hidden: Mapping[str, BoolArray],
) -> pd.DataFrame:
    pieces = []
    for family in layout.families:
        rows = state[family.name]
        piece = frame.loc[rows, list(layout.keys)].copy()
        piece["family"] = family.name
        piece["rule"] = rule[family.name][rows]
        piece["columns"] = ",".join((*family.columns, *family.derived))
        pieces.append(piece)
    for share, hidden in share_hidden.items():
        piece = frame.loc[hidden, list(layout.keys)].copy()
        piece["family"] = "share"
        piece["rule"] = "secondary"
        piece["columns"] = share
        pieces.append(piece)
    columns = [*layout.keys, "family", "rule", "columns"]
    if not pieces:
        return pd.DataFrame(columns=columns)
    log = pd.concat(pieces, ignore_index=True)[columns]
    log = log.astype({"family": "string", "rule": "string", "columns": "string"})
    return log.reset_index(drop=True)


def suppression_flags(published: pd.DataFrame, layout: TableLayout) -> pd.DataFrame:
    """Keys plus one boolean per family: is the family suppressed in this published row.

    Read from the published values only (the family's first column is empty), so it can be used
    to coordinate suppression with another table built from the same cells.
    """
    flags = published[list(layout.keys)].copy()
    for family in layout.families:
        flags[family.name] = published[family.columns[0]].isna().to_numpy(dtype=bool)
    return flags


def find_disclosure_violations(
    published: pd.DataFrame,
    layout: TableLayout,
    rules: DisclosureRules,
    work: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every way the published table breaks the rules; empty when it is safe to publish.

    Written independently of `apply_disclosure` (pandas merges instead of line arrays) so that
    tests check one against the other. With `work` (the unsuppressed table, same keys) it also
    finds published cells whose true unit count is below threshold or whose amount is dominated.
    Returns keys plus `family` and `violation` (`threshold`, `dominance`, `recoverable`,
    `recoverable_share`).
    """
    keys = list(layout.keys)
    found: list[pd.DataFrame] = []

    def report(rows: pd.DataFrame, family: str, violation: str) -> None:
        if len(rows):
            hit = rows[keys].copy()
            hit["family"] = family
            hit["violation"] = violation
            found.append(hit)

    units = pd.to_numeric(published[layout.unit_column], errors="coerce")
    report(published[units.notna() & (units < rules.min_units)], "units", "threshold")

    flags = suppression_flags(published, layout)
    if work is not None:
        truth = published[keys].merge(work, on=keys, how="left", validate="one_to_one")
        true_units = pd.to_numeric(truth[layout.unit_column], errors="coerce").fillna(0)
        for family in layout.families:
            shown = ~flags[family.name]
            report(published[shown & (true_units < rules.min_units)], family.name, "threshold")
            if family.dominance:
                top = pd.to_numeric(truth[layout.dominance_column], errors="coerce")
                base = pd.to_numeric(truth[layout.dominance_base], errors="coerce")
                dominated = (base > 0) & (top * 100.0 > rules.dominance_k_pct * base)
                report(published[shown & dominated.fillna(False)], family.name, "dominance")

    for column, total, parts in _line_definitions(published, layout):
        # The constant column lets a table with a single key form one line.
        others = [*(k for k in keys if k != column), "_line"]
        values = published[column].astype("string")
        is_total = values == total
        is_part = values.isin(parts) if parts is not None else ~is_total
        for family in layout.families:
            frame = flags.assign(_line="")[others].astype("string").fillna("")
            frame["_suppressed"] = flags[family.name]
            per_line = (
                frame[is_part.fillna(False).to_numpy(dtype=bool)]
                .groupby(others, dropna=False)["_suppressed"]
                .sum()
                .rename("_n_suppressed")
                .reset_index()
            )
            totals = frame[is_total.fillna(False).to_numpy(dtype=bool)]
            merged = totals.reset_index().merge(per_line, on=others, how="inner")
            bad = merged[(~merged["_suppressed"]) & (merged["_n_suppressed"] == 1)]
            report(published.loc[bad["index"]], family.name, "recoverable")

    for share, dimension in layout.shares.items():
        others = [*(k for k in keys if k != dimension), "_line"]
        text = flags.assign(_line="")[others].astype("string").fillna("")
        is_total = (published[dimension].astype("string") == layout.total_label).fillna(False)
        for family in layout.family_of_share(share):
            totals = text[is_total.to_numpy(dtype=bool)].copy()
            totals["_total_suppressed"] = flags.loc[is_total.to_numpy(dtype=bool), family.name]
            merged = text.reset_index().merge(totals, on=others, how="inner")
            merged = merged[merged["_total_suppressed"]]
            shown = published.loc[merged["index"], share].notna()
            report(published.loc[shown[shown].index], family.name, "recoverable_share")

    if not found:
        return pd.DataFrame(columns=[*keys, "family", "violation"])
    return pd.concat(found, ignore_index=True).drop_duplicates(ignore_index=True)


def _line_definitions(
    published: pd.DataFrame, layout: TableLayout
) -> list[tuple[str, str, tuple[str, ...] | None]]:
    definitions: list[tuple[str, str, tuple[str, ...] | None]] = [
        (d, layout.total_label, None) for d in layout.total_dimensions
    ]
    definitions += [(n.column, n.total, n.parts) for n in layout.nested_totals]
    return definitions
