"""The gender breakdown computed per year and combined equals the breakdown of all rows at once,
and its period rows equal a direct computation over the pooled cases of the period."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtp_eval import schema
from rtp_eval.breakdown import (
    BreakdownConfig,
    build_work_tables,
    combine,
    partial_cells,
    work_tables_from_partials,
)

YEARS = (2012, 2013, 2014, 2015, 2016)
PERIODS = {"2012-2014": (2012, 2014), "2013-2016": (2013, 2016), "2015-2015": (2015, 2015)}
NA = pd.NA


def random_clean(rng: np.random.Generator, source: str, n: int) -> pd.DataFrame:
    """Clean rows of `source` with every category the tables cut by, some values missing."""
    decision = rng.choice(["granted", "rejected", "withdrawn"], n, p=[0.6, 0.3, 0.1])
    applied = rng.integers(1, 2_000, n)
    granted = np.where(decision == "granted", (applied * rng.random(n)).astype(int) + 1, 0)
    granted = np.minimum(granted, applied)
    groups = ["women", "men", "unknown"]
    frame = pd.DataFrame(
        {
            "org_pseudonym": rng.choice([f"org{i}" for i in range(max(n // 3, 1))], n),
            "decision_year": rng.choice(YEARS, n),
            "decision": decision,
            "amount_applied_sek": applied,
            "amount_granted_sek": np.where(decision == "granted", granted, 0),
            "leadership_group": rng.choice(groups, n),
            "programme_area": rng.choice(["A", "B", ""], n),
            "area": rng.choice(["Östersund", "rest_of_county"], n),
        }
    )
    if source == "business_support":
        frame["ownership_group"] = rng.choice([*groups, "mixed"], n)
        frame["support_type"] = rng.choice(["investment", "transport", "seed"], n)
        frame["industry"] = rng.choice(["C", "G", "I"], n)
        for column in (
            "expected_jobs_women",
            "expected_jobs_men",
            "expected_jobs_foreign_born_women",
            "expected_jobs_foreign_born_men",
        ):
            jobs = pd.Series(rng.integers(0, 8, n) / 2, dtype="Float64")
            frame[column] = jobs.mask(rng.random(n) < 0.2)
    else:
        frame["owner_type"] = rng.choice(["municipality", "company", ""], n)
        frame["equality_assessment"] = pd.Series(rng.integers(0, 4, n), dtype="Int64")
        frame["equality_routine_applied"] = pd.Series(rng.random(n) < 0.5, dtype="boolean")
        frame["target_women"] = pd.Series(rng.integers(0, 30, n), dtype="Int64")
        frame["target_men"] = pd.Series(rng.integers(0, 30, n), dtype="Int64")
    columns = schema.clean_columns(source)
    for column in columns:
        if column not in frame:
            frame[column] = NA
    return frame[list(columns)].astype(schema.clean_dtypes(source))


def _partitions(clean: pd.DataFrame, groups: list[int]) -> list[pd.DataFrame]:
    """Rows split into partitions that each hold whole years (`groups[i]`: partition of year i)."""
    owner = dict(zip(YEARS, groups, strict=True))
    part = clean["decision_year"].map(owner)
    return [clean[part == p] for p in sorted(set(groups)) if (part == p).any()]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    n_business=st.integers(min_value=0, max_value=120),
    n_project=st.integers(min_value=1, max_value=60),
    groups=st.lists(st.integers(0, 4), min_size=len(YEARS), max_size=len(YEARS)),
    dominance_n=st.integers(min_value=1, max_value=3),
    shuffle=st.booleans(),
)
def test_partitioned_tables_equal_unpartitioned(
    seed: int,
    n_business: int,
    n_project: int,
    groups: list[int],
    dominance_n: int,
    shuffle: bool,
) -> None:
    rng = np.random.default_rng(seed)
    config = BreakdownConfig(periods=PERIODS, dominance_n=dominance_n)
    clean = {
        "business_support": random_clean(rng, "business_support", n_business),
        "project_support": random_clean(rng, "project_support", n_project),
    }
    whole = build_work_tables(clean["business_support"], clean["project_support"], config)
    partials = {}
    for source, frame in clean.items():
        parts = [partial_cells(part, source, config) for part in _partitions(frame, groups)]
        if shuffle:
            parts.reverse()
        partials[source] = parts or [partial_cells(frame, source, config)]
    parted = work_tables_from_partials(partials, config)
    assert set(parted) == set(whole)
    for name in whole:
        pd.testing.assert_frame_equal(parted[name], whole[name], check_exact=False)


def _round_half_up(value: float) -> float:
    return float(np.floor(value + 0.5))


def _expected_period_cells(
    cases: pd.DataFrame, keys: list[str], top_n: int
) -> dict[tuple[str, ...], dict[str, float]]:
    """Period cells of the main business table straight from the pooled decided cases."""
    expected = {}
    for as_total in itertools.product([False, True], repeat=len(keys)):
        by = [k for k, total in zip(keys, as_total, strict=True) if not total]
        grouped = cases.groupby(by) if by else [((), cases)]
        for key, rows in grouped:
            key = key if isinstance(key, tuple) else (key,)
            values = dict(zip(by, key, strict=True))
            cell = tuple(values.get(k, "all") for k in keys)
            granted_rows = rows[rows["decision"] == "granted"]
            amounts = granted_rows["amount_granted_sek"].astype(float)
            per_firm = granted_rows.groupby("org_pseudonym")["amount_granted_sek"].sum()
            largest = sorted(per_firm.astype(float), reverse=True)[:top_n]
            expected[cell] = {
                "decisions": len(rows),
                "granted": int((rows["decision"] == "granted").sum()),
                "amount_granted_sek": float(amounts.sum()),
                "amount_applied_sek": float(rows["amount_applied_sek"].astype(float).sum()),
                "median_granted_sek": _round_half_up(amounts.median()) if len(amounts) else None,
                "mean_granted_sek": _round_half_up(amounts.mean()) if len(amounts) else None,
                "top_amount_granted_sek": float(sum(largest)),
                "units": rows["org_pseudonym"].nunique(),
                "granted_units": granted_rows["org_pseudonym"].nunique(),
            }
    return expected


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_period_rows_equal_the_pooled_cases(seed: int) -> None:
    rng = np.random.default_rng(seed)
    clean = random_clean(rng, "business_support", 400)
    config = BreakdownConfig(periods=PERIODS, dominance_n=2)
    parts = [partial_cells(clean[clean["decision_year"] == y], "business_support", config)
             for y in YEARS]  # fmt: skip
    work = combine(parts, "business_support", config)["business_support_by_gender"]
    for label, (first, last) in PERIODS.items():
        years = clean["decision_year"].between(first, last)
        pooled = clean[years & (clean["decision"] != "withdrawn")]
        pooled = pooled.assign(group=pooled["leadership_group"].astype(str))
        pooled["support_type"] = pooled["support_type"].astype(str)
        expected = _expected_period_cells(pooled, ["support_type", "group"], top_n=2)
        rows = work[(work["period"] == label) & (work["classification"] == "leadership")]
        assert len(rows) == len(expected)
        for row in rows.itertuples(index=False):
            cell = expected[(row.support_type, row.group)]
            for column, value in cell.items():
                got = getattr(row, column)
                if value is None:
                    assert pd.isna(got), (label, column)
                else:
                    assert float(got) == pytest.approx(value), (label, row, column)


def test_partitions_must_not_share_a_year() -> None:
    rng = np.random.default_rng(0)
    clean = random_clean(rng, "project_support", 50)
    config = BreakdownConfig(periods=PERIODS)
    part = partial_cells(clean, "project_support", config)
    with pytest.raises(ValueError, match="more than one partition"):
        combine([part, part], "project_support", config)
