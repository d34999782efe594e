"""The shipped demo data import as documented: exactly the listed bad rows are quarantined."""

from __future__ import annotations

import pandas as pd
import pytest

from rtp_eval.discovery import discover_raw_files
from rtp_eval.reference import Reference
from tests.conftest import REPO, import_export

RAW = REPO / "data" / "raw"


@pytest.fixture(scope="module")
def imported(reference: Reference) -> dict[str, dict]:
    results = {}
    files = discover_raw_files(RAW)
    for source, by_year in files.files.items():
        for year, path in by_year.items():
            name = path.relative_to(RAW).as_posix()
            results[name] = import_export(path, name, source, year, reference)
    return results


def test_every_demo_file_is_found(imported: dict) -> None:
    assert len(imported) == 20


def test_exactly_the_documented_bad_rows_are_quarantined(imported: dict) -> None:
    documented = pd.read_csv(RAW / "BAD_ROWS.csv", dtype=str, keep_default_na=False)
    # The quarantine names the column as the file writes it; the list uses the contract's case.
    expected = {(r.file, int(r.row), r.column.casefold()) for r in documented.itertuples()}
    found = {
        (name, int(row), column.casefold())
        for name, result in imported.items()
        for row, column in zip(result.quarantine["row"], result.quarantine["column"], strict=True)
    }
    assert found == expected


def test_rows_reconcile_for_every_demo_file(imported: dict) -> None:
    for result in imported.values():
        quality = result.quality
        assert quality["rows_read"] == (
            quality["rows_accepted"] + quality["rows_quarantined"] + quality["rows_withdrawn"]
        )
        assert quality["rows_read"] > 40


def test_demo_files_exercise_every_format(imported: dict) -> None:
    seen = {
        (q["format"], q["encoding"], q["delimiter"])
        for q in (result.quality for result in imported.values())
    }
    assert ("xlsx", None, None) in seen
    assert {enc for _, enc, _ in seen} >= {"cp1252", "utf-8", "utf-8-sig"}
    assert {delim for _, _, delim in seen} >= {"semicolon", "comma", "tab"}
