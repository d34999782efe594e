# Report: rendered only from the published tables in results/tables/.


rule render_report:
    input:
        quality=rules.combine_import_quality.output.table,
        reasons=rules.combine_import_quality.output.reasons,
    output:
        html=f"{REPORTS}/{EDITION}/index.html",
    log:
        "logs/report/render_report.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        report=config["report"],
        demo=config["demo"],
        region=config["region"]["name"],
        config_hash=CONFIG_HASH,
        code=CODE_VERSION,
    script:
        "../../scripts/render_report.py"
