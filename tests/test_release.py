"""Release of the rendered report: only after a passed audit, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtp_eval.errors import PublishError
from rtp_eval.io import write_bytes
from rtp_eval.release import audit_failures, release

HEADER = "table,rule,rows,suppressed_rows,suppressed_counts,min_count_width,failures\n"


def summary(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "disclosure_audit.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def rendered(tmp_path: Path) -> dict[Path, Path]:
    html, pdf = tmp_path / "work" / "index.html", tmp_path / "work" / "rapport.pdf"
    html.parent.mkdir()
    html.write_bytes("<p>Rapport ±15\u00a0%</p>\r\n".encode())
    pdf.write_bytes(b"%PDF-1.7\n\x00\xff binary")
    return {html: tmp_path / "edition" / "index.html", pdf: tmp_path / "edition" / "rapport.pdf"}


def test_a_passed_audit_releases_the_files_byte_for_byte(tmp_path: Path) -> None:
    files = rendered(tmp_path)
    audit = summary(
        tmp_path,
        "business_support_by_gender,all,699,503,336,3,0",
        "business_support_by_gender,threshold,,109,109,3,0",
        "project_support_by_gender,all,120,10,8,3,0",
    )
    release(files, audit, write_bytes)
    for source, target in files.items():
        assert target.read_bytes() == source.read_bytes()


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (["a,all,10,1,1,1,1", "b,all,10,0,0,,0"], "1 failure(s)"),
        (["a,all,10,1,1,1,0", "b,all,10,2,2,2,2"], "2 failure(s)"),
    ],
)
def test_a_failed_audit_releases_nothing(tmp_path: Path, rows: list[str], words: str) -> None:
    files = rendered(tmp_path)
    with pytest.raises(PublishError, match="not released") as error:
        release(files, summary(tmp_path, *rows), write_bytes)
    assert words in str(error.value)
    assert not any(target.exists() for target in files.values())


def test_failures_are_counted_on_the_all_rows_only(tmp_path: Path) -> None:
    # The rule rows repeat the failures of their table's `all` row.
    audit = summary(tmp_path, "a,all,10,1,1,1,2", "a,threshold,,1,1,1,2", "a,secondary,,1,1,1,0")
    assert audit_failures(audit) == 2


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "cannot be read"),
        (b"\xff\xfe not text", "cannot be read"),
        (HEADER.encode(), "no 'all' rows"),
        ((HEADER + "a,threshold,,1,1,1,0\n").encode(), "no 'all' rows"),
        ((HEADER + "a,all,10,1,1,1,\n").encode(), "no failure count"),
        (b"table,rule\na,all\n", "no failure count"),
    ],
)
def test_an_unreadable_summary_releases_nothing(
    tmp_path: Path, content: bytes | None, words: str
) -> None:
    files = rendered(tmp_path)
    audit = tmp_path / "disclosure_audit.csv"
    if content is not None:
        audit.write_bytes(content)
    with pytest.raises(PublishError, match=words):
        release(files, audit, write_bytes)
    assert not any(target.exists() for target in files.values())
