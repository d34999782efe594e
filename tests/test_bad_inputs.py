"""The corpus of bad inputs (tests/data/bad): each file gives its expected, documented outcome.

Every file either imports, with the expected rows quarantined for the expected reasons and the
row counts reconciling, or stops with one clear message naming the file (and the row and column
where they apply) and what to do. Never a traceback, never a silently dropped row.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import re
import sys
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from rtp_eval.config import classification_settings, validation_settings
from rtp_eval.errors import ConfigError, InputFileError, UserFacingError
from rtp_eval.importing import ImportResult, import_file
from rtp_eval.owner_follow_up import OwnerImport, import_owner_file
from rtp_eval.pseudonymise import DEMO_KEY, resolve_key
from rtp_eval.reading import ReadLimits, ReadOptions
from rtp_eval.reference import Reference
from rtp_eval.runner import run_step
from rtp_eval.validation import ValidationResult
from tests.conftest import REPO

CORPUS = REPO / "tests" / "data" / "bad"
GUIDE = REPO / "docs" / "anvandarguide.md"


@cache
def corpus() -> dict[str, tuple[Path, dict[str, Any]]]:
    """name -> (raw file, expected outcome)."""
    cases = {}
    for expected_path in sorted(CORPUS.glob("*.expected.yaml")):
        name = expected_path.name.removesuffix(".expected.yaml")
        (raw,) = [p for p in CORPUS.glob(f"{name}.*") if p.suffix in (".csv", ".xlsx")]
        cases[name] = (raw, yaml.safe_load(expected_path.read_text(encoding="utf-8")))
    return cases


def display_name(raw: Path, expected: dict[str, Any]) -> str:
    """Where the file would lie in a project: the name the messages must use."""
    return f"data/raw/{expected['source']}/{expected['year']}{raw.suffix}"


def run_import(
    raw: Path, expected: dict[str, Any], reference: Reference, config: dict[str, Any]
) -> ImportResult | OwnerImport:
    """Import as the workflow does, with the case's `files:` entry and `limits:` if it has any."""
    source = expected["source"]
    settings = expected.get("settings", {})
    read_options = ReadOptions(**settings.get("read_options", {}))
    limits = ReadLimits(**settings.get("limits", {}))
    if source == "owner_follow_up":
        return import_owner_file(
            raw,
            display_name(raw, expected),
            expected["year"],
            reference.labels["sex"],
            config["goals"]["owner_follow_up"]["columns"],
            read_options,
            limits,
        )
    return import_file(
        raw,
        display_name(raw, expected),
        source,
        config["sources"][source]["columns"],
        reference,
        validation_settings(
            config, expected["year"], dt.date.fromisoformat(expected["as_of_date"])
        ),
        classification_settings(config),
        DEMO_KEY.encode(),
        read_options,
        limits,
    )


def test_the_corpus_is_large_and_every_file_has_an_expectation() -> None:
    assert len(corpus()) >= 40
    files = {p.name for p in CORPUS.iterdir()} - {"make_corpus.py", "README.md", "__pycache__"}
    described = {raw.name for raw, _ in corpus().values()}
    described |= {f"{name}.expected.yaml" for name in corpus()}
    assert files == described, "every raw file needs a <name>.expected.yaml and vice versa"
    for name, (_, expected) in corpus().items():
        assert ("error" in expected) != ("quarantine" in expected), name
        assert expected["description"], name


def test_the_committed_corpus_is_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    for case in module.cases():
        for name, data in module.render(case).items():
            assert (CORPUS / name).read_bytes() == data, f"{name}: run make_corpus.py again"


def record_validations(monkeypatch: pytest.MonkeyPatch) -> list[ValidationResult]:
    """The validation results of the imports that follow, for their cell issues."""
    from rtp_eval import importing

    results: list[ValidationResult] = []
    original = importing.validate

    def recording(*args: Any, **kwargs: Any) -> ValidationResult:
        results.append(original(*args, **kwargs))
        return results[-1]

    monkeypatch.setattr(importing, "validate", recording)
    return results


@pytest.mark.parametrize("name", sorted(corpus()))
def test_bad_input_gives_its_expected_outcome(
    name: str,
    reference: Reference,
    default_config: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw, expected = corpus()[name]
    validations = record_validations(monkeypatch)
    shown = display_name(raw, expected)
    if "error" in expected:
        want = expected["error"]
        with pytest.raises(InputFileError) as caught:
            run_import(raw, expected, reference, default_config)
        error = caught.value
        message = error.user_message()
        assert error.file == shown
        assert (error.row, error.column) == (want["row"], want["column"]), message
        assert want["message_contains"] in message
        assert message.startswith(f"Cannot import file {shown}")
        if want["row"] is not None:
            assert f"row {want['row']}" in message
        if want["column"] is not None:
            assert f"column '{want['column']}'" in message
        assert "\nWhat to do: " in message, f"{name}: the message must say what to do"
        assert "Traceback" not in message and 'File "' not in message
        assert len(message) < 1000, "a message a person reads, not a dump of the file"
        return

    result = run_import(raw, expected, reference, default_config)
    found = [
        {"row": int(r.row), "column": r.column, "reason_code": r.reason_code}
        for r in result.quarantine.itertuples()
    ]
    assert found == expected["quarantine"]
    # Cells changed in kept rows (blanked, cut, cleaned) are listed, never silently changed.
    # (The owner follow-up has its own validation, without cell issues.)
    issues = [
        {"row": int(r.row), "column": r.column, "issue_code": r.issue_code}
        for validation in validations
        for r in validation.cell_issues.itertuples()
    ]
    assert len(validations) == (expected["source"] != "owner_follow_up")
    assert issues == expected.get("cell_issues", [])
    quality = result.quality
    assert {key: quality[key] for key in expected["counts"]} == expected["counts"]
    # Reconciliation: every row read is accounted for exactly once.
    assert quality["rows_read"] == (
        quality["rows_accepted"] + quality["rows_quarantined"] + quality["rows_withdrawn"]
    )
    assert quality["rows_accepted"] + quality["rows_withdrawn"] == len(result.clean)
    assert quality["rows_quarantined"] == len(result.quarantine)
    # A quarantined row keeps its raw cells and names the file; a clean row has no identifier.
    assert (result.quarantine["file"] == shown).all()
    assert any(c.startswith("raw: ") for c in result.quarantine.columns)
    assert "org_id" not in result.clean.columns
    assert result.quarantine["reason"].map(bool).all()
    rows = [int(r) for r in result.quarantine["row"]] + [int(r) for r in result.clean["source_row"]]
    assert len(rows) == len(set(rows)) == quality["rows_read"]


# --- errors people read ---------------------------------------------------------------------


def _skeleton(message: str) -> re.Pattern[str]:
    """A pattern for a message with its variable parts (quoted names, numbers, paths) open."""
    hole = "\x00"
    while re.search(r"\([^()]*\)", message):  # parentheses, innermost first
        message = re.sub(r"\([^()]*\)", hole, message)
    variable = rf"'[^']*'|{hole}|\b\d[\d.]*\b|\S*data/raw/\S+|\S*/\S+\.(?:csv|xlsx|key)"
    fixed = [part for part in re.split(variable, message) if part.strip(" ,.:;=+")]
    pieces = [re.escape(" ".join(part.split()).strip(" ,.:;=+")) for part in fixed]
    return re.compile(".*?".join(pieces), re.DOTALL)


def _guide_text() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    troubleshooting = text[text.index("## 9. Felsökning") : text.index("## 10. Ordlista")]
    return " ".join(troubleshooting.replace("`", "").split())


def _user_errors(reference: Reference, config: dict[str, Any]) -> list[UserFacingError]:
    """Every error the corpus triggers, plus the key and cross-file errors."""
    errors: list[UserFacingError] = []
    for raw, expected in corpus().values():
        if "error" in expected:
            with pytest.raises(InputFileError) as caught:
                run_import(raw, expected, reference, config)
            errors.append(caught.value)
    errors += _cross_file_and_reconciliation_errors()
    key_cases = [
        {"demo": False, "use_demo_key": True, "key_file": "unused"},
        {"demo": False, "use_demo_key": False, "key_file": "unused", "env": "short"},
    ]
    for case in key_cases:
        with pytest.raises(ConfigError) as caught:
            resolve_key(
                demo=case["demo"],
                use_demo_key=case["use_demo_key"],
                key_env="RTP_EVAL_PSEUDONYM_KEY",
                key_file=case["key_file"],
                environ={"RTP_EVAL_PSEUDONYM_KEY": case.get("env", "")},
            )
        errors.append(caught.value)
    return errors


def _cross_file_and_reconciliation_errors() -> list[UserFacingError]:
    import tempfile

    import pandas as pd

    from rtp_eval.discovery import discover_raw_files
    from rtp_eval.importing import check_reconciliation
    from rtp_eval.quality import check_case_ids_across_files, verify_counts
    from rtp_eval.reading import check_file_size

    errors: list[UserFacingError] = []
    frames = [
        pd.DataFrame(
            {"case_id": ["B-1"], "source_file": [f"data/raw/x/{y}.csv"], "source_row": [2]}
        )
        for y in (2016, 2017)
    ]
    record = {"file": "data/raw/x/2016.csv", "rows_read": 3, "rows_accepted": 1}
    record |= {"rows_quarantined": 1, "rows_withdrawn": 0}
    clean = pd.DataFrame({"decision": ["granted", "granted"]})
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "business_support"
        raw.mkdir()
        (raw / "2016.csv").write_text("a;b\n")
        (raw / "2016.xlsx").write_text("a;b\n")
        short_key = Path(folder) / "pseudonym.key"
        short_key.write_text("too short\n")
        for trigger in (
            lambda: check_case_ids_across_files(frames),
            lambda: check_reconciliation(record),
            lambda: verify_counts(record, clean, 1),
            lambda: discover_raw_files(Path(folder)),
            lambda: discover_raw_files(Path(folder), (2017, 2100)),  # 2016 is outside
            lambda: check_file_size(300 * 1024 * 1024, "data/raw/x/2016.csv", ReadLimits()),
            lambda: resolve_key(
                demo=False, use_demo_key=False, key_env="K", key_file=str(short_key), environ={}
            ),
        ):
            with pytest.raises(UserFacingError) as caught:
                trigger()
            errors.append(caught.value)
    return errors


def test_every_error_message_is_in_the_user_guide(
    reference: Reference, default_config: dict[str, Any]
) -> None:
    guide = _guide_text()
    missing = []
    errors = _user_errors(reference, default_config)
    assert len(errors) >= 20
    assert not _skeleton("the flux capacitor of file data/raw/x.csv is 'broken'").search(guide)
    for error in errors:
        if isinstance(error, InputFileError):
            parts = [error.problem, *([error.hint] if error.hint else [])]
        elif isinstance(error, ConfigError):
            parts = [error.problem]
        else:
            parts = [error.user_message()]
        missing += [part for part in parts if not _skeleton(part).search(guide)]
    assert not missing, "not in the user guide's section 9 (Felsökning):\n" + "\n".join(missing)


def test_a_user_facing_error_ends_the_job_with_its_message_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "job.log"

    def failing_main(_: Any) -> None:
        raise InputFileError("data/raw/business_support/2016.xlsx", "the first sheet is empty")

    with pytest.raises(SystemExit) as exit_info:
        run_step(failing_main, SimpleNamespace(log=[str(log_file)]))
    assert exit_info.value.code == 1
    logged = log_file.read_text(encoding="utf-8")
    assert "Cannot import file data/raw/business_support/2016.xlsx" in logged
    assert "Traceback" not in logged + capsys.readouterr().err
    logging.getLogger().handlers.clear()
