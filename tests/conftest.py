"""Shared fixtures: the repository's paths, its reference data and config."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rtp_eval.reference import Reference, load_reference

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def reference() -> Reference:
    return load_reference(REPO / "data" / "reference", region_county_codes=["23"])


@pytest.fixture(scope="session")
def default_config() -> dict:
    with (REPO / "config" / "config.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)
