"""Shared fixtures: the repository's paths, its reference data and config, and workflow runs."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rtp_eval.classify import ClassificationSettings
from rtp_eval.importing import ImportResult, import_file
from rtp_eval.pseudonymise import DEMO_KEY
from rtp_eval.reference import Reference, load_reference
from rtp_eval.settings import resolve
from rtp_eval.validation import ValidationSettings

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "data" / "e2e"
# The shipped configuration as the rules see it: the region's overlay and every default.
SHIPPED_CONFIG = resolve(
    yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8")),
    "config/config.yaml",
)


def import_export(
    path: Path, name: str, source: str, year: int, reference: Reference
) -> ImportResult:
    """Import one export with the shipped configuration's headers, areas and the demo key."""
    return import_file(
        path,
        name,
        source,
        SHIPPED_CONFIG["sources"][source]["columns"],
        reference,
        ValidationSettings(file_year=year, as_of_date=dt.date(2026, 11, 28)),
        ClassificationSettings(area_groups={"Östersund": ("2380",)}),
        DEMO_KEY.encode(),
    )


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def reference() -> Reference:
    return load_reference(
        REPO / "data" / "reference",
        region_county_codes=["23"],
        programme_areas=SHIPPED_CONFIG["region"]["programme_areas"],
    )


@pytest.fixture(scope="session")
def default_config() -> dict:
    return copy.deepcopy(SHIPPED_CONFIG)


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the workflow of this repository in `workdir` (a fresh process, as a user would)."""
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)


def make_project(workdir: Path, raw: Path = FIXTURE / "raw") -> Path:
    """A working directory with raw files, the reference data and the config."""
    shutil.copytree(raw, workdir / "data" / "raw")
    shutil.copytree(REPO / "data" / "reference", workdir / "data" / "reference")
    shutil.copytree(REPO / "config", workdir / "config")
    return workdir


def build(workdir: Path) -> Path:
    result = snakemake(workdir, "--cores", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return workdir


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workflow run on the small hand-made fixture of tests/data/e2e."""
    return build(make_project(tmp_path_factory.mktemp("fixture")))


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workflow run on the shipped (fictitious) demo data."""
    return build(make_project(tmp_path_factory.mktemp("demo"), REPO / "data" / "raw"))
