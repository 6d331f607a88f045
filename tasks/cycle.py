"""Tasks of the monthly cycle: gather, score and propose, open and start reviews, report."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NONE
from prefect.context import TaskRunContext
from sqlalchemy import select

from kinerja.db import candidates, reviews
from kinerja.db.models import Candidate, Employee
from kinerja.db.periods import CLOSED, REVIEWING, ensure_period, set_status
from kinerja.db.session import session_scope
from kinerja.domain import utcnow
from kinerja.faults import fault_point
from kinerja.review.logic import open_reviews as open_review_rows
from kinerja.settings import get_settings
from kinerja.tasks.common import engine, per_run_key, policy


def _period_key(ctx: TaskRunContext, params: dict[str, Any]) -> str:
    return per_run_key(ctx.task.name, params["period"])


def artifact_key(*parts: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


@task(cache_key_fn=_period_key, persist_result=True, retries=2, retry_delay_seconds=10)
def fetch_month(period: str) -> dict[str, Any]:
    """Gather the register and the month's raw data from the configured sources (idempotent)."""
    from kinerja.sources.config import load_sources_config
    from kinerja.sources.gather import gather_month

    settings = get_settings()
    report = gather_month(
        engine(), period, load_sources_config(settings.sources_config), policy=policy()
    )
    fault_point("gathering")
    get_run_logger().info("gathered %s: %d OPD(s) assessed", period, len(report.opd_status))
    if not report.ok:
        raise RuntimeError(f"gathering {period} failed: {'; '.join(report.errors)}")
    return report.to_dict()


@task(cache_key_fn=_period_key, persist_result=True)
def score_and_propose(period: str) -> dict[str, Any]:
    """Score every employee and propose candidates per OPD/rumpun; returns counts per scope.

    Once a review of the period exists, candidates are frozen: a rerun never changes the names
    a head of OPD is deciding on.
    """
    from kinerja.db.month_data import load_month
    from kinerja.db.scores import save_candidates, save_notes, save_scores
    from kinerja.rules.scoring import score_month
    from kinerja.rules.selection import propose

    pol = policy()
    with session_scope(engine()) as s:
        ensure_period(s, period, pol.name)
        frozen = bool(reviews.list_reviews(s, period))
        if not frozen:
            data = load_month(s, period)
            scores = score_month(data, pol)
            save_scores(s, period, scores, pol.name)
            proposal = propose(scores, pol, dict(data.unassessable_opds), data.employees)
            save_candidates(s, period, proposal.candidates)
            save_notes(s, period, proposal.notes)
            scored = len(scores)
            sufficient = int(scores["sufficient"].sum()) if scored else 0
        else:
            scored = sufficient = -1
        rows = list(s.scalars(select(Candidate).where(Candidate.period == period)))
    per_scope: dict[str, int] = {}
    for c in rows:
        per_scope[c.scope_code] = per_scope.get(c.scope_code, 0) + 1
    get_run_logger().info(
        "scored %s: %d employee(s), %d candidate(s) in %d scope(s)%s",
        period,
        scored,
        len(rows),
        len(per_scope),
        " (candidates frozen: reviews exist)" if frozen else "",
    )
    return {"scored": scored, "sufficient": sufficient, "candidates": per_scope}


@task(cache_policy=NONE)
def open_reviews(period: str) -> list[str]:
    """One review per scope with candidates (unique per period and scope: reruns add none)."""
    fault_point("scored")
    with session_scope(engine()) as s:
        # Reviews are always per OPD, even when names are ranked per rumpun: one OPD's head
        # decides only for that OPD's employees.
        scopes = sorted(candidates.review_opds(s, period))
        created = open_review_rows(
            s, period, scopes, policy=policy(), tz=get_settings().timezone, now=utcnow()
        )
        if scopes:
            set_status(s, period, REVIEWING)
    get_run_logger().info("%s: %d review(s), %d new", period, len(scopes), created)
    return scopes


@task(cache_key_fn=_period_key, persist_result=True, retries=3, retry_delay_seconds=10)
def start_reviews(period: str, scopes: list[str]) -> dict[str, str]:
    """One run of the served review deployment per scope (runs.launch); scope -> run id.

    Idempotency keys make a retry or a rerun of the cycle find the same runs (and the cached
    result spares the cycle's own resumes the calls). The runs are not waited for: the serving
    process carries each to its selection pause within its limit.
    """
    from kinerja.names import REVIEW_DEPLOYMENT
    from kinerja.runs.launch import start_review_runs

    started = start_review_runs(REVIEW_DEPLOYMENT, period, scopes)
    with session_scope(engine()) as s:
        for scope, run_id in started.items():
            review = reviews.require_review(s, period, scope)
            if review.flow_run_id is None:
                review.flow_run_id = run_id
    get_run_logger().info("%s: %d review run(s) started", period, len(started))
    return started


@task(cache_key_fn=_period_key, persist_result=True, retries=2, retry_delay_seconds=10)
def request_selections(period: str, scopes: list[str]) -> int:
    """Ask each head whose review is at selection to choose (each request is sent once)."""
    from kinerja.review.notices import request_selections as ask_heads

    with session_scope(engine()) as s:
        sent = ask_heads(s, period, scopes)
    get_run_logger().info("%s: %d selection request(s) sent", period, sent)
    return sent


@task(cache_policy=NONE)
def report_candidates(period: str, quality: dict[str, Any] | None) -> None:
    """Artifacts: the candidates of each scope, and the month's data-quality counts."""
    with session_scope(engine()) as s:
        rows = list(
            s.scalars(
                select(Candidate)
                .where(Candidate.period == period)
                .order_by(Candidate.scope_code, Candidate.rank)
            )
        )
        names = {
            e.nip: e.name
            for e in s.scalars(select(Employee).where(Employee.nip.in_([c.nip for c in rows])))
        }
        notes = {code: (n.proposed, n.note) for code, n in candidates.notes_for(s, period).items()}
    by_scope: dict[str, list[dict[str, Any]]] = {}
    for c in rows:
        by_scope.setdefault(c.scope_code, []).append(
            {
                "rank": c.rank,
                "nip": c.nip,
                "name": names.get(c.nip, ""),
                "opd": c.opd_code,
                "composite": round(c.composite, 2),
            }
        )
    for scope, table in by_scope.items():
        create_table_artifact(
            table=table,
            key=artifact_key("candidates", period, scope),
            description=f"Kandidat {scope} periode {period}"
            + (f": {notes[scope][1]}" if scope in notes else ""),
        )
    # Why each review holds as many names as it does, those with none included.
    lines = [f"# Usulan {period}", "", "| tinjauan | diusulkan | keterangan |", "|---|---|---|"]
    lines += [f"| {code} | {n} | {why} |" for code, (n, why) in sorted(notes.items())]
    create_markdown_artifact(markdown="\n".join(lines), key=artifact_key("proposal", period))
    if quality is not None:
        lines = [f"# Kualitas data {period}", "", "| sumber | diterima | dimuat | ditolak |"]
        lines.append("|---|---|---|---|")
        for source, c in sorted(quality.get("by_source", {}).items()):
            lines.append(
                f"| {source} | {c.get('received', 0)} | {c.get('loaded', 0)} | "
                f"{c.get('rejected', 0)} |"
            )
        na = quality.get("not_assessable", {})
        lines += ["", f"OPD tidak dapat dinilai: {len(na)}"]
        lines += [f"- {opd}: {why}" for opd, why in sorted(na.items())]
        create_markdown_artifact(
            markdown="\n".join(lines), key=artifact_key("data-quality", period)
        )


@task(cache_policy=NONE)
def report_charts(period: str) -> int:
    """One Markdown artifact per OPD: the composites' distribution and six-month trend."""
    from kinerja.outputs.month_view import opd_markdown, opd_views

    edges = tuple(float(b.max_score) for b in policy().bands[:-1])
    with session_scope(engine()) as s:
        views = opd_views(s, period)
    for view in views:
        create_markdown_artifact(
            markdown=opd_markdown(view, period, edges),
            key=artifact_key("opd", period, view.code),
            description=f"Sebaran dan tren indeks komposit {view.name} periode {period}",
        )
    return len(views)


def _latest_artifact_id(key: str) -> UUID | None:
    from prefect import get_client
    from prefect.client.schemas.filters import (
        ArtifactCollectionFilter,
        ArtifactCollectionFilterKey,
    )

    wanted = ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key]))
    with get_client(sync_client=True) as client:
        found = client.read_latest_artifacts(artifact_filter=wanted, limit=1)
    return found[0].latest_id if found else None


def publish_progress(period: str, update: bool = False) -> bool:
    """The reviews' progress (ended / total) and the table of who is awaited until when, in
    local time; True when every review has ended.

    The cycle creates the progress artifact; each review run, as it ends, updates it in place
    (`update`), so the cycle's artifacts move while the cycle is suspended.
    """
    from kinerja.outputs.month_view import review_progress

    with session_scope(engine()) as s:
        progress = review_progress(s, reviews.list_reviews(s, period))
        done = reviews.all_ended(s, period)
    key = artifact_key("review-progress", period)
    description = f"{progress.description} (periode {period})"
    latest = _latest_artifact_id(key) if update else None
    if latest is not None:
        update_progress_artifact(latest, progress.percent, description=description)
    else:
        create_progress_artifact(progress=progress.percent, key=key, description=description)
    create_table_artifact(
        table=progress.awaited or [{"Tinjauan": "-", "Menunggu": "tidak ada yang ditunggu"}],
        key=artifact_key("review-awaited", period),
        description=f"Yang ditunggu, periode {period}",
    )
    return done


@task(cache_policy=NONE)
def report_progress(period: str) -> bool:
    """Artifacts of the reviews' progress; returns True when all have ended."""
    return publish_progress(period)


@task(cache_policy=NONE)
def close_period(period: str) -> None:
    """Every review ended and the outputs exist: the sweeper stops looking at this month."""
    with session_scope(engine()) as s:
        set_status(s, period, CLOSED)
