"""Data objections in a defence: what may be contested, the rulings on them, and the rescore.

An employee may mark rows of their own month as wrong: an attendance day (with what it should
have said), an activity that should count, or an activity whose approval never arrived. The
verdict rules on each (accepted or rejected, with a reason, by the decider or BKD); an accepted
objection corrects its raw row, and the person is scored again with every accepted correction.
If the new score is above the floor (or no longer judgeable), they cannot be published.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db import decisions as dec
from kinerja.db import objections as store
from kinerja.db.models import DataObjection, Review, Score
from kinerja.domain import DecisionKind, VerdictValue
from kinerja.rules.policy import Policy

KINDS = {
    "attendance_day": "hari kehadiran",
    "activity": "aktivitas harian",
    "approval_missing": "persetujuan atasan yang tidak pernah datang",
}
ATTENDANCE_CLAIMS = {
    "present": "hadir tepat waktu",
    "official_travel": "dinas luar",
    "leave": "cuti",
    "sick": "sakit",
    "connectivity_gap": "gangguan jaringan/perangkat (hari tidak teramati)",
}
ACTIVITY_CLAIM = {"activity": "counts", "approval_missing": "approved"}
CLAIM_LABELS = {
    **ATTENDANCE_CLAIMS,
    "counts": "aktivitas ini seharusnya dihitung",
    "approved": "seharusnya sudah disetujui",
}
NOTE_MIN = 5
MAX_OBJECTIONS = 31


@dataclass(frozen=True)
class ObjectionInput:
    """One row the employee marks as wrong: kind, which row, what it should say, and why."""

    kind: str
    row_ref: str
    claim: str
    note: str


def check_objections(
    session: Session, period: str, nip: str, items: list[ObjectionInput]
) -> list[str]:
    """Problems (Indonesian) with the objections; empty when they may be recorded."""
    problems: list[str] = []
    if len(items) > MAX_OBJECTIONS:
        problems.append(f"paling banyak {MAX_OBJECTIONS} keberatan data per pembelaan")
    seen: set[tuple[str, str]] = set()
    for i, o in enumerate(items, 1):
        where = f"keberatan {i}"
        if o.kind not in KINDS:
            problems.append(f"{where}: jenis {o.kind!r} tidak dikenal")
            continue
        if (o.kind, o.row_ref) in seen:
            problems.append(f"{where}: baris yang sama ditandai dua kali")
        seen.add((o.kind, o.row_ref))
        if len(o.note.strip()) < NOTE_MIN:
            problems.append(f"{where}: tuliskan keterangan (minimal {NOTE_MIN} karakter)")
        if o.kind == "attendance_day":
            try:
                day = date.fromisoformat(o.row_ref)
            except ValueError:
                problems.append(f"{where}: tanggal {o.row_ref!r} bukan YYYY-MM-DD")
                continue
            if store.attendance_day(session, period, nip, day) is None:
                problems.append(f"{where}: tidak ada catatan kehadiran Anda pada {o.row_ref}")
            if o.claim not in ATTENDANCE_CLAIMS:
                problems.append(f"{where}: pilih keadaan yang benar untuk hari itu")
            continue
        act = (
            store.activity_of(session, period, nip, int(o.row_ref)) if o.row_ref.isdigit() else None
        )
        if act is None:
            problems.append(f"{where}: aktivitas {o.row_ref!r} bukan aktivitas Anda bulan ini")
        elif o.kind == "approval_missing" and act.approval != "pending":
            problems.append(f"{where}: aktivitas {o.row_ref} tidak sedang menunggu persetujuan")
        if o.claim != ACTIVITY_CLAIM[o.kind]:
            problems.append(f"{where}: isian tidak sesuai jenis keberatan")
    return problems


def describe(objection: DataObjection) -> str:
    """The objection in one Indonesian line, for pages and letters."""
    what = KINDS.get(objection.kind, objection.kind)
    claim = CLAIM_LABELS.get(objection.claim, objection.claim)
    return f"{what} {objection.row_ref}: {claim}"


def ruling_key(review: Review, objection: DataObjection) -> str:
    base = dec.key_for(DecisionKind.OBJECTION, review.period, review.scope_code, objection.nip)
    return f"{base}:{objection.id}"


def _changes(objection: DataObjection, policy: Policy, day: date | None) -> dict[str, Any]:
    if objection.kind == "attendance_day":
        if objection.claim == "present":
            cal = policy.calendar
            end = cal.friday_work_end if day is not None and day.weekday() == 4 else cal.work_end
            return {"status": "present", "check_in": cal.work_start, "check_out": end}
        return {"status": objection.claim, "check_in": None, "check_out": None}
    if objection.kind == "activity":
        return {"approval": "approved", "completed": True}
    return {"approval": "approved"}


def record_ruling(
    session: Session,
    review: Review,
    objection: DataObjection,
    accepted: bool,
    reason: str,
    *,
    actor: str,
    actor_role: str,
    channel: str,
    policy: Policy,
    now: datetime,
) -> bool:
    """Record the ruling on one objection; an accepted one corrects its row. True if new."""
    ruling, new = dec.record(
        session,
        key=ruling_key(review, objection),
        period=review.period,
        scope_code=review.scope_code,
        review_id=review.id,
        nip=objection.nip,
        kind=DecisionKind.OBJECTION,
        value=VerdictValue.ACCEPTED if accepted else VerdictValue.REJECTED,
        reason=reason.strip(),
        payload={"objection_id": objection.id, "objection": describe(objection)},
        actor=actor,
        actor_role=actor_role,
        channel=channel,
        now=now,
    )
    if new and accepted:
        row: Any
        if objection.kind == "attendance_day":
            day = date.fromisoformat(objection.row_ref)
            row = store.attendance_day(session, review.period, objection.nip, day)
        else:
            day = None
            row = store.activity_of(session, review.period, objection.nip, int(objection.row_ref))
        if row is None:
            raise ValueError(f"objection {objection.id}: its row is gone from the month")
        store.correct_row(
            session, objection, row, _changes(objection, policy, day),
            ruling_id=ruling.id, actor=actor, now=now,
        )  # fmt: skip
    return new


def rulings(session: Session, review: Review, nip: str) -> dict[int, Any]:
    """objection id -> the ruling decision on it."""
    out: dict[int, Any] = {}
    for o in store.objections_of(session, review.period, review.scope_code, nip):
        d = dec.get_by_key(session, ruling_key(review, o))
        if d is not None:
            out[o.id] = d
    return out


def _value(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    return v.isoformat() if isinstance(v, date | time | datetime) else v


SCORE_KEEP = ("kinerja", "kehadiran", "perilaku", "composite", "band", "sufficient")


def _floor_for(session: Session, period: str, opd_code: str, policy: Policy) -> float:
    sel = policy.selection
    if sel.min_gap_below_median is None:
        return sel.max_composite
    values = [
        s
        for s in session.scalars(
            select(Score.composite).where(
                Score.period == period,
                Score.opd_code == opd_code,
                Score.sufficient.is_(True),
                Score.composite.is_not(None),
            )
        )
        if s is not None
    ]
    if not values:
        return sel.max_composite
    return min(sel.max_composite, statistics.median(values) - sel.min_gap_below_median)


def rescore(
    session: Session, review: Review, nip: str, *, actor: str, policy: Policy, now: datetime
) -> dict[str, Any]:
    """Score the person again with the corrected rows; the score row takes the new values.

    Recorded as a `rescore` decision (before, after, corrections, whether still publishable).
    Returns its payload. The whole OPD is scored, as scoring always is, and only this person's
    row is kept: a head's score reads their subordinates' rows.
    """
    from kinerja.db.month_data import load_opd
    from kinerja.rules.scoring import score_month

    key = dec.key_for(DecisionKind.RESCORE, review.period, review.scope_code, nip)
    done = dec.get_by_key(session, key)
    if done is not None:
        return dict(done.payload)
    score = session.get(Score, {"period": review.period, "nip": nip})
    if score is None:
        raise ValueError(f"no score for {nip} in {review.period}: nothing to rescore")
    session.flush()
    data = load_opd(session, review.period, score.opd_code)
    fresh = score_month(data, policy).set_index("nip")
    if nip not in fresh.index:
        raise ValueError(f"{nip} is no longer in the register of {review.period}")
    row = fresh.loc[nip]
    before = {f: _value(getattr(score, f)) for f in SCORE_KEEP}
    after = {f: _value(row[f]) for f in SCORE_KEEP}
    floor = _floor_for(session, review.period, score.opd_code, policy)
    composite = after["composite"]
    publishable = bool(after["sufficient"]) and composite is not None and composite <= floor
    for f in (*SCORE_KEEP, "insufficient_reason", "explanation"):
        setattr(score, f, _value(row[f]))
    extra = {c: _value(row[c]) for c in fresh.columns if c.startswith(("c_", "w_"))}
    score.components = {**(score.components or {}), **extra}
    score.computed_at = now
    payload = {
        "before": before,
        "after": after,
        "floor": floor,
        "publishable": publishable,
        "corrections": [c.id for c in store.corrections_of(session, review.period, nip)],
    }
    dec.record(
        session,
        key=key,
        period=review.period,
        scope_code=review.scope_code,
        review_id=review.id,
        nip=nip,
        kind=DecisionKind.RESCORE,
        value="above_floor" if not publishable else "below_floor",
        reason=(
            f"indeks komposit {before['composite']} menjadi {composite} setelah koreksi data "
            f"(ambang {floor:g})"
        ),
        payload=payload,
        actor=actor,
        actor_role="system",
        now=now,
    )
    return payload
