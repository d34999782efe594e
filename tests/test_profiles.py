"""Cluster readiness: every rule declares its needs, and the Slurm profile builds the DAG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, make_project, snakemake

RULE_FILES = sorted((REPO / "workflow" / "rules").glob("*.smk"))


def _rules(text: str) -> list[tuple[str, str]]:
    """(name, text) of every rule, also those defined in a loop (`rule:` with `name:`)."""
    blocks = re.split(r"^[ ]*rule\b", text, flags=re.MULTILINE)[1:]
    named = []
    for block in blocks:
        name = block.split(":", 1)[0].strip()
        if not name:
            name = re.search(r"name:\s*(\S+)", block).group(1)  # type: ignore[union-attr]
        named.append((name, block))
    return named


def test_rules_defined_in_a_loop_are_checked_too() -> None:
    names = [name for name, _ in _rules((REPO / "workflow/rules/import.smk").read_text())]
    assert names == ['f"import_{batch}"', "combine_import_quality"]


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_every_rule_declares_log_threads_and_resources(path: Path) -> None:
    for name, block in _rules(path.read_text(encoding="utf-8")):
        for directive in ("log:", "threads:", "resources:", "mem_mb=", "runtime=", "code="):
            assert directive in block, f"rule {name} in {path.name} lacks {directive}"


@pytest.mark.e2e
def test_slurm_profile_dry_run_builds_the_dag(tmp_path: Path) -> None:
    workdir = make_project(tmp_path / "slurm")
    result = snakemake(workdir, "--profile", str(REPO / "profiles" / "slurm"), "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "import_business_support_model_period" in result.stdout
    assert "render_report" in result.stdout
