"""Idempotent loading of one checked delivery: insert new, replace corrected, record changes.

A delivery is one (period, kind, source, OPD) scope. Loading the same delivery again is a no-op
(same checksum); a corrected re-delivery updates changed rows, removes rows it no longer
contains, and writes a row_change for each. Everything for one scope happens in the caller's
transaction, so a crash half-way leaves either the old rows or the new ones, never a mix.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from kinerja.db import quarantine as qdb
from kinerja.db import raw_data
from kinerja.domain import DeliveryStatus
from kinerja.sources.validate import DUPLICATE, KEYS, VALUE_COLUMNS, Checked, Register


@dataclass
class LoadResult:
    """What loading one delivery did."""

    kind: str
    source: str
    opd: str | None
    batch_id: int | None = None
    received: int = 0
    loaded: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rejected: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    skipped: bool = False  # identical to the last delivery: nothing written
    error: str | None = None


def checksum(kind: str, raw: pd.DataFrame, context: str, received: str | None = None) -> str:
    """Fingerprint of a delivery as received plus what it was checked against.

    `received` is a digest of the bytes as they arrived (HTTP bodies, file); without it the
    cells themselves are hashed.
    """
    digest = hashlib.sha256(f"{kind}|{context}|{list(raw.columns)}|{len(raw)}".encode())
    if received is not None:
        digest.update(received.encode())
        return digest.hexdigest()
    for col in raw.columns:
        values = raw[col].to_numpy(dtype=object)
        try:
            hashed = pd.util.hash_array(values)
        except TypeError:  # unhashable cells (lists, dicts): hash their text
            hashed = pd.util.hash_array(values.astype(str))
        digest.update(hashed.tobytes())
    return digest.hexdigest()


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(a) or pd.api.types.is_bool_dtype(b):
        return a.astype(bool).to_numpy() != b.astype(bool).to_numpy()
    if pd.api.types.is_numeric_dtype(a):
        x = pd.to_numeric(a, errors="coerce").to_numpy(dtype=float)
        y = pd.to_numeric(b, errors="coerce").to_numpy(dtype=float)
        same = np.isclose(x, y, rtol=0, atol=1e-9) | (np.isnan(x) & np.isnan(y))
        return pd.Series(~same, index=a.index)
    return a.astype(object).where(a.notna(), "").astype(str) != b.astype(object).where(
        b.notna(), ""
    ).astype(str)


def _key(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    out = frame[keys[0]].astype(str)
    for k in keys[1:]:
        out = out + "|" + frame[k].astype(str)
    return out


def _record(row: dict[str, Any], cols: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in cols:
        v = row.get(c)
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out[c] = None
        elif isinstance(v, np.generic):
            out[c] = v.item()
        else:
            out[c] = v
    return out


def load_delivery(
    session: Session,
    *,
    period: str,
    kind: str,
    source: str,
    opd: str | None,
    raw: pd.DataFrame,
    checked: Checked,
    scope_nips: frozenset[str],
    context: str,
    now: datetime,
    received: str | None = None,
) -> LoadResult:
    """Load one checked delivery for a scope in the caller's transaction; the caller commits.

    DeliveryWriter.store does this in a transaction of its own, the way the database wants.
    """
    return _load(
        session,
        period=period,
        kind=kind,
        source=source,
        opd=opd,
        raw=raw,
        checked=checked,
        scope_nips=scope_nips,
        context=context,
        now=now,
        received=received,
    )


def _load(
    session: Session,
    *,
    period: str,
    kind: str,
    source: str,
    opd: str | None,
    raw: pd.DataFrame,
    checked: Checked,
    scope_nips: frozenset[str],
    context: str,
    now: datetime,
    received: str | None = None,
    staged: raw_data.Staged | None = None,
    digest: str | None = None,
) -> LoadResult:
    """load_delivery; `staged`: the valid rows' stored columns already copied by
    `raw_data.stage_rows` on the session's connection, used when every one of them is new.
    `digest`: the delivery's `checksum`, when the caller has it already."""
    result = LoadResult(kind=kind, source=source, opd=opd, received=len(raw))
    digest = digest or checksum(kind, raw, context, received)
    previous = qdb.scope_batches(session, period, kind, source, opd)
    loaded_before = [b for b in previous if b.status == "loaded"]
    if loaded_before and loaded_before[0].checksum == digest:
        last = loaded_before[0]
        result.batch_id = last.id
        result.loaded = last.rows_loaded
        result.unchanged = last.rows_loaded
        result.rejected = last.rows_rejected
        result.by_reason = qdb.reasons_of_batch(session, last.id)
        result.skipped = True
        return result

    batch = qdb.create_batch(
        session, period=period, source=source, kind=kind, opd=opd, checksum=digest, received_at=now
    )
    result.batch_id = batch.id
    keys = KEYS[kind]
    cols = VALUE_COLUMNS[kind]
    fields = [c for c in cols if c not in keys]
    new = checked.valid.copy()
    rejected = checked.rejected.copy()

    own_ids = [b.id for b in previous]
    old = raw_data.existing_rows(
        session, kind, period, set(new["nip"]) | set(scope_nips), own_ids, cols
    )
    if len(old):
        new["_key"] = _key(new, keys)
        old["_key"] = _key(old, keys)
    else:  # first delivery for these people: everything is new, no keys to match
        new["_key"] = pd.Series(np.zeros(len(new), dtype=np.int8))
        old["_key"] = pd.Series(dtype=np.int8)
    mine = old["batch_id"].isin(own_ids) & (old["source"] == source)
    theirs = old[~mine]
    old = old[mine]

    # Same key already stored from another delivery: this copy is a duplicate, kept aside.
    clash = new["_key"].isin(set(theirs["_key"])) if len(theirs) else np.zeros(len(new), bool)
    if clash.any():
        owner = theirs.drop_duplicates("_key").set_index("_key")
        dup_raw = raw.iloc[new.loc[clash, "_pos"].to_numpy()].copy()
        dup_raw["row_key"] = new.loc[clash, "_key"].str.slice(0, 200).to_numpy()
        dup_raw["reason"] = DUPLICATE
        dup_raw["detail"] = [
            f"{'+'.join(keys)} {k} already delivered by source {owner.at[k, 'source']!r} "
            f"(batch {owner.at[k, 'batch_id']!s})"
            for k in new.loc[clash, "_key"]
        ]
        rejected = pd.concat([rejected, dup_raw], ignore_index=True)
        new = new[~clash]

    if len(old):
        merged = new.merge(
            old[["id", "_key", *fields]],
            on="_key",
            how="outer",
            suffixes=("", "_old"),
            indicator=True,
        )
        to_insert = merged[merged["_merge"] == "left_only"]
        both = merged[merged["_merge"] == "both"]
        gone = merged[merged["_merge"] == "right_only"]
    else:
        to_insert, both, gone = new, new.iloc[0:0], new.iloc[0:0]
    changed_mask = pd.Series(False, index=both.index)
    for f in fields if len(both) else []:
        changed_mask |= _differs(both[f], both[f"{f}_old"])
    changed = both[changed_mask]

    def stored(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame[cols].copy()
        out.insert(0, "period", period)
        out["source"] = source
        out["batch_id"] = batch.id
        if kind == "activities":
            out["description"] = ""
        return out

    if staged is not None and len(to_insert) == len(checked.valid) == staged.rows:
        # all new, nothing clashed: the staged copy is exactly what `stored` would insert
        constants: dict[str, Any] = {"period": period, "source": source, "batch_id": batch.id}
        if kind == "activities":
            constants["description"] = ""
        result.inserted = raw_data.insert_staged(session, staged, constants)
    else:
        if staged is not None:  # a correction: the staged copy is not what goes in
            raw_data.unstage(session, staged)
        result.inserted = raw_data.insert_rows(session, kind, stored(to_insert))
    if len(changed):
        upd = stored(changed)
        upd.insert(0, "id", changed["id"].astype(int).to_numpy())
        result.updated = raw_data.update_rows(session, kind, upd)
    if len(gone):
        result.deleted = raw_data.delete_ids(session, kind, gone["id"].astype(int).tolist())
    result.unchanged = len(both) - len(changed)

    changes: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for rec in changed.to_dict("records"):
        row = {str(k): v for k, v in rec.items()}
        before = _record({f: row[f"{f}_old"] for f in fields}, fields)
        after = _record(row, fields)
        changes.append((row["_key"], before, after))
    for rec in gone.to_dict("records"):
        row = {str(k): v for k, v in rec.items()}
        changes.append((row["_key"], _record({f: row[f"{f}_old"] for f in fields}, fields), {}))
    qdb.record_changes(session, changes, period=period, kind=kind, batch_id=batch.id, at=now)

    rejected = rejected.drop(columns=["_pos"], errors="ignore")
    qdb.quarantine(
        session,
        rejected,
        period=period,
        batch_id=batch.id,
        source=source,
        kind=kind,
        received_at=now,
    )
    result.rejected = len(rejected)
    result.by_reason = (
        {str(k): int(v) for k, v in rejected["reason"].value_counts().items()}
        if len(rejected)
        else {}
    )
    result.loaded = len(new)
    batch.rows_received = result.received
    batch.rows_loaded = result.loaded
    batch.rows_rejected = result.rejected
    session.flush()
    return result


class DeliveryWriter:
    """Stores checked deliveries into one database, each in a transaction of its own.

    How the database is written is its business, not the callers': on SQLite the valid rows
    are first staged in a TEMP table of the writing connection, outside the write lock
    (unless this very delivery was loaded before: a rerun then writes nothing), and a writer
    made `for_processes` takes SQLite's write lock when each transaction begins (BEGIN
    IMMEDIATE), so what a delivery is compared with cannot change before it is written while
    other processes write too. PostgreSQL needs neither.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def for_processes(cls, url: str) -> DeliveryWriter:
        """A writer for one of several processes writing the same database (takes turns)."""
        from kinerja.db.session import make_engine

        return cls(make_engine(url))  # SQLite writers begin IMMEDIATE by default

    def dispose(self) -> None:
        self.engine.dispose()

    def store(
        self,
        *,
        period: str,
        kind: str,
        source: str,
        opd: str | None,
        raw: pd.DataFrame,
        checked: Checked,
        register: Register,
        context: str,
        now: datetime,
        received: str | None = None,
    ) -> LoadResult:
        """load_delivery in a transaction of its own, scoped to the OPD's people."""
        from kinerja.db.session import session_scope

        digest = checksum(kind, raw, context, received)
        with self.engine.connect() as conn:
            staged = None
            if conn.dialect.name == "sqlite" and not _loaded_before(
                conn, period, kind, source, opd, digest
            ):
                staged = raw_data.stage_rows(conn, kind, checked.valid[VALUE_COLUMNS[kind]])
            with session_scope(conn) as s:
                return _load(
                    s,
                    period=period,
                    kind=kind,
                    source=source,
                    opd=opd,
                    raw=raw,
                    checked=checked,
                    scope_nips=register.opd_nips(opd) if opd else frozenset(),
                    context=context,
                    now=now,
                    received=received,
                    staged=staged,
                    digest=digest,
                )

    def record_failure(
        self, *, period: str, kind: str, source: str, opd: str | None, error: str, now: datetime
    ) -> LoadResult:
        """A delivery that never arrived (or could not be loaded), on record."""
        from kinerja.db.session import session_scope

        with session_scope(self.engine) as s:
            return record_failure(
                s, period=period, kind=kind, source=source, opd=opd, error=error, now=now
            )


def _loaded_before(
    conn: Connection, period: str, kind: str, source: str, opd: str | None, digest: str
) -> bool:
    """Whether the scope's last loaded batch has this checksum (read without the write lock)."""
    from kinerja.db.session import DEFERRED, session_scope

    with session_scope(conn.execution_options(**{DEFERRED: True})) as s:
        loaded = [
            b
            for b in qdb.scope_batches(s, period, kind, source, opd)
            if b.status == DeliveryStatus.LOADED
        ]
    conn.execution_options(**{DEFERRED: False})
    return bool(loaded) and loaded[0].checksum == digest


def store_delivery(engine: Engine, **delivery: Any) -> LoadResult:
    """DeliveryWriter(engine).store(...): one delivery, for callers holding an engine."""
    return DeliveryWriter(engine).store(**delivery)


def record_failure(
    session: Session,
    *,
    period: str,
    kind: str,
    source: str,
    opd: str | None,
    error: str,
    now: datetime,
) -> LoadResult:
    """A delivery that never arrived: a failed batch on record, stored rows left as they were."""
    batch = qdb.create_batch(
        session,
        period=period,
        source=source,
        kind=kind,
        opd=opd,
        checksum="",
        received_at=now,
        status=DeliveryStatus.FAILED,
        error=error,
    )
    return LoadResult(kind=kind, source=source, opd=opd, batch_id=batch.id, error=error)
