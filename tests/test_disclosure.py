"""Disclosure control: each rule on hand-made tables, and properties on random tables."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtp_eval.disclosure import (
    DisclosureRules,
    Family,
    NestedTotal,
    TableLayout,
    apply_disclosure,
    find_disclosure_violations,
)

RULES = DisclosureRules(min_units=3, dominance_n=2, dominance_k_pct=85.0)
COUNTS = Family("counts", ("decisions", "granted"), ("approval_rate", "mean_granted_sek"))
AMOUNTS = Family(
    "amounts", ("amount_granted_sek",), ("share_of_amount", "mean_granted_sek"), dominance=True
)


def layout(keys: tuple[str, ...], nested: tuple[NestedTotal, ...] = ()) -> TableLayout:
    return TableLayout(
        keys=keys,
        total_dimensions=tuple(k for k in keys if k not in {n.column for n in nested}),
        unit_column="decisions",
        families=(COUNTS, AMOUNTS),
        nested_totals=nested,
        shares={"share_of_amount": "group"},
        dominance_column="top_n_granted_sek",
        dominance_base="amount_granted_sek",
        working_columns=("top_n_granted_sek",),
    )


def cell(**values: object) -> dict[str, object]:
    row: dict[str, object] = {"decisions": 10, "granted": 5, "amount_granted_sek": 100}
    row |= {"top_n_granted_sek": 40}
    row |= values
    return row


def table(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["approval_rate"] = frame["granted"] / frame["decisions"]
    frame["mean_granted_sek"] = frame["amount_granted_sek"] / frame["granted"]
    frame["share_of_amount"] = 0.5
    return frame


def flags(result: pd.DataFrame, keys: list[str], column: str) -> dict[tuple[str, ...], bool]:
    return {tuple(row[k] for k in keys): bool(pd.isna(row[column])) for _, row in result.iterrows()}


def test_threshold_suppresses_whole_cell_and_next_smallest_part() -> None:
    work = table(
        [
            cell(
                group="women", decisions=2, granted=1, amount_granted_sek=50, top_n_granted_sek=50
            ),
            cell(group="men", decisions=10),
            cell(group="unknown", decisions=5),
            cell(group="all", decisions=17, granted=11, amount_granted_sek=250),
        ]
    )
    result = apply_disclosure(work, layout(("group",)), RULES)
    out = result.published
    women = out.iloc[0]
    for column in COUNTS.columns + COUNTS.derived + AMOUNTS.columns + AMOUNTS.derived:
        assert pd.isna(women[column]), column
    # The smallest other part, `unknown`, protects women's cell; men and the total stay.
    assert flags(out, ["group"], "decisions") == {
        ("women",): True,
        ("men",): False,
        ("unknown",): True,
        ("all",): False,
    }
    assert out["suppressed"].tolist() == [True, False, True, False]
    assert "top_n_granted_sek" not in out.columns
    log = result.log.sort_values(["group", "family"]).reset_index(drop=True)
    assert log[["group", "family", "rule"]].values.tolist() == [
        ["unknown", "amounts", "secondary"],
        ["unknown", "counts", "secondary"],
        ["women", "amounts", "threshold"],
        ["women", "counts", "threshold"],
    ]


def test_dominance_suppresses_amounts_only() -> None:
    work = table(
        [
            # Two grants of 900 + 60 of 1000: 96 % > 85 %.
            cell(group="women", decisions=10, amount_granted_sek=1000, top_n_granted_sek=960),
            cell(group="men", decisions=6, amount_granted_sek=1000, top_n_granted_sek=500),
            cell(group="unknown", decisions=4, amount_granted_sek=1000, top_n_granted_sek=850),
            cell(group="all", decisions=20, amount_granted_sek=3000, top_n_granted_sek=1000),
        ]
    )
    out = apply_disclosure(work, layout(("group",)), RULES)
    published = out.published
    assert published["decisions"].notna().all()
    assert published["approval_rate"].notna().all()
    # Exactly 85 % is not more than 85 %: `unknown` is not dominated, but it is the smallest
    # remaining part and so protects women's amount.
    assert flags(published, ["group"], "amount_granted_sek") == {
        ("women",): True,
        ("men",): False,
        ("unknown",): True,
        ("all",): False,
    }
    # A mean reveals the count given the amount, so it goes with either family.
    assert published["mean_granted_sek"].isna().tolist() == [True, False, True, False]
    rules = dict(zip(out.log["group"], out.log["rule"], strict=True))
    assert rules == {"women": "dominance", "unknown": "secondary"}


def test_ties_are_broken_by_key_whatever_the_row_order() -> None:
    rows = [
        cell(group="women", decisions=1),
        cell(group="men", decisions=4),
        cell(group="unknown", decisions=4),
        cell(group="all", decisions=9),
    ]
    first = apply_disclosure(table(rows), layout(("group",)), RULES).published
    second = apply_disclosure(table(rows[::-1]), layout(("group",)), RULES).published
    # `men` sorts before `unknown`, so men is the complement in both orders.
    assert flags(first, ["group"], "decisions") == flags(second, ["group"], "decisions")
    assert flags(first, ["group"], "decisions")[("men",)] is True
    assert flags(first, ["group"], "decisions")[("unknown",)] is False


def test_suppressed_total_forces_nothing() -> None:
    work = table(
        [
            cell(group="women", decisions=1),
            cell(group="men", decisions=1),
            cell(group="all", decisions=2),
        ]
    )
    out = apply_disclosure(work, layout(("group",)), RULES)
    assert out.published["decisions"].isna().all()
    assert set(out.log["rule"]) == {"threshold"}

    work = table(
        [
            cell(group="women", decisions=2),
            cell(group="men", decisions=5),
            cell(group="unknown", decisions=5),
            cell(group="all", decisions=12),
        ]
    )
    forced = pd.DataFrame({"group": ["all"], "counts": [True], "amounts": [True]})
    out = apply_disclosure(work, layout(("group",)), RULES, forced=forced)
    assert flags(out.published, ["group"], "decisions") == {
        ("women",): True,
        ("men",): False,
        ("unknown",): False,
        ("all",): True,
    }
    # Shares of the parts would reveal the suppressed total amount.
    assert out.published["share_of_amount"].isna().all()


def test_line_with_a_single_part_suppresses_its_total() -> None:
    work = table([cell(group="women", decisions=5), cell(group="all", decisions=5)])
    forced = pd.DataFrame({"group": ["women"], "counts": [True], "amounts": [False]})
    out = apply_disclosure(work, layout(("group",)), RULES, forced=forced)
    assert out.published["decisions"].isna().tolist() == [True, True]
    assert out.published["amount_granted_sek"].notna().all()


def test_periods_are_totals_of_their_years() -> None:
    years = {"2016": (2, 10), "2017": (4, 9)}
    rows = []
    for period, (women, men) in years.items():
        rows += [
            cell(period=period, group="women", decisions=women),
            cell(period=period, group="men", decisions=men),
            cell(period=period, group="all", decisions=women + men),
        ]
    rows += [
        cell(period="2016-2017", group="women", decisions=6),
        cell(period="2016-2017", group="men", decisions=19),
        cell(period="2016-2017", group="all", decisions=25),
    ]
    nested = (NestedTotal("period", "2016-2017", ("2016", "2017")),)
    the_layout = layout(("period", "group"), nested)
    out = apply_disclosure(table(rows), the_layout, RULES)
    suppressed = {k for k, v in flags(out.published, ["period", "group"], "decisions").items() if v}
    # Women 2016 (threshold); men 2016 (the only other part of its year); women and men 2017
    # (each the only other part of its period line).
    assert suppressed == {("2016", "women"), ("2016", "men"), ("2017", "women"), ("2017", "men")}
    assert find_disclosure_violations(out.published, the_layout, RULES, table(rows)).empty


def test_checker_finds_each_kind_of_violation() -> None:
    rows = [
        cell(group="women", decisions=2),
        cell(group="men", decisions=10),
        cell(group="unknown", decisions=5),
        cell(group="all", decisions=17),
    ]
    work = table(rows)
    the_layout = layout(("group",))
    violations = find_disclosure_violations(
        work.drop(columns="top_n_granted_sek"), the_layout, RULES
    )
    assert ("women", "threshold") in set(
        zip(violations["group"], violations["violation"], strict=True)
    )

    leaky = work.copy()
    leaky.loc[0, ["decisions", "granted", "approval_rate", "mean_granted_sek"]] = np.nan
    violations = find_disclosure_violations(leaky, the_layout, RULES, work)
    found = set(zip(violations["family"], violations["violation"], strict=True))
    assert ("counts", "recoverable") in found
    assert ("amounts", "threshold") in found  # women's amount is published although 2 < 3


def test_rules_validate_their_parameters() -> None:
    with pytest.raises(ValueError, match="min_units"):
        DisclosureRules(min_units=0)
    with pytest.raises(ValueError, match="dominance_k_pct"):
        DisclosureRules(dominance_k_pct=120)
    rules = DisclosureRules.from_config({"min_units": 5})
    assert (rules.min_units, rules.dominance_n, rules.dominance_k_pct) == (5, 2, 85.0)


# --- properties on random tables -------------------------------------------------------------

TYPES = ("investment", "transport")
GROUPS = ("women", "men", "unknown")
YEARS = ("2016", "2017")


def aggregate_cases(cases: pd.DataFrame, n: int) -> pd.DataFrame:
    """Full cube period x support_type x group (with `all`), straight from case rows."""
    period_cases = pd.concat([cases, cases.assign(period="2016-2017")], ignore_index=True)
    frames = []
    for type_all, group_all in itertools.product([False, True], repeat=2):
        data = period_cases.copy()
        if type_all:
            data["support_type"] = "all"
        if group_all:
            data["group"] = "all"
        frames.append(data)
    data = pd.concat(frames, ignore_index=True)
    data["granted_amount"] = data["amount"].where(data["granted"], 0)
    keys = ["period", "support_type", "group"]
    grouped = data.groupby(keys)
    out = pd.DataFrame(
        {
            "decisions": grouped.size(),
            "granted": grouped["granted"].sum(),
            "amount_granted_sek": grouped["granted_amount"].sum(),
            "top_n_granted_sek": grouped["granted_amount"].apply(lambda s: s.nlargest(n).sum()),
        }
    ).reset_index()
    out["approval_rate"] = out["granted"] / out["decisions"]
    out["mean_granted_sek"] = out["amount_granted_sek"] / out["granted"].where(out["granted"] > 0)
    totals = out[out["group"] == "all"].set_index(["period", "support_type"])["amount_granted_sek"]
    denominators = out.set_index(["period", "support_type"]).index.map(totals)
    out["share_of_amount"] = out["amount_granted_sek"] / np.asarray(denominators, dtype=float)
    return out


case_rows = st.lists(
    st.tuples(
        st.sampled_from(YEARS),
        st.sampled_from(TYPES),
        st.sampled_from(GROUPS),
        st.booleans(),
        st.integers(min_value=0, max_value=1000),
    ),
    min_size=1,
    max_size=60,
)
rules_strategy = st.builds(
    DisclosureRules,
    min_units=st.integers(min_value=1, max_value=6),
    dominance_n=st.integers(min_value=1, max_value=3),
    dominance_k_pct=st.sampled_from([50.0, 85.0, 100.0]),
)
CUBE_LAYOUT = layout(
    ("period", "support_type", "group"), (NestedTotal("period", "2016-2017", YEARS),)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case_rows, rules_strategy, st.randoms(use_true_random=False))
def test_suppression_properties(rows: list[tuple], rules: DisclosureRules, rnd) -> None:
    cases = pd.DataFrame(rows, columns=["period", "support_type", "group", "granted", "amount"])
    work = aggregate_cases(cases, rules.dominance_n)
    result = apply_disclosure(work, CUBE_LAYOUT, rules)
    published = result.published

    # No published cell below threshold or dominated, no line recoverable from its total.
    violations = find_disclosure_violations(published, CUBE_LAYOUT, rules, work)
    assert violations.empty, violations

    # Every cell below threshold is suppressed in every column.
    below = work["decisions"] < rules.min_units
    assert published.loc[below, ["decisions", "granted", "amount_granted_sek"]].isna().all().all()

    # Published values are the unsuppressed values.
    for column in ["decisions", "granted", "amount_granted_sek", "approval_rate"]:
        shown = published[column].notna()
        pd.testing.assert_series_equal(
            published.loc[shown, column].astype(float),
            work.loc[shown, column].astype(float),
        )
    hidden = published[["decisions", "amount_granted_sek"]].isna().any(axis=1)
    hidden |= published["share_of_amount"].isna() & work["share_of_amount"].notna()
    assert published["suppressed"].tolist() == hidden.tolist()

    # Deterministic, and independent of the order of the input rows.
    keys = list(CUBE_LAYOUT.keys)
    again = apply_disclosure(work, CUBE_LAYOUT, rules).published
    pd.testing.assert_frame_equal(published, again)
    order = list(range(len(work)))
    rnd.shuffle(order)
    shuffled = apply_disclosure(work.iloc[order], CUBE_LAYOUT, rules).published
    pd.testing.assert_frame_equal(
        published.sort_values(keys).reset_index(drop=True),
        shuffled.sort_values(keys).reset_index(drop=True),
    )
