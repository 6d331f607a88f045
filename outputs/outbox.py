"""The announcements outbox: only approved drafts, plus a manifest of every draft's status."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kinerja.db import drafts as store
from kinerja.db.models import Decision
from kinerja.templates.filters import local_iso, zone_label

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class OutboxResult:
    directory: Path
    files: list[Path]
    manifest: Path
    counts: dict[str, int]


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def file_name(purpose: str, scope_code: str, fmt: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in scope_code)
    return f"{purpose}_{safe}_{fmt}.txt"


def history_entry(decision: Decision) -> dict[str, Any]:
    """One step of a draft's history as the manifest and the recap show it (local time)."""
    return {
        "decision": decision.value,
        "label": store.VALUE_LABELS.get(decision.value, decision.value),
        "by": decision.actor,
        "role": decision.actor_role,
        "at": local_iso(decision.created_at),
        "reason": decision.reason,
        "channel": decision.channel,
    }


def _previous_not_announced(manifest: Path) -> list[dict[str, str]]:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    rows = data.get("not_announced", []) if isinstance(data, dict) else []
    return list(rows) if isinstance(rows, list) else []


def export_approved(
    session: Session,
    period: str,
    out_dir: Path,
    not_announced: list[dict[str, str]] | None = None,
) -> OutboxResult:
    """Write approved drafts to out/<period>/announcements/; remove anything not approved.

    The manifest lists every draft of the period with its status and its whole history (every
    approval, rejection, reset and withdrawal: who, when in local time, why), so communications
    staff see what is still waiting, and under `not_announced` the published
    employees no draft names, with the reason (e.g. "melebihi batas pengumuman per OPD/rumpun").
    With `not_announced` None (re-export after an approval) the previous list is kept.
    """
    directory = Path(out_dir) / period / "announcements"
    directory.mkdir(parents=True, exist_ok=True)
    drafts = store.list_drafts(session, period)
    histories = store.histories(session, period)
    entries: list[dict[str, Any]] = []
    written: list[Path] = []
    counts: dict[str, int] = {}
    for d in drafts:
        counts[d.status] = counts.get(d.status, 0) + 1
        name = file_name(d.purpose, d.scope_code, d.fmt)
        entry: dict[str, Any] = {
            "id": d.id,
            "purpose": d.purpose,
            "scope_kind": d.scope_kind,
            "scope_code": d.scope_code,
            "format": d.fmt,
            "status": d.status,
            "people": len(d.nips),
            "decided_by": d.decided_by,
            "decided_at": local_iso(d.decided_at),
            "reason": d.decision_reason,
            "history": [history_entry(h) for h in histories.get(d.id, [])],
            "file": None,
        }
        if d.status == "approved":
            _write(directory / name, d.body)
            written.append(directory / name)
            entry["file"] = name
        entries.append(entry)
    # A draft whose approval was withdrawn or whose text changed must not stay in the outbox.
    keep = {p.name for p in written} | {MANIFEST}
    for stale in directory.iterdir():
        if stale.is_file() and stale.name not in keep:
            stale.unlink()
    manifest = directory / MANIFEST
    if not_announced is None:
        not_announced = _previous_not_announced(manifest)
    _write(
        manifest,
        json.dumps(
            {
                "period": period,
                "zone": zone_label(),
                "counts": counts,
                "drafts": entries,
                "not_announced": not_announced,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
    )
    return OutboxResult(directory, written, manifest, counts)
