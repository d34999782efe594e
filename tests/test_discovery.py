"""Finding the raw files: names, years and one file per source and year."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtp_eval.discovery import DEFAULT_YEARS, discover_raw_files
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
