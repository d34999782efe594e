"""The published edition as open data: the bundle described for machines.

Two descriptions go with each edition:
- `datapackage.json`, a Frictionless (Tabular) Data Package beside `tabeller/`: one resource per
  CSV file with its Table Schema (types, Swedish titles and descriptions, units, primary key from
  the catalogue), the files' dialect (`;`, UTF-8 with a byte order mark, decimal comma on number
  fields), the cells that mean "no value" (empty, and `..` as in the workbook), the file's size
  and SHA-256 so that a changed file is detected, licence, publisher and contact.
- `dcat.jsonld`, DCAT-AP-SE metadata (JSON-LD) for the national data portal: one `dcat:Dataset`
  for the edition and one `dcat:Distribution` per published file.

Everything is derived from the catalogue, the configuration and the published files themselves;
dates come from the data (the end of the latest decision year), never from the clock, so a
rebuild writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from rtp_eval.catalog import (
    AMOUNT,
    COPY,
    COUNT,
    DERIVED,
    FLAG,
    INDICATOR,
    PERIOD,
    TOTAL,
    Column,
    Table,
    table,
)
from rtp_eval.io import BYTE_ORDER_MARK, EXCEL_DECIMAL, EXCEL_SEPARATOR
from rtp_eval.publish import SUPPRESSED

TABLE_FOLDER = "tabeller"
DATAPACKAGE = "datapackage.json"
# What a bundle cell holds when it has no value: empty in the CSV files (suppressed or missing)
# and `..` in the workbook, which readers of either may carry over.
MISSING_VALUES = ("", SUPPRESSED)
FIELD_TYPES = {"string": "string", "Int64": "integer", "Float64": "number", "boolean": "boolean"}

# Licences the national data portal offers (Creative Commons, as it writes their addresses),
# with their SPDX identifiers for the data package.
LICENCES: Mapping[str, tuple[str, str]] = {
    "http://creativecommons.org/publicdomain/zero/1.0/": ("CC0-1.0", "CC0 1.0 Universal"),
    "http://creativecommons.org/licenses/by/4.0/": ("CC-BY-4.0", "Erkännande 4.0 Internationell"),
    "http://creativecommons.org/licenses/by-sa/4.0/": (
        "CC-BY-SA-4.0",
        "Erkännande-DelaLika 4.0 Internationell",
    ),
}

# Units of the numeric columns (the `unit` of a Table Schema field) and what they mean.
UNITS: Mapping[str, str] = {
    "antal": "antal",
    "antal per år": "antal per år (årsmedelvärde)",
    "kr": "kronor",
    "kr per år": "kronor per år (årsmedelvärde)",
    "andel": "andel mellan 0 och 1",
    "procent": "procent",
    "procentenheter": "procentenheter",
    "index": "kvot (1 = samma andel som jämförelsegruppen)",
    "år": "år",
}
# Columns whose unit is not one of the above: calendar years and ordinal numbers, model
# statistics without a unit, and indicator values, whose unit is the row's `unit` column.
_NO_UNIT = frozenset(
    {
        "year",
        "target_year",
        "header_row",
        "national_goal",
        "p_value",
        "lr_p_value",
        "lr_statistic",
        "interaction_p_value",
        "interaction_q_value",
        "amount_interaction_q_value",
        "interaction_logit",
        "interaction_logit_sd",
        "amount_interaction_log",
        "stratum_variance",
        "stratum_variance_ci_low",
        "stratum_variance_ci_high",
        "residual_variance",
        "auc",
    }
)
_UNIT_IN_ROW = (
    "Enheten står i kolumnen unit (percent = procent, percentage_points = procentenheter)."
)
_KIND_NOTES = {
    COUNT: "Antal ärenden; adderbart.",
    AMOUNT: "Summa över ärendena; adderbar.",
    DERIVED: "Beräknat ur radens adderbara värden.",
    COPY: "Publicerat värde ur tabellen som jämförs, upprepat.",
    PERIOD: "Ett år (2014) eller en period av år (2012-2015).",
    FLAG: "true: raden har uppgifter som inte redovisas (röjandeskydd).",
}
_HIDDEN_NOTE = "Tom cell: uppgiften redovisas inte (röjandeskydd) eller saknas."

MEDIA_TYPES: Mapping[str, tuple[str, str]] = {
    # suffix -> (IANA media type, EU file type)
    ".csv": ("text/csv", "CSV"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    ".json": ("application/json", "JSON"),
    ".html": ("text/html", "HTML"),
    ".pdf": ("application/pdf", "PDF"),
}

DCAT_CONTEXT: Mapping[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_EU = "http://publications.europa.eu/resource/authority/"
# Economy and finance; population and society: support to businesses, seen by gender.
THEMES = (f"{_EU}data-theme/ECON", f"{_EU}data-theme/SOCI")
KEYWORDS = ("jämställdhet", "regional tillväxt", "företagsstöd", "projektstöd", "kön")
REGIONAL_AUTHORITY = "http://purl.org/adms/publishertype/RegionalAuthority"


@dataclass(frozen=True)
class Publication:
    """Who publishes the edition, under which licence, and where (from the configuration)."""

    edition: str
    title: str
    region: str
    publisher: str
    contact_email: str
    licence: str
    public_url: str | None
    demo: bool

    @classmethod
    def from_config(
        cls, publication: Mapping[str, Any], report: Mapping[str, Any], region: str, demo: bool
    ) -> Publication:
        """From the configuration's `publication` and `report` sections."""
        return cls(
            edition=report["edition"],
            title=report["title"],
            region=region,
            publisher=publication["publisher"],
            contact_email=publication["contact_email"],
            licence=publication["licence"],
            public_url=report.get("public_url"),
            demo=demo,
        )

    def address(self, relative: str) -> str:
        """A file's web address below `public_url`; relative to the edition folder without it."""
        return f"{self.public_url}{relative}" if self.public_url else relative


@dataclass(frozen=True)
class PublishedFile:
    """A file of the edition: its path below the edition folder and its bytes."""

    path: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def to_json_text(document: Mapping[str, Any]) -> str:
    """JSON as written to the edition: UTF-8 text, fixed order, a newline at the end."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def edition_date(epoch: int) -> dt.date:
    """The edition's date (issued, modified, created) from the data's epoch (`data_epoch`)."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).date()


# --- Frictionless Data Package ------------------------------------------------------------------


def _numeric(column: Column) -> bool:
    return column.dtype in ("Int64", "Float64")


def _unit_in_row(column: Column) -> bool:
    """An indicator's value: its unit is the row's `unit` column."""
    return _numeric(column) and (column.kind == INDICATOR or column.name == "target_value")


def unit(column: Column) -> str | None:
    """The unit of a published numeric column, from its name and kind in the catalogue."""
    name = column.name
    if not _numeric(column) or name in _NO_UNIT or _unit_in_row(column):
        return None
    if name.endswith("_pp"):
        return "procentenheter"
    if name.endswith("_pct"):
        return "procent"
    if "index" in name:
        return "index"
    if name.startswith("years_"):
        return "år"
    if "_sek" in name or name.startswith("predicted_amount"):
        base = "kr"
    elif any(part in name for part in ("rate", "share", "approval", "vpc", "pcv")):
        return "andel"
    else:
        base = "antal"
    return f"{base} per år" if "_per_year" in name else base


def field_descriptor(name: str, of: Table) -> dict[str, Any]:
    """A Table Schema field for a column of a published table, as the bundle writes it."""
    column = of.column(name)
    field: dict[str, Any] = {
        "name": name,
        "title": column.header_sv,
        "type": FIELD_TYPES[column.dtype],
    }
    notes = [_KIND_NOTES[column.kind]] if column.kind in _KIND_NOTES else []
    if name in of.totals:
        notes.append(f"Värdet {TOTAL} står för summan över de övriga värdena.")
    field_unit = unit(column)
    if field_unit:
        field["unit"] = field_unit
        notes.append(f"Enhet: {UNITS[field_unit]}.")
    elif _unit_in_row(column):
        notes.append(_UNIT_IN_ROW)
    if of.is_case_table and column.kind in (COUNT, AMOUNT, DERIVED, COPY):
        notes.append(_HIDDEN_NOTE)
    if notes:
        field["description"] = " ".join(notes)
    if field["type"] == "number":
        field["decimalChar"] = EXCEL_DECIMAL
    if field["type"] == "boolean":
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    return field


def table_schema(of: Table, columns: Sequence[str]) -> dict[str, Any]:
    """The Table Schema of one CSV file of the bundle (`columns` in the file's order)."""
    return {
        "fields": [field_descriptor(name, of) for name in columns],
        "primaryKey": list(of.keys),
        "missingValues": list(MISSING_VALUES),
    }


def resource_descriptor(name: str, columns: Sequence[str], content: bytes) -> dict[str, Any]:
    """The data package resource of the bundle's CSV file of table `name`."""
    of = table(name)
    return {
        "name": name,
        "path": f"{TABLE_FOLDER}/{name}.csv",
        "profile": "tabular-data-resource",
        "title": of.title_sv,
        "format": "csv",
        "mediatype": "text/csv",
        # UTF-8; the byte order mark at the start is for Excel and not part of the data.
        "encoding": "utf-8",
        "bytes": len(content),
        "hash": f"sha256:{hashlib.sha256(content).hexdigest()}",
        "dialect": {
            "delimiter": EXCEL_SEPARATOR,
            "lineTerminator": "\n",
            "quoteChar": '"',
            "doubleQuote": True,
            "header": True,
        },
        "schema": table_schema(of, columns),
    }


def licence_descriptor(url: str) -> dict[str, str]:
    """A data package licence: SPDX identifier and title where known, always the address."""
    if url in LICENCES:
        spdx, title = LICENCES[url]
        return {"name": spdx, "path": url, "title": title}
    return {"path": url}


def _demo_note(publication: Publication) -> str:
    return " Uppgifterna är fiktiva demodata, inte verkliga ärenden." if publication.demo else ""


def _description(publication: Publication) -> str:
    return (
        "Tabeller ur utvärderingen av det regionala tillväxtprogrammet i "
        f"{publication.region} ur ett jämställdhetsperspektiv: beslut om företagsstöd och "
        "projektstöd efter kön, födelsebakgrund, ålder, område och bransch, förändring mellan "
        "perioder, "
        "intersektionella modeller och måluppfyllelse. Röjandeskydd är tillämpat: uppgifter om "
        "för få organisationer eller där några få dominerar redovisas inte."
        f"{_demo_note(publication)}"
    )


def datapackage(
    columns: Mapping[str, Sequence[str]],
    csv_files: Mapping[str, bytes],
    publication: Publication,
    epoch: int,
) -> dict[str, Any]:
    """The bundle's data package: one resource per CSV file (`csv_files` by table name)."""
    source = (
        "Fiktiva demodata"
        if publication.demo
        else f"{publication.publisher}: ärendeexporter (beslut om företagsstöd och projektstöd)"
    )
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": f"rtp-eval-{publication.edition}".lower(),
        "title": f"{publication.title} – tabeller {publication.edition}",
        "description": _description(publication),
        "created": dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "keywords": list(KEYWORDS),
        "licenses": [licence_descriptor(publication.licence)],
        "sources": [{"title": source}],
        "contributors": [
            {
                "title": publication.publisher,
                "role": "publisher",
                "email": publication.contact_email,
            }
        ],
    }
    if publication.public_url:
        package["homepage"] = publication.public_url
    package["resources"] = [
        resource_descriptor(name, columns[name], content) for name, content in csv_files.items()
    ]
    return package


def csv_columns(content: bytes) -> list[str]:
    """The header of one of the bundle's CSV files."""
    text = content.decode("utf-8").removeprefix(BYTE_ORDER_MARK)
    return text.split("\n", 1)[0].split(EXCEL_SEPARATOR)


# --- DCAT-AP-SE -----------------------------------------------------------------------------------


def _sv(text: str) -> dict[str, str]:
    return {"@value": text, "@language": "sv"}


def _date(day: dt.date) -> dict[str, str]:
    return {"@value": day.isoformat(), "@type": "xsd:date"}


def file_text(path: str) -> tuple[str, str]:
    """Swedish title and description of a published file of the edition."""
    name = PurePosixPath(path)
    if name.parent.name == TABLE_FOLDER and name.suffix == ".csv":
        of = table(name.stem)
        return (
            f"{of.title_sv} (CSV)",
            f"Tabellen {of.name} som CSV-fil för svensk Excel: semikolon mellan fälten, "
            "decimalkomma, UTF-8 med byteordningsmarkering. Kolumner, typer och enheter "
            f"beskrivs i {DATAPACKAGE}. {_HIDDEN_NOTE}",
        )
    texts = {
        "tabeller.xlsx": (
            "Alla tabeller i en arbetsbok (XLSX)",
            f"Ett blad per tabell med svenska rubriker. {SUPPRESSED} = uppgiften redovisas inte "
            "(röjandeskydd).",
        ),
        DATAPACKAGE: (
            "Beskrivning av tabellerna (Frictionless Data Package)",
            "Maskinläsbar beskrivning av CSV-filerna: kolumner, typer, enheter, nycklar, "
            "filformat, storlek och kontrollsumma.",
        ),
        "index.html": ("Rapporten som webbsida", "Hela rapporten som en tillgänglig webbsida."),
        "rapport.pdf": ("Rapporten som PDF", "Hela rapporten som tillgänglig PDF (PDF/UA)."),
    }
    if path not in texts:
        raise ValueError(f"{path!r} is not a file the edition publishes")
    return texts[path]


def distribution(
    published: PublishedFile, publication: Publication, day: dt.date
) -> dict[str, Any]:
    """A `dcat:Distribution` of one published file."""
    media_type, file_type = MEDIA_TYPES[PurePosixPath(published.path).suffix]
    title, description = file_text(published.path)
    address = {"@id": publication.address(published.path)}
    node: dict[str, Any] = {
        "@id": publication.address(f"dcat.jsonld#{published.path}"),
        "@type": "dcat:Distribution",
        "dcterms:title": _sv(title),
        "dcterms:description": _sv(description),
        "dcat:accessURL": address,
        "dcat:downloadURL": address,
        "dcterms:format": {"@id": f"{_EU}file-type/{file_type}"},
        "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media_type}"},
        "dcterms:license": {"@id": publication.licence},
        "dcterms:issued": _date(day),
        "dcterms:modified": _date(day),
        "dcat:byteSize": {"@value": str(len(published.content)), "@type": "xsd:decimal"},
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
            "spdx:checksumValue": {"@value": published.sha256, "@type": "xsd:hexBinary"},
        },
    }
    if published.path == DATAPACKAGE:
        node["dcterms:conformsTo"] = {"@id": "https://specs.frictionlessdata.io/data-package/"}
    return node


def dcat_dataset(
    files: Sequence[PublishedFile],
    publication: Publication,
    years: tuple[int, int],
    counties: Mapping[str, str],
    epoch: int,
) -> dict[str, Any]:
    """DCAT-AP-SE metadata of the edition: the dataset and a distribution per published file.

    `years`: the first and last decision year of the data; `counties`: code -> Swedish name of
    the counties the data cover.
    """
    day = edition_date(epoch)
    first, last = years
    dataset: dict[str, Any] = {
        "@id": publication.address("dcat.jsonld#dataset"),
        "@type": "dcat:Dataset",
        "dcterms:title": _sv(f"{publication.title}, {publication.edition}"),
        "dcterms:description": _sv(_description(publication)),
        "dcterms:publisher": {
            "@type": "foaf:Agent",
            "foaf:name": publication.publisher,
            "dcterms:type": {"@id": REGIONAL_AUTHORITY},
        },
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": publication.publisher,
            "vcard:hasEmail": {"@id": f"mailto:{publication.contact_email}"},
        },
        "dcterms:accessRights": {"@id": f"{_EU}access-right/PUBLIC"},
        "dcterms:language": {"@id": f"{_EU}language/SWE"},
        "dcat:keyword": [_sv(word) for word in KEYWORDS],
        "dcat:theme": [{"@id": theme} for theme in THEMES],
        "dcterms:spatial": [
            {
                "@type": "dcterms:Location",
                "skos:prefLabel": _sv(name),
                "dcterms:identifier": code,
            }
            for code, name in sorted(counties.items())
        ],
        "dcterms:temporal": {
            "@type": "dcterms:PeriodOfTime",
            "dcat:startDate": _date(dt.date(first, 1, 1)),
            "dcat:endDate": _date(dt.date(last, 12, 31)),
        },
        "dcterms:issued": _date(day),
        "dcterms:modified": _date(day),
        "dcat:distribution": [distribution(f, publication, day) for f in files],
    }
    if publication.public_url:
        dataset["dcat:landingPage"] = {"@id": publication.public_url}
    return {"@context": dict(DCAT_CONTEXT), **dataset}


def decision_years(*year_columns: Sequence[object]) -> tuple[int, int]:
    """First and last decision year among the published tables' `year` values."""
    years = sorted({int(str(y)) for column in year_columns for y in column if str(y).isdigit()})
    if not years:
        raise ValueError("no decision year in the published tables")
    return years[0], years[-1]
