"""Starting the month's review runs on the served review deployment (Prefect's public API).

Each review is one run of the review deployment, created by `run_deployment` with an
idempotency key per period and OPD: a retry or a rerun of the cycle gets the same runs back,
never a second one. The serving process (`kinerja serve`) executes them within its limit, each
in a process of its own, so a review that crashes takes no other run with it. Everything a
review needs before its first pause was done by the cycle's batched tasks (the review opened,
the head asked, the brief written): a review's first execution only reads its form's text,
builds the form and suspends.
"""

from __future__ import annotations

from typing import Any

from kinerja.names import review_run_name


def review_key(period: str, scope_code: str) -> str:
    """The idempotency key of one OPD's review run of the month."""
    return f"review:{period}:{scope_code}"


def start_review_runs(deployment_name: str, period: str, scopes: list[str]) -> dict[str, str]:
    """One run of the review deployment per scope, not waited for; scope -> flow run id.

    A run that exists already under its key (a retry, a rerun of the cycle) is returned as it
    is, whatever its state: the runner, not the cycle, carries runs forward.
    """
    from prefect.deployments import run_deployment

    started: dict[str, str] = {}
    for scope in scopes:
        run: Any = run_deployment(
            deployment_name,
            parameters={"period": period, "scope_code": scope},
            flow_run_name=review_run_name(period, scope),
            tags=[f"opd:{scope}", f"period:{period}", "review"],
            idempotency_key=review_key(period, scope),
            as_subflow=False,
            timeout=0,
        )
        started[scope] = str(run.id)
    return started
