"""Prefect tasks for gathering: thin wrappers; only fetching (I/O) retries."""

from __future__ import annotations

from typing import Any

import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from sqlalchemy import Engine

from kinerja.rules.policy import Policy
from kinerja.sources.config import SourcesConfig
from kinerja.sources.gather import Fetcher, GatherReport, gather_month
from kinerja.sources.load import LoadResult, store_delivery
from kinerja.sources.validate import Checked, Register, check_delivery, validate_register


@task(retries=2, retry_delay_seconds=[2, 10], cache_policy=NONE)
def fetch_kind(
    config: SourcesConfig, source: str, kind: str, period: str, opd: str | None = None
) -> pd.DataFrame:
    """Fetch one kind for a period (and OPD) from a named source: HTTP, CSV or XLSX."""
    fetcher = Fetcher(config)
    try:
        frame = fetcher.fetch(source, kind, period, opd)
    finally:
        fetcher.close()
    get_run_logger().info("fetched %d %s row(s) from %r (OPD %s)", len(frame), kind, source, opd)
    return frame


@task(cache_policy=NONE)
def validate_kind(
    kind: str,
    raw: pd.DataFrame,
    register: Register,
    policy: Policy,
    opd: str | None = None,
) -> Checked:
    """Check one delivery; rejected rows carry their reasons."""
    if kind == "employees":
        checked = validate_register(raw, register.period, policy.nip)
    else:
        checked = check_delivery(kind, raw, register, policy, opd)
    get_run_logger().info(
        "%s: %d row(s) checked, %d rejected %s",
        kind,
        checked.received,
        len(checked.rejected),
        checked.by_reason,
    )
    return checked


@task(cache_policy=NONE)
def load_kind(
    engine: Engine,
    period: str,
    kind: str,
    source: str,
    opd: str | None,
    raw: pd.DataFrame,
    checked: Checked,
    register: Register,
    context: str = "",
) -> LoadResult:
    """Load a checked delivery idempotently (one transaction)."""
    from kinerja.sources.gather import _now

    result = store_delivery(
        engine,
        period=period,
        kind=kind,
        source=source,
        opd=opd,
        raw=raw,
        checked=checked,
        register=register,
        context=context,
        now=_now(),
        received=raw.attrs.get("digest"),
    )
    get_run_logger().info(
        "%s for OPD %s: %d new, %d updated, %d removed, %d rejected%s",
        kind,
        opd,
        result.inserted,
        result.updated,
        result.deleted,
        result.rejected,
        " (unchanged delivery)" if result.skipped else "",
    )
    return result


@task(cache_policy=NONE)
def gather_month_task(
    engine: Engine, period: str, config: SourcesConfig, policy: Policy | None = None
) -> dict[str, Any]:
    """The whole month in one task (HTTP retries happen inside, per request)."""
    report: GatherReport = gather_month(engine, period, config, policy=policy)
    logger = get_run_logger()
    for line in report.summary().splitlines():
        logger.info(line)
    return report.to_dict()
