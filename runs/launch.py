"""Starting the month's review runs on the served review deployment (Prefect's public API).

Each review is one run of the review deployment, created through Prefect's client with an
idempotency key per period and OPD: a retry or a rerun of the cycle gets the same runs back,
never a second one. The serving process (`kinerja serve`) executes them within its limit, each
in a process of its own, so a review that crashes takes no other run with it. Everything a
review needs before its first pause was done by the cycle's batched tasks (the review opened,
the head asked, the brief written): a review's first execution only reads its form's text,
builds the form and suspends.
"""

from __future__ import annotations

import logging
import random
import time

import httpx

from kinerja.names import review_run_name

log = logging.getLogger(__name__)

RETRY_PAUSES = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0)  # seconds, 9.45 s in all


class QuickRetry(httpx.BaseTransport):
    """A transport that sends a request again within a fraction of a second on a 503.

    A Prefect server on SQLite answers 503 when another of its writers (events, logs, its
    services, our other calls) committed while a request was under way. Prefect's client then
    sleeps 2 s, and 4 and 8 s if refused again, even when told not to retry (its loop sleeps
    before it gives up): starting a month's reviews took 7-25 s, mostly asleep. Below the
    client, this transport asks again at once; only a server busy for longer than `pauses`
    reaches the client's own retries. Every call the reviews make while starting is safe to
    repeat (idempotency keys, state proposals).
    """

    def __init__(self, inner: httpx.BaseTransport, pauses: tuple[float, ...] = RETRY_PAUSES):
        self.inner = inner
        self.pauses = pauses

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for pause in self.pauses:
            response = self.inner.handle_request(request)
            if response.status_code != 503:
                return response
            response.read()
            response.close()
            log.debug("Prefect API busy; %s %s again in %.2f s", request.method, request.url, pause)
            time.sleep(pause * random.uniform(0.8, 1.2))  # jitter: threads must not collide
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def review_key(period: str, scope_code: str) -> str:
    """The idempotency key of one OPD's review run of the month."""
    return f"review:{period}:{scope_code}"


def start_review_runs(deployment_name: str, period: str, scopes: list[str]) -> dict[str, str]:
    """One run of the review deployment per scope, not waited for; scope -> flow run id.

    What `run_deployment(..., timeout=0, as_subflow=False, idempotency_key=...)` does, with
    one client for the month's runs (the deployment is read once) whose transport asks again
    at once when the server answers 503 (QuickRetry). A run that exists already under its key
    (a retry, a rerun of the cycle) is returned as it is, whatever its state: the runner, not
    the cycle, carries runs forward.
    """
    from prefect import get_client

    transport = QuickRetry(httpx.HTTPTransport(retries=3))
    started: dict[str, str] = {}
    with get_client(sync_client=True, httpx_settings={"transport": transport}) as client:
        deployment = client.read_deployment_by_name(deployment_name)
        for scope in scopes:
            run = client.create_flow_run_from_deployment(
                deployment.id,
                parameters={"period": period, "scope_code": scope},
                name=review_run_name(period, scope),
                tags=[f"opd:{scope}", f"period:{period}", "review"],
                idempotency_key=review_key(period, scope),
            )
            started[scope] = str(run.id)
    return started
