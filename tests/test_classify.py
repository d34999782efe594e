"""Derived classifications: company size bands from employee head counts."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from rtp_eval.classify import UNKNOWN, company_size, company_size_labels

EU_BREAKS = (10, 50, 250)

breaks_strategy = st.lists(
    st.integers(min_value=1, max_value=10_000), min_size=1, max_size=6, unique=True
).map(sorted)


def _band_bounds(label: str) -> tuple[int, float]:
    if label.endswith("+"):
        return int(label[:-1]), float("inf")
    low, high = label.split("-")
    return int(low), int(high)


def test_eu_bands_and_their_edges() -> None:
    women = pd.Series([0, 9, 10, 49, 50, 249, 250, 7000], dtype="Int64")
    men = pd.Series([0] * 8, dtype="Int64")
    assert company_size(women, men, EU_BREAKS).tolist() == [
        "0-9",
        "0-9",
        "10-49",
        "10-49",
        "50-249",
        "50-249",
        "250+",
        "250+",
    ]
    assert company_size_labels(EU_BREAKS) == ["0-9", "10-49", "50-249", "250+"]


def test_women_and_men_are_added() -> None:
    women = pd.Series([5, 30], dtype="Int64")
    men = pd.Series([5, 300], dtype="Int64")
    assert company_size(women, men, EU_BREAKS).tolist() == ["10-49", "250+"]


@given(
    st.lists(st.tuples(st.integers(0, 100_000), st.integers(0, 100_000)), max_size=30),
    breaks_strategy,
)
def test_every_non_negative_total_falls_in_exactly_one_band(
    counts: list[tuple[int, int]], breaks: list[int]
) -> None:
    women = pd.Series([w for w, _ in counts], dtype="Int64")
    men = pd.Series([m for _, m in counts], dtype="Int64")
    labels = company_size_labels(breaks)
    bands = company_size(women, men, breaks)
    for (w, m), band in zip(counts, bands, strict=True):
        holding = [
            label for label in labels if _band_bounds(label)[0] <= w + m <= _band_bounds(label)[1]
        ]
        assert holding == [band]


@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 1000)), st.one_of(st.none(), st.integers(0, 1000))
        ),
        max_size=30,
    )
)
def test_a_missing_count_makes_the_size_unknown(
    counts: list[tuple[int | None, int | None]],
) -> None:
    women = pd.Series([w for w, _ in counts], dtype="Int64")
    men = pd.Series([m for _, m in counts], dtype="Int64")
    bands = company_size(women, men, EU_BREAKS)
    for (w, m), band in zip(counts, bands, strict=True):
        assert (band == UNKNOWN) == (w is None or m is None)
