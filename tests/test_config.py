"""Configuration: the shipped config validates, errors name the key, defaults do not drift."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

from rtp_eval.config import check_config, load_schema, package_fingerprint
from rtp_eval.errors import ConfigError
from tests.conftest import REPO

SCHEMA = load_schema(REPO / "workflow" / "schemas" / "config.schema.yaml")


def _check(config: dict) -> None:
    check_config(config, SCHEMA, "config/config.yaml")


def test_shipped_config_is_valid(default_config: dict) -> None:
    _check(default_config)


def _schema_defaults(node: dict, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    found = {}
    for key, sub in node.get("properties", {}).items():
        if "default" in sub:
            found[(*path, key)] = sub["default"]
        found.update(_schema_defaults(sub, (*path, key)))
    return found


def test_documented_defaults_match_the_schema(default_config: dict) -> None:
    """Where config.yaml states a value the schema also defaults, the two must agree.

    `demo` and `use_demo_key` differ on purpose: the shipped config is the demo one.
    """
    intended = {("pseudonymisation", "use_demo_key")}
    checked = 0
    for path, default in _schema_defaults(SCHEMA).items():
        node = default_config
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None or path in intended:
            continue
        assert node == default, f"{'.'.join(path)}: config.yaml {node!r} != schema {default!r}"
        checked += 1
    assert checked >= 8


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (lambda c: c["validation"].update(max_amount=5), "validation", "'max_amount'"),
        (lambda c: c.update(demo="yes"), "demo", "not of type 'boolean'"),
        (
            lambda c: c["region"].update(county_codes=["2"]),
            "region.county_codes.0",
            "two-digit county code",
        ),
        (lambda c: c.pop("report"), "(top level)", "'report' is missing"),
        (
            lambda c: c["sources"]["business_support"]["columns"].update(case_nr=["Nr"]),
            "sources.business_support.columns.case_nr",
            "not a field of business_support",
        ),
        (
            lambda c: c["classifications"].update(age_breaks=[50, 30]),
            "classifications.age_breaks",
            "increasing",
        ),
        (
            lambda c: c["files"].update({"business_support/16.csv": {}}),
            "files",
            "like business_support/2016.csv",
        ),
    ],
)
def test_wrong_key_or_value_is_named(default_config: dict, change, key: str, words: str) -> None:
    config = copy.deepcopy(default_config)
    change(config)
    with pytest.raises(ConfigError) as error:
        _check(config)
    assert error.value.key == key
    assert words in error.value.problem
    assert "config/config.yaml" in str(error.value)


def test_package_fingerprint_follows_code_edits(tmp_path: Path) -> None:
    package = tmp_path / "rtp_eval"
    shutil.copytree(
        REPO / "src" / "rtp_eval", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    before = package_fingerprint(package)
    assert package_fingerprint(package) == before
    (package / "parsing.py").write_text(
        (package / "parsing.py").read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8"
    )
    assert package_fingerprint(package) != before
