"""The website edition's filters in headless Chromium, driven by Playwright, checked from the
reader's side: what the page shows after a choice is compared with the published CSV files,
recomputed here from the CSVs and not from the page's embedded data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from rtp_eval import formatting, vocabulary
from rtp_eval.sections.intersectional import stratum_label_sv
from tests.test_report import _matches
from tests.test_report_accessibility import AXE, CHROMIUM, CHROMIUM_ARGS, WCAG_TAGS

pytestmark = pytest.mark.e2e
EDITION = "2012-2021"
PAGE_LIMIT_BYTES = 1_500_000
# A number as the report prints it: `1 394 300 kr`, `24 %`, `0,85` (non-breaking spaces).
NUMBER = re.compile("\\d(?:[\\d,]|\u00a0(?=\\d))*(?:\u00a0%|\u00a0kr)?")

# Every visible number cell of a table: its source attributes (if any) and its text.
READ_TABLE = """id => Array.from(document.getElementById(id).tBodies[0].rows)
  .filter(row => !row.hidden)
  .flatMap(row => Array.from(row.cells).slice(1).map(cell => [
    cell.getAttribute('data-table'), cell.getAttribute('data-key'),
    cell.getAttribute('data-column'), cell.textContent]))"""
READ_FIGURE_TABLE = """name => {
  const table = document.querySelector('#figur-' + name + ' details table');
  return {
    columns: Array.from(table.tHead.rows[0].cells).map(c => c.textContent),
    rows: Array.from(table.tBodies[0].rows).map(r => Array.from(r.cells).map(c => c.textContent)),
    caption: document.querySelector('#figur-' + name + ' figcaption').textContent,
    marks: Array.from(document.querySelectorAll('#figur-' + name + ' .explore-mark'))
      .map(m => m.getAttribute('aria-label')),
  };
}"""


def _page_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="utforska-data">(.*?)</script>', html)
    assert found, "the page embeds no explorer data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.fixture(scope="module")
def report(demo_build: Path) -> Path:
    return demo_build / "reports" / EDITION / "index.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed: run `bash install.sh --with-browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _open(browser: Any, report: Path, *, scripts: bool = True, width: int = 1280) -> Any:
    context = browser.new_context(
        java_script_enabled=scripts, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    # Everything is local: a control that is not there fails fast instead of waiting.
    page.set_default_timeout(5_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("file:")
            else (problems.append(f"request {route.request.url}"), route.abort())
        ),
    )
    page.goto(report.as_uri())
    page.problems = problems
    return page


class _Tables:
    """The published CSV files of the build, read as a reader would (text, empty = hidden)."""

    def __init__(self, build: Path) -> None:
        self.folder = build / "results" / "tables"
        self.frames: dict[str, pd.DataFrame] = {}
        self.indexes: dict[tuple[str, tuple[str, ...]], dict[tuple[str, ...], list[dict]]] = {}

    def frame(self, name: str) -> pd.DataFrame:
        if name not in self.frames:
            self.frames[name] = pd.read_csv(
                self.folder / f"{name}.csv", dtype=str, keep_default_na=False
            )
        return self.frames[name]

    def cell(self, name: str, key: str, column: str) -> str:
        pairs = [part.partition("=") for part in key.split(";")]
        fields = tuple(field for field, _, _ in pairs)
        if (name, fields) not in self.indexes:
            index: dict[tuple[str, ...], list[dict]] = {}
            for record in self.frame(name).to_dict("records"):
                index.setdefault(tuple(record[f] for f in fields), []).append(record)
            self.indexes[(name, fields)] = index
        selected = self.indexes[(name, fields)].get(tuple(v for _, _, v in pairs), [])
        assert len(selected) == 1, f"{name} {key}: {len(selected)} rows in the CSV"
        return str(selected[0][column])

    def check(self, cells: list[list[str | None]], where: str) -> int:
        """Every number shown with a source equals its CSV cell; one without is `..`."""
        checked = 0
        for name, key, column, text in cells:
            assert text is not None
            if name is None:
                assert text in ("..", ""), f"{where}: {text!r} shown without a source"
                continue
            assert key is not None and column is not None
            stored = self.cell(name, key, column)
            if text == "..":
                assert stored == "", f"{where}: {name} {key} {column} hidden, CSV has {stored}"
            else:
                assert stored != "", f"{where}: {name} {key} {column} shown, hidden in CSV"
                assert _matches(text, float(stored), column), (
                    f"{where}: {name} {key} {column}: shown {text!r}, CSV {stored!r}"
                )
            checked += 1
        return checked


def _choose(page: Any, table_id: str, filter_index: int, value: str) -> None:
    page.locator(f".explore:has(+ .table-wrap #{table_id}) select").nth(filter_index).select_option(
        value
    )


def test_every_table_filter_shows_the_published_cells(
    browser: Any, report: Path, demo_build: Path
) -> None:
    data = _page_data(report.read_text(encoding="utf-8"))
    tables = _Tables(demo_build)
    page = _open(browser, report)
    assert len(data["tables"]) >= 12
    total = 0
    for table_id, spec in data["tables"].items():
        printed = page.evaluate(READ_TABLE, table_id)
        status = page.locator(f".explore:has(+ .table-wrap #{table_id}) .explore-status")
        assert tables.check(printed, f"{table_id} as printed") > 0
        for index, table_filter in enumerate(spec["filters"]):
            options = table_filter["options"]
            if table_filter["mode"] == "rows":
                # Showing some rows is the same code for each row: all, two rows, the last.
                options = [*options[:2], options[-1]]
            for value, label in options:
                _choose(page, table_id, index, value)
                where = f"{table_id} {table_filter['column']}={value}"
                cells = page.evaluate(READ_TABLE, table_id)
                total += tables.check(cells, where)
                if value != table_filter["default"]:
                    assert f"{table_filter['label']}: {label}" in status.text_content(), (
                        where,
                        status.text_content(),
                    )
                if table_filter["mode"] == "rows" and value != "*":
                    assert 0 < len(cells) < len(printed), where
            _choose(page, table_id, index, table_filter["default"])
        # Every filter at its last option at once, then back: the printed table again.
        for index, table_filter in enumerate(spec["filters"]):
            _choose(page, table_id, index, table_filter["options"][-1][0])
        tables.check(page.evaluate(READ_TABLE, table_id), f"{table_id} all filters")
        for index, table_filter in enumerate(spec["filters"]):
            _choose(page, table_id, index, table_filter["default"])
        assert page.evaluate(READ_TABLE, table_id) == printed, table_id
    assert total > 3000
    assert page.problems == []


def _share(value: str) -> str:
    return formatting.percent(float(value), 0) if value else ".."


def _expected_gender_table(
    name: str, business: pd.DataFrame, choice: dict[str, str]
) -> list[list[str]]:
    """A gender figure's data table for a choice, recomputed from the published CSV."""
    support_type = choice.get("support_type", "all")
    classification = choice.get("classification", name.rsplit("_", 1)[-1])
    rows = business[business["support_type"] == support_type]
    if name == "expected_jobs":
        years = rows[(rows["period_kind"] == "year") & (rows["classification"] == "leadership")]
        years = years[years["group"] == "all"].sort_values("year")
        return [
            [str(int(float(r["year"]))), *(formatting.number(_float(r[c]), 1) for c in cols)]
            for r in years.to_dict("records")
            for cols in [("expected_jobs_women", "expected_jobs_men")]
        ]
    labels = vocabulary.group_labels(classification)
    rows = rows[(rows["classification"] == classification) & (rows["group"] != "all")]
    kind = "period" if name.startswith("grant_size") else "year"
    rows = rows[rows["period_kind"] == kind]
    order = [g for g in ("women", "men", "mixed", "unknown") if g in set(rows["group"])]
    if name.startswith("approval_rate"):
        order = [g for g in order if g != "unknown"]
    periods = sorted(rows["period"].unique())
    out = []
    for group in order:
        for period in periods:
            found = rows[(rows["group"] == group) & (rows["period"] == period)]
            record = found.iloc[0].to_dict() if len(found) else {}
            label = labels[group]
            if name.startswith("amount_share"):
                columns = ("share_of_decisions", "share_of_amount")
                out.append([period, label, *(_share(record.get(c, "")) for c in columns)])
            elif name.startswith("approval_rate"):
                columns = ("approval_rate", "approval_rate_ci_low", "approval_rate_ci_high")
                out.append([period, label, *(_share(record.get(c, "")) for c in columns)])
            else:
                columns = ("mean_granted_sek", "median_granted_sek")
                out.append(
                    [
                        period,
                        label,
                        *(formatting.kronor(_float(record.get(c, ""))) for c in columns),
                    ]
                )
    return out


def _float(text: str) -> float | None:
    return float(text) if text else None


def _expected_strata_numbers(
    name: str, strata: pd.DataFrame, period: str
) -> dict[str, tuple[str, ...]]:
    """Stratum label -> its published numbers as the figure's data table prints them."""
    keys = ["group", "birth_background", "age_group", "area"]
    rows = strata[(strata["period"] == period)]
    rows = rows[~rows[keys].isin(["all", "unknown"]).any(axis=1)]
    out = {}
    for record in rows.to_dict("records"):
        label = stratum_label_sv(record, keys)
        if name == "intersectional_approval":
            out[label] = (
                formatting.number(_float(record["decisions"])),
                *(
                    _share(record[c])
                    for c in ("approval_rate", "approval_rate_ci_low", "approval_rate_ci_high")
                ),
            )
        else:
            index = _float(record["representation_index"])
            out[label] = (formatting.number(index, 2),)
    return out


def test_every_figure_filter_redraws_from_the_published_cells(
    browser: Any, report: Path, demo_build: Path
) -> None:
    data = _page_data(report.read_text(encoding="utf-8"))
    tables = _Tables(demo_build)
    business = tables.frame("business_support_by_gender")
    strata = tables.frame("intersectional_business_support")
    page = _open(browser, report)
    assert set(data["figures"]) == {
        path.stem for path in (demo_build / "results" / "figures").glob("*.svg")
    }
    checked = 0
    for name, spec in data["figures"].items():
        figure = page.locator(f"#figur-{name}")
        static = pd.read_csv(
            demo_build / "results" / "figures" / f"{name}.csv", dtype=str, keep_default_na=False
        )
        first = page.evaluate(READ_FIGURE_TABLE, name)
        first_key = "|".join(f["default"] for f in spec["filters"])
        assert first["rows"] == static.values.tolist(), f"{name}: first drawing"
        for key in spec["charts"]:
            choice = dict(zip((f["column"] for f in spec["filters"]), key.split("|"), strict=False))
            for index, table_filter in enumerate(spec["filters"]):
                figure.locator(".explore select").nth(index).select_option(
                    choice[table_filter["column"]]
                )
            shown = page.evaluate(READ_FIGURE_TABLE, name)
            where = f"{name} {choice}"
            hidden = not any(NUMBER.fullmatch(cell) for row in shown["rows"] for cell in row[1:])
            assert shown["marks"] or hidden, where
            if name.startswith("intersectional"):
                expected = _expected_strata_numbers(name, strata, choice["period"])
                width = len(next(iter(expected.values())))
                for row in shown["rows"]:
                    # A grid square with no published stratum is shown as hidden.
                    wanted = expected.get(row[0], ("..",) * width)
                    assert tuple(row[1 : 1 + width]) == wanted, f"{where}: {row}"
                    checked += 1
            else:
                expected_rows = _expected_gender_table(name, business, choice)
                assert shown["rows"] == expected_rows, where
                checked += len(expected_rows)
            # Each mark's text names a value the data table shows.
            texts = {cell for row in shown["rows"] for cell in row}
            for label in shown["marks"]:
                numbers = re.findall(NUMBER, label.split(": ")[-1])
                assert any(n in texts for n in numbers) or (not numbers and ".." in label), (
                    f"{where}: {label}"
                )
            title = spec["charts"][key]["title"]
            assert title in shown["caption"], where
            if key != first_key:
                assert title in figure.locator(".explore-status").text_content(), where
    assert checked > 1000
    assert page.problems == []


def test_keyboard_reader_filters_and_reads_values(browser: Any, report: Path) -> None:
    page = _open(browser, report)
    select = page.locator("#figur-approval_rate_leadership .explore select").first
    select.focus()
    before = page.locator("#figur-approval_rate_leadership figcaption").text_content()
    page.keyboard.press("ArrowDown")
    status = page.locator("#figur-approval_rate_leadership .explore-status")
    assert status.get_attribute("role") == "status"
    assert "Diagrammet visar nu Stödform:" in status.text_content()
    assert page.locator("#figur-approval_rate_leadership figcaption").text_content() != before
    # One stop in the tab order, then the arrow keys; the value is shown as text on focus.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused and "beviljandegrad" in focused
    tip = page.locator("#figur-approval_rate_leadership .explore-tip")
    assert tip.is_visible() and tip.text_content() == focused
    page.keyboard.press("ArrowRight")
    moved = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert moved != focused and tip.text_content() == moved
    assert re.search(r"intervall \d+\u00a0%–\d+\u00a0%", moved)
    page.keyboard.press("Escape")
    assert not tip.is_visible()
    # Hover shows the same text.
    mark = page.locator("#figur-expected_jobs .explore-mark").first
    mark.hover()
    hover_tip = page.locator("#figur-expected_jobs .explore-tip")
    assert hover_tip.is_visible() and hover_tip.text_content() == mark.get_attribute("aria-label")
    # A median is a line: it too can be pointed at.
    median = page.locator("#figur-grant_size_leadership .explore-mark[aria-label*=median]").first
    median.hover()
    median_tip = page.locator("#figur-grant_size_leadership .explore-tip")
    assert median_tip.is_visible() and "medianbelopp" in median_tip.text_content()
    assert page.evaluate(
        "Array.from(document.querySelectorAll('.explore-figure')).every("
        "f => f.querySelectorAll('.explore-mark[tabindex=\"0\"]').length === 1)"
    )
    assert page.problems == []


def _axe(page: Any) -> list[dict[str, Any]]:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `bash install.sh --with-browser`")
    # Evaluated by the test, not added as a script element: it runs with the page's scripts off.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
    ]


def test_filtered_page_and_page_without_scripts_pass_axe(
    browser: Any, report: Path, tmp_path: Path
) -> None:
    # The narrow screen: the controls and the redrawn figures must fit it too (the printed page
    # with scripts on is checked on a wide one in test_report_accessibility).
    page = _open(browser, report, width=375)
    for explore in page.locator(".explore").all():
        for select in explore.locator("select").all():
            options = select.locator("option").all()
            select.select_option(options[-1].get_attribute("value"))
    page.locator(".explore-mark").first.focus()
    assert page.locator(".explore-tip:visible").count() == 1
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=2, ensure_ascii=False)
    assert page.problems == []

    # Scripts off: no control, the printed figures.
    without = _open(browser, report, scripts=False, width=375)
    assert without.locator(".explore").count() == 0
    figures = len(_page_data(report.read_text(encoding="utf-8"))["figures"])
    assert without.locator("figure > svg[role=img]").count() == figures
    # axe itself needs scripts: it checks the same page with its scripts taken out, which is
    # what a browser with scripts off shows.
    html = report.read_text(encoding="utf-8")
    stripped = re.sub(r"<script\b.*?</script>\s*", "", html, flags=re.DOTALL)
    assert len(stripped) < len(html) and "<script" not in stripped
    copy = tmp_path / "utan-skript.html"
    copy.write_text(stripped, encoding="utf-8")
    plain = _open(browser, copy, width=375)
    assert plain.locator(".explore").count() == 0
    assert plain.locator("figure > svg[role=img]").count() == figures
    violations = _axe(plain)
    assert violations == [], json.dumps(violations, indent=2, ensure_ascii=False)


def test_the_page_stays_one_small_file(report: Path) -> None:
    size = report.stat().st_size
    assert size <= PAGE_LIMIT_BYTES, f"index.html is {size} bytes"
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", html)
