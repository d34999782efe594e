"""Cluster readiness: every rule declares its needs, and the Slurm profile builds the DAG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, make_project, snakemake

RULE_FILES = sorted((REPO / "workflow" / "rules").glob("*.smk"))


def _rules(text: str) -> list[tuple[str, str]]:
    blocks = re.split(r"^rule ", text, flags=re.MULTILINE)[1:]
    return [(block.split(":", 1)[0], block) for block in blocks]


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
    assert "import_raw_file" in result.stdout
    assert "render_report" in result.stdout
