"""Editions: their order, the revisions between two bundles, the archive and the website folder.

The unit tests compare hand-made bundles. The end-to-end test publishes two editions of the demo
project into site/, as a region would build them a year apart: edition 2012-2020 from exports
without 2021 and with one 2013 amount that the later export corrects, and edition 2012-2021
(the session's demo build) from the shipped exports.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtp_eval.catalog import PUBLISHED_TABLES
from rtp_eval.editions import (
    archive_entries,
    bundle_files,
    bundle_years,
    compare_bundles,
    current_edition_files,
    decimal_text,
    discover_editions,
    edition_file_lists,
    order_editions,
    previous_edition,
    published_number,
    read_bundle_csv,
    remove_other_files,
    render_archive,
    render_revisions_page,
    revisions_csv,
    revisions_frame,
    site_files,
)
from rtp_eval.errors import PublishError
from rtp_eval.pseudonymise import DEMO_KEY
from rtp_eval.publish import bundle_csv
from tests.conftest import REPO, build, in_background, make_project, snakemake
from tests.test_privacy import (
    HEX20,
    raw_identifiers,
    searchable_parts,
    spellings,
    ten_digit_forms,
)

# --- order and discovery -------------------------------------------------------------------


def test_editions_are_ordered_by_their_years_then_name() -> None:
    names = ["2013-2021", "2012-2021-rattad", "utkast", "2012-2021", "2012-2020", "2019"]
    assert order_editions(names) == [
        "utkast",
        "2019",
        "2012-2020",
        "2012-2021",
        "2012-2021-rattad",
        "2013-2021",
    ]
    assert previous_edition(order_editions(names), "2012-2021") == "2012-2020"
    assert previous_edition(order_editions(names), "utkast") is None


def test_discovery_finds_built_editions_and_the_current_one(tmp_path: Path) -> None:
    for name in ("2012-2020", "2012-2019", ".snapshot", "halvfardig"):
        (tmp_path / name).mkdir()
    for name in ("2012-2020", "2012-2019", ".snapshot"):
        (tmp_path / name / "index.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    assert discover_editions(tmp_path, "2012-2021") == ["2012-2019", "2012-2020", "2012-2021"]
    assert discover_editions(tmp_path / "missing", "2012-2021") == ["2012-2021"]


def test_edition_files_come_from_the_rules_for_the_current_edition(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    old = reports / "2012-2020"
    (old / "tabeller").mkdir(parents=True)
    for name in ("index.html", "rapport.pdf", "tabeller/a.csv", "dcat.jsonld", "revisioner.csv"):
        (old / name).write_text("x", encoding="utf-8")
    (old / ".index.html.abc.tmp").write_text("x", encoding="utf-8")
    (old / "notes.txt").write_text("x", encoding="utf-8")
    (reports / "2012-2021" / "tabeller").mkdir(parents=True)
    (reports / "2012-2021" / "tabeller" / "left_over.csv").write_text("x", encoding="utf-8")
    outputs = [
        f"{reports}/2012-2021/index.html",
        f"{reports}/2012-2021/tabeller/b.csv",
        f"{reports}/2012-2021/work.parquet",
        f"{tmp_path}/results/tables/b.csv",
    ]
    current, dropped = current_edition_files(outputs, reports / "2012-2021")
    assert current == [f"{reports}/2012-2021/index.html", f"{reports}/2012-2021/tabeller/b.csv"]
    assert dropped == [f"{reports}/2012-2021/work.parquet"]
    lists = edition_file_lists(["2012-2020", "2012-2021"], "2012-2021", current, reports)
    relative = {e: [str(Path(f).relative_to(reports / e)) for f in fs] for e, fs in lists.items()}
    assert relative == {
        "2012-2020": [
            "dcat.jsonld",
            "index.html",
            "rapport.pdf",
            "revisioner.csv",
            "revisioner.html",
            "tabeller/a.csv",
        ],
        "2012-2021": ["index.html", "revisioner.csv", "revisioner.html", "tabeller/b.csv"],
    }
    assert bundle_files(lists, "2012-2020") == [f"{reports}/2012-2020/tabeller/a.csv"]
    assert bundle_files(lists, None) == []


# --- comparing bundles -----------------------------------------------------------------------

HEADER = [
    "year",
    "support_type",
    "classification",
    "group",
    "decisions",
    "granted",
    "approval_rate",
    "amount_granted_sek",
    "expected_jobs_women",
    "suppressed",
    "period",
    "period_kind",
]


def by_gender(*rows: dict[str, str]) -> pd.DataFrame:
    """A business_support_by_gender bundle table, as text; unnamed cells are empty."""
    return pd.DataFrame([[row.get(c, "") for c in HEADER] for row in rows], columns=HEADER)


def cell(period: str, group: str, **values: str) -> dict[str, str]:
    return {
        "year": period if "-" not in period else "",
        "support_type": "all",
        "classification": "leadership",
        "group": group,
        "period": period,
        "period_kind": "period" if "-" in period else "year",
        "suppressed": "false",
        **values,
    }


def test_a_changed_additive_cell_published_in_both_editions_is_a_revision() -> None:
    previous = by_gender(
        cell("2013", "women", decisions="10", granted="7", amount_granted_sek="500000"),
        cell("2013", "men", decisions="20", granted="15", expected_jobs_women="1,5"),
    )
    new = by_gender(
        cell("2013", "men", decisions="20", granted="14", expected_jobs_women="2"),
        cell("2013", "women", decisions="10", granted="7", amount_granted_sek="480000"),
    )
    revisions = compare_bundles(
        {"business_support_by_gender": previous}, {"business_support_by_gender": new}
    )
    found = {(dict(r.keys)["group"], r.column, r.previous, r.value) for r in revisions}
    assert found == {
        ("men", "granted", Decimal(15), Decimal(14)),
        ("men", "expected_jobs_women", Decimal("1.5"), Decimal(2)),
        ("women", "amount_granted_sek", Decimal(500000), Decimal(480000)),
    }
    keys = dict(revisions[0].keys)
    assert list(keys) == ["period", "support_type", "classification", "group"]


def test_suppressed_new_derived_and_repeated_cells_are_not_revisions() -> None:
    previous = by_gender(
        # suppressed in the new edition
        cell("2013", "women", decisions="10", granted="7", approval_rate="0,7"),
        # suppressed in the previous edition
        cell("2014", "women", decisions="", granted="", suppressed="true"),
        # a derived column alone changes
        cell("2015", "women", decisions="10", approval_rate="0,5"),
    )
    new = by_gender(
        cell("2013", "women", decisions="", granted="", suppressed="true"),
        cell("2014", "women", decisions="12", granted="9"),
        cell("2015", "women", decisions="10", approval_rate="0,6"),
        # a new period: new, not revised
        cell("2012-2021", "women", decisions="99", granted="50"),
    )
    difference = pd.DataFrame(
        {
            "source": ["business_support"],
            "period": ["2013"],
            "classification": ["leadership"],
            "category_type": ["support_type"],
            "category": ["all"],
            "women_decisions": ["10"],
        }
    )
    changed = difference.assign(women_decisions="11")
    revisions = compare_bundles(
        {"business_support_by_gender": previous, "approval_rate_difference": difference},
        {"business_support_by_gender": new, "approval_rate_difference": changed},
    )
    assert revisions == []


def test_a_table_only_one_edition_has_or_without_its_keys_is_not_compared() -> None:
    table = by_gender(cell("2013", "women", decisions="10"))
    changed = by_gender(cell("2013", "women", decisions="11"))
    assert compare_bundles({}, {"business_support_by_gender": changed}) == []
    assert compare_bundles({"not_in_catalogue": table}, {"not_in_catalogue": changed}) == []
    no_keys = changed.drop(columns=["group"])
    assert (
        compare_bundles(
            {"business_support_by_gender": table}, {"business_support_by_gender": no_keys}
        )
        == []
    )
    assert (
        len(
            compare_bundles(
                {"business_support_by_gender": table}, {"business_support_by_gender": changed}
            )
        )
        == 1
    )


def test_revisions_csv_is_in_the_bundle_format_and_neutralised() -> None:
    previous = by_gender(cell("2013", "=HYPERLINK(1)", decisions="10", expected_jobs_women="1,5"))
    new = by_gender(cell("2013", "=HYPERLINK(1)", decisions="12", expected_jobs_women="1,25"))
    revisions = compare_bundles(
        {"business_support_by_gender": previous}, {"business_support_by_gender": new}
    )
    text = revisions_csv(revisions_frame(revisions, "2012-2021", "2012-2020"))
    assert text.startswith("\ufeffedition;previous_edition;table;period;support_type;")
    assert "'=HYPERLINK(1)" in text and ";=HYPERLINK" not in text
    frame = read_bundle_csv(text)
    assert frame[["column", "previous_value", "new_value", "change"]].values.tolist() == [
        ["decisions", "10", "12", "2"],
        ["expected_jobs_women", "1,5", "1,25", "-0,25"],
    ]
    assert set(frame["edition"]) == {"2012-2021"} and set(frame["previous_edition"]) == {
        "2012-2020"
    }
    empty = read_bundle_csv(revisions_csv(revisions_frame([], "2012-2020", None)))
    assert empty.empty and "new_value" in empty.columns


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False)
)
def test_published_numbers_round_trip(value: Decimal) -> None:
    assert published_number(decimal_text(value)) == value


def test_bundle_written_by_the_bundle_writer_compares_equal_to_itself() -> None:
    frame = pd.DataFrame(
        {
            "year": pd.array([2013, None], dtype="Int64"),
            "support_type": ["all", "all"],
            "classification": ["leadership", "leadership"],
            "group": ["women", "women"],
            "decisions": pd.array([10, 30], dtype="Int64"),
            "expected_jobs_women": pd.array([1.5, None], dtype="Float64"),
            "period": ["2013", "2012-2015"],
        }
    )
    tables = {"business_support_by_gender": read_bundle_csv(bundle_csv(frame))}
    assert compare_bundles(tables, tables) == []
    assert bundle_years(tables) == [2013]


# --- pages and the website folder --------------------------------------------------------------


def test_archive_entries_say_what_is_new_newest_first() -> None:
    files = {
        "2012-2020": ["index.html", "rapport.pdf", "tabeller.xlsx", "revisioner.html"],
        "2012-2021": ["index.html", "rapport.pdf", "revisioner.html"],
    }
    entries = archive_entries(
        ["2012-2020", "2012-2021"],
        files,
        {"2012-2020": [2012, 2020], "2012-2021": [2012, 2020, 2021]},
        {"2012-2020": 0, "2012-2021": 4},
    )
    assert [e.name for e in entries] == ["2012-2021", "2012-2020"]
    newest, first = entries
    assert newest.new_years == (2021,) and newest.revisions == 4
    assert newest.previous == "2012-2020" and first.previous is None
    assert newest.workbook is None and first.workbook == "2012-2020/tabeller.xlsx"
    assert newest.year_span == "2012\u20132021"
    html = render_archive(entries=entries, title="Titel", region="Region", demo=True)
    assert '<html lang="sv">' in html and "Fiktiva data" in html
    assert "<caption" in html and '<th scope="row">2012-2021 (senaste)</th>' in html
    assert '<a href="2012-2021/revisioner.html">4 reviderade uppgifter</a>' in html
    assert "Nya beslutsår: 2021." in html and "Första utgåvan i arkivet." in html
    assert html == render_archive(entries=entries, title="Titel", region="Region", demo=True)
    assert "Fiktiva data" not in render_archive(
        entries=entries, title="Titel", region="Region", demo=False
    )


def test_revisions_page_shows_old_and_new_values() -> None:
    previous = by_gender(cell("2013", "women", amount_granted_sek="1500000"))
    new = by_gender(cell("2013", "women", amount_granted_sek="1499000"))
    revisions = compare_bundles(
        {"business_support_by_gender": previous}, {"business_support_by_gender": new}
    )
    html = render_revisions_page(
        edition="2012-2021",
        previous="2012-2020",
        revisions=revisions,
        title="Titel",
        region="Region",
        demo=False,
    )
    assert '<html lang="sv">' in html and "<caption" in html
    row = re.search(r"<tr><th scope=\"row\">.*?</tr>", html).group()
    assert (
        "1\u00a0500\u00a0000" in row and "1\u00a0499\u00a0000" in row and "\u22121\u00a0000" in row
    )
    assert "Period: 2013" in row and "Beviljat belopp (kr)" in row
    first = render_revisions_page(
        edition="2012-2020", previous=None, revisions=[], title="T", region="R", demo=True
    )
    assert "första utgåvan" in first and "Fiktiva data" in first and "<table" not in first


def test_site_takes_only_website_files_below_the_reports_folder(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    site = tmp_path / "site"
    good = [reports / "index.html", reports / "2012-2021" / "tabeller" / "a.csv"]
    assert site_files(good, reports, site) == {
        good[0]: site / "index.html",
        good[1]: site / "2012-2021" / "tabeller" / "a.csv",
    }
    for bad in (
        tmp_path / "results" / "tables" / "a.csv",
        reports / "2012-2021" / "quarantine" / "a.csv",
        reports / "2012-2021" / ".a.csv.x.tmp",
        reports / "2012-2021" / "clean.parquet",
    ):
        with pytest.raises(PublishError):
            site_files([bad], reports, site)
    (site / "old" / "tabeller").mkdir(parents=True)
    (site / "old" / "tabeller" / "x.csv").write_text("x", encoding="utf-8")
    (site / "index.html").write_text("x", encoding="utf-8")
    assert remove_other_files(site, {site / "index.html"}) == [site / "old" / "tabeller" / "x.csv"]
    assert [p.name for p in site.rglob("*")] == ["index.html"]


# --- end to end: two editions a year apart, then publish --------------------------------------

FIRST, SECOND = "2012-2020", "2012-2021"
CORRECTION_SEK = 1000
CORE_FILES = {
    "index.html",
    "rapport.pdf",
    "tabeller.xlsx",
    "revisioner.html",
    "revisioner.csv",
    *(f"tabeller/{name}.csv" for name in PUBLISHED_TABLES),
}


def set_edition(workdir: Path, edition: str) -> None:
    config = workdir / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        re.sub(r'(?m)^  edition: ".*"$', f'  edition: "{edition}"', text), encoding="utf-8"
    )


def plant_uncorrected_amount(raw: Path) -> None:
    """Raise one granted amount of 2013: the earlier export's error, which the shipped export
    corrects (a late correction in the case system)."""
    path = raw / "business_support" / "2013.csv"
    # Bytes, not text mode: the export's CRLF line ends stay as they are.
    lines = path.read_bytes().decode("cp1252").split("\r\n")
    header = [h.strip().lower() for h in lines[0].split(";")]
    decision, granted = header.index("beslut"), header.index("beviljat belopp")
    applied = header.index("sökt belopp")
    for number, line in enumerate(lines[1:], start=1):
        fields = line.split(";")
        if '"' in line or len(fields) != len(header) or fields[decision] != "Beviljat":
            continue
        amount, asked = (fields[i].replace(" ", "") for i in (granted, applied))
        # Still a valid row: no more granted than applied for.
        if amount.isdigit() and asked.isdigit() and int(amount) + CORRECTION_SEK <= int(asked):
            fields[granted] = str(int(amount) + CORRECTION_SEK)
            lines[number] = ";".join(fields)
            path.write_bytes("\r\n".join(lines).encode("cp1252"))
            return
    raise AssertionError("no plain granted amount in 2013.csv to correct")


@in_background
def earlier_edition(folder: Path) -> Path:
    """The demo project as built a year earlier: edition 2012-2020, from exports without 2021 and
    with one amount since corrected."""
    earlier = make_project(folder, REPO / "data" / "raw")
    for path in sorted((earlier / "data" / "raw").glob("*/2021.*")):
        path.unlink()
    plant_uncorrected_amount(earlier / "data" / "raw")
    set_edition(earlier, FIRST)
    return build(earlier)


PUBLISHING_RULES = {"edition_revisions", "edition_archive", "publish"}


@pytest.fixture(scope="module")
def published_site(
    tmp_path_factory: pytest.TempPathFactory, demo_build: Path, earlier_edition: Path
) -> Path:
    """The demo's 2012-2021 edition (the session's demo build) published beside the 2012-2020
    edition built a year earlier."""
    # Copied with their times and Snakemake's records: the current edition stays up to date.
    workdir = shutil.copytree(
        demo_build, tmp_path_factory.mktemp("editions") / "current", symlinks=True
    )
    shutil.copytree(earlier_edition / "reports" / FIRST, workdir / "reports" / FIRST)
    result = snakemake(workdir, "--cores", "2", "publish")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # An earlier edition beside it reruns only the rules that read editions, not the report.
    ran = set(re.findall(r"(?m)^(?:local)?rule (\w+):", output))
    assert ran == PUBLISHING_RULES, ran
    return workdir


def site_relative_files(workdir: Path) -> set[str]:
    return {p.relative_to(workdir / "site").as_posix() for p in (workdir / "site").rglob("*")}


@pytest.mark.slow
@pytest.mark.e2e
def test_archive_lists_both_editions(published_site: Path) -> None:
    html = (published_site / "site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in html and "Fiktiva data" in html
    rows = re.findall(r'<th scope="row">([^<]+)</th>', html)
    assert rows == [f"{SECOND} (senaste)", FIRST]
    assert "Nya beslutsår: 2021." in html and "Första utgåvan i arkivet." in html
    for link in re.findall(r'href="([^"#]+)', html):
        assert (published_site / "site" / link).is_file(), link


@pytest.mark.slow
@pytest.mark.e2e
def test_the_late_correction_is_listed_with_old_and_new_value(published_site: Path) -> None:
    site = published_site / "site"
    revisions = read_bundle_csv((site / SECOND / "revisioner.csv").read_text(encoding="utf-8"))
    assert len(revisions) > 0
    # The correction is all that changed in the published cells of earlier years.
    assert set(revisions["column"]) == {"amount_granted_sek"}
    assert set(revisions["change"]) == {str(-CORRECTION_SEK)}
    assert set(revisions["period"]) <= {"2013", "2012-2015", "2012-2018"}
    year_total = revisions[
        (revisions["table"] == "business_support_by_gender")
        & (revisions["period"] == "2013")
        & (revisions["support_type"] == "all")
        & (revisions["classification"] == "leadership")
        & (revisions["group"] == "all")
    ]
    assert len(year_total) == 1
    old, new = (int(year_total[c].iloc[0]) for c in ("previous_value", "new_value"))
    assert old - new == CORRECTION_SEK
    published = {
        edition: read_bundle_csv(
            (site / edition / "tabeller" / "business_support_by_gender.csv").read_text("utf-8")
        )
        for edition in (FIRST, SECOND)
    }
    for edition, value in ((FIRST, old), (SECOND, new)):
        table = published[edition]
        row = table[
            (table["period"] == "2013")
            & (table["support_type"] == "all")
            & (table["classification"] == "leadership")
            & (table["group"] == "all")
        ]
        assert row["amount_granted_sek"].tolist() == [str(value)]
    page = (site / SECOND / "revisioner.html").read_text(encoding="utf-8")
    assert f"{old:,}".replace(",", "\u00a0") in page and f"{new:,}".replace(",", "\u00a0") in page
    first = read_bundle_csv((site / FIRST / "revisioner.csv").read_text(encoding="utf-8"))
    assert first.empty


@pytest.mark.slow
@pytest.mark.e2e
def test_site_holds_exactly_the_website_files(published_site: Path) -> None:
    files = site_relative_files(published_site)
    folders = {f for f in files if (published_site / "site" / f).is_dir()}
    files -= folders
    reports = published_site / "reports"
    mirrored = {
        p.relative_to(reports).as_posix()
        for edition in (FIRST, SECOND)
        for p in (reports / edition).rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert files == {"index.html", *mirrored}
    for edition in (FIRST, SECOND):
        assert {f"{edition}/{name}" for name in CORE_FILES} <= files
    for name in files:
        assert (published_site / "site" / name).read_bytes() == (reports / name).read_bytes()
    assert not any(
        part in {"results", "logs", "data", "quarantine"} for f in files for part in f.split("/")
    )
    again = snakemake(published_site, "--dry-run", "--cores", "1", "publish")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Nothing to be done" in again.stdout + again.stderr


@pytest.mark.slow
@pytest.mark.e2e
def test_privacy_scan_passes_over_the_site(published_site: Path) -> None:
    identifiers = raw_identifiers(published_site)
    assert len(identifiers) > 100
    needles = {form for identifier in identifiers for form in spellings(identifier)}
    ten_digits = {n for n in needles if re.fullmatch(r"\d{10}", n)}
    pseudonyms: set[str] = set()
    clean = published_site / "results" / "clean"
    for path in [
        *clean.glob("business_support/*.parquet"),
        *clean.glob("project_support/*.parquet"),
    ]:
        pseudonyms |= set(pd.read_parquet(path, columns=["org_pseudonym"])["org_pseudonym"])
    assert len(pseudonyms) > 100
    found = []
    scanned = 0
    for path in sorted((published_site / "site").rglob("*")):
        if not path.is_file():
            continue
        for name, content in searchable_parts(path):
            scanned += 1
            found += [f"{n} in {name}" for n in sorted(ten_digit_forms(content) & ten_digits)]
            for text in (content, content.replace(b"\x00", b"")):
                tokens = {m.decode() for m in HEX20.findall(text)}
                found += [f"pseudonym {t} in {name}" for t in sorted(tokens & pseudonyms)]
                if DEMO_KEY.encode() in text or DEMO_KEY.encode().hex().encode() in text:
                    found.append(f"the pseudonymisation key in {name}")
    assert scanned > 50
    assert not found, found[:10]
