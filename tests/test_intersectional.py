"""Intersectional strata table: representation indexes against hand-computed values, disclosure
control of strata (table, model results and figures), and the baseline file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rtp_eval import schema
from rtp_eval.audit import run_audit
from rtp_eval.errors import UserFacingError
from rtp_eval.intersectional import (
    COLUMNS,
    IntersectionalConfig,
    build_work_table,
    finish_table,
    read_baseline,
    table_areas,
)
from rtp_eval.maihda import STRATA_COLUMNS, ModelResults, publish_models
from rtp_eval.protection import ProtectionRules, protect
from rtp_eval.sections.intersectional import intersectional_figures

REPO = Path(__file__).resolve().parents[1]
NA = pd.NA
PERIODS = {"2016-2016": (2016, 2016)}
TWO_DIMS = IntersectionalConfig(
    dimensions=("leadership_group", "birth_background"), periods=PERIODS
)
TABLE = "intersectional_business_support"


def build_table(
    clean: pd.DataFrame,
    baseline: pd.DataFrame | None,
    config: IntersectionalConfig,
    rules: ProtectionRules | None = None,
) -> pd.DataFrame:
    """The finished strata table: unsuppressed, or protected on its own with `rules`."""
    work = build_work_table(clean, config)
    if rules is not None:
        work = protect({TABLE: work}, config.periods, rules).published[TABLE]
    return finish_table(work, table_areas(work), baseline, config)


def case(group: str | None, background: str | None, decision: str, amount: int = 0) -> dict:
    sex = {"women": "woman", "men": "man"}.get(group or "")
    return {
        "decision_year": 2016,
        "decision": decision,
        "amount_granted_sek": amount if decision == "granted" else None,
        "ceo_sex": sex,
        "leadership_group": group or "unknown",
        "ceo_birth_background": background,
        "age_group": "30-49",
        "area": "Östersund",
        "support_type": "investment",
        "industry": "C",
    }


def clean_frame(rows: list[dict]) -> pd.DataFrame:
    columns = schema.clean_columns("business_support")
    rows = [{"org_pseudonym": f"org{i}", **r} for i, r in enumerate(rows)]
    frame = pd.DataFrame([{c: r.get(c, NA) for c in columns} for r in rows], columns=columns)
    return frame.astype(schema.clean_dtypes("business_support"))


# women/swedish 2 of 3 granted, women/foreign 1 of 2, men/swedish 3 of 4, men/foreign 1 of 1,
# unknown sex/swedish 1 of 1; one withdrawn case that must not count.
FIXTURE = clean_frame(
    [
        case("women", "swedish_born", "granted", 100),
        case("women", "swedish_born", "granted", 100),
        case("women", "swedish_born", "rejected"),
        case("women", "foreign_born", "granted", 200),
        case("women", "foreign_born", "rejected"),
        case("men", "swedish_born", "granted", 100),
        case("men", "swedish_born", "granted", 100),
        case("men", "swedish_born", "granted", 100),
        case("men", "swedish_born", "rejected"),
        case("men", "foreign_born", "granted", 300),
        case(None, "swedish_born", "granted", 100),
        case("men", "swedish_born", "withdrawn"),
    ]
)
# 100 business leaders: women 20 Swedish-born + 5 foreign-born, men 60 + 15.
BASELINE = pd.DataFrame(
    {
        "year": [2016] * 4,
        "area": ["Östersund"] * 4,
        "sex": ["woman", "woman", "man", "man"],
        "birth_background": ["swedish_born", "foreign_born"] * 2,
        "age_group": ["30-49"] * 4,
        "business_leaders": [20, 5, 60, 15],
    }
)


def row(table: pd.DataFrame, group: str, background: str) -> pd.Series:
    selected = table[(table["group"] == group) & (table["birth_background"] == background)]
    assert len(selected) == 1
    return selected.iloc[0]


def test_representation_indexes_match_hand_computed_values() -> None:
    table = build_table(FIXTURE, BASELINE, TWO_DIMS)
    assert list(table.columns) == list(COLUMNS)
    # 8 granted of 11 decisions; 1 granted case has unknown sex, none unknown background.
    women_swedish = row(table, "women", "swedish_born")
    assert women_swedish["decisions"] == 3 and women_swedish["granted"] == 2
    assert women_swedish["share_of_granted"] == pytest.approx(2 / 8)
    assert women_swedish["share_of_decisions"] == pytest.approx(3 / 11)
    assert women_swedish["decision_representation_index"] == pytest.approx((2 / 8) / (3 / 11))
    # Known in both dimensions: 8 granted less the 1 of unknown sex = 7.
    assert women_swedish["share_of_granted_known"] == pytest.approx(2 / 7)
    assert women_swedish["baseline_share"] == pytest.approx(0.20)
    assert women_swedish["representation_index"] == pytest.approx((2 / 7) / 0.20)
    assert women_swedish["share_of_amount"] == pytest.approx(200 / 1100)
    assert women_swedish["amount_representation_index"] == pytest.approx((200 / 1000) / 0.20)
    women = row(table, "women", "all")
    assert women["representation_index"] == pytest.approx((3 / 7) / 0.25)
    foreign = row(table, "all", "foreign_born")
    # Background is known for every case: the known total is all 8 granted decisions.
    assert foreign["representation_index"] == pytest.approx((2 / 8) / 0.20)
    assert foreign["baseline_business_leaders"] == 20
    unknown = row(table, "unknown", "swedish_born")
    assert pd.isna(unknown["baseline_share"]) and pd.isna(unknown["representation_index"])
    total = row(table, "all", "all")
    assert total["decisions"] == 11 and total["granted"] == 8
    assert total["representation_index"] == pytest.approx(1.0)


def test_strata_below_the_threshold_are_suppressed_everywhere() -> None:
    config = TWO_DIMS
    published = build_table(FIXTURE, BASELINE, config, ProtectionRules(min_units=3))
    # men/foreign (1 organisation) and women/foreign (2) fail the threshold of 3.
    for group in ("men", "women"):
        hidden = row(published, group, "foreign_born")
        assert hidden["suppressed"]
        assert (
            hidden[["decisions", "granted", "approval_rate", "representation_index"]].isna().all()
        )
    assert run_audit({TABLE: published}).passed

    # Model results of a suppressed stratum are not shown either.
    strata = pd.DataFrame(
        {
            "period": ["2016-2016"] * 2,
            "group": ["men", "men"],
            "birth_background": ["foreign_born", "swedish_born"],
            "age_group": ["all", "all"],
            "area": ["all", "all"],
        }
    )
    for column in STRATA_COLUMNS[5:]:
        strata[column] = 0.5
    strata["flagged"] = pd.array([True, False], dtype="boolean")
    strata["amount_flagged"] = pd.array([False, False], dtype="boolean")
    strata = strata.astype({k: "string" for k in ("period", "group", "birth_background")})
    strata = strata.astype({"age_group": "string", "area": "string"})
    summary = pd.DataFrame(
        {
            "outcome": ["approval"],
            "model": ["main_effects"],
            "status": ["fitted"],
            "flagged_strata": [1],
            "flagged_strata_suppressed": [0],
        }
    )
    shown_summary, shown = publish_models(ModelResults(summary, strata), published)
    foreign = shown[shown["birth_background"] == "foreign_born"].iloc[0]
    assert foreign["suppressed"] and pd.isna(foreign["predicted_approval"])
    assert pd.isna(foreign["flagged"])
    assert shown_summary.loc[0, "flagged_strata"] == 0
    assert shown_summary.loc[0, "flagged_strata_suppressed"] == 1
    # Counts of complete cases that disclosure control must keep hidden are left out.
    summary["cases"] = summary["cases_before_sampling"] = [30]
    summary["excluded_unknown"] = [2]
    counted, _ = publish_models(ModelResults(summary, strata), published)
    assert counted.loc[0, "cases_before_sampling"] == 30
    hidden_summary, _ = publish_models(ModelResults(summary, strata), published, True)
    assert (
        hidden_summary[["cases", "cases_before_sampling", "excluded_unknown"]].isna().all(axis=None)
    )
    assert hidden_summary.loc[0, "flagged_strata"] == 0

    # ... and in the figures: drawn from the published table, the hidden stratum shows `..`.
    approval, representation = intersectional_figures(
        published, shown, config.keys, "2016-2016", "Källa: test"
    )
    dots = approval.data.set_index("stratum")
    assert dots.loc["Man som vd, utrikes född", "beviljandegrad"] == ".."
    # A stratum the protection left published shows its rate (women, Swedish-born: 2 of 3).
    women_swedish = row(published, "women", "swedish_born")
    shown_rate = "67\u00a0%" if pd.notna(women_swedish["approval_rate"]) else ".."
    assert dots.loc["Kvinna som vd, inrikes född", "beviljandegrad"] == shown_rate
    assert "för få ärenden" not in approval.alt_text
    hidden_strata = int(published.loc[published["period"] == "2016-2016", "suppressed"].sum())
    if hidden_strata:
        assert "döljs av röjandeskyddet" in approval.alt_text
    heat = representation.data.set_index("stratum")
    assert heat.loc["Man som vd, utrikes född", "representationsindex"] == ".."
    assert heat.loc["Kvinna som vd, utrikes född", "representationsindex"] == ".."
    # Both foreign-born strata are hidden: they are not drawn at all, not even as a label.
    assert "utrikes född" not in approval.svg


def test_model_period_rows_and_sort_order_on_the_default_dimensions() -> None:
    rows = [case("women", "swedish_born", "granted", 10) for _ in range(4)]
    table = build_table(clean_frame(rows), None, IntersectionalConfig(periods=PERIODS))
    assert table.iloc[0][["group", "birth_background", "age_group", "area"]].tolist() == [
        "women",
        "swedish_born",
        "30-49",
        "Östersund",
    ]
    assert table.iloc[-1][["group", "birth_background", "age_group", "area"]].eq("all").all()
    assert len(table) == 16


def test_shipped_baseline_is_labelled_fictitious_and_valid() -> None:
    path = REPO / "data" / "reference" / "business_leaders_baseline.csv"
    baseline = read_baseline(path)
    raw = pd.read_csv(path, dtype=str)
    assert (raw["source"] == "fictitious demo data").all()
    assert set(baseline["age_group"]) == {"<30", "30-49", "50-64", "65+"}
    assert "FICTITIOUS" in (path.parent / "business_leaders_baseline.README.md").read_text()


def test_baseline_with_a_wrong_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "baseline.csv"
    BASELINE.assign(sex=["Kvinna", "woman", "man", "man"]).to_csv(path, index=False)
    with pytest.raises(UserFacingError, match="Kvinna"):
        read_baseline(path)
