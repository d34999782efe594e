# Intersectional analysis of business support: strata table, MAIHDA models and their figures
# (figures are drawn from the published tables in the same step).


rule intersectional:
    input:
        business=clean_files("business_support"),
        baseline=REFERENCE_DIR / "business_leaders_baseline.csv",
        by_gender=f"{RESULTS}/tables/business_support_by_gender.csv",
        by_area=f"{RESULTS}/tables/business_support_by_gender_and_area.csv",
    output:
        table=f"{RESULTS}/tables/intersectional_business_support.csv",
        summary=f"{RESULTS}/tables/intersectional_model_summary.csv",
        strata=f"{RESULTS}/tables/intersectional_model_strata.csv",
        work_table=f"{RESULTS}/work/intersectional_business_support.csv",
        work_summary=f"{RESULTS}/work/intersectional_model_summary.csv",
        work_strata=f"{RESULTS}/work/intersectional_model_strata.csv",
        suppressions=f"{RESULTS}/work/intersectional_suppressions.csv",
        figures=expand(
            f"{RESULTS}/figures/{{name}}.{{ext}}",
            name=INTERSECTIONAL_FIGURES,
            ext=["svg", "json", "csv"],
        ),
    log:
        "logs/intersectional/intersectional.log",
    benchmark:
        f"{RESULTS}/benchmarks/intersectional/intersectional.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        intersectional=config.get("intersectional", {}),
        disclosure={**config["disclosure"], **config["statistics"]},
        age_breaks=config["classifications"]["age_breaks"],
        demo=config["demo"],
        region=config["region"]["name"],
        code=CODE_VERSION,
    message:
        "Intersectional strata table and MAIHDA models of business support"
    script:
        "../../scripts/intersectional.py"
