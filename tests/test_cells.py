"""The cell kernel: its helpers by hand, and its cells against a plain pandas groupby."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtp_eval.catalog import GRANTED_UNITS, TOTAL, UNITS, top_column
from rtp_eval.cells import (
    UNKNOWN,
    CaseArrays,
    case_measures,
    category,
    category_rank,
    cell_ids,
    cells_with_totals,
    column_totals,
    floats,
    per_cell_median,
    per_cell_sum,
    period_order,
    rank_in_cell,
    ratio,
    unit_measures,
)

TOP = top_column("amount_granted_sek")

# --- helpers ---------------------------------------------------------------------------------


def test_category_makes_missing_and_blank_values_unknown() -> None:
    values = pd.Series([" women", None, "", "  ", "men", pd.NA], dtype="object")
    assert category(values).tolist() == ["women", UNKNOWN, UNKNOWN, UNKNOWN, "men", UNKNOWN]
    assert str(category(values).dtype) == "string"


def test_floats_reads_numbers_and_text_with_missing_as_nan() -> None:
    got = floats(pd.Series(["12", "", None, "2.5", "x"], dtype="object"))
    np.testing.assert_array_equal(got, [12.0, np.nan, np.nan, 2.5, np.nan])
    typed = floats(pd.Series([3, None], dtype="Int64"))
    np.testing.assert_array_equal(typed, [3.0, np.nan])


def test_ratio_is_missing_without_a_positive_denominator() -> None:
    got = ratio(np.array([1.0, 1.0, 2.0, np.nan]), np.array([4.0, 0.0, np.nan, 2.0]))
    assert got[0] == 0.25
    assert got[1:].isna().all()


def test_category_rank_puts_known_codes_first_then_others_then_unknown_then_all() -> None:
    values = pd.Series([TOTAL, "zeta", UNKNOWN, "men", "alpha", "women", None], dtype="string")
    ranks = category_rank(values, ("women", "men", UNKNOWN))
    ordered = values.iloc[np.argsort(ranks.to_numpy(), kind="stable")].fillna("<missing>")
    # A missing code sorts as empty text: first among the codes outside the known order.
    assert ordered.tolist() == ["women", "men", "<missing>", "alpha", "zeta", UNKNOWN, TOTAL]


def test_period_order_is_by_first_year_then_last_year() -> None:
    periods = {"b": (2016, 2018), "a": (2012, 2018), "c": (2012, 2015), "d": (2012, 2015)}
    assert period_order(periods) == ["c", "d", "a", "b"]


def test_column_totals_add_every_column_and_report_missing_values() -> None:
    rows = pd.DataFrame({"a": ["1.5", "2", None], "b": ["3", "", "4"]})
    assert column_totals(rows, ["a", "b"]) == (10.5, True)
    assert column_totals(rows.iloc[:1], ["a", "b"]) == (4.5, False)
    assert column_totals(rows.iloc[:0], ["a"]) == (0.0, False)


def test_column_totals_equal_pandas_frame_sums_to_the_last_bit() -> None:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(rng.random((300, 3)) * 1e4, columns=["a", "b", "c"])
    total, missing = column_totals(frame, ["a", "b", "c"])
    assert not missing
    assert total == float(frame.astype("Float64").sum().sum())


# --- per-cell reductions ---------------------------------------------------------------------


def test_cells_are_numbered_by_first_appearance() -> None:
    cell, first = cell_ids(np.array([7, 3, 7, 9, 3, 3]))
    np.testing.assert_array_equal(cell, [0, 1, 0, 2, 1, 1])
    np.testing.assert_array_equal(first, [0, 1, 3])


def test_per_cell_sum_and_median() -> None:
    cell = np.array([0, 0, 1, 1, 1, 2, 0, 0])
    values = np.array([4.0, 1.0, 5.0, np.nan, 2.0, np.nan, 3.0, 2.0])
    np.testing.assert_array_equal(per_cell_sum(np.ones(8), cell, 4), [4, 3, 1, 0])
    # Cell 0: 1 2 3 4 -> 2.5; cell 1: 2 5 -> 3.5; cells 2 and 3 have no known value.
    np.testing.assert_array_equal(per_cell_median(values, cell, 4), [2.5, 3.5, np.nan, np.nan])


def test_rank_in_cell_counts_rows_of_the_cell_in_data_order() -> None:
    np.testing.assert_array_equal(rank_in_cell(np.array([1, 0, 1, 1, 0]), 2), [0, 0, 1, 2, 1])


def test_unit_measures_sum_per_organisation_before_taking_the_largest() -> None:
    # Cell 0: org 0 has three grants of 10 (one unit, 30), org 1 one of 25, org 2 one of 5.
    unit = np.array([0, 0, 0, 1, 2, 1])
    granted = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    amount = np.array([10.0, 10.0, 10.0, 25.0, 5.0, 0.0])
    cell = np.array([0, 0, 0, 0, 0, 1])
    out = unit_measures(unit, granted, {"amount_granted_sek": amount}, cell, 2, top_n=2)
    np.testing.assert_array_equal(out[UNITS], [3, 1])
    np.testing.assert_array_equal(out[GRANTED_UNITS], [3, 0])
    np.testing.assert_array_equal(out[TOP], [55.0, 0.0])


def test_cells_with_totals_gives_a_block_per_subset_of_totals() -> None:
    data = pd.DataFrame(
        {
            "period": ["2016", "2016", "2016", "2017"],
            "group": ["women", "men", "women", "men"],
            "area": ["a", "a", "b", "a"],
            "x": [1.0, 2.0, 4.0, 8.0],
        }
    )
    x = data["x"].to_numpy()
    cells = cells_with_totals(
        data, ["group", "area"], ["group"], lambda c, n: {"x": per_cell_sum(x, c, n)}
    )
    rows = [tuple(r) for r in cells.astype({"x": int}).itertuples(index=False)]
    assert rows == [
        ("2016", "women", "a", 1),
        ("2016", "men", "a", 2),
        ("2016", "women", "b", 4),
        ("2017", "men", "a", 8),
        ("2016", TOTAL, "a", 3),
        ("2016", TOTAL, "b", 4),
        ("2017", TOTAL, "a", 8),
    ]
    assert all(str(cells[c].dtype) == "string" for c in ("period", "group", "area"))


def test_case_measures_without_a_median_column_leave_the_median_out() -> None:
    data = pd.DataFrame(
        {"unit": ["a", "b"], "granted_flag": [1, 0], "granted_amount": [100, 0], "period": "p"}
    )
    arrays = CaseArrays.of(data, {"amount_granted_sek": "granted_amount"})
    cells = cells_with_totals(data, [], [], case_measures(arrays, top_n=1))
    assert "median_granted_sek" not in cells
    assert cells[["decisions", "granted", "amount_granted_sek", UNITS, TOP]].iloc[0].tolist() == [
        2,
        1,
        100,
        2,
        100.0,
    ]


# --- against an independent groupby ----------------------------------------------------------

KEYS = ("group", "area")


def _naive_cells(data: pd.DataFrame, totals: tuple[str, ...], top_n: int) -> dict:
    """Every cell of `data` by a pandas groupby per subset of `totals`, keyed by its key values."""
    expected = {}
    for as_total in itertools.product([False, True], repeat=len(totals)):
        summed = {d for d, t in zip(totals, as_total, strict=True) if t}
        by = ["period", *(k for k in KEYS if k not in summed)]
        for values, rows in data.groupby(by, dropna=False, sort=False):
            named = dict(zip(by, values, strict=True))
            key = tuple(
                "<NA>" if pd.isna(named.get(k, TOTAL)) else named.get(k, TOTAL)
                for k in ("period", *KEYS)
            )
            granted = rows[rows["granted_flag"] == 1]
            per_unit = rows.groupby("unit")["amount_granted_sek"].sum()
            known = rows["granted_amount"].dropna()
            expected[key] = {
                "decisions": len(rows),
                "granted": int(rows["granted_flag"].sum()),
                "amount_granted_sek": int(rows["amount_granted_sek"].sum()),
                "amount_applied_sek": int(rows["amount_applied_sek"].fillna(0).sum()),
                "granted_amounts": len(known),
                "median_granted_sek": float(known.median()) if len(known) else None,
                UNITS: rows["unit"].nunique(),
                GRANTED_UNITS: granted["unit"].nunique(),
                TOP: float(per_unit.nlargest(top_n).sum()),
                top_column("amount_applied_sek"): float(
                    rows.groupby("unit")["amount_applied_sek"].sum().nlargest(top_n).sum()
                ),
            }
    return expected


@st.composite
def cases(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=60))
    row = st.tuples(
        st.sampled_from(["2016", "2017"]),
        st.sampled_from(["women", "men", UNKNOWN, None]),
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from([f"org{i}" for i in range(8)]),
        st.booleans(),
        st.integers(min_value=0, max_value=10_000),
        st.one_of(st.none(), st.integers(min_value=0, max_value=20_000)),
    )
    rows = draw(st.lists(row, min_size=n, max_size=n))
    frame = pd.DataFrame(
        rows, columns=["period", *KEYS, "unit", "granted", "amount", "amount_applied_sek"]
    )
    frame["group"] = frame["group"].astype("string")
    granted = frame.pop("granted").to_numpy(dtype=bool)
    amount = frame.pop("amount")
    frame["granted_flag"] = granted.astype(np.int64)
    frame["amount_granted_sek"] = amount.where(granted, 0)
    frame["granted_amount"] = amount.astype("float64").where(granted)
    frame["amount_applied_sek"] = frame["amount_applied_sek"].astype("Int64")
    return frame


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cases(),
    st.sampled_from([(), ("group",), ("area",), KEYS]),
    st.integers(min_value=1, max_value=3),
)
def test_cells_equal_a_naive_groupby(data: pd.DataFrame, totals: tuple, top_n: int) -> None:
    arrays = CaseArrays.of(
        data, ("amount_granted_sek", "amount_applied_sek"), median_of="granted_amount"
    )
    cells = cells_with_totals(data, KEYS, totals, case_measures(arrays, top_n))
    expected = _naive_cells(data, totals, top_n)
    keys = cells[["period", *KEYS]].astype("string").fillna("<NA>")
    got = {tuple(k): i for i, k in enumerate(keys.itertuples(index=False))}
    assert len(got) == len(cells) == len(expected)
    assert set(got) == set(expected)
    for key, cell in expected.items():
        row = cells.iloc[got[key]]
        for column, value in cell.items():
            if value is None:
                assert pd.isna(row[column]), (key, column)
            else:
                assert float(row[column]) == pytest.approx(value, rel=1e-12), (key, column)
    # The block without totals first, its cells in the order they first appear.
    first = data[["period", *KEYS]].astype("string").fillna("<NA>").drop_duplicates()
    head = keys.iloc[: len(first)]
    assert [tuple(r) for r in head.itertuples(index=False)] == [
        tuple(r) for r in first.itertuples(index=False)
    ]
