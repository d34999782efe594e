"""The demo build as an intruder sees it: only the published bundle, attacked by an LP written
apart from the pipeline (tests/intruder.py), checked against the unsuppressed work tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from rtp_eval import catalog
from rtp_eval.io import read_table
from tests.intruder import count_intervals

EDITION = "2012-2021"
MARGIN = 0.10  # no suppressed amount may be pinned within ±10 %


@pytest.fixture(scope="module")
def bundle(demo_build: Path) -> dict[str, pd.DataFrame]:
    folder = demo_build / "reports" / EDITION / "tabeller"
    return {p.stem: read_table(p, p.stem) for p in sorted(folder.glob("*.csv"))}


@pytest.fixture(scope="module")
def periods(demo_build: Path) -> dict[str, tuple[int, int]]:
    config = yaml.safe_load((demo_build / "config" / "config.yaml").read_text(encoding="utf-8"))
    found = {**config["periods"], **config["intersectional"]["periods"]}
    return {label: (int(a), int(b)) for label, (a, b) in found.items()}


def work_tables(demo_build: Path) -> dict[str, pd.DataFrame]:
    work = demo_build / "results" / "work"
    tables = {
        n: read_table(work / f"{n}.csv", n) for n in catalog.TABLES if (work / f"{n}.csv").exists()
    }
    strata = "intersectional_business_support"
    tables[strata] = read_table(work / "cells" / f"{strata}.csv", strata)
    return tables


@pytest.mark.slow
def test_no_suppressed_count_can_be_narrowed_below_three(
    bundle: dict[str, pd.DataFrame], periods: dict[str, tuple[int, int]]
) -> None:
    widths = count_intervals(bundle, periods)
    assert len(widths) > 100
    narrow = widths[widths["width"] < 3 - 1e-6]
    assert narrow.empty, narrow.head(20)


@pytest.mark.slow
def test_no_single_grant_or_dominated_amount_can_be_worked_out(
    demo_build: Path, bundle: dict[str, pd.DataFrame], periods: dict[str, tuple[int, int]]
) -> None:
    works = work_tables(demo_build)
    sensitive: dict[tuple[str, int], float] = {}
    for name, work in works.items():
        if "amount_granted_sek" not in work or name not in bundle:
            continue
        amount = work["amount_granted_sek"].astype(float).to_numpy()
        single = (work["granted_units"] == 1).to_numpy() & (amount > 0)
        dominated = (work["top_amount_granted_sek"].to_numpy() > 0.85 * amount) & (amount > 0)
        few = (work["units"] < 3).to_numpy() & (amount > 0)
        shown = bundle[name]["amount_granted_sek"].notna().to_numpy()
        # A single organisation's grant is never shown as such.
        assert not (single & shown).any(), name
        for position in np.flatnonzero((single | dominated | few) & ~shown):
            sensitive[(name, int(position))] = float(amount[position])
        medians = bundle[name].get("median_granted_sek")
        if medians is not None:
            thin = (work["granted_units"] < 5).to_numpy()
            assert medians[thin].isna().all(), name
    assert len(sensitive) > 50
    intervals = count_intervals(bundle, periods, "amount_granted_sek", set(sensitive))
    pinned = []
    for row in intervals.itertuples(index=False):
        truth = sensitive.get((row.table, row.row))
        if truth is None:
            continue
        if row.low > truth * (1 - MARGIN) - 1e-6 or row.high < truth * (1 + MARGIN) + 1e-6:
            pinned.append((row.table, row.row, truth, row.low, row.high))
    assert not pinned, pinned[:10]


def test_published_values_are_the_work_values(demo_build: Path) -> None:
    works = work_tables(demo_build)
    tables = demo_build / "results" / "tables"
    for name, work in works.items():
        if name == "intersectional_business_support":
            continue
        published = read_table(tables / f"{name}.csv", name)
        for column in catalog.table(name).of_kind(catalog.COUNT, catalog.AMOUNT):
            shown = published[column].notna()
            assert (published.loc[shown, column] == work.loc[shown, column]).all(), (name, column)
