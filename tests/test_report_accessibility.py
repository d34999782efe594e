"""axe-core (WCAG 2.1 A/AA) on the HTML report in headless Chromium, driven by Playwright."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e
AXE = REPO / "tests" / "accessibility" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Flags for a closed network and a root user (see install.sh --with-browser).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _axe_violations(html_file: Path, viewport: dict[str, int]) -> list[dict]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed: run `bash install.sh --with-browser`")
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `bash install.sh --with-browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=viewport)
            blocked: list[str] = []
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith("file:")
                    else (blocked.append(route.request.url), route.abort())
                ),
            )
            page.goto(html_file.as_uri())
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
            )
        finally:
            browser.close()
    assert blocked == [], f"the report requested external resources: {blocked}"
    return result["violations"]


def test_report_has_no_axe_violations(demo_build: Path) -> None:
    # The narrow screen, the filtered page and the page without scripts: test_report_explorer.
    viewport = {"width": 1280, "height": 900}
    violations = _axe_violations(demo_build / "reports" / "2012-2021" / "index.html", viewport)
    summary = [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in violations
    ]
    assert violations == [], json.dumps(summary, indent=2, ensure_ascii=False)
