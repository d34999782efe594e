"""End to end: the workflow on a small fixture in a temporary directory."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import FIXTURE, make_project, snakemake

pytestmark = pytest.mark.e2e


def planned_jobs(workdir: Path) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job a dry run would execute."""
    result = snakemake(workdir, "--dry-run", "--cores", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    jobs = []
    for block in re.split(r"\n(?=rule |localrule )", result.stdout):
        match = re.match(r"(?:local)?rule (\w+):", block)
        if match:
            wildcards = re.search(r"wildcards: (.+)", block)
            jobs.append((match.group(1), wildcards.group(1) if wildcards else ""))
    return jobs


def test_import_quality_reconciles(fixture_build: Path) -> None:
    quality = pd.read_csv(fixture_build / "results" / "tables" / "import_quality.csv")
    counts = quality.set_index("file")[
        ["rows_read", "rows_accepted", "rows_quarantined", "rows_withdrawn"]
    ]
    assert counts.loc["data/raw/business_support/2016.csv"].tolist() == [6, 3, 2, 1]
    assert counts.loc["data/raw/business_support/2017.csv"].tolist() == [3, 2, 1, 0]
    assert counts.loc["data/raw/project_support/2016.csv"].tolist() == [2, 2, 0, 0]
    assert (
        counts["rows_read"]
        == counts["rows_accepted"] + counts["rows_quarantined"] + counts["rows_withdrawn"]
    ).all()
    row_2017 = quality.set_index("file").loc["data/raw/business_support/2017.csv"]
    assert row_2017["delimiter"] == "comma"
    # Unknown columns are counted, never named: a header is export text.
    assert row_2017["extra_column_count"] == 1
    published = fixture_build / "results" / "tables" / "import_quality.csv"
    assert "Handläggare" not in published.read_text(encoding="utf-8")
    raw = (FIXTURE / "raw" / "business_support" / "2016.csv").read_bytes()
    assert (
        quality.set_index("file").loc["data/raw/business_support/2016.csv", "sha256"]
        == hashlib.sha256(raw).hexdigest()
    )


def test_quarantine_names_file_row_column_reason(fixture_build: Path) -> None:
    quarantine = pd.read_csv(
        fixture_build / "results" / "quarantine" / "business_support" / "2016.csv", dtype=str
    )
    found = quarantine[["row", "column", "reason_code"]].values.tolist()
    assert found == [
        ["6", "Sökt belopp", "unparseable"],
        ["7", "Beslutsdatum", "date_outside_file_year"],
    ]
    assert "VARNING" in (fixture_build / "results" / "quarantine" / "README.md").read_text()


def test_clean_tables_are_typed_classified_and_pseudonymised(fixture_build: Path) -> None:
    clean = pd.read_parquet(
        fixture_build / "results" / "clean" / "business_support" / "2016.parquet"
    )
    assert clean["case_id"].tolist() == ["B16-1", "B16-2", "B16-3", "B16-4"]
    assert clean["decision"].tolist() == ["granted", "granted", "rejected", "withdrawn"]
    assert clean["leadership_group"].tolist() == ["women", "men", "women", "men"]
    assert clean["area"].tolist() == ["Östersund", "rest_of_county", "Östersund", "rest_of_county"]
    assert clean["ownership_group"].tolist() == ["women", "men", "mixed", "unknown"]
    assert clean["age_group"].tolist() == ["30-49", "50-64", "30-49", "50-64"]
    assert clean["industry"].tolist() == ["I", "C", "G", "I"]
    assert "org_id" not in clean.columns
    assert clean["org_pseudonym"].iloc[0] == clean["org_pseudonym"].iloc[3]
    assert clean["amount_granted_sek"].tolist()[:2] == [800_000, 450_000]


def test_no_raw_identifier_outside_quarantine(fixture_build: Path) -> None:
    identifiers = ["556036-0793", "5560360793", "5568871239", "19811218-9876", "8112189876"]
    identifiers += ["212000-2411", "2120002411"]
    for path in [*(fixture_build / "results").rglob("*"), *(fixture_build / "reports").rglob("*")]:
        if not path.is_file() or "quarantine" in path.parts:
            continue
        content = path.read_bytes()
        for identifier in identifiers:
            assert identifier.encode() not in content, f"{identifier} found in {path}"


def test_report_exists_and_states_its_inputs(fixture_build: Path) -> None:
    html = (fixture_build / "reports" / "2012-2021" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in html
    assert "Fiktiva data" in html
    assert "data/raw/business_support/2016.csv" in html


def test_rerun_does_nothing(fixture_build: Path) -> None:
    assert planned_jobs(fixture_build) == []


def test_adding_a_year_reruns_the_import_of_its_batch_only(
    fixture_build: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "copy"
    shutil.copytree(fixture_build, workdir, symlinks=True)
    new_file = workdir / "data" / "raw" / "business_support" / "2018.csv"
    shutil.copy(FIXTURE / "extra" / "business_support_2018.csv", new_file)
    jobs = planned_jobs(workdir)
    # 2018 is in the models' period (2012-2018): the batch of the business files of that
    # period reruns; the project files are not imported again.
    imports = [rule for rule, _ in jobs if rule.startswith("import_")]
    assert imports == ["import_business_support_model_period"]
    assert {rule for rule, _ in jobs} == {
        "import_business_support_model_period",
        "combine_import_quality",
        "gender_breakdown",
        "intersectional_cells",
        "intersectional_models",
        "disclosure_control",
        "publish_model_results",
        "disclosure_audit",
        "gender_figures",
        "indicators",
        "render_report",
        "release_report",
        "publish_bundle",
        "publish_dcat",
        "all",
    }


def test_a_year_after_the_model_period_does_not_refit_the_models(
    fixture_build: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "copy"
    shutil.copytree(fixture_build, workdir, symlinks=True)
    # The model period of the shipped configuration is 2012-2018.
    new_file = workdir / "data" / "raw" / "business_support" / "2019.csv"
    shutil.copy(FIXTURE / "extra" / "business_support_2018.csv", new_file)
    rules = {rule for rule, _ in planned_jobs(workdir)}
    assert {r for r in rules if r.startswith("import_")} == {"import_business_support"}
    assert "intersectional_models" not in rules


def test_editing_one_year_reimports_its_batch_only(fixture_build: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "copy"
    shutil.copytree(fixture_build, workdir, symlinks=True)
    raw = workdir / "data" / "raw" / "project_support" / "2016.csv"
    raw.write_text(raw.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    rules = {rule for rule, _ in planned_jobs(workdir)}
    assert {r for r in rules if r.startswith("import_")} == {"import_project_support"}
    # The models read only business files.
    assert "intersectional_models" not in rules


def test_unreadable_file_stops_with_one_clear_message(tmp_path: Path) -> None:
    workdir = make_project(tmp_path / "bad")
    target = workdir / "data" / "raw" / "business_support" / "2018.csv"
    shutil.copy(FIXTURE / "extra" / "business_support_2018_missing_column.csv", target)
    # Two cores: the file is imported in a worker process of its batch's job.
    result = snakemake(workdir, "--cores", "2")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert (
        "Cannot import file data/raw/business_support/2018.csv, row 1: no header row among "
        "rows 1-2: required column(s) missing: 'Beslut' (decision)" in output
    )
    assert "set header_row for this file" in output
    assert "Traceback" not in output
    assert not (workdir / "results" / "clean" / "business_support" / "2018.parquet").exists()
    assert not (workdir / "results" / "quarantine" / "business_support" / "2018.csv").exists()


def test_wrong_config_key_is_named(tmp_path: Path) -> None:
    workdir = make_project(tmp_path / "badconfig")
    config = workdir / "config" / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "validation:\n  max_amount: 5\n", encoding="utf-8"
    )
    result = snakemake(workdir, "--dry-run", "--cores", "1")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Configuration error" in output
    assert "validation" in output and "'max_amount'" in output
    assert "Traceback" not in output


def test_configfile_and_config_are_layered_on_the_overlay_and_checked(tmp_path: Path) -> None:
    workdir = make_project(tmp_path / "layered")
    (workdir / "draft.yaml").write_text("report:\n  edition: utkast\n", encoding="utf-8")
    planned = snakemake(
        workdir, "--dry-run", "--cores", "1", "--configfile", str(workdir / "draft.yaml")
    )
    assert planned.returncode == 0, planned.stdout + planned.stderr
    # The edition comes from the extra file, the rest of `report:` from the overlay.
    assert "reports/utkast/index.html" in planned.stdout
    wrong = snakemake(workdir, "--dry-run", "--cores", "1", "--config", "disclosure={min_unit: 4}")
    assert wrong.returncode != 0
    assert "at 'disclosure': unknown key(s) 'min_unit'" in wrong.stdout + wrong.stderr
