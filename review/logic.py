"""The rules of one OPD's review as plain functions on a session (no Prefect).

Shared by the opd_review flow (input from the Prefect UI form) and review.service (the
portal and the CLI), so both paths apply the same validation and record the same decisions.

Outcome rules (documented defaults; the articles are silent):
- selection deadline passes with no selection: a "no_decision" (selection) is recorded, nobody
  from that OPD is published, BKD is notified;
- a selected employee whose defence is accepted is not published; rejected: published;
- a selected employee who sends no defence by the defence deadline is published (they were
  warned and given the chance to respond);
- a defence that is still waiting for the head's verdict at the deadline makes the whole
  review "no_decision" (defence): nobody from that OPD is published and BKD is notified,
  because publishing while a defence is unanswered would deny the clarification step;
- a defence may contest data rows (review.corrections): each objection is ruled on in the
  verdict; accepted ones correct their row and the person is scored again, and someone whose
  new score is above the floor is not published, whatever the verdict.

Nobody decides on their own case: the decider (review.deciders) is never a candidate of the
review they decide, and a verdict is never given by the person defending.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.db import decisions as dec
from kinerja.db import objections as evidence_store
from kinerja.db import reviews
from kinerja.db.candidates import candidates_for
from kinerja.db.models import Candidate, Review
from kinerja.db.periods import ensure_period
from kinerja.domain import (
    DecisionKind,
    DefenceValue,
    OutcomeValue,
    ReviewStage,
    SelectionValue,
    VerdictValue,
    WarningValue,
)
from kinerja.review.corrections import ObjectionInput, check_objections, record_ruling, rescore
from kinerja.review.evidence import Checked
from kinerja.rules.calendar import add_workdays
from kinerja.rules.policy import Policy
from kinerja.rules.scopes import review_kind
from kinerja.templates.filters import local_stamp

SYSTEM = "system"


class Refused(ValueError):
    """An input that does not fit the review's current state; nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Choice:
    """The head's choice for one candidate."""

    selected: bool
    reason: str = ""


@dataclass
class ReviewState:
    """What a flow needs after each wake-up: stage, deadlines and who is waiting for what."""

    review_id: int
    period: str
    scope_code: str
    stage: str
    candidates: list[str]
    selected: list[str] = field(default_factory=list)
    awaiting_defence: list[str] = field(default_factory=list)
    awaiting_verdict: list[str] = field(default_factory=list)
    selection_deadline: datetime | None = None
    defence_deadline: datetime | None = None


def deadline_after(start: datetime, workdays: int, policy: Policy, tz: str) -> datetime:
    """`workdays` working days after `start` (naive UTC), counted on the local calendar."""
    local = start.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))
    return add_workdays(local, workdays, policy.calendar).astimezone(UTC).replace(tzinfo=None)


def candidates_of(session: Session, period: str, scope_code: str) -> list[Candidate]:
    """The review's candidates: its OPD's (reviews are per OPD), or the heads' review's."""
    return candidates_for(session, period, scope_code)


def state_of(session: Session, review: Review) -> ReviewState:
    """The review's current state, derived from its decisions."""
    cands = [c.nip for c in candidates_of(session, review.period, review.scope_code)]
    sel = dec.effective(session, review.period, review.scope_code, DecisionKind.SELECTION)
    selected = [n for n in cands if n in sel and sel[n].value == "selected"]
    defences = dec.effective(session, review.period, review.scope_code, DecisionKind.DEFENCE)
    verdicts = dec.effective(session, review.period, review.scope_code, DecisionKind.VERDICT)
    return ReviewState(
        review_id=review.id,
        period=review.period,
        scope_code=review.scope_code,
        stage=review.stage,
        candidates=cands,
        selected=selected,
        awaiting_defence=[n for n in selected if n not in defences],
        awaiting_verdict=[n for n in selected if n in defences and n not in verdicts],
        selection_deadline=review.selection_deadline,
        defence_deadline=review.defence_deadline,
    )


def open_reviews(
    session: Session, period: str, scopes: list[str], *, policy: Policy, tz: str, now: datetime
) -> int:
    """A review per scope, due `selection_deadline_workdays` from now; returns how many are new.

    Unique per period and scope: a rerun adds none and moves no deadline.
    """
    deadline = deadline_after(now, policy.review.selection_deadline_workdays, policy, tz)
    created = 0
    for scope in scopes:
        _, new = reviews.ensure_review(
            session,
            period=period,
            scope_kind=review_kind(scope),
            scope_code=scope,
            selection_deadline=deadline,
            now=now,
        )
        created += int(new)
    return created


def open_review_for_run(
    session: Session,
    period: str,
    scope_code: str,
    *,
    flow_run_id: str,
    policy: Policy,
    tz: str,
    now: datetime,
) -> ReviewState:
    """The review of an OPD with candidates (created if the cycle did not), bound to a run."""
    if not candidates_of(session, period, scope_code):
        raise ValueError(f"no candidates for period {period} and scope {scope_code}")
    ensure_period(session, period, policy.name)
    open_reviews(session, period, [scope_code], policy=policy, tz=tz, now=now)
    review = reviews.require_review(session, period, scope_code)
    if review.flow_run_id != flow_run_id:
        review.flow_run_id = flow_run_id
    return state_of(session, review)


def _who_else(session: Session, period: str, nip: str) -> str:
    other = session.scalars(
        select(Candidate).where(Candidate.period == period, Candidate.nip == nip)
    ).one_or_none()
    if other is None:
        return f"NIP {nip} bukan kandidat periode {period} (NIP tidak dikenal)"
    return f"NIP {nip} adalah kandidat tinjauan {other.review_scope}, bukan kandidat tinjauan ini"


def _key(review: Review, kind: DecisionKind, nip: str | None = None) -> str:
    return dec.key_for(kind, review.period, review.scope_code, nip)


def _record(
    session: Session,
    review: Review,
    kind: DecisionKind,
    *,
    value: str,
    actor: str,
    actor_role: str,
    now: datetime,
    nip: str | None = None,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    channel: str = "system",
    key: str | None = None,
) -> bool:
    """One decision in this review, keyed per kind and NIP unless `key` says otherwise.

    Returns False when the key was already on record (a replay, or another answer that got
    there first): the caller decides whether that is a refusal.
    """
    _, new = dec.record(
        session,
        key=key or _key(review, kind, nip),
        period=review.period,
        scope_code=review.scope_code,
        review_id=review.id,
        nip=nip,
        kind=kind,
        value=value,
        reason=reason,
        payload=payload,
        actor=actor,
        actor_role=actor_role,
        channel=channel,
        now=now,
    )
    return new


def _first(new: bool, replay: bool, problem: str) -> None:
    """Refuse an answer whose decision another, concurrent answer recorded first.

    The check for an existing decision runs before the write; two answers submitted at once
    (the portal and the CLI, or two links) can both pass it. The key's unique index lets one
    in; the other must not report success, and its transaction is rolled back.
    """
    if not new and not replay:
        raise Refused([problem])


def _already_recorded(
    session: Session, review: Review, *, replay: bool, problem: str
) -> ReviewState:
    """A decision already on record: a replay changes nothing, anything else is refused.

    A replay is the flow re-reading an answer that the portal or the CLI already applied.
    """
    if replay:
        return state_of(session, review)
    raise Refused([problem])


def validate_selection(
    session: Session,
    review: Review,
    selections: dict[str, Choice],
    now: datetime,
    policy: Policy | None = None,
) -> list[str]:
    """Problems with a selection for this review; an empty list means it may be recorded."""
    problems: list[str] = []
    if review.stage != ReviewStage.SELECTION:
        problems.append(f"review {review.scope_code} {review.period} tidak menunggu pemilihan")
    elif review.selection_deadline is not None and now > review.selection_deadline:
        problems.append("batas waktu pemilihan telah lewat")
    cands = {c.nip for c in candidates_of(session, review.period, review.scope_code)}
    decider = _decider(session, review, policy)
    if decider.nip is not None and decider.nip in cands:
        problems.append(
            f"{decider.title} (NIP {decider.nip}) adalah kandidat tinjauan ini: tidak seorang "
            "pun memutus perkaranya sendiri; BKD perlu menetapkan ulang pemutusnya"
        )
    for nip, choice in selections.items():
        if nip not in cands:
            problems.append(_who_else(session, review.period, nip))
        elif choice.selected and not choice.reason.strip():
            problems.append(f"alasan wajib diisi untuk NIP {nip} yang dipilih")
    return problems


def _decider(session: Session, review: Review, policy: Policy | None = None) -> Any:
    from kinerja.review.deciders import decider_for

    return decider_for(session, review, policy)


def _decider_role(
    session: Session, review: Review, channel: str, policy: Policy | None = None
) -> tuple[str, dict[str, Any]]:
    """How a decision by this review's decider is recorded: their role (acting or not) on their
    own link, a BKD operator otherwise; and who the decider was."""
    who = _decider(session, review, policy)
    role = who.role if channel == "portal" else "bkd_operator"
    return role, {"nip": who.nip, "title": who.title, "acting": who.acting}


def apply_selection(
    session: Session,
    review: Review,
    selections: dict[str, Choice],
    *,
    actor: str,
    channel: str,
    policy: Policy,
    tz: str,
    now: datetime,
    replay: bool = False,
    on_behalf: dict[str, str] | None = None,
) -> ReviewState:
    """Record the head's selection (one decision per candidate) and move the review on.

    Candidates left out of `selections` are recorded as not selected. `replay=True` (the flow
    re-reading an input already applied by the portal) makes an existing selection a no-op.
    `on_behalf` ({nip, note}): an operator enters the decider's own decision at their request;
    without it an operator's answer is recorded as the operator's (review.validate checks both).
    """
    recorded = f"pemilihan untuk {review.scope_code} {review.period} sudah tercatat"
    if dec.effective(session, review.period, review.scope_code, DecisionKind.SELECTION):
        # only the same answer re-read by the run is a replay; any other lost the race
        if replay and _is_on_record(session, review, selections):
            return state_of(session, review)
        raise Refused([recorded])
    if not actor.strip():
        raise Refused(["nama/NIP pengambil keputusan wajib diisi"])
    problems = validate_selection(session, review, selections, now, policy)
    if problems:
        raise Refused(problems)
    cands = [c.nip for c in candidates_of(session, review.period, review.scope_code)]
    role, decider = _decider_role(session, review, channel, policy)
    lost = False  # some row was on record already: another answer's
    for nip in cands:
        choice = selections.get(nip, Choice(False, ""))
        new = _record(
            session,
            review,
            DecisionKind.SELECTION,
            nip=nip,
            value=SelectionValue.SELECTED if choice.selected else SelectionValue.NOT_SELECTED,
            reason=choice.reason.strip(),
            payload={
                "input": {"selected": choice.selected, "reason": choice.reason},
                "decider": decider,
                **_behalf(on_behalf),
            },
            actor=actor,
            actor_role=role,
            channel=channel,
            now=now,
        )
        _first(new, replay, recorded)
        lost = lost or not new
    if lost and not _is_on_record(session, review, selections):
        # another answer got there between the check and the write: it is the one on
        # record, and this one must not move the stage with its own content
        raise Refused([recorded])
    on_record = dec.effective(session, review.period, review.scope_code, DecisionKind.SELECTION)
    if any(d.value == SelectionValue.SELECTED for d in on_record.values()):
        review.defence_deadline = deadline_after(
            now, policy.review.defence_deadline_workdays, policy, tz
        )
        reviews.set_stage(session, review, ReviewStage.DEFENCE, now)
    else:
        _record_outcomes(session, review, {}, now, NOT_SELECTED, SelectionValue.NOT_SELECTED)
        reviews.set_stage(session, review, ReviewStage.DONE, now)
    return state_of(session, review)


def _behalf(on_behalf: dict[str, str] | None) -> dict[str, Any]:
    """The payload entry of a decision an operator entered at the decider's request."""
    return {"on_behalf_of": dict(on_behalf)} if on_behalf else {}


def _is_on_record(session: Session, review: Review, selections: dict[str, Choice]) -> bool:
    """Whether the selection on record is exactly this answer (who is selected, and why)."""
    on_record = dec.effective(session, review.period, review.scope_code, DecisionKind.SELECTION)
    for c in candidates_of(session, review.period, review.scope_code):
        choice = selections.get(c.nip, Choice(False, ""))
        d = on_record.get(c.nip)
        want = SelectionValue.SELECTED if choice.selected else SelectionValue.NOT_SELECTED
        if d is None or d.value != want or (d.reason or "").strip() != choice.reason.strip():
            return False
    return True


def _require_selected(session: Session, review: Review, nip: str, now: datetime) -> ReviewState:
    state = state_of(session, review)
    problems = []
    if review.stage != ReviewStage.DEFENCE:
        problems.append(f"review {review.scope_code} {review.period} tidak menunggu pembelaan")
    elif review.defence_deadline is not None and now > review.defence_deadline:
        problems.append("batas waktu pembelaan telah lewat")
    if nip not in state.selected:
        problems.append(
            f"NIP {nip} tidak termasuk pegawai yang dipilih di {review.scope_code}"
            if nip in state.candidates
            else _who_else(session, review.period, nip)
        )
    if problems:
        raise Refused(problems)
    return state


def apply_defence(
    session: Session,
    review: Review,
    nip: str,
    text: str,
    *,
    actor: str,
    channel: str,
    now: datetime,
    replay: bool = False,
    evidence: list[Checked] | None = None,
    objections: list[ObjectionInput] | None = None,
    store_file: Callable[[Checked], str] | None = None,
) -> ReviewState:
    """Record a selected employee's written defence (once), with its evidence and objections.

    `evidence` are files already checked (review.evidence.check_uploads); `store_file` writes
    one and returns where, and is called only once everything else has passed, so a refused
    defence leaves no file behind. Objections name rows of the employee's own month.
    """
    if dec.get_by_key(session, _key(review, DecisionKind.DEFENCE, nip)) is not None:
        return _already_recorded(
            session, review, replay=replay, problem=f"pembelaan NIP {nip} sudah tercatat"
        )
    _require_selected(session, review, nip, now)
    problems = [] if text.strip() else ["isi pembelaan tidak boleh kosong"]
    problems += check_objections(session, review.period, nip, objections or [])
    if evidence and store_file is None:
        problems.append("bukti tidak dapat disimpan dari saluran ini")
    if problems:
        raise Refused(problems)
    stored = [(f, store_file(f)) for f in evidence or []] if store_file else []
    new = _record(
        session,
        review,
        DecisionKind.DEFENCE,
        nip=nip,
        value=DefenceValue.SUBMITTED,
        reason="",
        payload={
            "text": text,
            "evidence": [{"sha256": f.sha256, "size": f.size} for f, _ in stored],
            "objections": len(objections or []),
        },
        actor=actor or nip,
        actor_role=actor_role_for(channel, "employee"),
        channel=channel,
        now=now,
    )
    _first(new, replay, f"pembelaan NIP {nip} sudah tercatat")
    if new:
        defence = dec.get_by_key(session, _key(review, DecisionKind.DEFENCE, nip))
        assert defence is not None
        for f, where in stored:
            evidence_store.add_evidence(
                session, period=review.period, scope_code=review.scope_code, nip=nip,
                defence_id=defence.id, filename=f.filename, media_type=f.media_type,
                size=f.size, sha256=f.sha256, stored_as=where, by=actor or nip, now=now,
            )  # fmt: skip
        for o in objections or []:
            evidence_store.add_objection(
                session, period=review.period, scope_code=review.scope_code, nip=nip,
                defence_id=defence.id, kind=o.kind, row_ref=o.row_ref, claim=o.claim,
                note=o.note.strip(), by=actor or nip, now=now,
            )  # fmt: skip
    return state_of(session, review)


def actor_role_for(channel: str, own_role: str) -> str:
    """Who acted: the person (`own_role`) by their own portal link, else a BKD operator."""
    return own_role if channel == "portal" else "bkd_operator"


def defence_text(session: Session, review: Review, nip: str) -> str:
    """The recorded defence text of `nip` ('' if none): run inputs carry no defence text."""
    d = dec.get_by_key(session, _key(review, DecisionKind.DEFENCE, nip))
    return str((d.payload or {}).get("text", "")) if d is not None else ""


def apply_verdict(
    session: Session,
    review: Review,
    nip: str,
    accepted: bool,
    reason: str,
    *,
    actor: str,
    channel: str,
    now: datetime,
    replay: bool = False,
    rulings: dict[int, tuple[bool, str]] | None = None,
    policy: Policy | None = None,
    on_behalf: dict[str, str] | None = None,
) -> ReviewState:
    """Record the head's verdict on a defence (once): accepted means not published.

    `rulings` (objection id -> (accepted, reason)) must cover every data objection of the
    defence; accepted ones correct their rows and the person is scored again (rescore).
    """
    if dec.get_by_key(session, _key(review, DecisionKind.VERDICT, nip)) is not None:
        return _already_recorded(
            session,
            review,
            replay=replay,
            problem=f"putusan atas pembelaan NIP {nip} sudah tercatat",
        )
    state = _require_selected(session, review, nip, now)
    problems = []
    if nip in state.awaiting_defence:
        problems.append(f"NIP {nip} belum menyampaikan pembelaan")
    if not reason.strip():
        problems.append("alasan putusan wajib diisi")
    if not actor.strip():
        problems.append("nama/NIP pengambil keputusan wajib diisi")
    decider = _decider(session, review, policy)
    if actor.strip() == nip or decider.nip == nip:
        problems.append(
            "putusan atas pembelaan tidak dapat diberikan oleh pegawai yang membela diri"
        )
    objections = evidence_store.objections_of(session, review.period, review.scope_code, nip)
    given = rulings or {}
    for o in objections:
        ruling = given.get(o.id)
        if ruling is None:
            problems.append(f"keberatan data #{o.id} belum diputus (terima atau tolak)")
        elif not ruling[1].strip():
            problems.append(f"alasan wajib diisi untuk keberatan data #{o.id}")
    strangers = sorted(set(given) - {o.id for o in objections})
    if strangers:
        problems.append(f"keberatan data {strangers} bukan milik pembelaan ini")
    if problems:
        raise Refused(problems)
    role, who = _decider_role(session, review, channel, policy)
    new = _record(
        session,
        review,
        DecisionKind.VERDICT,
        nip=nip,
        value=VerdictValue.ACCEPTED if accepted else VerdictValue.REJECTED,
        reason=reason.strip(),
        payload={
            "input": {"accepted": accepted, "reason": reason},
            "decider": who,
            "rulings": {str(k): {"accepted": a, "reason": r} for k, (a, r) in given.items()},
            **_behalf(on_behalf),
        },
        actor=actor,
        actor_role=role,
        channel=channel,
        now=now,
    )
    _first(new, replay, f"putusan atas pembelaan NIP {nip} sudah tercatat")
    if new and objections:
        from kinerja.review.deciders import active_policy

        pol = policy or active_policy()
        for o in objections:
            ok, why = given[o.id]
            record_ruling(
                session, review, o, ok, why, actor=actor, actor_role=role, channel=channel,
                policy=pol, now=now,
            )  # fmt: skip
        if any(ok for ok, _ in given.values()):
            rescore(session, review, nip, actor=actor, policy=pol, now=now)
    return state_of(session, review)


def issue_warnings(session: Session, review: Review, now: datetime) -> list[str]:
    """Record a warning for each selected employee (once); returns their NIPs."""
    sel = dec.effective(session, review.period, review.scope_code, DecisionKind.SELECTION)
    selected = state_of(session, review).selected
    for nip in selected:
        _record(
            session,
            review,
            DecisionKind.WARNING,
            nip=nip,
            value=WarningValue.ISSUED,
            reason=sel[nip].reason,
            payload={"defence_deadline": str(review.defence_deadline)},
            actor=SYSTEM,
            actor_role=SYSTEM,
            now=now,
        )
    return selected


NOT_SELECTED = "tidak ditetapkan berkinerja rendah oleh pimpinan"


def _record_outcomes(
    session: Session,
    review: Review,
    published: dict[str, str],
    now: datetime,
    why: str,
    case: str,
    cases: dict[str, tuple[str, str]] | None = None,
) -> None:
    """One outcome per candidate: published for those in `published` (nip -> reason).

    Each outcome names its case in the payload (what the letter tells the person):
    `cases` (nip -> (case, reason)) for the selected, `case` and `why` for everyone else.
    """
    known = cases or {}
    for nip in [c.nip for c in candidates_of(session, review.period, review.scope_code)]:
        this_case, this_why = known.get(nip, (case, why))
        _record(
            session,
            review,
            DecisionKind.OUTCOME,
            nip=nip,
            value=OutcomeValue.PUBLISHED if nip in published else OutcomeValue.NOT_PUBLISHED,
            reason=published.get(nip, this_why),
            payload={"case": this_case},
            actor=SYSTEM,
            actor_role=SYSTEM,
            now=now,
        )


def close_selection_if_due(session: Session, review: Review, now: datetime) -> bool:
    """At the selection deadline with no selection: no_decision, nobody published."""
    if review.stage != ReviewStage.SELECTION or review.selection_deadline is None:
        return False
    if now <= review.selection_deadline:
        return False
    _record(
        session,
        review,
        DecisionKind.NO_DECISION,
        value="selection",
        reason=f"batas waktu pemilihan {local_stamp(review.selection_deadline)} lewat",
        actor=SYSTEM,
        actor_role=SYSTEM,
        now=now,
    )
    _record_outcomes(
        session, review, {}, now, "tidak ada keputusan pemilihan sampai batas waktu", "no_selection"
    )
    reviews.set_stage(session, review, ReviewStage.NO_DECISION, now)
    return True


def close_defence_if_due(session: Session, review: Review, now: datetime) -> bool:
    """End the defence stage when every verdict is in or the deadline has passed."""
    if review.stage != ReviewStage.DEFENCE:
        return False
    state = state_of(session, review)
    all_in = not state.awaiting_defence and not state.awaiting_verdict
    due = review.defence_deadline is not None and now > review.defence_deadline
    if not (all_in or due):
        return False
    if state.awaiting_verdict:
        _record(
            session,
            review,
            DecisionKind.NO_DECISION,
            value="defence",
            reason="pembelaan belum diputus sampai batas waktu: NIP "
            + ", ".join(state.awaiting_verdict),
            actor=SYSTEM,
            actor_role=SYSTEM,
            now=now,
        )
        selected = {
            n: ("verdict_missing", "pembelaan belum diputus sampai batas waktu")
            for n in state.selected
        }
        _record_outcomes(
            session,
            review,
            {},
            now,
            "tinjauan berakhir tanpa keputusan",
            SelectionValue.NOT_SELECTED,
            selected,
        )
        reviews.set_stage(session, review, ReviewStage.NO_DECISION, now)
        return True
    verdicts = dec.effective(session, review.period, review.scope_code, DecisionKind.VERDICT)
    rescores = dec.effective(session, review.period, review.scope_code, DecisionKind.RESCORE)
    published: dict[str, str] = {}
    cases: dict[str, tuple[str, str]] = {}
    for nip in state.selected:
        verdict = verdicts.get(nip)
        redo = rescores.get(nip)
        if redo is not None and not redo.payload.get("publishable", True):
            after = redo.payload.get("after", {}).get("composite")
            cases[nip] = (
                "rescored_above_floor",
                f"setelah koreksi data yang diterima, indeks komposit menjadi {after} "
                f"(di atas ambang {redo.payload.get('floor')} atau tidak lagi dapat dinilai): "
                "tidak dapat diumumkan",
            )
        elif verdict is None:
            published[nip] = "tidak ada pembelaan sampai batas waktu"
            cases[nip] = ("no_defence", published[nip])
        elif verdict.value == "rejected":
            published[nip] = f"pembelaan ditolak: {verdict.reason}"
            cases[nip] = ("defence_rejected", published[nip])
        else:
            cases[nip] = ("defence_accepted", f"pembelaan diterima: {verdict.reason}")
    _record_outcomes(
        session, review, published, now, NOT_SELECTED, SelectionValue.NOT_SELECTED, cases
    )
    reviews.set_stage(session, review, ReviewStage.DONE, now)
    return True


def extension_key(review: Review, request_id: str) -> str:
    """The idempotency key of one extension request (the caller's id, stable across retries)."""
    if not request_id.strip():
        raise ValueError("an extension needs a request id")
    base = _key(review, DecisionKind.EXTENSION)
    return f"{base}:{request_id.strip()}"


def extend(
    session: Session,
    review: Review,
    *,
    actor: str,
    workdays: int,
    reason: str,
    policy: Policy,
    tz: str,
    now: datetime,
    request_id: str,
    channel: str = "cli",
) -> datetime:
    """An operator extends the current stage's deadline; recorded as an extension decision.

    Keyed on the caller's `request_id`: a retried command returns the deadline it set then
    and records nothing new.
    """
    done = dec.get_by_key(session, extension_key(review, request_id))
    if done is not None:
        return datetime.fromisoformat(str(done.payload["new_deadline"]))
    problems = []
    if review.stage not in reviews.OPEN_STAGES:
        problems.append(f"review {review.scope_code} {review.period} sudah selesai")
    if workdays < 1:
        problems.append("perpanjangan minimal 1 hari kerja")
    if not reason.strip():
        problems.append("alasan perpanjangan wajib diisi")
    if not actor.strip():
        problems.append("nama operator wajib diisi")
    if problems:
        raise Refused(problems)
    stage_selection = review.stage == ReviewStage.SELECTION
    old = review.selection_deadline if stage_selection else review.defence_deadline
    new = deadline_after(max(old or now, now), workdays, policy, tz)
    _record(
        session,
        review,
        DecisionKind.EXTENSION,
        key=extension_key(review, request_id),
        value=f"{workdays} workdays",
        reason=reason.strip(),
        payload={
            "stage": review.stage,
            "old_deadline": old.isoformat() if old else None,
            "new_deadline": new.isoformat(),
        },
        actor=actor,
        actor_role="bkd_operator",
        channel=channel,
        now=now,
    )
    if stage_selection:
        review.selection_deadline = new
    else:
        review.defence_deadline = new
    review.updated_at = now
    session.flush()
    return new
