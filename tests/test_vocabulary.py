"""The vocabulary: one home for the words readers see, complete for every code the pipeline
writes, and phrases that state the configured settings rather than the defaults."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtp_eval import indicators, owner_follow_up, validation, vocabulary
from rtp_eval.goals_config import UNITS
from rtp_eval.intersectional import CATEGORY_ORDER_INTERSECTIONAL, DIMENSIONS
from rtp_eval.report_content import approval_difference_table, ownership_table
from rtp_eval.sections.gender import amount_share_figure, approval_rate_figure
from rtp_eval.sections.intersectional import intersectional_sentences, stratum_label_sv
from tests.conftest import REPO
from tests.test_report import _model_summary
from tests.test_report_content import differences


@pytest.mark.parametrize(
    ("level", "text"), [(0.95, "95 %"), (0.9, "90 %"), (0.975, "97,5 %"), (0.99, "99 %")]
)
def test_confidence_level_in_words(level: float, text: str) -> None:
    assert vocabulary.confidence_text(level) == text


@given(st.integers(min_value=1, max_value=999))
def test_confidence_text_reads_back_as_the_level(permille: int) -> None:
    text = vocabulary.confidence_text(permille / 1000)
    number = text.removesuffix(" %").replace(",", ".")
    assert float(number) * 10 == pytest.approx(permille)
    assert re.fullmatch(r"\d+(,\d)? %", text)


def test_parity_band_in_words() -> None:
    assert vocabulary.parity_band_text([40, 60]) == "40–60 %"
    assert vocabulary.parity_band_text((37.5, 62.5)) == "37,5–62,5 %"
    assert vocabulary.group_label("ownership", "mixed", (35, 65)) == "Jämnt ägda företag (35–65 %)"
    assert vocabulary.group_label("ownership", "mixed", short=True) == "Jämnt ägda (40–60 %)"
    assert vocabulary.group_label("leadership", "other") == "other"


def test_every_code_the_pipeline_writes_has_words() -> None:
    assert set(validation.REASONS) | set(owner_follow_up.REASONS) <= set(
        vocabulary.QUARANTINE_REASONS
    )
    assert set(vocabulary.GOAL_STATUSES) == set(indicators.STATUSES)
    assert set(UNITS) <= set(vocabulary.UNIT_SUFFIXES)
    assert set(vocabulary.DIMENSIONS) == set(DIMENSIONS)
    # Strata are by leadership group (never `mixed`); `all` is a total, which has no words.
    for key, codes in CATEGORY_ORDER_INTERSECTIONAL.items():
        if key != "age_group":
            shown = set(codes) - {"all", "mixed"}
            assert shown <= set(vocabulary.STRATUM_VALUES[key]), key


def test_age_groups_and_strata_in_words() -> None:
    assert vocabulary.age_group_label("<30") == "under 30 år"
    assert vocabulary.age_group_label("30-49") == "30–49 år"
    assert vocabulary.age_group_label("65+") == "65 år och äldre"
    row = {"group": "women", "birth_background": "foreign_born", "age_group": "<30", "area": "all"}
    assert stratum_label_sv(row) == "Kvinna som vd, utrikes född, under 30 år"
    assert stratum_label_sv(dict.fromkeys(row, "all")) == "Samtliga"


def test_no_other_module_keeps_a_swedish_label_dictionary() -> None:
    """Labels are defined once, in the vocabulary (the table catalogue keeps its own headers)."""
    package = REPO / "src" / "rtp_eval"
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "vocabulary.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"^[A-Z_]+_SV\b.*=", line)
    ]
    assert found == []


# --- the configured settings reach the words -------------------------------------------------


def _business(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """business_support_by_gender year rows: (classification, group, year, share)."""
    return pd.DataFrame(
        [
            {
                "period_kind": "year",
                "period": str(year),
                "year": year,
                "support_type": "all",
                "classification": classification,
                "group": group,
                "share_of_decisions": share,
                "share_of_amount": share,
                "approval_rate": share,
                "approval_rate_ci_low": share / 2,
                "approval_rate_ci_high": (1 + share) / 2,
            }
            for classification, group, year, share in rows
        ]
    )


def test_figures_name_the_configured_band_and_level() -> None:
    ownership = _business([("ownership", "mixed", 2015, 0.2), ("ownership", "women", 2015, 0.3)])
    figure = amount_share_figure(ownership, "Källa: test", "ownership", (35, 65))
    assert "Jämnt ägda företag (35–65 %)" in set(figure.data["grupp"])
    assert "Jämnt ägda företag (35–65 %)" in figure.svg
    leadership = _business([("leadership", "women", 2015, 0.6), ("leadership", "men", 2015, 0.7)])
    figure = approval_rate_figure(leadership, "Källa: test", "leadership", 0.9)
    assert "med 90 % osäkerhetsintervall" in figure.title
    assert {"90 % intervall, lägre", "90 % intervall, övre"} <= set(figure.data.columns)


def test_report_tables_and_sentences_name_the_configured_band_and_level() -> None:
    table = approval_difference_table(differences([0.3, 0.01, 0.5]), 0.9)
    assert table.columns[4:6] == ["90 % intervall, lägre", "90 % intervall, övre"]
    assert "p-värden under 0,10 " in table.notes[-1]
    owners = ownership_table(_business([("ownership", "women", 2015, 0.3)]), "2015", {}, (35, 65))
    assert owners.columns == ["Stödform", "Kvinnoägda", "Jämnt ägda (35–65 %)", "Mansägda"]
    strong = " ".join(intersectional_sentences(_model_summary(0.001, False, 0.5), 1, 0.9))
    assert "90 % intervall" in strong and "95 %" not in strong
    # At the 90 % level, p = 0.08 is a difference; at the default 95 % it is not.
    assert "Ingen säker skillnad" not in " ".join(
        intersectional_sentences(_model_summary(0.08, False, 0.5), 0, 0.9)
    )
    assert "Ingen säker skillnad" in " ".join(
        intersectional_sentences(_model_summary(0.08, False, 0.5), 0)
    )
