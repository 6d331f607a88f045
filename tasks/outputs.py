"""Task: produce the month's outputs and publish the BKD recap as Prefect artifacts."""

from __future__ import annotations

import re
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from kinerja.db.session import session_scope
from kinerja.settings import get_settings
from kinerja.tasks.common import engine, policy


def _artifact_key(*parts: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


@task(retries=1, retry_delay_seconds=10)
def produce_outputs(period: str) -> dict[str, Any]:
    """Drafts, letters, coaching, recap files (idempotent), and the recap tables as artifacts."""
    from kinerja.outputs.month import produce_month_outputs

    settings = get_settings()
    with session_scope(engine()) as session:
        report = produce_month_outputs(
            session, period, policy(), settings.out_dir, settings=settings
        )
    log = get_run_logger()
    if report.recap is not None:
        for name, markdown in report.recap.tables.items():
            create_markdown_artifact(
                key=_artifact_key("rekap", period, name),
                markdown=markdown,
                description=f"Rekap BKD {period}: {name}",
            )
    summary = report.summary()
    log.info(
        "outputs %s: %d published, %d announced, %d draft(s) %s, %d letter(s), %d coached in %s",
        period,
        summary["published"],
        summary["announced"],
        sum(summary["drafts"].values()),
        summary["drafts"],
        summary["letters"],
        summary["coached"],
        summary["coaching_period"],
    )
    if report.left_out:
        log.warning("published but not announced: %s", report.left_out)
    if report.not_improved:
        log.warning("coached without improvement: %s", report.not_improved)
    return summary
