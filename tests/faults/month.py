"""A tiny served month (3 OPDs) that can be killed with SIGKILL at named points and restarted.

Everything is real: the simulator serves the sources over HTTP, a local Prefect server (its
database on PostgreSQL when the project's is) runs the cycle, the deployments are served by a
subprocess in a session of its own (so SIGKILL of its group takes its flow-run subprocesses
with it, as a power cut would), and scripted heads and employees answer through
review.service or `kinerja decide`. The scheduled sweeper is stood in for by calling
flows.sweeper.sweep from this process every few seconds (what the served sweeper does every
`--sweep-seconds`): it reruns dead runs and wakes runs whose answers were lost.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import Engine, select

from kinerja.db import reviews
from kinerja.db.models import Decision, Draft, Notification
from kinerja.db.session import session_scope
from kinerja.domain import ReviewStage
from kinerja.review.logic import state_of
from kinerja.runs.paused import PrefectPausedRuns

ROOT = Path(__file__).resolve().parents[2]
KINERJA = str(Path(sys.executable).with_name("kinerja"))
PERIOD = "2025-10"
OPERATOR = "op BKD"  # the one configured BKD operator, who enters the heads' selections
EMPLOYEES = 60  # 3 OPDs, 2 reviews: one head selects one name, the other nobody
SEED = 1
REASON = "indeks terendah tanpa keterangan"


@dataclass
class Snapshot:
    """The month's end state that must not depend on crashes: what exists, each once."""

    decisions: list[str] = field(default_factory=list)  # idempotency keys
    notifications: list[str] = field(default_factory=list)  # event key | status
    drafts: list[str] = field(default_factory=list)  # scope / purpose / format
    letters: list[str] = field(default_factory=list)  # files under out/<period>/letters
    outbox: list[str] = field(default_factory=list)  # files under out/notifications
    uncertain: int = 0  # sends found interrupted and resent with the same key

    def counts(self) -> str:
        return (
            f"{len(self.decisions)}/{len(self.notifications)}/{len(self.drafts)}/"
            f"{len(self.letters)}"
        )


@dataclass
class Row:
    point: str
    recovered_s: float
    before: str
    after: str = ""


class Month:
    """One month's stack; `serve(fault)` (re)starts the serving process."""

    def __init__(self, root: Path, database_url: str, prefect_db: str | None) -> None:
        from kinerja.flows.local_server import LocalPrefect

        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        self.root = root
        self.database_url = database_url
        self.prefect = LocalPrefect(root / "prefect", ui=False, database_url=prefect_db)
        self.proc: subprocess.Popen[bytes] | None = None
        self.marker = root / "fault-fired"
        self.env: dict[str, str] = {}
        self.turn = 0

    @contextmanager
    def running(self) -> Iterator[Engine]:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        from kinerja.db.migrate import upgrade
        from kinerja.db.session import make_engine
        from kinerja.settings import get_settings
        from kinerja.sources.config import http_config
        from kinerja.sources.server import SimulatorServer
        from kinerja.sources.simulator import simulate_province

        self.prefect.launch()
        sim = SimulatorServer(simulate_province(SEED, PERIOD, EMPLOYEES)).start()
        saved = dict(os.environ)
        try:
            config = http_config(sim.url, page_size=20_000, layout="columns")
            sources = self.root / "sources.yaml"
            sources.write_text(
                yaml.safe_dump(config.model_dump(mode="json", exclude_none=True)), "utf-8"
            )
            upgrade(self.database_url)
            self.prefect.wait_healthy(150)
            self.env = {
                "KINERJA_DATABASE_URL": self.database_url,
                "KINERJA_OUT_DIR": str(self.root / "out"),
                "KINERJA_VAR_DIR": str(self.root / "var"),
                "KINERJA_SOURCES_CONFIG": str(sources),
                "KINERJA_NOTIFICATION_CHANNELS": '["file"]',
                "KINERJA_PORTAL_SECRET": "fault-suite-secret-8d1f3a",
                "KINERJA_POLICY": "jabar",
                "KINERJA_OPERATORS": OPERATOR,
                "KINERJA_FAULT_MARKER": str(self.marker),
                "PREFECT_LOCAL_STORAGE_PATH": str(self.root / "var" / "prefect-results"),
                "PREFECT_RUNNER_POLL_FREQUENCY": "2",
                **self.prefect.env(),
            }
            os.environ.update(self.env)  # this process sweeps and answers with the same settings
            get_settings.cache_clear()
            engine = make_engine(self.database_url)
            with temporary_settings(updates={PREFECT_API_URL: self.prefect.api_url}):
                yield engine
            engine.dispose()
        finally:
            self.kill()
            self.prefect.stop()
            sim.stop()
            os.environ.clear()
            os.environ.update(saved)
            get_settings.cache_clear()

    def serve(self, fault: str | None) -> None:
        """Start serving (the served runs inherit KINERJA_FAULT_POINT) and wait until ready."""
        from kinerja.flows.local_server import wait_served
        from kinerja.names import CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT

        env = {**os.environ, **self.env}
        env.pop("KINERJA_FAULT_POINT", None)
        if fault:
            env["KINERJA_FAULT_POINT"] = fault
        code = "from kinerja.flows.serve import serve_all; serve_all(limit=8, schedule=False)"
        with (self.root / "serve.log").open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", code],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: SIGKILL takes its runs too
            )
        wait_served(self.prefect.api_url, [CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT], self.proc, 150)

    def died(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def kill(self) -> None:
        """SIGKILL the serving process and every process of its group."""
        if self.proc is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def fired(self) -> str | None:
        return self.marker.read_text("utf-8") if self.marker.exists() else None

    def start_cycle(self) -> str:
        from kinerja.flows.demo import start_cycle
        from kinerja.names import CYCLE_DEPLOYMENT
        from kinerja.runs.wakeup import cycle_run_name

        return start_cycle(CYCLE_DEPLOYMENT, PERIOD, cycle_run_name(PERIOD))

    def decide_selection(self, scope: str, picks: list[str], fault: str | None) -> int:
        """`kinerja decide selection` by the BKD operator, in a process of its own (which a fault
        point may kill)."""
        args = [f"--select={nip}={REASON}" for nip in picks] or ["--none"]
        env = {**os.environ, **self.env}
        env.pop("KINERJA_FAULT_POINT", None)
        if fault:
            env["KINERJA_FAULT_POINT"] = fault
        done = subprocess.run(
            [KINERJA, "decide", "selection", "--period", PERIOD, "--scope", scope,
             "--actor", OPERATOR, *args],
            env=env, cwd=ROOT, capture_output=True, timeout=120, start_new_session=True,
        )  # fmt: skip
        return done.returncode

    def answer(self, engine: Engine, selection_fault: str | None = None) -> None:
        """Answer every review whose run is suspended now, by the script.

        The first scope (sorted) selects its lowest-ranked candidate, the others nobody; each
        selected employee writes a defence and the head rejects it.
        """
        from kinerja.review import service as svc
        from kinerja.review.deciders import decider_of
        from kinerja.runs.wakeup import run_states

        with session_scope(engine) as s:
            rows = reviews.list_reviews(s, PERIOD)
            first = min((r.scope_code for r in rows), default=None)
            open_ = [
                (r.scope_code, r.flow_run_id, state_of(s, r), decider_of(s, r.scope_code).title)
                for r in rows
                if r.stage in reviews.OPEN_STAGES
            ]
        states = run_states([str(run_id) for _, run_id, _, _ in open_ if run_id])
        for scope, run_id, state, head in open_:
            if not run_id or states[str(run_id)][0] != "PAUSED":
                continue
            if state.stage == ReviewStage.SELECTION:
                picks = state.candidates[:1] if scope == first else []
                code = self.decide_selection(scope, picks, selection_fault if picks else None)
                if code == -signal.SIGKILL:
                    return  # the deciding process died at its fault point
            elif state.awaiting_defence and self._warned(engine, scope, state.awaiting_defence[0]):
                nip = state.awaiting_defence[0]
                # the employee and the head answer through their portal links
                svc.submit_defence(
                    engine,
                    PERIOD,
                    scope,
                    nip,
                    nip,
                    "Data kehadiran saya tidak lengkap.",
                    "portal",
                    runs=PrefectPausedRuns(),
                )
                svc.submit_verdict(
                    engine, PERIOD, scope, nip, head, False, "tidak ada bukti pendukung",
                    "portal", runs=PrefectPausedRuns(),
                )  # fmt: skip

    @staticmethod
    def _warned(engine: Engine, scope: str, nip: str) -> bool:
        """The employee has their warning (and its link): only then can they defend."""
        key = f"warning:{PERIOD}:{scope}:{nip}|file"
        with session_scope(engine) as s:
            row = s.scalars(select(Notification).where(Notification.event_key == key)).first()
            return row is not None and row.status == "sent"

    def snapshot(self, engine: Engine) -> Snapshot:
        out = self.root / "out"
        with session_scope(engine) as s:
            decisions = sorted(s.scalars(select(Decision.idempotency_key)))
            notes = s.scalars(select(Notification)).all()
            drafts = s.scalars(select(Draft).where(Draft.period == PERIOD)).all()
            snap = Snapshot(
                decisions=decisions,
                notifications=sorted(f"{n.event_key}|{n.status}" for n in notes),
                drafts=sorted(f"{d.scope_code}/{d.purpose}/{d.fmt}" for d in drafts),
                uncertain=sum(1 for n in notes if n.uncertain_at is not None),
            )
        letters = out / PERIOD / "letters"
        snap.letters = sorted(str(p.relative_to(letters)) for p in letters.rglob("*.*"))
        outbox = out / "notifications"
        snap.outbox = sorted(str(p.relative_to(outbox)) for p in outbox.rglob("*.json"))
        return snap


def drive(
    month: Month,
    engine: Engine,
    cycle_id: str,
    until: Callable[[], bool],
    timeout: float,
    selection_fault: str | None = None,
    sweep_every: float = 3.0,
) -> float:
    """Answer pauses and sweep until `until()` holds; returns the seconds it took."""
    from kinerja.flows.sweeper import sweep
    from kinerja.tasks.common import policy

    started = time.monotonic()
    last_sweep = 0.0
    while not until():
        if time.monotonic() - started > timeout:
            raise AssertionError(
                f"not reached after {timeout:.0f} s; see {month.root / 'serve.log'}"
            )
        if not month.died():
            month.answer(engine, selection_fault)
        if until():  # an answer may have hit the kill point: sweep nothing more
            break
        if time.monotonic() - last_sweep > sweep_every and not month.died():
            sweep(engine, policy())
            last_sweep = time.monotonic()
        time.sleep(1)
    return time.monotonic() - started


def cycle_kind(cycle_id: str) -> str:
    from kinerja.runs.wakeup import run_state

    return run_state(cycle_id)[0]


def table(rows: list[Row], backend: str) -> str:
    """The summary the suite prints (decisions/notifications/drafts/letters counts)."""
    lines = [
        f"fault suite on {backend}: kill point, recovered after N s (restart to next point or end),"
        " counts decisions/notifications/drafts/letters at the kill and at the end",
        f"{'kill point':<20} {'recovered':>10} {'at kill':>12} {'at end':>12}",
    ]
    lines += [f"{r.point:<20} {r.recovered_s:>9.0f}s {r.before:>12} {r.after:>12}" for r in rows]
    return "\n".join(lines)
