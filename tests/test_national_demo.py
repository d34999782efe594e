"""The national scale data: deterministic, valid identifiers, all 21 counties, and an import
that quarantines exactly the planted bad rows and reconciles every file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rtp_eval.reference import load_reference
from tests.conftest import REPO, SHIPPED_CONFIG, import_export
from tools.demo import is_luhn_valid, luhn_check_digit
from tools.national_demo import (
    BAD_ROW_KINDS,
    COUNTIES,
    NationalConfig,
    luhn_check_digits,
    write_national_data,
)

SMALL = NationalConfig(decisions_per_year=1_200, first_year=2013, last_year=2015)


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("national")
    write_national_data(out, SMALL)
    return out


@pytest.fixture(scope="module")
def imported(national: Path) -> dict:
    reference = load_reference(
        REPO / "data" / "reference",
        region_county_codes=list(COUNTIES),
        programme_areas=SHIPPED_CONFIG["region"]["programme_areas"],
    )
    results = {}
    for path in sorted(national.glob("*/*.csv")):
        name = path.relative_to(national).as_posix()
        source, year = path.parent.name, int(path.stem)
        results[name] = import_export(path, name, source, year, reference)
    return results


def test_same_seed_gives_identical_bytes(national: Path, tmp_path: Path) -> None:
    write_national_data(tmp_path, SMALL)
    for path in national.rglob("*.*"):
        assert (tmp_path / path.relative_to(national)).read_bytes() == path.read_bytes()


def test_vectorised_check_digits_match_the_scalar_ones() -> None:
    bodies = np.random.default_rng(5).integers(200_000_000, 999_999_999, 500)
    expected = [luhn_check_digit(str(b)) for b in bodies]
    assert luhn_check_digits(bodies).tolist() == expected


def test_exactly_the_planted_rows_are_quarantined(national: Path, imported: dict) -> None:
    manifest = json.loads((national / "SCALE_MANIFEST.json").read_text(encoding="utf-8"))
    assert set(manifest) == set(imported)
    for name, result in imported.items():
        entry, quality = manifest[name], result.quality
        assert quality["rows_read"] == entry["rows"]
        assert quality["rows_quarantined"] == entry["bad_rows"] > 0, name
        assert quality["rows_withdrawn"] == entry["withdrawn"], name
        assert quality["rows_read"] == (
            quality["rows_accepted"] + quality["rows_quarantined"] + quality["rows_withdrawn"]
        )
        planted = {kind: entry.get(kind, 0) for kind in BAD_ROW_KINDS}
        assert sum(planted.values()) == entry["bad_rows"]


def test_every_county_and_export_style_is_present(imported: dict) -> None:
    counties = set()
    formats = set()
    for result in imported.values():
        counties |= set(result.clean["county_code"].dropna())
        formats.add((result.quality["encoding"], result.quality["delimiter"]))
    assert counties == set(COUNTIES)
    assert {encoding for encoding, _ in formats} == {"cp1252", "utf-8", "utf-8-sig"}


def test_organisation_numbers_are_valid(national: Path) -> None:
    text = (national / "project_support" / "2014.csv").read_text(encoding="utf-8-sig")
    numbers = [line.split(";")[9] for line in text.splitlines()[1:50]]
    assert all(is_luhn_valid(n) for n in numbers if n)


def test_women_led_firms_get_less_money_as_in_the_demo(imported: dict) -> None:
    clean = imported["business_support/2014.csv"].clean
    granted = clean[clean["decision"] == "granted"]
    medians = granted.groupby("leadership_group")["amount_granted_sek"].median()
    assert medians["women"] < medians["men"]


def test_protection_of_national_data_passes_the_audit_and_the_intruder(imported: dict) -> None:
    import pandas as pd

    from rtp_eval.audit import run_audit
    from rtp_eval.breakdown import BreakdownConfig, build_work_tables
    from rtp_eval.intersectional import IntersectionalConfig, build_work_table
    from rtp_eval.protection import ProtectionRules, protect
    from tests.intruder import count_intervals

    clean = {
        source: pd.concat(
            [r.clean for name, r in imported.items() if name.startswith(source)],
            ignore_index=True,
        )
        for source in ("business_support", "project_support")
    }
    periods = {"2013-2015": (2013, 2015)}
    works = build_work_tables(
        clean["business_support"], clean["project_support"], BreakdownConfig(periods)
    )
    strata = IntersectionalConfig(periods=periods)
    works["intersectional_business_support"] = build_work_table(clean["business_support"], strata)
    protection = protect(works, periods, ProtectionRules())
    assert run_audit(protection.published, protection.primaries).passed
    widths = count_intervals(protection.published, periods)
    assert len(widths) and widths["width"].min() >= 3 - 1e-6
