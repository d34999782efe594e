# Report: rendered only from the published tables in results/tables/ and the figures, while the
# disclosure audit checks those tables; released to the edition folder once the audit passed.


rule render_report:
    input:
        quality=rules.combine_import_quality.output.table,
        reasons=rules.combine_import_quality.output.reasons,
        business=f"{RESULTS}/tables/business_support_by_gender.csv",
        projects=f"{RESULTS}/tables/project_support_by_gender.csv",
        equality=f"{RESULTS}/tables/project_support_equality.csv",
        differences=f"{RESULTS}/tables/approval_rate_difference.csv",
        changes=f"{RESULTS}/tables/business_support_by_gender_period_change.csv",
        indicators=rules.indicators.output.table,
        figures_svg=expand(f"{RESULTS}/figures/{{name}}.svg", name=GENDER_FIGURES),
        figures_meta=expand(f"{RESULTS}/figures/{{name}}.json", name=GENDER_FIGURES),
        figures_data=expand(f"{RESULTS}/figures/{{name}}.csv", name=GENDER_FIGURES),
        industry=f"{RESULTS}/tables/business_support_by_gender_and_industry.csv",
        area=f"{RESULTS}/tables/business_support_by_gender_and_area.csv",
        realia=config["report"]["realia_text"],
        analyst_images=analyst_images,
        support_types=REFERENCE_DIR / "support_types.csv",
        owner_types=REFERENCE_DIR / "owner_types.csv",
        sni_sections=REFERENCE_DIR / "sni2007_sections.csv",
        intersectional=f"{RESULTS}/tables/{STRATA_TABLE}.csv",
        intersectional_summary=f"{RESULTS}/tables/intersectional_model_summary.csv",
        intersectional_strata=f"{RESULTS}/tables/intersectional_model_strata.csv",
        intersectional_figures=[
            f"{RESULTS}/figures/{name}.svg" for name in INTERSECTIONAL_FIGURES
        ],
    output:
        html=f"{RESULTS}/work/report/{EDITION}/index.html",
        pdf=f"{RESULTS}/work/report/{EDITION}/rapport.pdf",
    log:
        "logs/report/render_report.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/render_report.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        report=config["report"],
        demo=config["demo"],
        region=config["region"]["name"],
        classifications=config["classifications"],
        statistics=config["statistics"],
        disclosure=config["disclosure"],
        area_labels=config["report"]["area_labels"],
        published_tables=PUBLISHED_TABLES,
        intersectional=config.get("intersectional", {}),
        config_hash=CONFIG_HASH,
        commit=CODE_COMMIT,
        code=CODE_VERSION,
    script:
        "../../scripts/render_report.py"


rule release_report:
    input:
        html=rules.render_report.output.html,
        pdf=rules.render_report.output.pdf,
        audit=rules.disclosure_audit.output.summary,
    output:
        html=f"{REPORTS}/{EDITION}/index.html",
        pdf=f"{REPORTS}/{EDITION}/rapport.pdf",
    log:
        "logs/report/release_report.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/release_report.tsv"
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    params:
        code=code_version("release_report.py"),
    script:
        "../../scripts/release_report.py"


# The report settings the open-data files state, and only these: editing another report setting
# does not rerun the bundle.
EDITION_FACTS = {
    key: config["report"].get(key) for key in ("edition", "title", "public_url")
}


rule publish_bundle:
    input:
        tables=expand(
            f"{RESULTS}/tables/{{name}}.csv",
            name=PUBLISHED_TABLES,
        ),
    output:
        csv=expand(
            f"{REPORTS}/{EDITION}/tabeller/{{name}}.csv",
            name=PUBLISHED_TABLES,
        ),
        xlsx=f"{REPORTS}/{EDITION}/tabeller.xlsx",
        datapackage=f"{REPORTS}/{EDITION}/datapackage.json",
    log:
        "logs/report/publish_bundle.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/publish_bundle.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        # Runs beside the report, which it does not hold up.
        niceness=OFF_CRITICAL_PATH_NICENESS,
        publication=config["publication"],
        report=EDITION_FACTS,
        region=config["region"]["name"],
        demo=config["demo"],
        code=code_version("publish_bundle.py"),
    script:
        "../../scripts/publish_bundle.py"


# After the report and the bundle: the metadata lists every file they publish.
rule publish_dcat:
    input:
        html=rules.release_report.output.html,
        pdf=rules.release_report.output.pdf,
        xlsx=rules.publish_bundle.output.xlsx,
        datapackage=rules.publish_bundle.output.datapackage,
        csv=rules.publish_bundle.output.csv,
        counties=REFERENCE_DIR / "counties.csv",
    output:
        dcat=f"{REPORTS}/{EDITION}/dcat.jsonld",
    log:
        "logs/report/publish_dcat.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/publish_dcat.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        publication=config["publication"],
        report=EDITION_FACTS,
        region=config["region"]["name"],
        county_codes=config["region"]["county_codes"],
        demo=config["demo"],
        code=code_version("publish_dcat.py"),
    script:
        "../../scripts/publish_dcat.py"
