"""Finding the raw files: names, years and one file per source and year."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtp_eval.discovery import (
    BATCH_FILE_MAX_COST_MB,
    DEFAULT_YEARS,
    XLSX_COST_FACTOR,
    discover_raw_files,
    import_batches,
    import_cost_mb,
)
from rtp_eval.errors import InputFileError
from rtp_eval.goals_config import discover_owner_follow_up


def _touch(raw: Path, *names: str) -> None:
    for name in names:
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"a;b\n")


def test_files_are_found_by_source_and_year(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "business_support/2016.csv",
        "business_support/2017.xlsx",
        "business_support/notes.txt",
        "business_support/~$2017.xlsx",
        "project_support/2000.csv",
        "project_support/2100.csv",
    )
    found = discover_raw_files(tmp_path)
    assert found.years("business_support") == [2016, 2017]
    assert found.years("project_support") == [2000, 2100]
    assert [p.name for p in found.ignored] == ["notes.txt"]


@pytest.mark.parametrize("name", ["1899.csv", "1999.xlsx", "2101.csv", "9999.csv"])
def test_a_year_outside_the_accepted_years_is_an_error(tmp_path: Path, name: str) -> None:
    _touch(tmp_path, f"project_support/{name}")
    with pytest.raises(InputFileError) as error:
        discover_raw_files(tmp_path)
    year = name[:4]
    assert error.value.file == str(tmp_path / "project_support" / name)
    assert error.value.problem == (
        f"the file name's year {year} is outside the accepted years 2000-2100"
    )
    assert "limits: file_years" in (error.value.hint or "")


def test_the_accepted_years_are_configurable(tmp_path: Path) -> None:
    _touch(tmp_path, "business_support/1999.csv", "owner_follow_up/1999.csv")
    assert discover_raw_files(tmp_path, (1995, 2030)).years("business_support") == [1999]
    assert list(discover_owner_follow_up(tmp_path, (1995, 2030))[0]) == [1999]
    with pytest.raises(InputFileError, match="outside the accepted years 2000-2100"):
        discover_owner_follow_up(tmp_path)
    assert DEFAULT_YEARS == (2000, 2100)


SMALL = 0.05


def test_small_files_are_batched_by_source_and_the_model_period() -> None:
    costs = {
        "business_support": {2021: SMALL, 2012: SMALL, 2018: SMALL, 2019: SMALL},
        "project_support": {2013: SMALL, 2012: SMALL},
    }
    assert import_batches(costs, (2012, 2018)) == {
        "business_support": [("business_support", 2019), ("business_support", 2021)],
        "business_support_model_period": [
            ("business_support", 2012),
            ("business_support", 2018),
        ],
        "project_support": [("project_support", 2012), ("project_support", 2013)],
    }


def test_a_file_that_costs_more_than_a_python_start_is_a_job_of_its_own() -> None:
    costs = {
        "business_support": {2016: 2.5, 2017: SMALL, 2020: BATCH_FILE_MAX_COST_MB},
        "project_support": {2016: 1.5},
    }
    assert import_batches(costs, (2012, 2018)) == {
        "business_support": [("business_support", 2020)],
        "business_support_2016": [("business_support", 2016)],
        "business_support_model_period": [("business_support", 2017)],
        "project_support_2016": [("project_support", 2016)],
    }


@given(
    st.dictionaries(
        st.sampled_from(["business_support", "project_support"]),
        st.dictionaries(st.integers(2000, 2030), st.floats(0, 5), max_size=12),
    ),
    st.tuples(st.integers(2000, 2030), st.integers(2000, 2030)),
)
def test_every_file_is_in_one_batch_and_no_batch_is_empty(
    costs: dict[str, dict[int, float]], period: tuple[int, int]
) -> None:
    batches = import_batches(costs, (min(period), max(period)))
    listed = [file for batch in batches.values() for file in batch]
    assert sorted(listed) == sorted((s, y) for s, years in costs.items() for y in years)
    assert all(batches.values())
    for name, files in batches.items():
        # One source per batch, its files in year order; a large file alone.
        assert len({source for source, _ in files}) == 1
        assert files == sorted(files)
        if any(costs[s][y] > BATCH_FILE_MAX_COST_MB for s, y in files):
            assert len(files) == 1 and name == f"{files[0][0]}_{files[0][1]}"


def test_a_spreadsheet_costs_more_per_byte(tmp_path: Path) -> None:
    (tmp_path / "2016.csv").write_bytes(b"x" * 200_000)
    (tmp_path / "2017.xlsx").write_bytes(b"x" * 200_000)
    assert import_cost_mb(tmp_path / "2016.csv") == pytest.approx(0.2)
    assert import_cost_mb(tmp_path / "2017.xlsx") == pytest.approx(0.2 * XLSX_COST_FACTOR)
