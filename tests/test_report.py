"""The published report: numbers traceable to the tables, structure, PDF tags, determinism."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import REPO, in_background, snakemake

pytestmark = pytest.mark.e2e
EDITION = "2012-2021"


class _Cells(HTMLParser):
    """Collects every table cell with its attributes and text, and the heading levels."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[dict[str, str], str]] = []
        self.headings: list[int] = []
        self._open: dict[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td":
            self._open = {k: v or "" for k, v in attrs}
            self._text = []
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._open is not None:
            self.cells.append((self._open, "".join(self._text)))
            self._open = None


def _parse(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    return parser


def _shown_number(text: str) -> tuple[float, int, bool]:
    """The number printed in Swedish format, its decimals, and whether it is a percentage."""
    compact = text.replace("\u00a0", "").replace(" ", "").replace("kr", "").replace("−", "-")
    percent = compact.endswith("%")
    compact = compact.rstrip("%").replace("<", "")
    whole, _, decimals = compact.partition(",")
    return float(f"{whole}.{decimals}" if decimals else whole), len(decimals), percent


def _matches(shown: str, value: float, column: str) -> bool:
    number, decimals, percent = _shown_number(shown)
    if shown.startswith("<"):
        return value < number
    scale = 100 if percent or column.startswith("approval_rate_difference") else 1
    return abs(round(value * scale, decimals) - number) <= 10 ** (-decimals) / 2 + 1e-9


def _check_numbers(build: Path) -> int:
    html = (build / "reports" / EDITION / "index.html").read_text(encoding="utf-8")
    tables: dict[str, pd.DataFrame] = {}
    checked = 0
    for attrs, text in _parse(html).cells:
        if "data-table" not in attrs:
            continue
        name = attrs["data-table"]
        if name not in tables:
            tables[name] = pd.read_csv(
                build / "results" / "tables" / f"{name}.csv", dtype=str, keep_default_na=False
            )
        table = tables[name]
        selected = table
        for part in attrs["data-key"].split(";"):
            key, _, value = part.partition("=")
            selected = selected[selected[key] == value]
        assert len(selected) == 1, f"{name} {attrs['data-key']}: {len(selected)} rows"
        stored = selected.iloc[0][attrs["data-column"]]
        if text == "..":
            assert stored == "", f"{name} {attrs['data-key']} {attrs['data-column']}"
        else:
            assert _matches(text, float(stored), attrs["data-column"]), (
                f"{name} {attrs['data-key']} {attrs['data-column']}: shown {text!r}, "
                f"table {stored!r}"
            )
        checked += 1
    return checked


def test_every_number_in_the_demo_report_comes_from_the_tables(demo_build: Path) -> None:
    assert _check_numbers(demo_build) > 300


def test_every_number_in_the_fixture_report_comes_from_the_tables(fixture_build: Path) -> None:
    assert _check_numbers(fixture_build) > 50


def test_number_cells_all_name_their_source(demo_build: Path) -> None:
    html = (demo_build / "reports" / EDITION / "index.html").read_text(encoding="utf-8")
    unsourced = [
        text
        for attrs, text in _parse(html).cells
        if "num" in attrs.get("class", "") and "data-table" not in attrs
    ]
    # Only the figure data tables (checked below) and the quality totals have no source cell.
    assert len(unsourced) < 0.5 * len(_parse(html).cells)


def test_figure_data_tables_match_the_figure_files(demo_build: Path) -> None:
    html = (demo_build / "reports" / EDITION / "index.html").read_text(encoding="utf-8")
    for csv in sorted((demo_build / "results" / "figures").glob("*.csv")):
        data = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for value in data.iloc[:, -1]:
            assert value.replace("\u00a0", "&nbsp;") in html or value in html


def test_structure_headings_and_demo_banner(demo_build: Path) -> None:
    html = (demo_build / "reports" / EDITION / "index.html").read_text(encoding="utf-8")
    levels = _parse(html).headings
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert '<html lang="sv">' in html
    assert "Fiktiva data" in html
    assert 'class="skip-link"' in html
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html
    for section in ("Sammanfattning", "R1 Representation", "R2 Resurser", "Datakvalitet"):
        assert f">{section}</h2>" in html


def test_generated_sentences_state_the_key_numbers(demo_build: Path) -> None:
    html = (demo_build / "reports" / EDITION / "index.html").read_text(encoding="utf-8")
    assert re.search(
        r"Under 2016-2018 stod kvinnoledda företag för \d+\u00a0% av de beviljade ärendena "
        r"men fick \d+\u00a0% av det beviljade beloppet",
        html,
    )


def _pdf_pages_text(pdf: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed; install.sh installs it")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_pdf_says_fictitious_on_every_page(demo_build: Path) -> None:
    pages = _pdf_pages_text(demo_build / "reports" / EDITION / "rapport.pdf")
    assert len(pages) > 5
    for number, page in enumerate(pages, start=1):
        assert "FIKTIVA DATA" in page or "Fiktiva data" in page, f"page {number}"
        assert f"Sida {number} av {len(pages)}" in page


def _page_margins_pt() -> tuple[float, float]:
    """The left and right page margins of the print style sheet, in points."""
    css = (REPO / "src" / "rtp_eval" / "templates" / "report.css").read_text(encoding="utf-8")
    page = re.search(r"@page \{[^@]*?margin: ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm", css)
    assert page, "no @page margin in report.css"
    _, right, _, left = (float(v) * 72 / 25.4 for v in page.groups())
    return left, right


def test_pdf_text_stays_inside_the_page_margins(demo_build: Path) -> None:
    """From the reader's side: where every word of the PDF is printed (pdftotext -bbox)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed; install.sh installs it")
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(demo_build / "reports" / EDITION / "rapport.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    left, right = _page_margins_pt()
    pages = re.findall(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', boxes, re.S)
    assert len(pages) > 5
    outside = []
    for number, (width, body) in enumerate(pages, start=1):
        words = re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.*?)</word>', body
        )
        assert words, f"page {number} has no text"
        for x_min, x_max, word in words:
            if float(x_min) < left - 0.5 or float(x_max) > float(width) - right + 0.5:
                outside.append(
                    f"page {number}: {word!r} at {float(x_min):.0f}–{float(x_max):.0f} pt"
                )
    assert not outside, f"{len(outside)} words outside the margins: {outside[:10]}"


def test_pdf_is_tagged_with_language_title_and_figure_alternatives(demo_build: Path) -> None:
    import pikepdf

    with pikepdf.open(demo_build / "reports" / EDITION / "rapport.pdf") as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked)
        assert str(root.Lang) == "sv"
        assert bool(root.ViewerPreferences.DisplayDocTitle)
        assert "Jämställd regional tillväxt" in str(pdf.docinfo["/Title"])
        figures = []

        def walk(node: object) -> None:
            if isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)
            elif isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == pikepdf.Name("/Figure"):
                    figures.append(node)
                if node.get("/K") is not None:
                    walk(node.K)

        walk(root.StructTreeRoot)
        # The gender figures and the intersectional figures.
        assert len(figures) == 5 + 2
        assert all(len(str(figure.get("/Alt", ""))) > 40 for figure in figures)


@in_background
def rebuilt_report(folder: Path, demo_build: Path) -> dict[str, tuple[bytes, bytes]]:
    """The demo report's files before and after its figures and report are built again in a
    copy of the demo build."""
    copy = folder / "copy"
    shutil.copytree(demo_build, copy, symlinks=True)
    files = [copy / "reports" / EDITION / name for name in ("index.html", "rapport.pdf")]
    before = [path.read_bytes() for path in files]
    result = snakemake(copy, "--cores", "1", "--forcerun", "gender_figures", "render_report")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "rule render_report:" in output, "the report was not built again"
    return {path.name: (old, path.read_bytes()) for path, old in zip(files, before, strict=True)}


def test_rebuilding_the_report_gives_identical_bytes(
    rebuilt_report: dict[str, tuple[bytes, bytes]],
) -> None:
    assert set(rebuilt_report) == {"index.html", "rapport.pdf"}
    for name, (before, after) in rebuilt_report.items():
        assert after == before, name


def test_the_released_report_is_the_rendered_one_and_states_the_audit(
    demo_build: Path, default_config: dict
) -> None:
    for name in ("index.html", "rapport.pdf"):
        rendered = demo_build / "results" / "work" / "report" / EDITION / name
        assert (demo_build / "reports" / EDITION / name).read_bytes() == rendered.read_bytes()
    audit = pd.read_csv(demo_build / "results" / "tables" / "disclosure_audit.csv")
    assert audit.loc[audit["rule"] == "all", "failures"].sum() == 0
    html = (demo_build / "reports" / EDITION / "index.html").read_text(encoding="utf-8")
    disclosure = default_config["disclosure"]
    assert (
        f"inget dolt antal kan ringas in snävare än ett intervall på {disclosure['min_units']} "
        f"beslut och inget dolt belopp närmare än ±{disclosure['amount_margin_pct']:g}\u00a0%; "
        "granskningen godkände denna utgåva"
    ) in html


@in_background
def failed_audit_run(folder: Path, fixture_build: Path) -> tuple[Path, str, int]:
    """A copy of the fixture build whose audit summary is changed to count one failure, then
    built again: the release must refuse the report."""
    copy = folder / "copy"
    shutil.copytree(fixture_build, copy, symlinks=True)
    audit = copy / "results" / "tables" / "disclosure_audit.csv"
    lines = audit.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    failures = header.index("failures")
    first_all = next(i for i, line in enumerate(lines) if line.split(",")[1] == "all")
    fields = lines[first_all].split(",")
    fields[failures] = "1"
    lines[first_all] = ",".join(fields)
    audit.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = snakemake(copy, "--cores", "1")
    return copy, result.stdout + result.stderr, result.returncode


def test_a_failed_audit_keeps_the_report_from_the_edition_folder(
    failed_audit_run: tuple[Path, str, int],
) -> None:
    copy, output, returncode = failed_audit_run
    assert returncode != 0
    assert "the report is not released" in output
    assert not (copy / "reports" / EDITION / "index.html").exists()
    assert not (copy / "reports" / EDITION / "rapport.pdf").exists()
    # Rendered, but only in the work folder.
    assert (copy / "results" / "work" / "report" / EDITION / "index.html").exists()


def test_untrusted_text_is_inert_in_html_csv_and_xlsx(fixture_build: Path) -> None:
    from openpyxl import load_workbook

    report = fixture_build / "reports" / EDITION
    html = (report / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    # The bundle's CSV files are for Swedish Excel: `;`, decimal comma, UTF-8 with BOM.
    frame = pd.read_csv(
        report / "tabeller" / "business_support_by_gender_and_programme_area.csv",
        sep=";",
        encoding="utf-8-sig",
    )
    # Programme areas are the configured codes only: no export text becomes a label.
    assert set(frame["programme_area"]) <= {"innovation", "all", "unknown"}
    # The fixture's formula lies in a column that is not read (Handläggare): it reaches no
    # published file, CSV or workbook.
    for path in (report / "tabeller").glob("*.csv"):
        assert "HYPERLINK" not in path.read_text(encoding="utf-8"), path.name
    workbook = load_workbook(report / "tabeller.xlsx")
    assert not [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]


def test_bundle_has_every_published_table_and_marks_suppressed_cells(fixture_build: Path) -> None:
    from openpyxl import load_workbook

    report = fixture_build / "reports" / EDITION
    published = sorted(p.name for p in (fixture_build / "results" / "tables").glob("*.csv"))
    assert sorted(p.name for p in (report / "tabeller").glob("*.csv")) == published
    workbook = load_workbook(report / "tabeller.xlsx")
    assert len(workbook.sheetnames) == len(published) + 1
    sheet = workbook["T03"]
    headers = [cell.value for cell in sheet[2]]
    assert "Beslutade ärenden" in headers and "decisions" not in headers
    assert any(cell.value == ".." for row in sheet.iter_rows(min_row=3) for cell in row)
    # Quarantine files (raw rows) never reach the bundle: no bundle table has raw columns.
    for path in (report / "tabeller").glob("*.csv"):
        assert "raw: " not in path.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("# A\n\n## B\n", ["h3", "h4"]),
        ("### A\n\ntext\n\n#### B\n", ["h3", "h4"]),
        ("text only\n", []),
    ],
)
def test_analyst_text_headings_fit_under_the_section(markdown: str, expected: list[str]) -> None:
    from rtp_eval.report import analyst_text

    assert re.findall(r"<(h\d)>", analyst_text(markdown)) == expected


def test_analyst_text_escapes_html_and_drops_comments() -> None:
    from rtp_eval.report import analyst_text

    html = analyst_text("<!-- note -->\n<script>alert(1)</script>\n\n**fet**")
    assert "<script>" not in html and "note" not in html
    assert "<strong>fet</strong>" in html


def test_every_published_table_is_in_the_catalogue_with_its_columns(demo_build: Path) -> None:
    from rtp_eval import catalog

    files = sorted((demo_build / "results" / "tables").glob("*.csv"))
    assert {p.stem for p in files} == set(catalog.TABLES)
    bundle = sorted((demo_build / "reports" / "2012-2021" / "tabeller").glob("*.csv"))
    assert {p.stem for p in bundle} == set(catalog.TABLES)
    assert "business_support_by_gender_and_company_size" in {p.stem for p in files}
    for path in files:
        table = catalog.table(path.stem)
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert tuple(header) == table.columns, path.name
        assert all(catalog.swedish_header(c) != c for c in header), path.name


def test_figure_data_tables_align_words_left_and_figures_right() -> None:
    from rtp_eval.report import figure_table

    data = pd.DataFrame(
        {
            "år": ["2014", "2015"],
            "grupp": ["Mansägda företag", "Okänd ägarfördelning"],
            "andel": ["63 %", ".."],
            "belopp": ["1 200 kr", "3,5"],
        }
    )
    assert figure_table("x", "Titel", data).text_columns == frozenset({1})


def _model_summary(p_value: float, boundary: bool, pcv: float | None) -> pd.DataFrame:
    def row(outcome: str, model: str, **values: object) -> dict[str, object]:
        return {
            "period": "2012-2018",
            "outcome": outcome,
            "model": model,
            "status": "fitted",
            "reason_sv": "",
            "vpc": 0.0 if boundary else 0.04,
            "vpc_ci_low": 0.0,
            "vpc_ci_high": 0.05,
            "lr_p_value": p_value,
            "boundary": boundary,
            "auc": 0.6,
            "pcv": pcv,
            "pcv_note_sv": "" if pcv is not None else "kan inte skattas: skälet",
            **values,
        }

    return pd.DataFrame(
        [row("approval", "null", pcv=None, pcv_note_sv=""), row("approval", "main_effects")]
    )


def test_model_sentences_say_no_more_than_the_test() -> None:
    from rtp_eval.sections.intersectional import intersectional_sentences

    weak = " ".join(intersectional_sentences(_model_summary(0.4, True, None), 0))
    assert "Ingen säker skillnad mellan strata" in weak
    assert "på gränsen" in weak and "p = 0,400" in weak
    assert "(PCV) kan inte skattas: skälet." in weak
    assert "Skillnader mellan strata står för" not in weak
    strong = " ".join(intersectional_sentences(_model_summary(0.001, False, 0.5), 1))
    assert "Ingen säker skillnad" not in strong
    strong = strong.replace("\u00a0", " ")
    assert "Skillnader mellan strata står för 4,0 %" in strong and "p = 0,001" in strong
    assert "förklarar 50,0 % av skillnaderna" in strong
