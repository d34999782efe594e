"""The analysis steps do not load the report's code: no matplotlib in a job that only
aggregates, and no figure or report module in the code fingerprint of its rule."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from rtp_eval.config import PACKAGE_DIR, module_closure
from tests.conftest import REPO

ANALYSIS_MODULES = (
    "importing",
    "breakdown",
    "intersectional",
    "maihda",
    "indicators",
    "protection",
    "audit",
)
# Rule scripts that compute or protect tables, and draw or write nothing for readers.
ANALYSIS_SCRIPTS = (
    "import_raw_files",
    "import_owner_follow_up",
    "combine_import_quality",
    "publish_model_results",
    "gender_breakdown",
    "intersectional_cells",
    "intersectional_models",
    "indicators",
    "disclosure_control",
    "disclosure_audit",
)
REPORT_SIDE = {"figures.py", "report.py", "report_content.py", "pdf.py"}


def modules_loaded_by(module: str) -> set[str]:
    """The modules a fresh interpreter has loaded after importing `module`."""
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("name", ANALYSIS_MODULES)
def test_an_analysis_module_imports_no_plotting_or_report_code(name: str) -> None:
    loaded = modules_loaded_by(f"rtp_eval.{name}")
    assert f"rtp_eval.{name}" in loaded
    assert not {m for m in loaded if m == "matplotlib" or m.startswith("matplotlib.")}
    assert not {m for m in loaded if m.startswith(("rtp_eval.sections", "rtp_eval.report"))}
    assert "rtp_eval.figures" not in loaded and "jinja2" not in loaded


def test_the_check_sees_matplotlib_where_figures_are_drawn() -> None:
    assert "matplotlib" in modules_loaded_by("rtp_eval.sections.intersectional")


@pytest.mark.parametrize("script", ANALYSIS_SCRIPTS)
def test_an_analysis_rule_does_not_rerun_for_report_code(script: str) -> None:
    closure = module_closure(REPO / "scripts" / f"{script}.py")
    names = {path.relative_to(PACKAGE_DIR).as_posix() for path in closure}
    assert not names & REPORT_SIDE
    assert not {n for n in names if n.startswith(("sections/", "templates/"))}


def test_figure_rules_run_their_section_and_not_the_renderer() -> None:
    closure = module_closure(REPO / "scripts" / "intersectional.py")
    names = {path.relative_to(PACKAGE_DIR).as_posix() for path in closure}
    assert {"sections/intersectional.py", "figures.py", "vocabulary.py"} <= names
    assert "report.py" not in names and not {n for n in names if n.startswith("templates/")}


def test_the_import_step_does_not_load_the_schema_validator() -> None:
    # One import job per file: each library it loads costs every job its start-up time. The
    # configuration is checked against its schema once, when the workflow starts.
    modules = "rtp_eval.config, rtp_eval.importing, rtp_eval.breakdown, rtp_eval.io"
    loaded = modules_loaded_by(modules)
    assert "rtp_eval.importing" in loaded
    assert "jsonschema" not in loaded
    assert "jsonschema" in modules_loaded_by("rtp_eval.goals_config")


def test_the_workflow_starts_without_the_analysis_code() -> None:
    # Every `snakemake` run, a no-op too, loads the modules the Snakefile and its rule files
    # import: the import step's and the aggregation's code would add to each.
    sources = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]
    modules = sorted(
        {
            match
            for path in sources
            for match in re.findall(
                r"^\s*from (rtp_eval[\w.]*) import", path.read_text(), flags=re.MULTILINE
            )
        }
    )
    assert "rtp_eval.discovery" in modules
    loaded = modules_loaded_by(", ".join(modules))
    assert not {f"rtp_eval.{name}" for name in (*ANALYSIS_MODULES, "import_step")} & loaded
