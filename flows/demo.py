"""`kinerja demo`: a whole month on the simulated province, decisions by a scripted policy.

Everything is real: the simulator serves the sources over HTTP, a local Prefect server runs
the cycle, the deployments are served in a subprocess, and the scripted heads and employees
act through review.service exactly as the portal does. The script: in every other OPD
the head selects the lowest-ranked candidate; that employee writes a defence, marking their
first unexcused absence (if any) as official travel; the head rejects the first defence and
accepts the next, alternating, and rules the same way on the objection. Other OPDs select
nobody. Heads of OPD are decided in the heads' review by the Sekda, under the same script.
The month ends as a real one does: scripted communications staff approve every draft, so
the outbox holds each published scope's caption, X post and press release, and the recap is
written again with the approvals.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, func, select

from kinerja.db import reviews
from kinerja.db.models import CoachingAssignment, Draft
from kinerja.db.session import session_scope
from kinerja.domain import ReviewStage
from kinerja.review.logic import Refused, state_of

Say = Callable[[str], None]


@dataclass
class DemoReport:
    period: str
    seconds: float
    cycle_state: str
    stages: dict[str, int] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    out_dir: Path = Path("out")
    paths: dict[str, list[str]] = field(default_factory=dict)
    drafts: dict[str, int] = field(default_factory=dict)
    coached: int = 0
    database_url: str = ""
    approved: int = 0
    outbox: list[str] = field(default_factory=list)
    x_post: str = ""
    recap_html: Path | None = None


APPROVER = "Rani Kusuma (Humas, naskah demo)"
APPROVAL_REASON = "Sesuai pedoman publikasi (persetujuan naskah demo)"


def _answer(engine: Engine, period: str, turn: list[int], say: Say) -> list[str]:
    """Act on every review whose run is suspended right now; returns what was done."""
    from kinerja.review import service as svc
    from kinerja.runs.paused import PrefectPausedRuns
    from kinerja.runs.wakeup import run_states

    runs = PrefectPausedRuns()
    done: list[str] = []
    with session_scope(engine) as s:
        open_reviews = [
            (r.scope_code, r.flow_run_id, state_of(s, r))
            for r in reviews.list_reviews(s, period, reviews.OPEN_STAGES)
        ]
    states = run_states([str(run_id) for _, run_id, _ in open_reviews if run_id])
    for index, (scope, run_id, state) in enumerate(open_reviews):
        if not run_id or states[str(run_id)][0] != "PAUSED":
            continue
        head = _decider(engine, scope)
        try:
            if state.stage == ReviewStage.SELECTION:
                picks = {state.candidates[0]: (True, "indeks terendah tanpa keterangan")}
                chosen = picks if index % 2 == 0 else {}
                svc.submit_selection(engine, period, scope, head, chosen, "portal", runs=runs)
                done.append(f"{scope}: pemilihan {len(chosen)} nama")
            elif state.awaiting_defence:
                # The employee defends and the head answers at once: the run wakes once.
                nip = state.awaiting_defence[0]
                svc.submit_defence(
                    engine, period, scope, nip, nip, "Data kehadiran saya tidak lengkap.", "portal",
                    objections=_absence_objection(engine, period, nip), runs=runs,
                )  # fmt: skip
                accepted = turn[0] % 2 == 1
                turn[0] += 1
                reason = "bukti diterima" if accepted else "tidak ada bukti pendukung"
                rulings = {
                    oid: (accepted, "surat tugas sah" if accepted else "tidak ada surat tugas")
                    for oid in _objection_ids(engine, period, scope, nip)
                }
                svc.submit_verdict(
                    engine,
                    period,
                    scope,
                    nip,
                    head,
                    accepted,
                    reason,
                    "portal",
                    rulings=rulings,
                    runs=runs,
                )
                verdict = "diterima" if accepted else "ditolak"
                done.append(f"{scope}: pembelaan {nip}, {verdict}")
        except Refused as exc:
            done.append(f"{scope}: ditolak ({exc})")
    for line in done:
        say(f"  {line}")
    return done


def _decider(engine: Engine, scope: str) -> str:
    from kinerja.review.deciders import decider_of

    with session_scope(engine) as s:
        return decider_of(s, scope).title


def _absence_objection(engine: Engine, period: str, nip: str) -> list[Any]:
    """The employee's first unexcused absence claimed as official travel, else their first late
    arrival claimed as on time (the device's clock was wrong); none: no objection."""
    from kinerja.db.models import AttendanceRecord
    from kinerja.review.corrections import ObjectionInput
    from kinerja.review.deciders import active_policy

    start = active_policy().calendar.work_start
    with session_scope(engine) as s:
        rows = s.scalars(
            select(AttendanceRecord)
            .where(AttendanceRecord.period == period, AttendanceRecord.nip == nip)
            .order_by(AttendanceRecord.work_date)
        ).all()
    absent = [r for r in rows if r.status == "absent"]
    late = [r for r in rows if r.status == "present" and r.check_in and r.check_in > start]
    if absent:
        day = absent[0].work_date.isoformat()
        return [ObjectionInput("attendance_day", day, "official_travel", "dinas luar")]
    if late:
        day = late[0].work_date.isoformat()
        return [ObjectionInput("attendance_day", day, "present", "mesin presensi salah jam")]
    return []


def _objection_ids(engine: Engine, period: str, scope: str, nip: str) -> list[int]:
    from kinerja.db.objections import objections_of

    with session_scope(engine) as s:
        return [o.id for o in objections_of(s, period, scope, nip)]


@contextmanager
def running_stack(
    root: Path,
    out_dir: Path,
    *,
    period: str,
    employees: int,
    seed: int,
    say: Say = print,
    limit: int = 8,
    database_url: str | None = None,
) -> Iterator[Engine]:
    """Simulator over HTTP, a fresh database, a local Prefect server and the served flows.

    Yields the engine; inside, the Prefect client talks to the local server. The database is a
    SQLite file under `root` unless `database_url` names an (empty) one.
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from kinerja.db.migrate import upgrade
    from kinerja.db.session import make_engine
    from kinerja.flows.local_server import LocalPrefect, start_serving, stop_process, wait_served
    from kinerja.names import CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT
    from kinerja.sources.config import http_config
    from kinerja.sources.server import SimulatorServer
    from kinerja.sources.simulator import simulate_province

    for folder in (root, out_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    root, out_dir = root.resolve(), out_dir.resolve()
    prefect = LocalPrefect(root / "prefect", ui=False).launch()  # starts while we simulate
    sim = None
    serving = None
    try:
        province = simulate_province(seed, period, employees)
        sim = SimulatorServer(province).start()
        sources = root / "sources.yaml"
        # large pages in columns, as the gather benchmark uses: fewer round trips and keys
        config = http_config(sim.url, page_size=20_000, layout="columns").model_dump(
            mode="json", exclude_none=True
        )
        sources.write_text(yaml.safe_dump(config), encoding="utf-8")
        env = {
            "KINERJA_DATABASE_URL": database_url or f"sqlite:///{root / 'kinerja.db'}",
            "KINERJA_OUT_DIR": str(out_dir),
            "KINERJA_VAR_DIR": str(root),
            "KINERJA_SOURCES_CONFIG": str(sources),
            "KINERJA_NOTIFICATION_CHANNELS": '["file"]',
            "PREFECT_LOCAL_STORAGE_PATH": str(root / "prefect-results"),
        }
        upgrade(env["KINERJA_DATABASE_URL"])
        engine = make_engine(env["KINERJA_DATABASE_URL"])
        say(f"simulasi {period}: {employees} pegawai di {len(province.opds)} OPD pada {sim.url}")
        prefect.wait_healthy()
        say(f"server Prefect di {prefect.api_url}")
        # The served runs read these; this process passes the engine and talks to Prefect itself.
        serving = start_serving({**env, **prefect.env()}, root / "serve.log", limit=limit)
        # a month starts on a running server: its start-up is setup, like the Prefect server's
        wait_served(prefect.api_url, [CYCLE_DEPLOYMENT, REVIEW_DEPLOYMENT], serving)
        with temporary_settings(updates={PREFECT_API_URL: prefect.api_url}):
            yield engine
        engine.dispose()
    finally:
        stop_process(serving)
        prefect.stop()
        if sim is not None:
            sim.stop()


def run_demo(
    root: Path,
    out_dir: Path,
    *,
    period: str = "2025-10",
    employees: int = 120,
    seed: int = 1,
    timeout: float = 170,
    say: Say = print,
) -> DemoReport:
    """Run the month end to end; a fresh demo state under `root`, outputs under `out_dir`."""
    t0 = time.monotonic()
    report = DemoReport(period=period, seconds=0.0, cycle_state="not started")
    with running_stack(
        root, out_dir, period=period, employees=employees, seed=seed, say=say
    ) as engine:
        _drive(engine, period, t0 + timeout, report, say)
        if report.cycle_state == "COMPLETED":
            approve_all_drafts(engine, period, out_dir.resolve(), report, say)
    report.out_dir = out_dir.resolve()
    base = report.out_dir / period
    for name in ("announcements", "letters", "coaching", "recap"):
        found = sorted(str(p) for p in base.rglob("*") if p.is_file() and name in str(p))
        report.paths[name] = found
    report.seconds = time.monotonic() - t0
    return report


def _drive(engine: Engine, period: str, end: float, report: DemoReport, say: Say) -> None:
    """Start the cycle and answer every pause until the cycle ends or time runs out."""
    from kinerja.names import CYCLE_DEPLOYMENT, cycle_run_name
    from kinerja.runs.wakeup import run_state

    run_id = start_cycle(CYCLE_DEPLOYMENT, period, cycle_run_name(period))
    say(f"siklus {cycle_run_name(period)} dimulai ({run_id})")
    turn = [0]
    while time.monotonic() < end:
        kind, _ = run_state(run_id)
        if kind in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            break
        report.actions += _answer(engine, period, turn, say)
        time.sleep(1)
    report.cycle_state = run_state(run_id)[0]
    with session_scope(engine) as s:
        for r in reviews.list_reviews(s, period):
            report.stages[r.stage] = report.stages.get(r.stage, 0) + 1
        for d in s.scalars(select(Draft).where(Draft.period == period)):
            key = f"{d.purpose} {d.status}"
            report.drafts[key] = report.drafts.get(key, 0) + 1
        report.coached = (
            s.scalar(
                select(func.count())
                .select_from(CoachingAssignment)
                .where(CoachingAssignment.source_period == period)
            )
            or 0
        )
    report.database_url = engine.url.render_as_string(hide_password=True)


def approve_all_drafts(
    engine: Engine, period: str, out_dir: Path, report: DemoReport, say: Say
) -> None:
    """Communications staff (scripted) approve every waiting draft through db.drafts, as
    `kinerja drafts approve` does; the outbox and the recap are written again."""
    from kinerja.db import drafts as store
    from kinerja.outputs.month import drafts_changed
    from kinerja.review.deciders import active_policy

    with session_scope(engine) as s:
        waiting = store.list_drafts(s, period, status="draft")
        for d in waiting:
            store.decide(
                s, d.id, approve=True, actor=APPROVER, actor_role="communications",
                reason=APPROVAL_REASON, channel="cli",
            )  # fmt: skip
        s.commit()
        outbox, recap = drafts_changed(s, period, active_policy(), out_dir)
        report.drafts = {}
        for d in store.list_drafts(s, period):
            key = f"{d.purpose} {d.status}"
            report.drafts[key] = report.drafts.get(key, 0) + 1
        posts = [d for d in store.list_drafts(s, period, status="approved") if d.fmt == "x_post"]
        # an announcement's post first: the month's outcome, else a recognition
        posts.sort(key=lambda d: (d.purpose != "announcement", d.scope_code))
        report.x_post = posts[0].body.strip() if posts else ""
    report.approved = len(waiting)
    report.outbox = [str(p) for p in outbox.files]
    report.recap_html = recap.html
    say(f"  humas menyetujui {len(waiting)} draf sebagai {APPROVER!r}")


def summary_lines(report: DemoReport) -> list[str]:
    """What `kinerja demo` prints at the end: where everything is, one approved X post and the
    recap's path."""
    base = report.out_dir / report.period
    drafts = ", ".join(f"{n} {k}" for k, n in sorted(report.drafts.items())) or "tidak ada"
    lines = [
        f"siklus {report.cycle_state} dalam {report.seconds:.0f} detik; tinjauan per tahap "
        f"{report.stages}; {len(report.actions)} keputusan bernaskah",
        f"draf: {drafts}; riwayatnya: KINERJA_DATABASE_URL={report.database_url} "
        f"kinerja drafts list --period {report.period}",
        f"kotak keluar ({len(report.outbox)} berkas disetujui dan manifest.json): "
        f"{base / 'announcements'}",
        f"surat (peringatan dan keputusan, per NIP): {base / 'letters'}",
        f"pendampingan bulan berikutnya ({report.coached}): {base / 'coaching'}",
    ]
    if report.x_post:
        lines.append(f"contoh unggahan X yang disetujui ({len(report.x_post)} karakter):")
        lines += [f"    {line}" for line in report.x_post.splitlines()]
    lines.append(f"rekap BKD: {report.recap_html or base / 'recap'}")
    return lines


def start_cycle(deployment: str, period: str, name: str, wait: float = 60) -> str:
    from prefect.deployments import run_deployment

    end = time.monotonic() + wait
    while True:
        try:
            run: Any = run_deployment(
                deployment,
                parameters={"period": period},
                flow_run_name=name,
                idempotency_key=f"cycle:{period}",
                as_subflow=False,
                timeout=0,
            )
            return str(run.id)
        except Exception:
            if time.monotonic() > end:  # the serving process never registered it
                raise
            time.sleep(1)
