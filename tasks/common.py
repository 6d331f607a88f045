"""What every task needs: the engine for the configured database and the active policy."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Engine

from kinerja.rules.policy import Policy, load_policy
from kinerja.runs.secrets import plug_in
from kinerja.settings import get_settings

plug_in()  # tasks run under Prefect: secret blocks named in the settings are its Secret blocks


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    from kinerja.db.session import make_engine

    return make_engine(url)


def engine() -> Engine:
    """One engine per database URL per process (flow runs execute in served subprocesses)."""
    return _engine_for(get_settings().database_url)


@lru_cache(maxsize=4)
def _policy_for(name: str) -> Policy:
    return load_policy(name)


def policy() -> Policy:
    return _policy_for(get_settings().policy)


def per_run_key(prefix: str, *parts: Any) -> str:
    """A cache key for a task that must run once per period/OPD within a flow run."""
    from prefect.runtime import flow_run

    return "-".join([prefix, *(str(p) for p in parts), str(flow_run.id)])
