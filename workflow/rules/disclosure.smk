# Disclosure control over every published case table together, then an audit of everything
# published from the intruder's side: the report and the bundle wait for it to pass.


rule disclosure_control:
    input:
        works=[
            *expand(f"{RESULTS}/work/{{name}}.csv", name=GENDER_CASE_TABLES),
            rules.intersectional_cells.output.work,
        ],
    output:
        tables=expand(f"{RESULTS}/tables/{{name}}.csv", name=GENDER_TABLES),
        strata=f"{RESULTS}/work/protected/{STRATA_TABLE}.csv",
        primaries=f"{RESULTS}/work/disclosure_primaries.csv",
        suppressions=f"{RESULTS}/work/disclosure_suppressions.csv",
    log:
        "logs/disclosure/disclosure_control.log",
    benchmark:
        f"{RESULTS}/benchmarks/disclosure/disclosure_control.tsv"
    threads: 1
    resources:
        mem_mb=memory_mb(1000, 20),
        runtime=30,
    params:
        periods=config["periods"],
        strata_periods=config.get("intersectional", {}).get("periods"),
        disclosure={**config["disclosure"], **config["statistics"]},
        code=CODE_VERSION,
    script:
        "../../scripts/disclosure_control.py"


rule disclosure_audit:
    input:
        tables=expand(f"{RESULTS}/tables/{{name}}.csv", name=AUDITED_TABLES),
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
        disclosure=config["disclosure"],
        code=CODE_VERSION,
    script:
        "../../scripts/disclosure_audit.py"
