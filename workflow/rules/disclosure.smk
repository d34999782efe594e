# Disclosure control over every published case table together, then an audit of every table
# of cases (and those computed from them) from the intruder's side: the report and the bundle
# wait for it to pass. The other published tables are not sums of cases: file quality, model
# estimates, and indicators computed from the published cells.


rule disclosure_control:
    input:
        works=[
            *expand(f"{RESULTS}/work/{{name}}.csv", name=GENDER_CASE_TABLES),
            rules.intersectional_cells.output.work,
        ],
        baseline=REFERENCE_DIR / "business_leaders_baseline.csv",
    output:
        tables=expand(f"{RESULTS}/tables/{{name}}.csv", name=CASE_TABLES_PROTECTED),
        strata_work=f"{RESULTS}/work/{STRATA_TABLE}.csv",
        primaries=f"{RESULTS}/work/disclosure_primaries.csv",
        suppressions=f"{RESULTS}/work/disclosure_suppressions.csv",
        model_counts=f"{RESULTS}/work/disclosure_model_counts.json",
    log:
        "logs/disclosure/disclosure_control.log",
    benchmark:
        f"{RESULTS}/benchmarks/disclosure/disclosure_control.tsv"
    # Tables that share no cell (business and project support) are protected side by side.
    threads: 2
    resources:
        mem_mb=memory_mb(1000, 20),
        runtime=30,
    params:
        periods=config["periods"],
        intersectional=config.get("intersectional", {}),
        age_breaks=config["classifications"]["age_breaks"],
        disclosure={**config["disclosure"], **config["statistics"]},
        code=code_version("disclosure_control.py"),
    script:
        "../../scripts/disclosure_control.py"


rule publish_model_results:
    input:
        strata=f"{RESULTS}/tables/{STRATA_TABLE}.csv",
        model_counts=rules.disclosure_control.output.model_counts,
        model_summary=rules.intersectional_models.output.summary,
        model_strata=rules.intersectional_models.output.strata,
    output:
        summary=f"{RESULTS}/tables/intersectional_model_summary.csv",
        strata=f"{RESULTS}/tables/intersectional_model_strata.csv",
        work_summary=f"{RESULTS}/work/intersectional_model_summary.csv",
        work_strata=f"{RESULTS}/work/intersectional_model_strata.csv",
    log:
        "logs/disclosure/publish_model_results.log",
    benchmark:
        f"{RESULTS}/benchmarks/disclosure/publish_model_results.tsv"
    threads: 1
    resources:
        mem_mb=memory_mb(500, 10),
        runtime=10,
    params:
        code=code_version("publish_model_results.py"),
    script:
        "../../scripts/publish_model_results.py"


rule disclosure_audit:
    input:
        tables=[
            *rules.disclosure_control.output.tables,
            rules.publish_model_results.output.summary,
            rules.publish_model_results.output.strata,
        ],
        primaries=rules.disclosure_control.output.primaries,
    output:
        summary=f"{RESULTS}/tables/{AUDIT_TABLE}.csv",
        intervals=f"{RESULTS}/work/disclosure_audit_intervals.csv",
    log:
        "logs/disclosure/disclosure_audit.log",
    benchmark:
        f"{RESULTS}/benchmarks/disclosure/disclosure_audit.tsv"
    threads: 1
    resources:
        mem_mb=memory_mb(1000, 20),
        runtime=30,
    params:
        # Runs beside the report, which it does not hold up.
        niceness=OFF_CRITICAL_PATH_NICENESS,
        disclosure=config["disclosure"],
        code=code_version("disclosure_audit.py"),
    script:
        "../../scripts/disclosure_audit.py"
