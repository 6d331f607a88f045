"""Draft approval history: every approval, rejection, reset and withdrawal is a Decision."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.db import drafts as draft_store
from kinerja.db.models import Decision, Draft
from kinerja.outputs.month import drafts_changed, produce_month_outputs
from kinerja.rules.policy import Policy
from kinerja.settings import Settings
from tests.outputs.factories import decide, standard_month


def _publication(session: Session) -> list[Decision]:
    stmt = select(Decision).where(Decision.kind == "publication").order_by(Decision.id)
    return list(session.scalars(stmt))


def _count(session: Session) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Decision).where(Decision.kind == "publication")
        )
        or 0
    )


def test_reset_and_withdrawal_of_decided_drafts_are_recorded(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    nip = world.nip("DISHUB", 1)
    produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    drafts = [d for d in draft_store.list_drafts(session, "2025-10") if nip in d.nips]
    caption = next(d for d in drafts if d.fmt == "caption")
    x_post = next(d for d in drafts if d.fmt == "x_post")
    draft_store.decide(
        session, caption.id, approve=True, actor="Rani", actor_role="communications", reason="ok"
    )
    draft_store.decide(
        session, x_post.id, approve=False, actor="Rani", actor_role="bkd", reason="terlalu panjang"
    )
    session.commit()
    assert [(d.value, d.actor, d.reason) for d in _publication(session)] == [
        ("approved", "Rani", "ok"),
        ("rejected", "Rani", "terlalu panjang"),
    ]
    approved_hash = draft_store.body_hash(caption.body)

    # The policy now allows only the name: the approved text changes and needs a new approval.
    narrow = policy.model_copy(
        update={"publication": policy.publication.model_copy(update={"fields": ["name"]})}
    )
    produce_month_outputs(session, "2025-10", narrow, out_dir, settings=settings)
    session.refresh(caption)
    assert caption.status == "draft"
    resets = [d for d in _publication(session) if d.value == "reset"]
    by_draft = {d.payload["draft_id"]: d for d in resets}
    assert set(by_draft) >= {caption.id, x_post.id}
    reset = by_draft[caption.id]
    assert reset.actor == "system" and reset.created_at is not None
    assert "perlu persetujuan baru" in reset.reason
    assert reset.payload["previous_status"] == "approved"
    assert reset.payload["body_sha256"] == approved_hash  # what had been approved
    assert by_draft[x_post.id].payload["previous_status"] == "rejected"
    # A rerun with the same content records nothing more.
    before = _count(session)
    produce_month_outputs(session, "2025-10", narrow, out_dir, settings=settings)
    assert _count(session) == before

    # Re-approve, then a correction un-publishes the person: the drafts are withdrawn, on record.
    draft_store.decide(
        session, caption.id, approve=True, actor="Rani", actor_role="communications", reason="ok"
    )
    session.commit()
    old = session.scalars(
        select(Decision).where(Decision.nip == nip, Decision.kind == "outcome")
    ).one()
    decide(
        session,
        "2025-10",
        "DISHUB",
        nip,
        "outcome",
        "not_published",
        supersedes=old,
        reason="Koreksi data",
        actor="bkd",
        actor_role="bkd",
    )
    session.commit()
    produce_month_outputs(session, "2025-10", narrow, out_dir, settings=settings)
    withdrawn = [d for d in _publication(session) if d.value == "withdrawn"]
    assert {d.payload["draft_id"] for d in withdrawn} == {d.id for d in drafts}
    caption_w = next(d for d in withdrawn if d.payload["draft_id"] == caption.id)
    assert caption_w.payload["previous_status"] == "approved"
    assert "tidak ada lagi keputusan" in caption_w.reason
    assert session.get(Draft, caption.id).status == "withdrawn"  # type: ignore[union-attr]
    before = _count(session)
    produce_month_outputs(session, "2025-10", narrow, out_dir, settings=settings)
    assert _count(session) == before
    # Every publication decision went through db.decisions.record's keys: none is duplicated.
    keys = [d.idempotency_key for d in _publication(session)]
    assert len(keys) == len(set(keys))
    assert all(k.startswith("publication:draft:") for k in keys)


def test_a_decided_draft_is_not_decided_again_silently_and_keeps_its_whole_history(
    session: Session, policy: Policy, out_dir: Path, settings: Settings
) -> None:
    world = standard_month(session, policy)
    nip = world.nip("DISHUB", 1)
    produce_month_outputs(session, "2025-10", policy, out_dir, settings=settings)
    caption = next(
        d
        for d in draft_store.list_drafts(session, "2025-10")
        if nip in d.nips and d.fmt == "caption"
    )
    first = draft_store.decide(
        session, caption.id, approve=True, actor="Rani", actor_role="communications", reason="ok"
    )
    session.commit()
    # Re-approving, by anyone, is refused naming who approved and when (local time).
    with pytest.raises(draft_store.DraftError) as refused:
        draft_store.decide(
            session, caption.id, approve=True, actor="Budi", actor_role="bkd", reason="ok juga"
        )
    message = str(refused.value)
    assert f"draf {caption.id} sudah disetujui oleh Rani (communications) pada" in message
    assert message.count("WIB") == 1 and "Budi" not in message
    draft_store.decide(
        session, caption.id, approve=False, actor="Budi", actor_role="bkd", reason="foto salah"
    )
    session.commit()
    # A rejected draft is approved only when reopened explicitly, with a reason.
    with pytest.raises(draft_store.DraftError, match="ditolak oleh Budi .*--reopen"):
        draft_store.decide(
            session, caption.id, approve=True, actor="Rani", actor_role="communications", reason="x"
        )
    with pytest.raises(draft_store.DraftError, match="alasan"):
        draft_store.decide(
            session, caption.id, approve=True, actor="Rani", actor_role="communications",
            reason=" ", reopen=True,
        )  # fmt: skip
    draft_store.decide(
        session, caption.id, approve=True, actor="Rani", actor_role="communications",
        reason="foto sudah diganti", reopen=True,
    )  # fmt: skip
    session.commit()
    assert first.status == "approved"
    steps = draft_store.histories(session, "2025-10")[caption.id]
    assert [(h.value, h.actor, h.reason) for h in steps] == [
        ("approved", "Rani", "ok"),
        ("rejected", "Budi", "foto salah"),
        ("approved", "Rani", "foto sudah diganti"),
    ]
    assert steps[-1].payload["previous_status"] == "rejected"

    # The manifest and the recap show every step, in local time, and the recap follows the drafts.
    outbox, recap = drafts_changed(session, "2025-10", policy, out_dir)
    manifest = json.loads(outbox.manifest.read_text(encoding="utf-8"))
    assert manifest["zone"] == "WIB"
    entry = next(e for e in manifest["drafts"] if e["id"] == caption.id)
    assert [(h["decision"], h["by"], h["reason"]) for h in entry["history"]] == [
        ("approved", "Rani", "ok"),
        ("rejected", "Budi", "foto salah"),
        ("approved", "Rani", "foto sudah diganti"),
    ]
    for moment in [entry["decided_at"]] + [h["at"] for h in entry["history"]]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", moment), moment
    html = recap.html.read_text(encoding="utf-8")
    pending = manifest["counts"]["draft"]
    assert f"{pending} menunggu persetujuan" in html and "1 disetujui" in html
    assert "Riwayat keputusan draf" in html and "foto sudah diganti" in html
    assert "foto salah" in recap.tables["draf"] and "Budi (bkd)" in recap.tables["draf"]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d\.\d\d WIB", recap.tables["draf"])
