"""The publishing bundle: published tables as CSV and as one XLSX workbook with Swedish headers.

Only tables from `results/tables/` (disclosure control applied) go into the bundle. Text cells
that a spreadsheet would run as a formula (starting with `=`, `+`, `-` or `@`) are prefixed with
an apostrophe, so an export label such as `=HYPERLINK(...)` stays inert text.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

import pandas as pd

from rtp_eval.io import format_for_csv, normalise_xlsx

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SUPPRESSED = ".."

HEADERS_SV: dict[str, str] = {
    "source": "Stödslag",
    "file": "Fil",
    "sha256": "Kontrollsumma (SHA-256)",
    "rows_read": "Inlästa rader",
    "rows_accepted": "Godtagna rader",
    "rows_quarantined": "Rader i karantän",
    "rows_withdrawn": "Återtagna ärenden",
    "format": "Format",
    "encoding": "Teckenkodning",
    "delimiter": "Avgränsare",
    "header_row": "Rubrikrad",
    "blank_rows_skipped": "Tomma rader",
    "extra_columns": "Okända kolumner",
    "reason_code": "Skälkod",
    "reason_sv": "Skäl",
    "rows": "Rader",
    "year": "År",
    "period": "Period",
    "period_kind": "Periodtyp",
    "period_from": "Från period",
    "period_to": "Till period",
    "support_type": "Stödform",
    "owner_type": "Organisationstyp",
    "classification": "Indelning",
    "group": "Grupp",
    "programme_area": "Insatsområde",
    "industry": "Bransch (SNI-avdelning)",
    "area": "Område",
    "equality_assessment": "Jämställdhetsbedömning",
    "category_type": "Kategorityp",
    "category": "Kategori",
    "decisions": "Beslutade ärenden",
    "granted": "Beviljade ärenden",
    "approval_rate": "Beviljandegrad",
    "approval_rate_ci_low": "Beviljandegrad, nedre gräns",
    "approval_rate_ci_high": "Beviljandegrad, övre gräns",
    "amount_applied_sek": "Sökt belopp (kr)",
    "amount_granted_sek": "Beviljat belopp (kr)",
    "share_of_amount": "Andel av beviljat belopp",
    "share_of_decisions": "Andel av beslutade ärenden",
    "share_of_decisions_ci_low": "Andel av ärendena, nedre gräns",
    "share_of_decisions_ci_high": "Andel av ärendena, övre gräns",
    "mean_granted_sek": "Medelbelopp (kr)",
    "median_granted_sek": "Medianbelopp (kr)",
    "expected_jobs_women": "Förväntade nya jobb, kvinnor",
    "expected_jobs_men": "Förväntade nya jobb, män",
    "expected_jobs_foreign_born_women": "Förväntade nya jobb, utrikes födda kvinnor",
    "expected_jobs_foreign_born_men": "Förväntade nya jobb, utrikes födda män",
    "women_share_of_expected_jobs": "Kvinnors andel av förväntade jobb",
    "target_women": "Målgrupp kvinnor",
    "target_men": "Målgrupp män",
    "routine_applied": "Beredda med jämställdhetsrutin",
    "routine_recorded": "Uppgift om rutin finns",
    "routine_applied_share": "Andel beredda med rutin",
    "women_decisions": "Kvinnor: beslutade",
    "women_granted": "Kvinnor: beviljade",
    "women_approval_rate": "Kvinnor: beviljandegrad",
    "men_decisions": "Män: beslutade",
    "men_granted": "Män: beviljade",
    "men_approval_rate": "Män: beviljandegrad",
    "approval_rate_difference": "Skillnad i beviljandegrad (kvinnor − män)",
    "approval_rate_difference_ci_low": "Skillnad, nedre gräns",
    "approval_rate_difference_ci_high": "Skillnad, övre gräns",
    "p_value": "p-värde",
    "suppressed": "Skyddad uppgift",
    "indicator_id": "Indikator",
    "name_sv": "Benämning",
    "value": "Värde",
    "baseline_value": "Utgångsvärde",
    "baseline_period": "Utgångsperiod",
    "target_value": "Målvärde",
    "target_year": "Målår",
    "target_rule": "Målregel",
    "status": "Status",
    "gap_to_target": "Kvar till målet",
    "trend_per_year": "Trend per år",
    "national_goal": "Nationellt delmål",
    "unit": "Enhet",
    "direction": "Riktning",
    "birth_background": "Födelsebakgrund",
    "age_group": "Åldersgrupp",
    "baseline_share": "Andel av företagsledarna",
    "representation_index": "Representationsindex (mot företagsledare)",
    "share_of_granted": "Andel av beviljade ärenden",
    "share_of_granted_known": "Andel av beviljade ärenden med kända uppgifter",
    "decision_representation_index": "Representationsindex (beviljade mot ansökningar)",
    "amount_representation_index": "Representationsindex (belopp mot företagsledare)",
    "baseline_business_leaders": "Företagsledare (antal)",
    "outcome": "Utfall",
    "model": "Modell",
    "reason": "Skäl (engelska)",
    "cases": "Ärenden",
    "cases_before_sampling": "Ärenden före urval",
    "strata": "Strata",
    "strata_with_min_decisions": "Strata med tillräckligt många beslut",
    "stratum_variance": "Varians mellan strata",
    "residual_variance": "Residualvarians",
    "vpc": "VPC",
    "pcv": "PCV",
    "auc": "AUC",
    "flagged_strata": "Utmärkande strata",
    "flagged_strata_suppressed": "Utmärkande strata som inte redovisas",
    "excluded_unknown": "Ärenden med okända uppgifter (utanför modellen)",
    "covariates": "Kontrollvariabler",
    "predicted_approval": "Skattad beviljandegrad",
    "predicted_approval_ci_low": "Skattad beviljandegrad, nedre gräns",
    "predicted_approval_ci_high": "Skattad beviljandegrad, övre gräns",
    "main_effects_approval": "Beviljandegrad enligt huvudeffekterna",
    "main_effects_approval_ci_low": "Enligt huvudeffekterna, nedre gräns",
    "main_effects_approval_ci_high": "Enligt huvudeffekterna, övre gräns",
    "interaction_logit": "Interaktionseffekt (logit)",
    "interaction_logit_sd": "Interaktionseffekt, standardavvikelse",
    "interaction_p_value": "Interaktion, p-värde",
    "interaction_q_value": "Interaktion, q-värde (Benjamini–Hochberg)",
    "flagged": "Utmärker sig (explorativt)",
    "predicted_amount_sek": "Skattat typiskt belopp (kr)",
    "predicted_amount_ci_low": "Skattat belopp, nedre gräns",
    "predicted_amount_ci_high": "Skattat belopp, övre gräns",
    "amount_interaction_log": "Interaktionseffekt, belopp (log)",
    "amount_interaction_q_value": "Interaktion belopp, q-värde",
    "amount_flagged": "Belopp utmärker sig (explorativt)",
}
_CHANGE_SUFFIXES = {
    "_from": " (från)",
    "_to": " (till)",
    "_change_pp": " (förändring, procentenheter)",
}


def swedish_header(column: str) -> str:
    """The Swedish column header; change-table columns combine a base name and a suffix."""
    if column in HEADERS_SV:
        return HEADERS_SV[column]
    for suffix, label in _CHANGE_SUFFIXES.items():
        base = column.removesuffix(suffix)
        if base != column and base in HEADERS_SV:
            return HEADERS_SV[base] + label
    return column


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would evaluate with an apostrophe."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
            text = values.astype("string")
            risky = text.str.startswith(FORMULA_PREFIXES, na=False)
            # A negative number written as text is data, not a formula.
            numeric = pd.to_numeric(text, errors="coerce").notna()
            out[column] = text.where(~(risky & ~numeric), "'" + text)
    return out


def bundle_csv(frame: pd.DataFrame) -> str:
    return format_for_csv(neutralise_formulas(frame)).to_csv(index=False, lineterminator="\n")


def _sheet_values(frame: pd.DataFrame) -> list[list[object]]:
    """Cells for the workbook: numbers as numbers, `..` where a suppressed row has no value."""
    suppressed = (
        frame["suppressed"].astype("string").str.lower().eq("true").fillna(False).tolist()
        if "suppressed" in frame.columns
        else [False] * len(frame)
    )
    rows = []
    for row, hidden in zip(
        neutralise_formulas(frame).itertuples(index=False), suppressed, strict=True
    ):
        cells: list[object] = []
        for value in row:
            if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
                cells.append(SUPPRESSED if hidden else None)
            elif isinstance(value, bool):
                cells.append("ja" if value else "nej")
            elif hasattr(value, "item"):
                cells.append(value.item())
            else:
                cells.append(value)
        rows.append(cells)
    return rows


def workbook_bytes(
    tables: Mapping[str, pd.DataFrame], titles: Mapping[str, str], timestamp: dt.datetime
) -> bytes:
    """One sheet per table (T01, T02, …) and a first sheet listing them."""
    from openpyxl import Workbook

    workbook = Workbook()
    index = workbook.active
    index.title = "Innehåll"
    index.append(["Blad", "Tabell", "Beskrivning"])
    for number, (name, frame) in enumerate(tables.items(), start=1):
        sheet_name = f"T{number:02d}"
        index.append([sheet_name, name, titles.get(name, name)])
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([titles.get(name, name)])
        sheet.append([swedish_header(str(c)) for c in frame.columns])
        for cells in _sheet_values(frame):
            sheet.append(cells)
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula
    index.append([])
    index.append([f"{SUPPRESSED} = uppgiften redovisas inte (röjandeskydd)."])
    workbook.properties.creator = "rtp-eval"
    workbook.properties.created = timestamp
    workbook.properties.modified = timestamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalise_xlsx(buffer.getvalue(), timestamp)


TABLE_TITLES_SV: dict[str, str] = {
    "import_quality": "Inlästa, godtagna och karantänsatta rader per fil",
    "import_quarantine_reasons": "Skäl till karantän per fil",
    "business_support_by_gender": (
        "Företagsstöd efter vd:s kön och ägande, per år, period och stödform"
    ),
    "business_support_by_gender_and_programme_area": "Företagsstöd efter kön och insatsområde",
    "business_support_by_gender_and_industry": "Företagsstöd efter kön och bransch (SNI-avdelning)",
    "business_support_by_gender_and_area": "Företagsstöd efter kön och område",
    "project_support_by_gender": "Projektstöd efter projektledarens kön och organisationstyp",
    "project_support_by_gender_and_programme_area": "Projektstöd efter kön och insatsområde",
    "project_support_by_gender_and_area": "Projektstöd efter kön och område",
    "project_support_equality": "Projektbeslut efter jämställdhetsbedömning",
    "approval_rate_difference": "Skillnad i beviljandegrad mellan kvinnor och män",
    "business_support_by_gender_period_change": "Företagsstöd: förändring mellan perioder",
    "project_support_by_gender_period_change": "Projektstöd: förändring mellan perioder",
    "project_support_equality_period_change": "Jämställdhetsbedömning: förändring mellan perioder",
    "indicators": "Måluppfyllelse: indikatorer per år mot utgångsvärde och mål",
    "intersectional_business_support": (
        "Företagsstöd per stratum (kön × födelsebakgrund × ålder × område)"
    ),
    "intersectional_model_summary": "Intersektionella modeller (MAIHDA): sammanfattning",
    "intersectional_model_strata": "Intersektionella modeller (MAIHDA): skattningar per stratum",
}
