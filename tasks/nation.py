"""Tasks of a national month: one agency's gathering, one agency's scoring, the overview."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from kinerja.settings import get_settings
from kinerja.sources.agencies import Agency, AgencyMonth, gather_agency, load_agencies, score_agency

# Results travel back through the cluster, never through local result storage a worker on
# another machine could not reach: nothing here is persisted or cached.


@task(cache_policy=NONE, persist_result=False)
def list_agencies() -> list[Agency]:
    """The agencies of KINERJA_AGENCIES_CONFIG."""
    path = get_settings().agencies_config
    if path is None:
        raise ValueError("KINERJA_AGENCIES_CONFIG is not set: no agencies to run")
    return load_agencies(path)


@task(
    cache_policy=NONE,
    persist_result=False,
    retries=2,
    retry_delay_seconds=5,
    task_run_name="gather-{agency.code}-{period}",
)
def gather_agency_task(agency: Agency, period: str, policy_name: str) -> dict[str, Any]:
    """Gather, check and load one agency's month (idempotent per delivery: safe to retry)."""
    report = gather_agency(agency, period, policy_name)
    get_run_logger().info("agency %s: %d source rows gathered", agency.code, report["rows"])
    return report


@task(
    cache_policy=NONE,
    persist_result=False,
    retries=2,
    retry_delay_seconds=5,
    task_run_name="score-{agency.code}-{period}",
)
def score_agency_task(agency: Agency, period: str, policy_name: str) -> dict[str, Any]:
    """Score one agency's month and store its scores and candidates (a retry replaces them)."""
    month = score_agency(agency, period, policy_name)
    get_run_logger().info(
        "agency %s: %d employees, %d candidates", agency.code, month.employees, month.candidates
    )
    return month.to_dict()


@task(cache_policy=NONE, persist_result=False)
def report_nation(period: str, months: list[dict[str, Any]]) -> dict[str, Any]:
    """The national overview (per agency: employees, candidates) as one Markdown artifact."""
    rows = [AgencyMonth(**m) for m in months]
    create_markdown_artifact(
        key=f"nasional-{period}",
        markdown=overview_markdown(period, rows),
        description=f"Ringkasan nasional {period}",
    )
    return {
        "period": period,
        "agencies": len(rows),
        "employees": sum(r.employees for r in rows),
        "candidates": sum(r.candidates for r in rows),
    }


def overview_markdown(period: str, rows: list[AgencyMonth]) -> str:
    """Per agency: employees, with enough data, candidates (Indonesian headers)."""
    lines = [
        f"# Ringkasan nasional {period}",
        "",
        "| Instansi | Pegawai | Data cukup | Usulan | Keterangan |",
        "|---|---|---|---|---|",
    ]
    for r in sorted(rows, key=lambda r: r.agency):
        note = "usulan dibekukan (tinjauan sudah ada)" if r.frozen else ""
        lines.append(f"| {r.agency} | {r.employees} | {r.sufficient} | {r.candidates} | {note} |")
    total = (sum(r.employees for r in rows), sum(r.candidates for r in rows))
    lines.append(f"| Jumlah | {total[0]} | {sum(r.sufficient for r in rows)} | {total[1]} | |")
    return "\n".join(lines) + "\n"
