"""Tests of the fictitious demo data and the reference code lists.

The generated files are read back here with plain pandas/openpyxl and a deliberately small
parser, independent of the project's import code, so that a bug there cannot hide a bug in
the demo data (or the other way round).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.demo import (
    DEFAULT_SEED,
    DemoConfig,
    format_number,
    generate,
    is_luhn_valid,
    luhn_check_digit,
    organisation_number,
    personal_identity_number,
    write_demo_data,
)

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "data" / "reference"
COMMITTED_RAW = REPO / "data" / "raw"
YEARS = range(2012, 2022)
MSEK = 1_000_000

# Data contract §1.6: every export label per support type.
CONTRACT_SUPPORT_TYPE_LABELS = {
    "investment": {"Regionalt investeringsstöd", "Investeringsstöd"},
    "business_development": {
        "Regionalt företagsstöd",
        "Företagsutvecklingsstöd",
        "Regionalt bidrag till företagsutveckling",
        "Stöd till små och medelstora företag",
        "Främjandestöd",
    },
    "transport": {"Transportbidrag", "Transportstöd"},
    "commercial_service": {"Stöd till kommersiell service", "Kommersiell service"},
    "seed": {"Såddfinansiering"},
    "other": {"Övrigt"},
}
SUPPORT_TYPE_BY_LABEL = {
    label.casefold(): code
    for code, labels in CONTRACT_SUPPORT_TYPE_LABELS.items()
    for label in labels
}
DECISION_BY_LABEL = {
    "beviljat": "granted",
    "beviljad": "granted",
    "bifall": "granted",
    "avslag": "rejected",
    "avslaget": "rejected",
    "återtaget": "withdrawn",
    "återtagen": "withdrawn",
    "avskrivet": "withdrawn",
}
SEX_BY_LABEL = {"kvinna": "woman", "k": "woman", "kvinnor": "woman", "man": "man", "m": "man"}
SEX_BY_LABEL |= {"män": "man"}
BACKGROUND_BY_LABEL = {
    "inrikes född": "swedish_born",
    "född i sverige": "swedish_born",
    "utrikes född": "foreign_born",
    "född utomlands": "foreign_born",
}
MISSING = {"", "-", "uppgift saknas"}


# ----------------------------------------------------------------------------------------------
# A minimal reader for the generated files


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    frame = pd.read_csv(
        io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, quotechar='"'
    )
    frame.index = range(2, len(frame) + 2)
    return frame


def _read_xlsx(path: Path) -> pd.DataFrame:
    sheet = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if any(v is not None for v in row))
    header = [str(v) for v in rows[header_at]]
    frame = pd.DataFrame(rows[header_at + 1 :], columns=header, dtype=object)
    frame.index = range(header_at + 2, header_at + 2 + len(frame))
    return frame


def read_export(path: Path) -> pd.DataFrame:
    """A generated file with normalised header names; the index is the spreadsheet row number."""
    frame = _read_xlsx(path) if path.suffix == ".xlsx" else _read_csv(path)
    frame.columns = [str(c).strip().casefold() for c in frame.columns]
    return frame


def parse_amount(value: object) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text.casefold() in MISSING:
        return None
    text = re.sub(r"\s*(kr|SEK)$", "", text).replace(" ", "").replace("\u00a0", "")
    return float(text.replace(".", "").replace(",", "."))


def parse_date(value: object, year: int) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    if re.fullmatch(r"\d{8}", text):
        return dt.datetime.strptime(text, "%Y%m%d").date()
    return dt.datetime.strptime(text, "%y%m%d").date()


def label(value: object, mapping: dict[str, str]) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip().casefold()
    return None if text in MISSING else mapping[text]


def as_int(value: object) -> int | None:
    amount = parse_amount(value)
    return None if amount is None else int(amount)


def load_business(raw: Path, bad: set[tuple[str, int]]) -> pd.DataFrame:
    frames = []
    for year in YEARS:
        path = next((raw / "business_support").glob(f"{year}.*"))
        frame = read_export(path)
        name = f"business_support/{path.name}"
        frame = frame[[(name, int(r)) not in bad for r in frame.index]]
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "decision_date": [parse_date(v, year) for v in frame["beslutsdatum"]],
                    "support_type": [label(v, SUPPORT_TYPE_BY_LABEL) for v in frame["stödtyp"]],
                    "decision": [label(v, DECISION_BY_LABEL) for v in frame["beslut"]],
                    "applied": [parse_amount(v) for v in frame["sökt belopp"]],
                    "granted": [parse_amount(v) for v in frame["beviljat belopp"]],
                    "org_id": frame["organisationsnummer"].astype(str).to_list(),
                    "municipality": frame["kommun"].astype(str).to_list(),
                    "sni": frame["sni"].to_list(),
                    "legal_form": frame["företagsform"].to_list(),
                    "ceo_sex": [label(v, SEX_BY_LABEL) for v in frame["vd kön"]],
                    "birth_year": [as_int(v) for v in frame["vd födelseår"]],
                    "background": [
                        label(v, BACKGROUND_BY_LABEL) for v in frame["vd födelsebakgrund"]
                    ],
                    "owner_share": [parse_amount(v) for v in frame["ägarandel kvinnor (%)"]],
                    "jobs_women": [parse_amount(v) for v in frame["nya jobb kvinnor"]],
                    "jobs_men": [parse_amount(v) for v in frame["nya jobb män"]],
                    "jobs_fb_women": [
                        parse_amount(v) for v in frame["nya jobb utrikes födda kvinnor"]
                    ],
                    "jobs_fb_men": [parse_amount(v) for v in frame["nya jobb utrikes födda män"]],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def load_projects(raw: Path, bad: set[tuple[str, int]]) -> pd.DataFrame:
    frames = []
    for year in YEARS:
        path = raw / "project_support" / f"{year}.csv"
        frame = read_export(path)
        frame = frame[[(f"project_support/{year}.csv", int(r)) not in bad for r in frame.index]]
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "decision_date": [parse_date(v, year) for v in frame["beslutsdatum"]],
                    "decision": [label(v, DECISION_BY_LABEL) for v in frame["beslut"]],
                    "applied": [parse_amount(v) for v in frame["sökt belopp"]],
                    "granted": [parse_amount(v) for v in frame["beviljat belopp"]],
                    "budget": [parse_amount(v) for v in frame["total budget"]],
                    "owner_type": frame["organisationstyp"].to_list(),
                    "org_id": frame["organisationsnummer"].to_list(),
                    "manager_sex": [label(v, SEX_BY_LABEL) for v in frame["projektledare kön"]],
                    "assessment": [
                        None if v == "" else int(v.split(" - ")[0])
                        for v in frame["jämställdhetsbedömning"]
                    ],
                    "routine": [
                        {"Ja": True, "Nej": False}.get(v)
                        for v in frame["rutin jämställdhet tillämpad"]
                    ],
                    "start": [parse_date(v, year) for v in frame["projektstart"]],
                    "end": [parse_date(v, year) for v in frame["projektslut"]],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _bad_rows(raw: Path) -> pd.DataFrame:
    return pd.read_csv(raw / "BAD_ROWS.csv", dtype={"value": str}, keep_default_na=False)


# ----------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "raw"
    write_demo_data(out, DemoConfig(seed=DEFAULT_SEED))
    return out


@pytest.fixture(scope="module")
def bad_rows(generated: Path) -> pd.DataFrame:
    return _bad_rows(generated)


@pytest.fixture(scope="module")
def business(generated: Path, bad_rows: pd.DataFrame) -> pd.DataFrame:
    bad = set(zip(bad_rows["file"], bad_rows["row"], strict=True))
    return load_business(generated, bad)


@pytest.fixture(scope="module")
def projects(generated: Path, bad_rows: pd.DataFrame) -> pd.DataFrame:
    bad = set(zip(bad_rows["file"], bad_rows["row"], strict=True))
    return load_projects(generated, bad)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# ----------------------------------------------------------------------------------------------
# Determinism and the committed copy


def test_same_seed_gives_identical_bytes(generated: Path, tmp_path: Path) -> None:
    again = tmp_path / "raw"
    write_demo_data(again, DemoConfig(seed=DEFAULT_SEED))
    first, second = _files(generated), _files(again)
    assert sorted(first) == sorted(second)
    for name, content in first.items():
        assert content == second[name], name


def test_other_seed_gives_other_data() -> None:
    first = {f.path: f.content for f in generate(DemoConfig(seed=1)).files}
    second = {f.path: f.content for f in generate(DemoConfig(seed=2)).files}
    assert first["business_support/2012.csv"] != second["business_support/2012.csv"]


def _xlsx_entries(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [(i.filename, archive.read(i.filename)) for i in archive.infolist()]


def test_committed_raw_data_equals_fresh_generation(generated: Path) -> None:
    committed, fresh = _files(COMMITTED_RAW), _files(generated)
    assert sorted(committed) == sorted(fresh), "rerun tools/generate_demo_data.py"
    for name, content in fresh.items():
        if name.endswith(".xlsx") and committed[name] != content:
            # Deflate output may differ between zlib builds; the archive content may not.
            assert _xlsx_entries(committed[name]) == _xlsx_entries(content), name
        else:
            assert committed[name] == content, name


def test_xlsx_carries_no_save_time(generated: Path) -> None:
    for path in sorted((generated / "business_support").glob("*.xlsx")):
        with zipfile.ZipFile(path) as archive:
            assert {i.date_time for i in archive.infolist()} == {(2022, 1, 31, 8, 0, 0)}
            core = archive.read("docProps/core.xml").decode()
        assert "2022-01-31T08:00:00Z" in core
        assert str(dt.date.today().year) + "-" not in core.replace("2022-01-31", "")


def test_generation_is_fast() -> None:
    import time

    start = time.perf_counter()
    generate(DemoConfig(seed=7))
    assert time.perf_counter() - start < 5


# ----------------------------------------------------------------------------------------------
# File layout and formats


def test_layout_and_formats(generated: Path) -> None:
    business = {p.name for p in (generated / "business_support").iterdir()}
    assert business == {f"{y}.csv" for y in (*range(2012, 2016), *range(2019, 2022))} | {
        f"{y}.xlsx" for y in range(2016, 2019)
    }
    projects = {p.name for p in (generated / "project_support").iterdir()}
    assert projects == {f"{y}.csv" for y in YEARS}
    early = (generated / "business_support" / "2012.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        early.decode("utf-8")
    assert re.search(rb";\d{6};", early)  # YYMMDD dates
    late = (generated / "business_support" / "2019.csv").read_bytes()
    assert not late.startswith(b"\xef\xbb\xbf")
    assert "\u00a0" in (generated / "business_support" / "2021.csv").read_text("utf-8")
    for year in YEARS:
        assert (generated / "project_support" / f"{year}.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    sheet = openpyxl.load_workbook(generated / "business_support" / "2017.xlsx").worksheets[0]
    assert all(c.value is None for c in sheet[1])
    assert sheet["A2"].value == "Ärendenummer"


def test_headers_match_the_contract(generated: Path) -> None:
    from tools.demo import BUSINESS_HEADERS, PROJECT_HEADERS

    for source, headers in (
        ("business_support", BUSINESS_HEADERS),
        ("project_support", PROJECT_HEADERS),
    ):
        expected = {h.casefold() for h in headers.values()}
        for path in sorted((generated / source).iterdir()):
            columns = set(read_export(path).columns)
            assert expected <= columns, path
            assert columns - expected <= {"handläggare"}, path


def test_embedded_newline_title_is_one_row(generated: Path) -> None:
    frame = read_export(generated / "project_support" / "2016.csv")
    assert frame["projektnamn"].str.contains("\n").sum() == 1


# ----------------------------------------------------------------------------------------------
# Bad rows


def test_bad_rows_are_few_spread_and_distinct(bad_rows: pd.DataFrame) -> None:
    assert 15 <= len(bad_rows) <= 25
    assert bad_rows["rule"].is_unique
    assert bad_rows.groupby("file").size().max() <= 3
    assert bad_rows["file"].str.startswith("business_support/").sum() >= 5
    assert bad_rows["file"].str.startswith("project_support/").sum() >= 5
    assert bad_rows["file"].nunique() >= 10


def test_bad_rows_point_at_their_values(generated: Path, bad_rows: pd.DataFrame) -> None:
    for bad in bad_rows.itertuples():
        frame = read_export(generated / bad.file)
        cell = frame.loc[bad.row, bad.column.casefold()]
        written = "" if cell is None else str(cell)
        assert written == bad.value, (bad.file, bad.row, bad.rule)


def test_bad_rows_documented(generated: Path, bad_rows: pd.DataFrame) -> None:
    markdown = (generated / "BAD_ROWS.md").read_text("utf-8")
    readme = (generated / "README.md").read_text("utf-8")
    for bad in bad_rows.itertuples():
        assert f"| {bad.file} | {bad.row} |" in markdown
        assert f"| {bad.file} | {bad.row} |" in readme


def test_every_other_row_is_valid(business: pd.DataFrame, projects: pd.DataFrame) -> None:
    for frame in (business, projects):
        assert frame["decision"].notna().all()
        assert (pd.to_datetime(frame["decision_date"]).dt.year == frame["year"]).all()
        granted = frame[frame["decision"] == "granted"]
        assert (granted["granted"] > 0).all()
        assert (granted["applied"] >= granted["granted"]).all()
        others = frame[frame["decision"] != "granted"]
        assert others["granted"].fillna(0).eq(0).all()
        assert frame["org_id"].map(is_luhn_valid).all()
    assert business["support_type"].notna().all()
    assert set(business["municipality"]) <= {
        "2303", "2305", "2309", "2313", "2321", "2326", "2361", "2380",
        "Ragunda", "Bräcke", "Krokom", "Strömsund", "Åre", "Berg", "Härjedalen", "Östersund",
    }  # fmt: skip
    assert (projects["start"] <= projects["end"]).all()
    assert projects["assessment"].dropna().between(0, 3).all()
    assert (projects["budget"] >= projects["applied"]).all()


# ----------------------------------------------------------------------------------------------
# Calibration of business support


def _decisions(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["decision"].isin(["granted", "rejected"])]


def test_business_volumes_per_year(business: pd.DataFrame) -> None:
    decided = _decisions(business)
    per_year = decided.groupby("year").size()
    assert per_year.between(150, 250).all(), per_year
    withdrawn = business[business["decision"] == "withdrawn"].groupby("year").size()
    assert (withdrawn / per_year).between(0.01, 0.05).all()
    granted = decided.groupby("year")["granted"].sum() / MSEK
    assert granted.between(60, 90).all(), granted


def test_business_money_by_support_type(business: pd.DataFrame) -> None:
    by_type = business.groupby("support_type")["granted"].sum().sort_values(ascending=False)
    assert list(by_type.index) == [
        "investment",
        "transport",
        "business_development",
        "commercial_service",
        "seed",
        "other",
    ]
    per_year = business.pivot_table(
        index="year", columns="support_type", values="granted", aggfunc="sum"
    )
    assert (per_year["investment"] > per_year["transport"]).all()
    assert (per_year["transport"] > per_year["business_development"]).all()


def test_business_amounts_per_type(business: pd.DataFrame) -> None:
    granted = business[business["decision"] == "granted"]
    ranges = {
        "investment": (200_000, 5_000_000),
        "transport": (100_000, 3_000_000),
        "business_development": (50_000, 1_500_000),
    }
    for support_type, (low, high) in ranges.items():
        amounts = granted.loc[granted["support_type"] == support_type, "granted"]
        assert amounts.between(low, high).all(), support_type
    investment = granted.loc[granted["support_type"] == "investment", "granted"]
    assert 550_000 <= investment.median() <= 1_100_000
    development = granted[granted["support_type"] == "business_development"]
    assert len(development) > len(granted[granted["support_type"] == "investment"])
    ratio = granted["granted"] / granted["applied"]
    assert ratio.between(0.55, 1.0).all()
    assert 0.2 < (ratio == 1).mean() < 0.5


def test_women_led_share_of_applicants_and_money(business: pd.DataFrame) -> None:
    decided = _decisions(business)
    assert 0.05 <= decided["ceo_sex"].isna().mean() <= 0.11
    known = decided[decided["ceo_sex"].notna()]
    assert 0.25 <= (known["ceo_sex"] == "woman").mean() <= 0.37
    investment = known[known["support_type"] == "investment"]
    women_money = investment.loc[investment["ceo_sex"] == "woman", "granted"].sum()
    assert 0.12 <= women_money / investment["granted"].sum() <= 0.20


def test_approval_rates_by_sex(business: pd.DataFrame) -> None:
    decided = _decisions(business)
    approval = (decided["decision"] == "granted").groupby(decided["ceo_sex"]).mean()
    assert 0.74 <= approval["woman"] <= 0.83
    assert 0.81 <= approval["man"] <= 0.89
    assert approval["man"] - approval["woman"] >= 0.03


def test_intersectional_effect_is_planted(business: pd.DataFrame) -> None:
    decided = _decisions(business).assign(age=lambda f: f["year"] - f["birth_year"])
    women = decided[decided["ceo_sex"] == "woman"]
    stratum = women[(women["background"] == "foreign_born") & (women["age"] < 30)]
    assert len(stratum) >= 8
    women_rate = (women["decision"] == "granted").mean()
    assert (stratum["decision"] == "granted").mean() < women_rate - 0.15


def test_ceo_background_and_age(business: pd.DataFrame) -> None:
    decided = _decisions(business)
    background = decided["background"].dropna()
    assert 0.08 <= (background == "foreign_born").mean() <= 0.14
    age = (decided["year"] - decided["birth_year"]).dropna()
    groups = pd.cut(age, [0, 29, 49, 64, 120]).value_counts(normalize=True).sort_index()
    expected = [0.08, 0.45, 0.37, 0.10]
    assert np.allclose(groups.to_numpy(), expected, atol=0.06), groups


def test_industry_mix_differs_by_sex(business: pd.DataFrame) -> None:
    decided = _decisions(business).dropna(subset=["sni", "ceo_sex"])
    decided = decided[~decided["sni"].astype(str).str.casefold().isin(MISSING)]
    division = decided["sni"].astype(str).str.replace(".", "").str[:2].astype(int)
    services = division.isin([45, 46, 47, 55, 56, 77, 78, 79, 80, 81, 82, 86, 87, 88, 94, 95, 96])
    share = services.groupby(decided["ceo_sex"]).mean()
    assert share["woman"] > share["man"] + 0.2


def test_firms_reapply_and_identifiers(business: pd.DataFrame) -> None:
    digits = business["org_id"].str.replace("-", "")
    normalised = digits.where(digits.str.len() == 10, digits.str[2:])
    years_per_firm = business.assign(firm=normalised).groupby("firm")["year"].nunique()
    assert (years_per_firm >= 2).mean() > 0.3
    assert business["org_id"].map(is_luhn_valid).all()
    sole = business[business["legal_form"] == "Enskild firma"]
    assert sole["org_id"].str.fullmatch(r"\d{6}-\d{4}").any()
    assert sole["org_id"].str.fullmatch(r"\d{12}").any()
    companies = business[business["legal_form"] == "Aktiebolag"]
    assert companies["org_id"].str.replace("-", "").str[2].astype(int).ge(2).all()
    # A sole trader's personal identity number holds the CEO's birth year.
    known = sole[sole["birth_year"].notna() & sole["org_id"].str.fullmatch(r"\d{12}")]
    assert (known["org_id"].str[:4].astype(int) == known["birth_year"]).all()


def test_municipality_mix(business: pd.DataFrame) -> None:
    ostersund = business["municipality"].isin(["2380", "Östersund"]).mean()
    assert 0.38 <= ostersund <= 0.52


def test_owner_share_only_in_later_years(business: pd.DataFrame) -> None:
    present = business["owner_share"].notna().groupby(business["year"]).mean()
    assert (present[present.index < 2018] == 0).all()
    assert (present[present.index >= 2018] > 0.5).all()


def test_expected_jobs(business: pd.DataFrame) -> None:
    with_jobs = business[business["jobs_women"].notna() | business["jobs_men"].notna()]
    assert set(with_jobs["decision"]) == {"granted"}
    assert set(with_jobs["support_type"]) == {"investment", "business_development"}
    assert (with_jobs["jobs_fb_women"] <= with_jobs["jobs_women"]).all()
    assert (with_jobs["jobs_fb_men"] <= with_jobs["jobs_men"]).all()
    assert (with_jobs["jobs_women"] % 1 == 0.5).any()


# ----------------------------------------------------------------------------------------------
# Calibration of project support


def test_project_volumes_per_year(projects: pd.DataFrame) -> None:
    decided = _decisions(projects)
    per_year = decided.groupby("year").size()
    assert per_year.between(40, 70).all(), per_year
    granted = decided.groupby("year")["granted"].sum() / MSEK
    assert granted.between(40, 60).all(), granted


def test_project_owners_and_managers(projects: pd.DataFrame) -> None:
    shares = projects["owner_type"].value_counts(normalize=True)
    assert list(shares.index[:2]) == ["Kommun", "Region"]
    assert set(shares.index) == {
        "Kommun",
        "Region",
        "Statlig myndighet",
        "Universitet/högskola",
        "Ideell förening",
        "Företag",
        "Övrigt",
    }
    women = (projects["manager_sex"].dropna() == "woman").mean()
    assert 0.48 <= women <= 0.62


def test_equality_routine_and_assessment_improve(projects: pd.DataFrame) -> None:
    routine = projects["routine"].dropna().astype(bool).groupby(projects["year"]).mean()
    assert (routine[routine.index < 2016] < 0.2).all()
    assert routine[routine.index >= 2016].between(0.45, 0.95).all()
    level = projects["assessment"].groupby(projects["year"] >= 2016).mean()
    assert level[True] > level[False] + 0.4


# ----------------------------------------------------------------------------------------------
# Reference code lists


def _reference(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name, dtype=str, keep_default_na=False)


def test_reference_files_are_sorted_and_documented() -> None:
    for path in sorted(REFERENCE.glob("*.csv")):
        frame = _reference(path.name)
        first = frame.columns[0]
        assert frame[first].is_unique, path.name
        assert frame[first].to_list() == sorted(frame[first]), path.name
        assert (REFERENCE / f"{path.stem}.README.md").is_file(), path.name


def test_municipalities_and_counties() -> None:
    municipalities = _reference("municipalities.csv")
    assert len(municipalities) == 8
    assert municipalities["municipality_code"].str.fullmatch(r"23\d{2}").all()
    assert set(municipalities["county_code"]) == {"23"}
    counties = _reference("counties.csv")
    assert len(counties) == 21
    assert counties["county_code"].str.fullmatch(r"\d{2}").all()
    assert not {"02", "11", "15", "16"} & set(counties["county_code"])
    assert counties.set_index("county_code").loc["23", "county_name"] == "Jämtlands län"


def test_sni_divisions_map_to_listed_sections() -> None:
    divisions = _reference("sni2007_divisions.csv")
    sections = _reference("sni2007_sections.csv")
    assert len(divisions) == 88
    assert divisions["division"].str.fullmatch(r"\d{2}").all()
    assert len(sections) == 21
    assert list(sections["section"]) == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert set(divisions["section"]) == set(sections["section"])
    lookup = divisions.set_index("division")["section"]
    assert lookup["01"] == "A" and lookup["56"] == "I" and lookup["99"] == "U"


def test_support_type_labels_cover_the_contract() -> None:
    support_types = _reference("support_types.csv").set_index("code")
    assert set(support_types.index) == set(CONTRACT_SUPPORT_TYPE_LABELS)
    for code, labels in CONTRACT_SUPPORT_TYPE_LABELS.items():
        listed = set(support_types.loc[code, "labels"].split("|"))
        assert labels <= listed, code
        assert support_types.loc[code, "label_sv"] in listed


def test_other_code_lists() -> None:
    expected = {
        "decisions.csv": {"granted", "rejected", "withdrawn"},
        "sexes.csv": {"woman", "man"},
        "birth_backgrounds.csv": {"swedish_born", "foreign_born"},
        "owner_types.csv": {
            "municipality",
            "region",
            "state_agency",
            "university",
            "nonprofit",
            "company",
            "other",
        },
    }
    for name, codes in expected.items():
        frame = _reference(name)
        assert list(frame.columns) == ["code", "label_sv", "labels"], name
        assert set(frame["code"]) == codes, name
        assert all(r.label_sv in r.labels.split("|") for r in frame.itertuples()), name
    decisions = _reference("decisions.csv").set_index("code")["labels"]
    labels = {lbl.casefold(): code for code, value in decisions.items() for lbl in value.split("|")}
    assert labels == DECISION_BY_LABEL


def test_generated_labels_are_in_the_reference_lists(business: pd.DataFrame) -> None:
    # The reader above only knows contract labels, so reading succeeded means they all mapped.
    assert set(business["support_type"]) == set(CONTRACT_SUPPORT_TYPE_LABELS)


# ----------------------------------------------------------------------------------------------
# Identifier helpers


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_luhn_check_digit_makes_numbers_valid(body: str) -> None:
    number = body + str(luhn_check_digit(body))
    assert is_luhn_valid(number)
    assert not is_luhn_valid(number[:-1] + str((int(number[-1]) + 1) % 10))


def test_known_luhn_examples() -> None:
    # A widely used example personal identity number, in both of its written forms.
    assert is_luhn_valid("811218-9876")
    assert is_luhn_valid("19811218-9876")
    assert not is_luhn_valid("811218-9877")


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_generated_identifiers_are_valid(seed: int) -> None:
    rng = np.random.default_rng(seed)
    org = organisation_number(rng, "556")
    assert len(org) == 10 and org.startswith("556") and is_luhn_valid(org)
    person = personal_identity_number(rng, 1975, woman=True)
    assert person.startswith("1975") and is_luhn_valid(person)
    assert int(person[-2]) % 2 == 0


def test_format_number() -> None:
    assert format_number(1394300.5, " ", 2) == "1 394 300,50"
    assert format_number(1394300, "\u00a0", 0) == "1\u00a0394\u00a0300"
    assert format_number(-50000, ".", 0) == "-50.000"
