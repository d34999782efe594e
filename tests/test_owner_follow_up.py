"""Reading and validating the owner follow-up (data/raw/owner_follow_up/<YEAR>.csv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtp_eval.errors import InputFileError
from rtp_eval.owner_follow_up import (
    REASONS,
    discover_files,
    import_owner_file,
    owner_follow_up_header,
)
from rtp_eval.reference import Reference
from rtp_eval.vocabulary import QUARANTINE_REASONS
from tests.conftest import REPO

HEADER = owner_follow_up_header()


def _write(tmp_path: Path, lines: list[str], name: str = "2018.csv", encoding="utf-8") -> Path:
    path = tmp_path / "owner_follow_up" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _import(path: Path, reference: Reference, **kwargs):
    return import_owner_file(path, path.name, 2018, reference.labels["sex"], **kwargs)


def test_valid_rows_are_typed(tmp_path: Path, reference: Reference) -> None:
    path = _write(
        tmp_path,
        [
            HEADER,
            "Bolaget AB;100;Ja;Nej;Ja;3;4;Kvinna",
            "Förbundet;12,5;nej;ja;;2;2;",
        ],
    )
    result = _import(path, reference)
    clean = result.clean
    assert clean["organisation"].tolist() == ["Bolaget AB", "Förbundet"]
    assert clean["ownership_share_pct"].tolist() == [100.0, 12.5]
    assert clean["directive_includes_equality"].tolist() == [True, False]
    assert clean["annual_report_reports_equality"].tolist() == [False, True]
    assert clean["took_part_in_dialogues"].isna().tolist() == [False, True]
    assert clean["ceo_sex"].tolist()[0] == "woman" and clean["ceo_sex"].isna().tolist()[1]
    assert clean["source_row"].tolist() == [2, 3]
    assert clean["follow_up_year"].tolist() == [2018, 2018]
    assert result.quarantine.empty
    assert result.quality["rows_read"] == 2 and result.quality["rows_accepted"] == 2


def test_bad_rows_are_quarantined_with_file_row_column_reason(
    tmp_path: Path, reference: Reference
) -> None:
    path = _write(
        tmp_path,
        [
            HEADER,
            "Bolaget AB;100;Ja;Nej;Ja;3;4;Kvinna",
            "Bolag två AB;100;Kanske;Nej;Ja;3;4;Man",
            ";50;Ja;Ja;Ja;1;1;Man",
            "Bolag tre AB;150;Ja;Ja;Ja;1;1;Man",
            "Bolag fyra AB;50;Ja;Ja;Ja;-1;1;Man",
            "Bolag fem AB;50;Ja;Ja;Ja;1;1;Okänd",
            "bolaget ab;100;Ja;Ja;Ja;3;4;Kvinna",
            "Bolag sex AB;50;Ja;Ja;Ja;1;1",
        ],
    )
    result = _import(path, reference)
    found = result.quarantine[["file", "row", "column", "reason_code"]].values.tolist()
    assert found == [
        ["2018.csv", 3, "Ägardirektiv jämställdhet", "unparseable"],
        ["2018.csv", 4, "Organisation", "missing_required"],
        ["2018.csv", 5, "Ägarandel (%)", "unparseable"],
        ["2018.csv", 6, "Styrelse kvinnor", "negative_value"],
        ["2018.csv", 7, "VD kön", "unknown_code"],
        ["2018.csv", 8, "Organisation", "duplicate_organisation"],
        ["2018.csv", 9, "", "wrong_field_count"],
    ]
    assert "already on row 2" in result.quarantine["reason"].iloc[5]
    assert result.quarantine["raw: Organisation"].iloc[0] == "Bolag två AB"
    quality = result.quality
    assert quality["rows_read"] == 8
    assert quality["rows_accepted"] + quality["rows_quarantined"] == quality["rows_read"]
    assert set(quality["reasons"]) <= set(REASONS) <= set(QUARANTINE_REASONS)


def test_missing_required_column_stops_with_one_message(
    tmp_path: Path, reference: Reference
) -> None:
    path = _write(tmp_path, ["Organisation;Ägarandel (%)", "Bolaget AB;100"])
    with pytest.raises(InputFileError) as error:
        _import(path, reference)
    message = error.value.user_message()
    assert message.startswith("Cannot import file 2018.csv, row 1: no header row among rows 1-2")
    assert "required column(s) missing" in message and "(row 1 comes closest)" in message
    assert "'Ägardirektiv jämställdhet' (directive_includes_equality)" in message


def test_unreadable_file_is_one_clear_error(tmp_path: Path, reference: Reference) -> None:
    path = tmp_path / "owner_follow_up" / "2018.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    with pytest.raises(InputFileError, match="the file is empty"):
        _import(path, reference)


def test_cp1252_comma_file_and_own_headers(tmp_path: Path, reference: Reference) -> None:
    header = HEADER.replace("Organisation", "Bolag").replace(";", ",")
    path = _write(tmp_path, [header, "Bolaget AB,100,J,N,J,3,4,K"], encoding="cp1252")
    result = _import(path, reference, extra_headers={"organisation": ["Bolag"]})
    assert result.clean["organisation"].tolist() == ["Bolaget AB"]
    assert result.quality["encoding"] == "cp1252" and result.quality["delimiter"] == "comma"


def test_discovery_and_two_files_for_one_year(tmp_path: Path) -> None:
    assert discover_files(tmp_path) == ({}, [])
    _write(tmp_path, [HEADER], "2017.csv")
    _write(tmp_path, [HEADER], "notes.txt")
    files, ignored = discover_files(tmp_path)
    assert list(files) == [2017] and [p.name for p in ignored] == ["notes.txt"]
    _write(tmp_path, [HEADER], "2017.xlsx")
    with pytest.raises(InputFileError, match="two files for owner_follow_up 2017"):
        discover_files(tmp_path)


def test_demo_files_import_without_quarantine(reference: Reference) -> None:
    files, ignored = discover_files(REPO / "data" / "raw")
    assert sorted(files) == list(range(2016, 2022)) and not ignored
    for year, path in files.items():
        result = import_owner_file(path, path.name, year, reference.labels["sex"])
        assert result.quarantine.empty, year
        assert len(result.clean) == 12


def test_read_like_the_case_exports_and_in_the_quality_table(
    tmp_path: Path, reference: Reference
) -> None:
    """Title rows, `files:` settings and the quality record are those of the case exports."""
    import hashlib

    from rtp_eval.quality import quality_table, reconciliation_columns, verify_counts
    from rtp_eval.reading import ReadLimits, ReadOptions

    title = "Ägaruppföljning 2018, Region Jämtland Härjedalen"
    path = _write(tmp_path, [title, "", HEADER, "Bolaget AB;100;Ja;Nej;Ja;3;4;Kvinna"])
    result = _import(path, reference)
    quality = result.quality
    assert (quality["header_row"], quality["title_rows"], quality["rows_read"]) == (3, 1, 1)
    assert result.clean["source_row"].tolist() == [4]
    assert quality["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    table = quality_table([quality])
    assert table.loc[0, "source"] == "owner_follow_up" and table.loc[0, "title_rows"] == 1
    clean = result.clean[list(reconciliation_columns("owner_follow_up"))]
    verify_counts(quality, clean, len(result.quarantine))
    with pytest.raises(InputFileError, match="required column"):
        _import(path, reference, read_options=ReadOptions(header_row=1))
    with pytest.raises(InputFileError, match="limit of 5"):
        _import(path, reference, limits=ReadLimits(max_columns=5))
