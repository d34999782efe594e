"""Disclosure control: primary rules counted in organisations, and protection of the whole system
of tables that passes the audit and an independent intruder, leaving published values unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from rtp_eval import catalog
from rtp_eval.audit import run_audit
from rtp_eval.breakdown import BreakdownConfig, build_work_tables
from rtp_eval.intersectional import IntersectionalConfig, build_work_table
from rtp_eval.protection import ProtectionRules, independent_systems, protect
from tests.intruder import count_intervals
from tests.test_breakdown import business_case, clean_frame, project_case

BY_GENDER = "business_support_by_gender"
PERIODS = {"2016-2017": (2016, 2017)}
STRATA = "intersectional_business_support"


def one_year(rows: list[dict]) -> dict[str, pd.DataFrame]:
    business = clean_frame("business_support", rows)
    works = build_work_tables(business, clean_frame("project_support", []), BreakdownConfig({}))
    return {BY_GENDER: works[BY_GENDER]}


def leadership_row(frame: pd.DataFrame, support_type: str, group: str) -> pd.Series:
    rows = frame[
        (frame["period"] == "2016")
        & (frame["support_type"] == support_type)
        & (frame["classification"] == "leadership")
        & (frame["group"] == group)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def firms(count: int, decisions_each: int, **values: object) -> list[dict]:
    rows = []
    for firm in range(count):
        for _ in range(decisions_each):
            case = business_case(
                2016,
                str(values.get("support_type", "investment")),
                str(values.get("decision", "granted")),
                100,
                int(values.get("amount", 50)) if values.get("decision") != "rejected" else 0,
                str(values.get("group", "women")),
                "women",
            )
            case["org_pseudonym"] = f"{values.get('prefix', 'f')}{firm}"
            rows.append(case)
    return rows


def test_the_threshold_counts_organisations_not_decisions() -> None:
    # Women: 6 decisions from 2 firms (hidden); men: 3 decisions from 3 firms (shown).
    rows = firms(2, 3, group="women", prefix="w") + firms(3, 1, group="men", prefix="m")
    rows += firms(5, 1, group="men", prefix="t", support_type="transport")
    protection = protect(one_year(rows), {}, ProtectionRules(min_units=3))
    published = protection.published[BY_GENDER]
    women = leadership_row(published, "investment", "women")
    assert pd.isna(women["decisions"]) and women["suppressed"]
    primaries = protection.primaries
    assert "threshold" in set(primaries.loc[primaries["row"].str.contains("group=women"), "rule"])


def test_dominance_sums_each_organisation_first() -> None:
    # Men's investment: one firm with two grants of 1000, three firms with 50 each: the two
    # largest firms hold 2050 of 2150, over 85 %, although no single grant does.
    rows = firms(1, 2, group="men", prefix="big", amount=1000)
    rows += firms(3, 1, group="men", prefix="small", amount=50)
    rows += firms(6, 1, group="women", prefix="w", amount=500)
    rows += firms(6, 1, group="women", prefix="v", amount=500, support_type="transport")
    protection = protect(one_year(rows), {}, ProtectionRules())
    published = protection.published[BY_GENDER]
    men = leadership_row(published, "investment", "men")
    assert men["decisions"] == 5  # four organisations: counts are shown
    assert pd.isna(men["amount_granted_sek"]) and pd.isna(men["median_granted_sek"])
    rules = protection.primaries.set_index(["row", "family"])["rule"]
    label = "period=2016; support_type=investment; classification=leadership; group=men"
    assert rules[(label, "amounts")] == "dominance"


def test_a_small_group_in_which_everyone_was_rejected_is_hidden() -> None:
    rows = firms(4, 1, group="men", prefix="m", decision="rejected")
    rows += firms(8, 1, group="women", prefix="w")
    rows += firms(8, 1, group="women", prefix="v", support_type="transport")
    protection = protect(one_year(rows), {}, ProtectionRules(all_rejected_min_units=5))
    men = leadership_row(protection.published[BY_GENDER], "investment", "men")
    assert pd.isna(men["granted"])
    assert "all_rejected" in set(protection.primaries["rule"])
    shown = protect(one_year(rows), {}, ProtectionRules(all_rejected_min_units=4))
    assert leadership_row(shown.published[BY_GENDER], "investment", "men")["granted"] == 0


def test_medians_need_enough_granted_organisations() -> None:
    rows = firms(4, 1, group="women", prefix="w", amount=100)
    rows += firms(6, 1, group="men", prefix="m", amount=100)
    rows += firms(6, 1, group="men", prefix="n", amount=100, support_type="transport")
    rows += firms(6, 1, group="women", prefix="v", amount=100, support_type="transport")
    published = protect(one_year(rows), {}, ProtectionRules()).published[BY_GENDER]
    women = leadership_row(published, "investment", "women")
    men = leadership_row(published, "investment", "men")
    assert women["decisions"] == 4 and pd.isna(women["median_granted_sek"])
    assert men["median_granted_sek"] == 100


def random_clean(rng: np.random.Generator, n: int) -> dict[str, pd.DataFrame]:
    business, project = [], []
    for _ in range(n):
        decision = str(rng.choice(["granted", "rejected"], p=[0.75, 0.25]))
        case = business_case(
            int(rng.integers(2016, 2018)),
            str(rng.choice(["investment", "transport", "seed"])),
            decision,
            int(rng.integers(100, 1000)),
            int(rng.integers(10, 100)) if decision == "granted" else 0,
            str(rng.choice(["women", "men", "unknown"])),
            str(rng.choice(["women", "men", "mixed"])),
            float(rng.integers(0, 3)),
            float(rng.integers(0, 3)),
        )
        case |= {
            "org_pseudonym": f"o{rng.integers(0, max(n // 2, 1))}",
            "programme_area": str(rng.choice(["A", "B"])),
            "industry": str(rng.choice(["C", "G", "J"])),
            "area": str(rng.choice(["Östersund", "rest_of_county"])),
            "ceo_birth_background": str(rng.choice(["swedish_born", "foreign_born"])),
            "age_group": str(rng.choice(["<30", "30-49", "50-64"])),
        }
        business.append(case)
    for _ in range(max(n // 3, 1)):
        decision = str(rng.choice(["granted", "rejected"]))
        case = project_case(
            int(rng.integers(2016, 2018)),
            str(rng.choice(["municipality", "nonprofit"])),
            decision,
            500,
            int(rng.integers(50, 400)) if decision == "granted" else 0,
            str(rng.choice(["women", "men"])),
            int(rng.integers(0, 4)),
            bool(rng.random() < 0.5),
            (int(rng.integers(0, 20)), int(rng.integers(0, 20))),
        )
        case["org_pseudonym"] = f"p{rng.integers(0, 8)}"
        project.append(case)
    return {
        "business_support": clean_frame("business_support", business),
        "project_support": clean_frame("project_support", project),
    }


def all_work_tables(clean: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    works = build_work_tables(
        clean["business_support"], clean["project_support"], BreakdownConfig(PERIODS)
    )
    strata = IntersectionalConfig(
        dimensions=("leadership_group", "birth_background", "area"),
        periods={"2016-2016": (2016, 2016), "2017-2017": (2017, 2017), **PERIODS},
    )
    works[STRATA] = build_work_table(clean["business_support"], strata)
    return works


ALL_PERIODS = {"2016-2016": (2016, 2016), "2017-2017": (2017, 2017), **PERIODS}


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a failing example is slow to shrink
)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=10, max_value=120))
# The programmes found this one met where the audit did not: solved by the last resort.
@example(seed=7186, n=92)
def test_protection_holds_against_the_audit_and_an_independent_intruder(seed: int, n: int) -> None:
    works = all_work_tables(random_clean(np.random.default_rng(seed), n))
    rules = ProtectionRules()
    protection = protect(works, ALL_PERIODS, rules)
    published = protection.published
    assert run_audit(published, protection.primaries).passed
    # An intruder written apart from both (scipy's linprog, its own reading of the tables).
    widths = count_intervals(published, ALL_PERIODS)
    assert widths.empty or widths["width"].min() >= rules.min_units - 1e-6, widths.head()
    # Published values are the work values: suppression hides, it never changes a number.
    for name, frame in published.items():
        work = works[name][frame.columns]
        for column in catalog.table(name).of_kind(catalog.COUNT, catalog.AMOUNT):
            shown = frame[column].notna()
            assert (frame.loc[shown, column] == work.loc[shown, column]).all(), (name, column)
        # Every row whose organisations are below the threshold is hidden.
        below = (works[name]["units"] < rules.min_units).to_numpy()
        assert frame.loc[below, "decisions"].isna().all(), name


def test_a_cell_shared_by_two_tables_is_hidden_in_both() -> None:
    works = all_work_tables(random_clean(np.random.default_rng(3), 80))
    published = protect(works, ALL_PERIODS, ProtectionRules()).published
    main = published[BY_GENDER]
    main = main[(main["support_type"] == "all") & (main["period"] == "2016-2017")]
    main = main[main["classification"] == "leadership"].set_index("group")["decisions"]
    strata = published[STRATA]
    margin = strata[
        (strata["period"] == "2016-2017")
        & (strata["birth_background"] == "all")
        & (strata["area"] == "all")
    ].set_index("group")["decisions"]
    pd.testing.assert_series_equal(
        main.sort_index(), margin.sort_index(), check_names=False, check_dtype=False
    )


def test_rules_are_checked() -> None:
    with pytest.raises(ValueError):
        ProtectionRules(min_units=0)
    with pytest.raises(ValueError):
        ProtectionRules(dominance_k_pct=120)
    assert ProtectionRules.from_config({"min_units": 5}).min_units == 5


def test_a_table_without_rows_is_published_empty() -> None:
    works = all_work_tables(random_clean(np.random.default_rng(5), 40))
    works["project_support_by_gender"] = works["project_support_by_gender"].iloc[0:0]
    published = protect(works, ALL_PERIODS, ProtectionRules()).published
    empty = published["project_support_by_gender"]
    assert empty.empty and "suppressed" in empty
    assert len(published) == len(works)


def model_summary(works: dict[str, pd.DataFrame], period: str, hidden: bool) -> pd.DataFrame:
    """The model summary's counts of complete cases, as the models would publish them."""
    strata = works[STRATA]
    rows = strata[strata["period"] == period]
    keys = ["group", "birth_background", "area"]
    known = rows[~rows[keys].isin(["all", "unknown"]).any(axis=1)]
    table = catalog.table("intersectional_model_summary")
    counts = [known["decisions"].sum(), known["granted"].sum()]
    summary = pd.DataFrame(
        {
            "period": [period, period],
            "outcome": ["approval", "amount"],
            "model": ["null", "null"],
            "cases_before_sampling": [pd.NA, pd.NA] if hidden else counts,
        }
    ).reindex(columns=list(table.columns))
    return summary.astype(table.dtypes)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=10, max_value=80))
def test_the_model_case_count_is_shown_only_where_the_strata_stay_protected(
    seed: int, n: int
) -> None:
    works = all_work_tables(random_clean(np.random.default_rng(seed), n))
    rules = ProtectionRules()
    protection = protect(works, ALL_PERIODS, rules, model_period="2016-2017")
    hidden = STRATA in protection.hidden_case_counts
    published = {
        **protection.published,
        "intersectional_model_summary": model_summary(works, "2016-2017", hidden),
    }
    assert run_audit(published, protection.primaries).passed
    widths = count_intervals(published, ALL_PERIODS)
    assert widths.empty or widths["width"].min() >= rules.min_units - 1e-6, widths.head()


def test_a_case_count_that_would_pin_a_stratum_is_hidden() -> None:
    # One stratum with every dimension known (two firms: hidden) beside many decisions of
    # unknown sex: the count of complete cases would be that stratum's count.
    rows = []
    for firm in range(12):
        group = "women" if firm < 2 else "unknown"
        case = business_case(2016, "investment", "granted", 100, 50, group, "women")
        case |= {
            "org_pseudonym": f"o{firm}",
            "programme_area": "A",
            "industry": "C",
            "area": "Östersund",
            "ceo_birth_background": "swedish_born",
            "age_group": "30-49",
        }
        rows.append(case)
    clean = {
        "business_support": clean_frame("business_support", rows),
        "project_support": clean_frame("project_support", []),
    }
    works = all_work_tables(clean)
    protection = protect(works, ALL_PERIODS, ProtectionRules(), model_period="2016-2016")
    assert STRATA in protection.hidden_case_counts
    shown = protect(works, ALL_PERIODS, ProtectionRules(min_units=2), model_period="2016-2016")
    assert STRATA not in shown.hidden_case_counts


def test_business_and_project_tables_are_separate_systems() -> None:
    works = all_work_tables(random_clean(np.random.default_rng(3), 60))
    systems = independent_systems(works, ALL_PERIODS, model_period="2016-2017")
    assert sorted(map(sorted, systems)) == sorted(
        [
            sorted(name for name in works if name.startswith("project")),
            sorted(name for name in works if not name.startswith("project")),
        ]
    )
    # In the order of the tables given.
    order = list(works)
    assert [order.index(group[0]) for group in systems] == sorted(
        order.index(group[0]) for group in systems
    )
    # One table alone is one system.
    assert independent_systems({BY_GENDER: works[BY_GENDER]}, ALL_PERIODS) == [[BY_GENDER]]


def test_protecting_the_systems_side_by_side_gives_the_same_result() -> None:
    works = all_work_tables(random_clean(np.random.default_rng(5), 40))
    one = protect(works, ALL_PERIODS, ProtectionRules(), model_period="2016-2017", workers=1)
    two = protect(works, ALL_PERIODS, ProtectionRules(), model_period="2016-2017", workers=2)
    assert list(one.published) == list(two.published) == list(works)
    for name in works:
        pd.testing.assert_frame_equal(one.published[name], two.published[name])
    pd.testing.assert_frame_equal(one.primaries, two.primaries)
    pd.testing.assert_frame_equal(one.log, two.log)
    assert (one.stats, one.rounds, one.hidden_case_counts) == (
        two.stats,
        two.rounds,
        two.hidden_case_counts,
    )
