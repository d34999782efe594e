"""Configuration: the shipped config validates, errors name the key, defaults do not drift."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

from rtp_eval.config import (
    check_config,
    code_fingerprint,
    file_years,
    load_schema,
    module_closure,
    package_fingerprint,
    read_limits,
)
from rtp_eval.discovery import DEFAULT_YEARS
from rtp_eval.errors import ConfigError
from rtp_eval.reading import ReadLimits
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


def test_a_rule_reruns_only_for_the_package_code_it_runs(tmp_path: Path) -> None:
    package = tmp_path / "rtp_eval"
    shutil.copytree(
        REPO / "src" / "rtp_eval", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    scripts = REPO / "scripts"

    def fingerprints() -> dict[str, str]:
        return {
            name: code_fingerprint(scripts / f"{name}.py", package)
            for name in ("import_raw_file", "gender_breakdown", "render_report")
        }

    def edit(relative: str) -> None:
        path = package / relative
        comment = "# edited" if path.suffix == ".py" else "/* edited */"
        path.write_text(path.read_text(encoding="utf-8") + f"\n{comment}\n", encoding="utf-8")

    before = fingerprints()
    assert len(set(before.values())) == 3
    # The report's code and templates are not run by the import or the aggregation.
    edit("report.py")
    edit("templates/report.css")
    after_report = fingerprints()
    assert after_report["import_raw_file"] == before["import_raw_file"]
    assert after_report["gender_breakdown"] == before["gender_breakdown"]
    assert after_report["render_report"] != before["render_report"]
    # The parser is run by the import (and by the report, which reads the configuration).
    assert package / "parsing.py" in module_closure(scripts / "import_raw_file.py", package)
    edit("parsing.py")
    after_parsing = fingerprints()
    assert after_parsing["import_raw_file"] != after_report["import_raw_file"]
    assert after_parsing["gender_breakdown"] == before["gender_breakdown"]
    # A module imported only inside a function counts too.
    assert package / "pdf.py" in module_closure(scripts / "render_report.py", package)


# --- the edition folder and the limits on raw files ------------------------------------------


@pytest.mark.parametrize("edition", ["..", ".", "../x", "a/b", "/tmp", "2012 2021", "", "a\\b"])
def test_an_edition_that_could_leave_reports_is_refused(default_config: dict, edition: str) -> None:
    config = copy.deepcopy(default_config)
    config["report"]["edition"] = edition
    with pytest.raises(ConfigError) as error:
        _check(config)
    assert error.value.key == "report.edition"
    assert "not '.' or '..'" in error.value.problem


@pytest.mark.parametrize("edition", ["2012-2021", "v1.2_slutlig", "...", ".utkast", "2021."])
def test_a_plain_folder_name_is_an_edition(default_config: dict, edition: str) -> None:
    config = copy.deepcopy(default_config)
    config["report"]["edition"] = edition
    _check(config)
    reports = Path("/project/reports")
    assert (reports / edition).resolve().parent == reports


def test_the_limits_default_to_the_schema_and_the_code(default_config: dict) -> None:
    defaults = {
        name: spec["default"] for name, spec in SCHEMA["properties"]["limits"]["properties"].items()
    }
    assert read_limits({}) == ReadLimits() == read_limits({"limits": defaults})
    assert read_limits(default_config) == ReadLimits()
    assert file_years({}) == DEFAULT_YEARS == tuple(defaults["file_years"])
    assert read_limits({"limits": {"max_columns": 20}}).max_columns == 20


@pytest.mark.parametrize(
    ("limits", "key", "words"),
    [
        ({"file_years": [2100, 2000]}, "limits.file_years", "the first year is after the last"),
        ({"max_columns": 0}, "limits.max_columns", "less than the minimum of 1"),
        ({"max_file_mb": "200 MB"}, "limits.max_file_mb", "not of type 'integer'"),
        ({"max_rows": 5}, "limits", "'max_rows'"),
    ],
)
def test_wrong_limits_are_named(default_config: dict, limits: dict, key: str, words: str) -> None:
    config = copy.deepcopy(default_config)
    config["limits"] = limits
    with pytest.raises(ConfigError) as error:
        _check(config)
    assert (error.value.key, words in error.value.problem) == (key, True), error.value.problem


def test_files_settings_for_the_owner_follow_up_and_header_row(default_config: dict) -> None:
    config = copy.deepcopy(default_config)
    config["files"] = {"owner_follow_up/2018.xlsx": {"header_row": 3, "sheet": "Blad2"}}
    _check(config)
    config["files"] = {"business_support/2016.csv": {"header_row": 0}}
    with pytest.raises(ConfigError) as error:
        _check(config)
    assert error.value.key == "files.business_support/2016.csv.header_row"


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (
            lambda c: c["region"]["programme_areas"].update(Turism="Turism"),
            "region.programme_areas",
            "a code of lower-case letters",
        ),
        (
            lambda c: c["region"]["programme_areas"].update(all="Alla"),
            "region.programme_areas",
            "should not be valid",
        ),
        (
            lambda c: c["region"]["programme_areas"].update(t='=HYPERLINK("x")'),
            "region.programme_areas.t",
            "read as a formula",
        ),
        (
            lambda c: c["validation"].update(unlisted_labels={"decision": "granted"}),
            "validation.unlisted_labels",
            "'decision'",
        ),
    ],
)
def test_programme_areas_and_unlisted_labels_are_checked(
    default_config: dict, change, key: str, words: str
) -> None:
    config = copy.deepcopy(default_config)
    change(config)
    with pytest.raises(ConfigError) as error:
        _check(config)
    assert error.value.key == key
    assert words in error.value.problem
