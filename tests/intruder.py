"""An intruder written apart from `rtp_eval.audit` and `rtp_eval.protection`, for the tests.

It knows the tables the way a reader of the documentation does, writes the relations its own way
(sums along every `all` key of a table, a period as its years or two shorter periods, one unknown
per cell shared between tables) and solves each suppressed value's minimum and maximum with
scipy's `linprog`, one component of unknowns at a time. Slow and plain on purpose.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

NOT_KEYS = {"year", "period_kind", "suppressed"}
MEASURE_COLUMNS = {
    "decisions": "decisions",
    "amount_granted_sek": "amount_granted_sek",
}


def _source(name: str, row: pd.Series) -> str:
    if name == "approval_rate_difference":
        return str(row["source"]).split("_")[0]
    return "project" if name.startswith("project") else "business"


def _years(label: str, periods: Mapping[str, tuple[int, int]]) -> tuple[int, int]:
    if label in periods:
        return periods[label]
    match = re.fullmatch(r"(\d{4})", label)
    assert match, label
    return int(label), int(label)


def _cells(name: str, row: pd.Series, keys: list[str]) -> list[tuple[str, tuple, dict]]:
    """(source, dims, column map) of each cell a published row shows."""
    source = _source(name, row)
    if name == "approval_rate_difference":
        category = (str(row["category_type"]), str(row["category"]))
        group = "manager" if row["classification"] == "project_manager" else row["classification"]
        out = []
        for sex in ("women", "men"):
            dims = {category, (f"{group}:group", sex)}
            out.append(
                (source, dims, {"decisions": f"{sex}_decisions", "granted": f"{sex}_granted"})
            )
        return [(s, tuple(sorted(d for d in dims if d[1] != "all")), m) for s, dims, m in out]
    dims = set()
    for key in keys:
        if key in ("period", "classification", "source"):
            continue
        value = str(row[key])
        if key == "group":
            if name.startswith("intersectional"):
                prefix = "leadership"
            elif name.startswith("project"):
                prefix = "manager"
            else:
                prefix = str(row["classification"])
            dims.add((f"{prefix}:group", value))
        else:
            dims.add((key, value))
    return [(source, tuple(sorted(d for d in dims if d[1] != "all")), MEASURE_COLUMNS)]


def count_intervals(
    published: Mapping[str, pd.DataFrame],
    periods: Mapping[str, tuple[int, int]],
    measure: str = "decisions",
    wanted: set[tuple[str, int]] | None = None,
) -> pd.DataFrame:
    """Every suppressed value of `measure`: table, row, low, high and width an intruder proves.

    `wanted` (table, row position) limits the LPs to those values (the others come back with
    the bounds of nothing but their sign).
    """
    index: dict[tuple, int] = {}
    value: dict[int, float] = {}
    present: set[int] = set()
    occurrences: list[tuple[str, int, int]] = []
    rows_of: dict[tuple[str, tuple], list[int]] = defaultdict(list)  # (table, group key) -> cells
    relations: list[tuple[list[int], list[float]]] = []
    by_dims: dict[tuple, dict[tuple[int, int], int]] = defaultdict(dict)
    names_in: dict[tuple, set[tuple[int, int]]] = defaultdict(set)

    for name, frame in published.items():
        if "period" not in frame or (measure not in frame and name != "approval_rate_difference"):
            continue
        keys = [c for c in frame.columns if frame[c].dtype == "string" and c not in NOT_KEYS]
        keys = [k for k in keys if k not in ("period_from", "period_to")]
        if name.startswith("approval") and measure != "decisions":
            continue
        for position, row in frame.reset_index(drop=True).iterrows():
            span = _years(str(row["period"]), periods)
            for source, dims, columns in _cells(name, row, keys):
                if measure not in columns:
                    continue
                key = (source, span, dims)
                cell = index.setdefault(key, len(index))
                present.add(cell)
                found = row[columns[measure]]
                if pd.notna(found):
                    value[cell] = float(found)
                else:
                    occurrences.append((name, position, cell))
                by_dims[(source, dims)][span] = cell
                names_in[(source, tuple(d[0] for d in dims))].add(span)
                for key_column in keys:
                    if key_column == "source":
                        continue
                    others = tuple((k, str(row[k])) for k in ["period", *keys] if k != key_column)
                    rows_of[(name, key_column, others)].append(
                        (cell, str(row[key_column]) == "all")
                    )
    for members in rows_of.values():
        totals = [c for c, is_total in members if is_total]
        parts = [c for c, is_total in members if not is_total]
        if len(totals) == 1 and parts:
            relations.append(([totals[0], *parts], [-1.0] + [1.0] * len(parts)))
    for (source, dims), spans in by_dims.items():
        covered = names_in[(source, tuple(d[0] for d in dims))]
        for (first, last), cell in spans.items():
            if first == last:
                continue
            years = [(y, y) for y in range(first, last + 1)]
            if all(y in covered for y in years):
                parts = [spans[y] for y in years if y in spans]
                relations.append(([cell, *parts], [-1.0] + [1.0] * len(parts)))
            for middle in range(first, last):
                halves = [(first, middle), (middle + 1, last)]
                if all(h in covered for h in halves):
                    parts = [spans[h] for h in halves if h in spans]
                    relations.append(([cell, *parts], [-1.0] + [1.0] * len(parts)))

    # The model summary counts the decisions of the strata with every dimension known.
    summary = published.get("intersectional_model_summary")
    strata = published.get("intersectional_business_support")
    if measure == "decisions" and summary is not None and strata is not None:
        keys = ["group", "birth_background", "age_group", "area"]
        for period, count in (
            summary.loc[summary["outcome"] == "approval", ["period", "cases_before_sampling"]]
            .dropna()
            .drop_duplicates()
            .itertuples(index=False)
        ):
            rows = strata[strata["period"] == period]
            shown = [k for k in keys if (rows[k] != "all").any()]
            known = rows[~rows[shown].isin(["all", "unknown"]).any(axis=1)]
            span = _years(str(period), periods)
            cells = [
                index[("business", span, _cells("intersectional", row, keys)[0][1])]
                for _, row in known.iterrows()
            ]
            total = index.setdefault(("constant", span, ()), len(index))
            value[total] = float(count)
            relations.append(([total, *cells], [-1.0] + [1.0] * len(cells)))

    unknown = sorted({cell for _, _, cell in occurrences if cell not in value})
    solve = {
        cell for name, position, cell in occurrences if wanted is None or (name, position) in wanted
    }
    column = {cell: j for j, cell in enumerate(unknown)}
    rows, cols, data, rhs = [], [], [], []
    for cells, coefficients in relations:
        constant = 0.0
        terms = defaultdict(float)
        for cell, coefficient in zip(cells, coefficients, strict=True):
            if cell in column:
                terms[column[cell]] += coefficient
            else:
                constant += coefficient * value.get(cell, 0.0)
        if not terms:
            continue
        for j, coefficient in terms.items():
            rows.append(len(rhs))
            cols.append(j)
            data.append(coefficient)
        rhs.append(-constant)
    n = len(unknown)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(len(rhs), n))
    lower = 1.0 if measure == "decisions" else 0.0
    low = np.full(n, lower)
    high = np.full(n, np.inf)
    if n:
        n_components, labels = connected_components(
            (abs(matrix).T @ abs(matrix)).tocsr(), directed=False
        )
        rhs_array = np.array(rhs)
        for component in range(n_components):
            members = np.flatnonzero(labels == component)
            sub = matrix[:, members]
            used = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
            a_eq, b_eq = sub[used], rhs_array[used]
            for k, j in enumerate(members):
                if unknown[j] not in solve:
                    continue
                cost = np.zeros(len(members))
                for sense in (1.0, -1.0):
                    cost[k] = sense
                    result = linprog(
                        cost,
                        A_eq=a_eq if len(used) else None,
                        b_eq=b_eq if len(used) else None,
                        bounds=[(lower, None)] * len(members),
                        method="highs",
                    )
                    if result.status == 3:  # unbounded
                        continue
                    assert result.status == 0, result.message
                    if sense > 0:
                        low[j] = result.x[k]
                    else:
                        high[j] = result.x[k]
    records = []
    for name, position, cell in occurrences:
        if cell in value:
            lo = hi = value[cell]
        else:
            lo, hi = low[column[cell]], high[column[cell]]
        records.append((name, position, lo, hi, hi - lo))
    return pd.DataFrame(records, columns=["table", "row", "low", "high", "width"])
