"""The edition as open data: a Frictionless Data Package that validates the bundle's CSV files
(and catches a broken one), and DCAT-AP-SE metadata listing every published file."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pandas as pd
import pytest
import yaml
from frictionless import Package, validate

from rtp_eval.catalog import COLUMNS, PUBLISHED_TABLES, TABLES
from rtp_eval.io import read_table, write_csv
from rtp_eval.opendata import (
    DATAPACKAGE,
    DCAT_CONTEXT,
    LICENCES,
    UNITS,
    Publication,
    PublishedFile,
    csv_columns,
    datapackage,
    dcat_dataset,
    decision_years,
    file_text,
    to_json_text,
    unit,
)
from rtp_eval.publish import bundle_csv

REPO = Path(__file__).resolve().parents[1]
EPOCH = int(dt.datetime(2021, 12, 31, tzinfo=dt.UTC).timestamp())
BUNDLE_TABLES = ("business_support_by_gender", "disclosure_audit", "indicators")
PUBLICATION = Publication(
    edition="2012-2021",
    title="Jämställd regional tillväxt",
    region="Region Jämtland Härjedalen",
    publisher="Region Jämtland Härjedalen",
    contact_email="oppna.data@example.invalid",
    licence="http://creativecommons.org/publicdomain/zero/1.0/",
    public_url=None,
    demo=True,
)
ONLINE = Publication(**{**PUBLICATION.__dict__, "public_url": "https://example.invalid/rtp/"})


def catalogue_frame(name: str, rows: int = 4) -> pd.DataFrame:
    """A table with every catalogue column: distinct keys, decimals, a hidden (empty) row."""
    columns: dict[str, Any] = {}
    for column in TABLES[name].columns:
        dtype = COLUMNS[column].dtype
        if dtype == "string":
            values: list[Any] = [f"{column}_{i}" for i in range(rows)]
        elif dtype == "Int64":
            values = [2012 + i for i in range(rows)]
        elif dtype == "Float64":
            values = [0.25 * (i + 1) - 0.5 for i in range(rows)]
        else:
            values = [i == 1 for i in range(rows)]
        if column not in TABLES[name].keys:
            values[1] = None  # a suppressed row: no values
        columns[column] = pd.array(values, dtype=dtype)
    return pd.DataFrame(columns)


def published(tmp_path: Path, name: str) -> pd.DataFrame:
    """A table as the bundle step reads it from results/tables/: written, typed back."""
    path = tmp_path / "results" / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(catalogue_frame(name), path)
    return read_table(path, name)


def write_bundle(tmp_path: Path, publication: Publication = PUBLICATION) -> Path:
    """CSV files and their datapackage.json in an edition folder, as the bundle step writes."""
    edition = tmp_path / "edition"
    (edition / "tabeller").mkdir(parents=True)
    tables = {name: published(tmp_path, name) for name in BUNDLE_TABLES}
    files = {name: bundle_csv(frame).encode("utf-8") for name, frame in tables.items()}
    for name, content in files.items():
        (edition / "tabeller" / f"{name}.csv").write_bytes(content)
    columns = {name: list(frame.columns) for name, frame in tables.items()}
    package = datapackage(columns, files, publication, EPOCH)
    (edition / DATAPACKAGE).write_text(to_json_text(package), encoding="utf-8")
    return edition


def errors(edition: Path) -> list[str]:
    report = validate(str(edition / DATAPACKAGE))
    return [error.type for task in report.tasks for error in task.errors] + [
        error.type for error in report.errors
    ]


def test_the_data_package_of_a_bundle_is_valid_and_reads_the_numbers_back(
    tmp_path: Path,
) -> None:
    edition = write_bundle(tmp_path)
    assert errors(edition) == []
    package = Package(str(edition / DATAPACKAGE))
    rows = package.get_resource("business_support_by_gender").read_rows()
    expected = catalogue_frame("business_support_by_gender")
    # Decimal comma, empty (suppressed) cells and true/false are read as the data they stand for.
    assert [row["approval_rate"] for row in rows] == [-0.25, None, 0.25, 0.5]
    assert [row["decisions"] for row in rows] == [2012, None, 2014, 2015]
    assert [row["suppressed"] for row in rows] == [False, None, False, False]
    assert [row["support_type"] for row in rows] == list(expected["support_type"])


def test_the_table_schemas_follow_the_catalogue(tmp_path: Path) -> None:
    package = json.loads((write_bundle(tmp_path) / DATAPACKAGE).read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC0-1.0"
    assert package["contributors"][0]["email"] == PUBLICATION.contact_email
    assert "fiktiva" in package["description"]
    for resource in package["resources"]:
        of = TABLES[resource["name"]]
        schema = resource["schema"]
        assert resource["title"] == of.title_sv
        assert resource["dialect"]["delimiter"] == ";"
        assert schema["primaryKey"] == list(of.keys)
        assert set(schema["missingValues"]) == {"", ".."}
        assert [f["name"] for f in schema["fields"]] == list(of.columns)
        for field in schema["fields"]:
            assert field["title"] == COLUMNS[field["name"]].header_sv
            assert (field.get("decimalChar") == ",") == (field["type"] == "number")


def break_a_number(edition: Path) -> None:
    path = edition / "tabeller" / "disclosure_audit.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("-0,25", "-0.25x", 1), encoding="utf-8")


def duplicate_a_key(edition: Path) -> None:
    path = edition / "tabeller" / "disclosure_audit.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines, lines[1]]), encoding="utf-8")


def rename_a_column(edition: Path) -> None:
    path = edition / "tabeller" / "indicators.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("indicator_id", "indikator", 1), encoding="utf-8")


def remove_a_file(edition: Path) -> None:
    (edition / "tabeller" / "indicators.csv").unlink()


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (break_a_number, {"type-error", "hash-count", "byte-count"}),
        (duplicate_a_key, {"primary-key", "hash-count", "byte-count"}),
        (rename_a_column, {"incorrect-label", "hash-count"}),
        (remove_a_file, {"scheme-error"}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_broken_bundle_is_detected(tmp_path: Path, breakage: Any, expected: set[str]) -> None:
    edition = write_bundle(tmp_path)
    breakage(edition)
    assert expected <= set(errors(edition))


def test_two_dots_from_the_workbook_read_as_missing(tmp_path: Path) -> None:
    """A reader that copies the workbook's `..` into a CSV file still has a valid table."""
    edition = write_bundle(tmp_path)
    path = edition / "tabeller" / "disclosure_audit.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";;", ";..;"), encoding="utf-8")
    assert set(errors(edition)) <= {"hash-count", "byte-count"}


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("amount_granted_sek", "kr"),
        ("median_granted_sek", "kr"),
        ("predicted_amount_ci_low", "kr"),
        ("amount_granted_sek_per_year_from", "kr per år"),
        ("decisions", "antal"),
        ("expected_jobs_women", "antal"),
        ("decisions_per_year_to", "antal per år"),
        ("approval_rate", "andel"),
        ("share_of_amount", "andel"),
        ("approval_rate_change_pp", "procentenheter"),
        ("granted_per_year_change_pct", "procent"),
        ("min_amount_margin_pct", "procent"),
        ("representation_index", "index"),
        ("years_from", "år"),
        ("value", None),  # the indicator's unit is in its row
        ("target_value", None),
        ("year", None),
        ("p_value", None),
        ("support_type", None),
    ],
)
def test_units_of_the_catalogue_columns(column: str, expected: str | None) -> None:
    assert unit(COLUMNS[column]) == expected


def test_every_unit_agrees_with_the_swedish_header() -> None:
    for name in sorted({c for t in TABLES.values() for c in t.columns}):
        column = COLUMNS[name]
        found = unit(column)
        assert found is None or found in UNITS, name
        header = column.header_sv.lower()
        if "procentenheter" in header:
            assert found == "procentenheter", name
        elif "%" in header:
            assert found == "procent", name
        elif "(kr)" in header:
            assert found in ("kr", "kr per år"), name
        elif header.startswith(("andel", "beviljandegrad", "skattad beviljandegrad")):
            assert found == "andel", name


def test_the_config_offers_exactly_the_licences_the_package_knows() -> None:
    schema = yaml.safe_load(
        (REPO / "workflow" / "schemas" / "config.schema.yaml").read_text(encoding="utf-8")
    )
    assert schema["$defs"]["Publication"]["properties"]["licence"]["enum"] == list(LICENCES)


# --- DCAT-AP-SE ---------------------------------------------------------------------------------

# DCAT-AP-SE 2.x: mandatory and recommended properties of each class written here.
REQUIRED = {
    "dcat:Dataset": {
        "dcterms:title",
        "dcterms:description",
        "dcterms:publisher",
        "dcat:contactPoint",
        "dcat:distribution",
        "dcat:keyword",
        "dcat:theme",
        "dcterms:spatial",
        "dcterms:temporal",
        "dcterms:issued",
        "dcterms:modified",
    },
    "dcat:Distribution": {
        "dcat:accessURL",
        "dcterms:title",
        "dcterms:description",
        "dcterms:format",
        "dcat:mediaType",
        "dcterms:license",
        "dcat:downloadURL",
    },
    "foaf:Agent": {"foaf:name", "dcterms:type"},
    "vcard:Organization": {"vcard:fn", "vcard:hasEmail"},
    "dcterms:PeriodOfTime": {"dcat:startDate", "dcat:endDate"},
    "dcterms:Location": {"skos:prefLabel"},
}


def edition_files(tmp_path: Path) -> list[PublishedFile]:
    edition = write_bundle(tmp_path)
    files = [
        PublishedFile(p.relative_to(edition).as_posix(), p.read_bytes())
        for p in sorted(edition.rglob("*"))
        if p.is_file()
    ]
    documents = {"index.html": b"<html></html>", "rapport.pdf": b"%PDF-1.7", "tabeller.xlsx": b"PK"}
    return [*(PublishedFile(n, c) for n, c in documents.items()), *files]


def nodes(value: Any) -> list[dict[str, Any]]:
    """Every JSON-LD node object in `value`, nested ones too."""
    found = []
    if isinstance(value, dict):
        if "@type" in value:
            found.append(value)
        for item in value.values():
            found += nodes(item)
    elif isinstance(value, list):
        for item in value:
            found += nodes(item)
    return found


def metadata(files: list[PublishedFile], publication: Publication = PUBLICATION) -> dict[str, Any]:
    return dcat_dataset(files, publication, (2012, 2021), {"23": "Jämtlands län"}, EPOCH)


def test_dcat_has_the_required_properties_of_each_class(tmp_path: Path) -> None:
    document = metadata(edition_files(tmp_path))
    found = nodes(document)
    assert {node["@type"] for node in found} >= set(REQUIRED) - {"spdx:Checksum"}
    for node in found:
        missing = REQUIRED.get(node["@type"], set()) - set(node)
        assert not missing, (node["@type"], missing)
    for key in ("dcterms:title", "dcterms:description"):
        assert document[key]["@language"] == "sv"
    assert document["dcat:contactPoint"]["vcard:hasEmail"]["@id"].startswith("mailto:")
    assert document["dcterms:temporal"]["dcat:startDate"]["@value"] == "2012-01-01"
    assert document["dcterms:temporal"]["dcat:endDate"]["@value"] == "2021-12-31"
    assert document["dcterms:issued"]["@value"] == "2021-12-31"
    assert document["dcterms:spatial"][0]["dcterms:identifier"] == "23"
    assert "fiktiva" in document["dcterms:description"]["@value"]


def test_dcat_has_one_distribution_per_published_file(tmp_path: Path) -> None:
    files = edition_files(tmp_path)
    document = metadata(files)
    distributions = document["dcat:distribution"]
    assert [d["dcat:downloadURL"]["@id"] for d in distributions] == [f.path for f in files]
    assert len({d["@id"] for d in distributions}) == len(files)
    for distribution, published_file in zip(distributions, files, strict=True):
        assert distribution["dcat:byteSize"]["@value"] == str(len(published_file.content))
        checksum = distribution["spdx:checksum"]["spdx:checksumValue"]["@value"]
        assert checksum == hashlib.sha256(published_file.content).hexdigest()
    formats = [d["dcterms:format"]["@id"].rsplit("/", 1)[1] for d in distributions]
    assert formats[:4] == ["HTML", "PDF", "XLSX", "JSON"]
    assert set(formats[4:]) == {"CSV"}


def test_dcat_addresses_are_below_the_public_url_when_it_is_set(tmp_path: Path) -> None:
    files = edition_files(tmp_path)
    document = metadata(files, ONLINE)
    assert document["dcat:landingPage"]["@id"] == ONLINE.public_url
    assert document["@id"] == "https://example.invalid/rtp/dcat.jsonld#dataset"
    for distribution, published_file in zip(document["dcat:distribution"], files, strict=True):
        address = f"https://example.invalid/rtp/{published_file.path}"
        assert distribution["dcat:downloadURL"]["@id"] == address
        assert distribution["dcat:accessURL"]["@id"] == address
        assert distribution["@id"].startswith("https://example.invalid/rtp/dcat.jsonld#")


def test_every_prefix_used_is_declared_in_the_context(tmp_path: Path) -> None:
    text = to_json_text(metadata(edition_files(tmp_path)))
    used = set(re.findall(r'"([a-z]+):[A-Za-z_]', text)) - {"http", "https", "mailto"}
    assert used and used <= set(DCAT_CONTEXT)


def test_a_file_the_edition_does_not_publish_is_refused() -> None:
    assert file_text("tabeller/indicators.csv")[0].endswith("(CSV)")
    with pytest.raises(ValueError, match="not a file the edition publishes"):
        file_text("notes.txt")
    with pytest.raises(KeyError):
        file_text("tabeller/no_such_table.csv")


def test_decision_years_span_the_published_years() -> None:
    assert decision_years(["2014", "", "2012"], pd.array([2021, None], dtype="Int64")) == (
        2012,
        2021,
    )
    with pytest.raises(ValueError):
        decision_years([""])


# --- the rule scripts ---------------------------------------------------------------------------


def script(name: str) -> ModuleType:
    """A rule script as a module (it runs only when Snakemake passes `snakemake`)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_scripts(tmp_path: Path) -> dict[str, bytes]:
    """The bundle and DCAT steps run as Snakemake runs them; every file they write, by path."""
    publish_bundle, publish_dcat = (script(name) for name in ("publish_bundle", "publish_dcat"))
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    params = {
        "publication": config["publication"],
        "report": {"edition": "2012-2021", "title": "T", "public_url": None},
        "region": config["region"]["name"],
        "county_codes": config["region"]["county_codes"],
        "demo": True,
    }
    tables = [tmp_path / "results" / f"{name}.csv" for name in PUBLISHED_TABLES]
    for path in tables:
        published(tmp_path, path.stem)
    edition = tmp_path / "reports" / "2012-2021"
    (edition / "tabeller").mkdir(parents=True)
    csv = [str(edition / "tabeller" / f"{name}.csv") for name in PUBLISHED_TABLES]
    outputs = {"xlsx": edition / "tabeller.xlsx", "datapackage": edition / DATAPACKAGE}
    publish_bundle.main(
        SimpleNamespace(
            input=SimpleNamespace(tables=[str(p) for p in tables]),
            output=SimpleNamespace(csv=csv, **{k: str(v) for k, v in outputs.items()}),
            params=SimpleNamespace(**params),
        )
    )
    for name in ("index.html", "rapport.pdf"):
        (edition / name).write_bytes(name.encode())
    publish_dcat.main(
        SimpleNamespace(
            input=SimpleNamespace(
                html=str(edition / "index.html"),
                pdf=str(edition / "rapport.pdf"),
                csv=csv,
                counties=str(REPO / "data" / "reference" / "counties.csv"),
                **{k: str(v) for k, v in outputs.items()},
            ),
            output=SimpleNamespace(dcat=str(edition / "dcat.jsonld")),
            params=SimpleNamespace(**params),
        )
    )
    return {p.relative_to(edition).as_posix(): p.read_bytes() for p in edition.rglob("*.*")}


def test_two_runs_of_the_steps_write_the_same_bytes(tmp_path: Path) -> None:
    first, second = run_scripts(tmp_path / "a"), run_scripts(tmp_path / "b")
    assert first == second
    assert {"datapackage.json", "dcat.jsonld", "tabeller.xlsx"} <= set(first)
    listed = json.loads(first["dcat.jsonld"])["dcat:distribution"]
    assert {d["dcat:downloadURL"]["@id"] for d in listed} == set(first) - {"dcat.jsonld"}
    package = json.loads(first["datapackage.json"])
    assert [r["name"] for r in package["resources"]] == list(PUBLISHED_TABLES)
    for resource in package["resources"]:
        assert csv_columns(first[resource["path"]]) == list(TABLES[resource["name"]].columns)


# --- the demo build -----------------------------------------------------------------------------


@pytest.mark.e2e
def test_the_demo_edition_is_valid_open_data(demo_build: Path) -> None:
    from tests.test_privacy import published_files

    edition = demo_build / "reports" / "2012-2021"
    assert errors(edition) == []
    listed = json.loads((edition / "dcat.jsonld").read_text(encoding="utf-8"))
    addresses = {d["dcat:downloadURL"]["@id"] for d in listed["dcat:distribution"]}
    on_disk = {p.relative_to(edition).as_posix() for p in edition.rglob("*") if p.is_file()}
    assert addresses == on_disk - {"dcat.jsonld"}
    # The privacy scan of tests/test_privacy.py reads these files too.
    assert {edition / DATAPACKAGE, edition / "dcat.jsonld"} <= set(published_files(demo_build))
