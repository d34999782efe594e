"""Reading and writing: the clean yearly files typed by the schema, every CSV safe in a
spreadsheet, and quarantine and clean files private whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from rtp_eval import schema
from rtp_eval.io import (
    neutralise_text,
    private_folder,
    read_clean,
    write_csv,
    write_import_result,
    write_parquet,
    write_text,
)


def _clean(year: int, decisions: list[str]) -> pd.DataFrame:
    columns = schema.clean_columns("project_support")
    rows = [{c: pd.NA for c in columns} | {"decision": d, "decision_year": year} for d in decisions]
    return pd.DataFrame(rows, columns=list(columns)).astype(schema.clean_dtypes("project_support"))


def test_read_clean_keeps_only_the_asked_columns_and_decisions(tmp_path: Path) -> None:
    paths = [tmp_path / "2017.parquet", tmp_path / "2016.parquet"]
    write_parquet(_clean(2017, ["granted", "withdrawn"]), paths[0])
    write_parquet(_clean(2016, ["rejected", "granted", "withdrawn"]), paths[1])
    frame = read_clean(
        paths, "project_support", columns=["decision_year", "decision"], decisions=["granted"]
    )
    assert list(frame.columns) == ["decision_year", "decision"]
    # Files are read in path order (years ascending), rows in file order.
    assert frame["decision_year"].tolist() == [2016, 2017]
    assert str(frame["decision_year"].dtype) == "Int64"


def test_read_clean_of_no_files_is_an_empty_typed_frame() -> None:
    frame = read_clean([], "business_support")
    assert list(frame.columns) == list(schema.clean_columns("business_support"))
    assert len(frame) == 0
    assert str(frame["amount_granted_sek"].dtype) == "Int64"


# --- spreadsheet safety of every CSV written -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        # Swedish Excel splits a comma file on `;`: every piece is checked.
        ("x;=4+4;", "x;'=4+4;"),
        ("x,=4+4", "x,'=4+4"),
        ("x\t=4+4", "x\t'=4+4"),
        ("x\n@SUM(1)", "x\n'@SUM(1)"),
        ("x; =4+4", "x;' =4+4"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-2+3", "'-2+3"),
        # Numbers and ordinary labels are data.
        ("-5", "-5"),
        ("-", "-"),  # an export's missing value
        ("--", "'--"),
        ("-1.5", "-1.5"),
        ("-1,5", "-1,5"),
        ("2012-2015", "2012-2015"),
        ("65+", "65+"),
        ("<30", "<30"),
        ("Kvinnor", "Kvinnor"),
    ],
)
def test_neutralise_text_prefixes_every_piece_a_spreadsheet_would_run(
    text: str, expected: str
) -> None:
    assert neutralise_text(text) == expected
    assert neutralise_text(expected) == expected  # twice is once


def test_written_csv_neutralises_text_and_headers_and_keeps_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "group": pd.array(["x;=4+4;", "@SUM(1)", None], dtype="string"),
            "=HYPERLINK(1)": pd.array(["a", "b", "c"], dtype="string"),
            "value": pd.array([-5, 3, None], dtype="Int64"),
            "rate": pd.array([-0.25, None, 1.5], dtype="Float64"),
        }
    )
    path = tmp_path / "t.csv"
    write_csv(frame, path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "group,'=HYPERLINK(1),value,rate",
        "x;'=4+4;,a,-5,-0.25",  # a `;` piece is neutralised in a comma file too
        "'@SUM(1),b,3,",
        ",c,,1.5",
    ]
    typed = pd.read_csv(path)
    assert typed["value"].tolist()[:2] == [-5, 3]
    assert typed["rate"].tolist()[0] == -0.25


# --- private folders and files, whatever the umask --------------------------------------------


@pytest.fixture(params=[0o022, 0o077, 0o000, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_quarantine_and_clean_are_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    results = tmp_path / "results"
    # Snakemake creates an output's folders before the job runs, with the umask's mode.
    (results / "quarantine" / "business_support").mkdir(parents=True, mode=0o777)
    os.chmod(results / "quarantine", 0o755)
    os.chmod(results / "quarantine" / "business_support", 0o777)
    quarantine = pd.DataFrame({"row": ["6"], "raw: Organisationsnummer": ["556036-0793"]})
    write_import_result(
        _clean(2016, ["granted"]),
        quarantine,
        {"rows_read": 1},
        results / "clean" / "business_support" / "2016.parquet",
        results / "quarantine" / "business_support" / "2016.csv",
        results / "work" / "import" / "business_support" / "2016.json",
    )
    write_text(results / "quarantine" / "README.md", "VARNING\n")
    for folder in ("quarantine", "quarantine/business_support", "clean", "clean/business_support"):
        assert _mode(results / folder) == 0o700, folder
    for file in (
        "quarantine/business_support/2016.csv",
        "quarantine/README.md",
        "clean/business_support/2016.parquet",
    ):
        assert _mode(results / file) == 0o600, file
    # Published outputs stay readable for the web server, as before.
    write_csv(pd.DataFrame({"a": [1]}), results / "tables" / "t.csv")
    assert _mode(results / "tables" / "t.csv") == 0o644


def test_private_folders_also_with_relative_paths(
    tmp_path: Path, umask: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A project that itself lives in a folder named `clean` is not made private as a whole.
    project = tmp_path / "clean" / "project"
    project.mkdir(parents=True)
    monkeypatch.chdir(project)
    write_text("results/quarantine/owner_follow_up/2020.csv", "a\n")
    write_text("reports/2012-2021/tabeller/t.csv", "a\n")
    assert _mode(project / "results" / "quarantine") == 0o700
    assert _mode(project / "results" / "quarantine" / "owner_follow_up") == 0o700
    assert _mode(project / "results" / "quarantine" / "owner_follow_up" / "2020.csv") == 0o600
    assert _mode(project / "reports" / "2012-2021" / "tabeller" / "t.csv") == 0o644
    assert private_folder("reports/2012-2021/tabeller/t.csv") is None
    assert private_folder("results/clean/x/2016.parquet") == project / "results" / "clean"
