"""Configuration: the shipped config validates, errors name the key, defaults do not drift."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from rtp_eval import settings
from rtp_eval.classify import ClassificationSettings
from rtp_eval.config import (
    classification_settings,
    code_fingerprint,
    file_years,
    imported_names,
    module_closure,
    package_fingerprint,
    read_limits,
)
from rtp_eval.discovery import DEFAULT_YEARS
from rtp_eval.errors import ConfigError
from rtp_eval.maihda import ModelSettings
from rtp_eval.reading import ReadLimits
from tests.conftest import REPO

OVERLAY = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


def _check(config: dict) -> dict:
    return settings.resolve(config, "config/config.yaml")


def test_shipped_config_is_valid(default_config: dict) -> None:
    assert _check(OVERLAY) == default_config


def test_the_generated_schema_and_defaults_are_those_of_the_models() -> None:
    for path, text in settings.generated_files().items():
        committed = (REPO / path).read_text(encoding="utf-8")
        assert committed == text, f"{path} is out of date: run python -m rtp_eval.settings --write"
    assert settings.main(["--check"]) == 0


def test_the_defaults_file_lists_every_default() -> None:
    listed = (REPO / settings.DEFAULTS_FILE).read_text(encoding="utf-8")
    assert "max_amount_sek: 1000000000" in listed
    assert "age_breaks: [30, 50, 65]" in listed
    assert "  confidence_level: 0.95" in listed
    lines = listed.splitlines()
    index = lines.index("  median_min_units: 5")
    assert "at least this many organisations were" in lines[index - 1]


def _leaves(node: object, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    if not isinstance(node, dict) or not node:
        return {path: node}
    found: dict[tuple[str, ...], object] = {}
    for key, value in node.items():
        found.update(_leaves(value, (*path, key)))
    return found


def test_the_overlay_writes_no_default_again() -> None:
    """config/config.yaml holds only what differs from the models' defaults."""
    defaults = settings.Config.model_construct().model_dump(mode="json", warnings=False)
    repeated = [
        ".".join(path)
        for path, value in _leaves(OVERLAY).items()
        if _leaves(defaults).get(path, object()) == value
    ]
    assert repeated == []
    # The overlay is small: the region's own values.
    assert set(OVERLAY) <= {
        "demo",
        "region",
        "pseudonymisation",
        "classifications",
        "periods",
        "intersectional",
        "sources",
        "publication",
        "report",
    }


def test_resolving_is_a_fixed_point_and_the_schema_accepts_both(default_config: dict) -> None:
    assert _check(default_config) == default_config
    document = yaml.safe_load((REPO / settings.SCHEMA_FILE).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(document)
    assert list(validator.iter_errors(OVERLAY)) == []
    assert list(validator.iter_errors(default_config)) == []


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["validation"].update(max_amount=5),
        lambda c: c["region"].update(county_codes=["2"]),
        lambda c: c["region"]["programme_areas"].update(all="Alla"),
        lambda c: c["region"]["programme_areas"].update(t="=SUMMA(A1)"),
        lambda c: c["files"].update({"business_support/16.csv": {}}),
        lambda c: c["files"].update({"business_support/2016.csv": {"header_row": 0}}),
        lambda c: c["disclosure"].update(dominance_k_pct=0),
        lambda c: c["intersectional"].update(dimensions=["area", "area"]),
        lambda c: c["report"].update(edition=".."),
        lambda c: c["report"].pop("title"),
    ],
)
def test_the_schema_refuses_what_the_models_refuse(default_config: dict, change) -> None:
    """The generated JSON schema (for editors) carries the models' constraints."""
    config = copy.deepcopy(default_config)
    change(config)
    with pytest.raises(ConfigError):
        _check(config)
    document = yaml.safe_load((REPO / settings.SCHEMA_FILE).read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(document).iter_errors(config)) != []


def test_a_later_layer_overrides_one_key_and_keeps_the_rest(default_config: dict) -> None:
    # As Snakemake merges --configfile and --config into the overlay.
    merged = copy.deepcopy(OVERLAY)
    merged["disclosure"] = {"min_units": 4}
    merged["report"] = {**merged["report"], "edition": "utkast"}
    resolved = _check(merged)
    assert resolved["disclosure"] == {**default_config["disclosure"], "min_units": 4}
    assert resolved["report"]["edition"] == "utkast"
    assert resolved["report"]["title"] == default_config["report"]["title"]


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
            lambda c: c["report"].update(editon=c["report"].pop("edition")),
            "report",
            "unknown key(s) 'editon'; allowed keys are: area_labels, edition,",
        ),
        (
            lambda c: c["disclosure"].update(dominance_k_pct="85 %"),
            "disclosure.dominance_k_pct",
            "'85 %' is not of type 'number'",
        ),
        (
            lambda c: c["intersectional"]["model"].update(period="2012-2016"),
            "intersectional.model.period",
            "not one of intersectional.periods",
        ),
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


def test_imported_names_finds_imports_in_every_kind_of_block() -> None:
    source = """
import rtp_eval.a
from rtp_eval import b
from . import relative


def f():
    from rtp_eval.c import d
    if True:
        import rtp_eval.e
    else:
        import rtp_eval.f
    try:
        import rtp_eval.g
    except ImportError:
        import rtp_eval.h
    finally:
        import rtp_eval.i
    with open("x"):
        import rtp_eval.j
    for _ in ():
        import rtp_eval.k
    match 1:
        case 1:
            import rtp_eval.l


class C:
    def m(self):
        import rtp_eval.n
    x = [rtp_eval_o for rtp_eval_o in ()]
"""
    names = set(imported_names(source))
    expected = {f"rtp_eval.{letter}" for letter in "aeghijklfn"}
    assert expected | {"rtp_eval", "rtp_eval.b", "rtp_eval.c", "rtp_eval.c.d"} == names


def test_a_rule_reruns_only_for_the_package_code_it_runs(tmp_path: Path) -> None:
    package = tmp_path / "rtp_eval"
    shutil.copytree(
        REPO / "src" / "rtp_eval", package, ignore=shutil.ignore_patterns("__pycache__")
    )
    scripts = REPO / "scripts"

    def fingerprints() -> dict[str, str]:
        return {
            name: code_fingerprint(scripts / f"{name}.py", package)
            for name in ("import_raw_files", "gender_breakdown", "render_report")
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
    assert after_report["import_raw_files"] == before["import_raw_files"]
    assert after_report["gender_breakdown"] == before["gender_breakdown"]
    assert after_report["render_report"] != before["render_report"]
    # The parser is run by the import (and by the report, which reads the configuration).
    assert package / "parsing.py" in module_closure(scripts / "import_raw_files.py", package)
    edit("parsing.py")
    after_parsing = fingerprints()
    assert after_parsing["import_raw_files"] != after_report["import_raw_files"]
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


def test_the_settings_objects_take_the_models_defaults(default_config: dict) -> None:
    limits = settings.Limits()
    assert read_limits({}) == ReadLimits() == read_limits({"limits": limits.model_dump()})
    assert read_limits(default_config) == ReadLimits()
    assert read_limits({"limits": {"max_columns": 20}}).max_columns == 20
    assert file_years({}) == DEFAULT_YEARS == tuple(limits.file_years) == (2000, 2100)
    classes = classification_settings({"classifications": {}})
    assert classes == ClassificationSettings(area_groups={})
    assert classes.age_breaks == (30, 50, 65)
    configured = ModelSettings.from_params(default_config["intersectional"]["model"], 0.9)
    assert configured == ModelSettings(period="2012-2018", confidence_level=0.9)
    assert configured.min_decisions == 300


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
