"""What is gathered for one unit: an OPD's delivery of one kind, fetched, checked and stored.

A unit is either fetched from its source for one OPD (`Fetch`: an HTTP feed per OPD, a file
per OPD) or is one OPD's part of a whole delivery fetched before (`Part`: a government-wide
file cut by the register; opd None holds the rows of no served OPD). `gather_unit` runs the
three steps and records a failed step like a failed delivery; how units are executed (one
after another, in threads, in processes) is sources.executors' business.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import pandas as pd

from kinerja.domain import utcnow as now
from kinerja.rules.policy import Policy
from kinerja.sources.load import DeliveryWriter, LoadResult
from kinerja.sources.validate import UNKNOWN_OPD, Checked, Register, check_delivery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fetch:
    """One OPD's delivery of one kind, fetched from its source (opd None: the whole one)."""

    kind: str
    source: str
    opd: str | None


@dataclass(frozen=True)
class Part:
    """One OPD's rows of a whole delivery (opd None: rows of no OPD the source serves)."""

    kind: str
    source: str
    opd: str | None
    raw: pd.DataFrame = field(compare=False, repr=False)
    received: str | None  # digest of the delivery's bytes and the OPD: unchanged file, no write
    served: tuple[str, ...] = field(compare=False, repr=False)


Job = Fetch | Part


@dataclass
class Gathered:
    """What one unit came to: its delivery's result, and why it failed (None: it did not)."""

    job: Job
    result: LoadResult
    failure: str | None = None

    @property
    def kind(self) -> str:
        return self.job.kind

    @property
    def opd(self) -> str | None:
        return self.job.opd


@dataclass
class Fetched:
    """A unit's rows in hand: fetched now (Fetch) or cut from a whole delivery (Part)."""

    job: Job
    raw: pd.DataFrame
    received: str | None


class Fetches(Protocol):
    """Where a unit's rows come from (sources.gather.Fetcher: HTTP sessions, the file reader)."""

    def fetch(self, name: str, kind: str, period: str, opd: str | None) -> pd.DataFrame: ...


@dataclass
class UnitGatherer:
    """The steps of one unit, against the month's register and policy.

    `writer` stores into the database (each delivery its own transaction).
    """

    period: str
    register: Register
    policy: Policy
    context: str  # what deliveries are checked against (register and policy fingerprint)
    fetcher: Fetches
    writer: DeliveryWriter

    def fetch(self, job: Job) -> Fetched:
        if isinstance(job, Part):
            return Fetched(job, job.raw, job.received)
        raw = self.fetcher.fetch(job.source, job.kind, self.period, job.opd)
        return Fetched(job, raw, raw.attrs.get("digest"))

    def check(self, fetched: Fetched) -> Checked:
        """check_delivery; a part that is no served OPD's (leftovers of a whole file) is
        refused. A fetched unit is checked as its OPD's feed: someone else's rows in it are
        unknown_opd."""
        job = fetched.job
        check_opd = job.opd if isinstance(job, Fetch) else None
        checked = check_delivery(job.kind, fetched.raw, self.register, self.policy, check_opd)
        if isinstance(job, Part) and (job.opd is None or job.opd not in self.register.opds):
            checked = not_served(checked, fetched.raw, self.register, list(job.served))
        return checked

    def store(self, fetched: Fetched, checked: Checked, at: datetime) -> Gathered:
        job = fetched.job
        try:
            result = self.writer.store(
                period=self.period,
                kind=job.kind,
                source=job.source,
                opd=job.opd,
                raw=fetched.raw,
                checked=checked,
                register=self.register,
                context=self.context,
                now=at,
                received=fetched.received,
            )
        except Exception as exc:  # one bad delivery must not stop the month
            log.exception("loading %s for OPD %s from %r failed", job.kind, job.opd, job.source)
            return self.fail(job, f"source {job.source!r}: loading {job.kind} failed: {exc}")
        return Gathered(job, result)

    def fail(self, job: Job, error: str) -> Gathered:
        """Record a failed unit: a failed batch on record, stored rows left as they were."""
        result = self.writer.record_failure(
            period=self.period,
            kind=job.kind,
            source=job.source,
            opd=job.opd,
            error=error,
            now=now(),
        )
        return Gathered(job, result, error)

    def checked_or_failed(self, fetched: Fetched) -> Checked | str:
        """The unit's checked rows, or why checking failed."""
        job = fetched.job
        try:
            return self.check(fetched)
        except Exception as exc:  # one bad delivery must not stop the month
            log.exception("checking %s for OPD %s from %r failed", job.kind, job.opd, job.source)
            return f"source {job.source!r}: checking {job.kind} failed: {exc}"


def gather_unit(gatherer: UnitGatherer, job: Job) -> Gathered:
    """Fetch, check and store one unit; a failing step is recorded and named, never raised."""
    at = now()
    try:
        fetched = gatherer.fetch(job)
    except Exception as exc:  # a delivery that did not arrive: recorded, the month goes on
        return gatherer.fail(job, str(exc))
    checked = gatherer.checked_or_failed(fetched)
    if isinstance(checked, str):
        return gatherer.fail(job, checked)
    return gatherer.store(fetched, checked, at)


def not_served(
    checked: Checked, raw: pd.DataFrame, register: Register, served: list[str]
) -> Checked:
    """Leftover rows whose NIP is known but whose OPD this source does not serve: rejected."""
    valid = checked.valid
    if valid.empty:
        return checked
    opd_of = valid["nip"].map(register.nip_to_opd())
    stray = opd_of.notna() & ~opd_of.isin(served)
    if not stray.any():
        return checked
    moved = raw.iloc[valid.loc[stray, "_pos"].to_numpy()].copy()
    moved["row_key"] = valid.loc[stray, "nip"].to_numpy()
    moved["reason"] = UNKNOWN_OPD
    moved["detail"] = [
        f"nip {n} belongs to OPD {o}, which this source does not serve"
        for n, o in zip(valid.loc[stray, "nip"], opd_of[stray], strict=True)
    ]
    rejected = pd.concat([checked.rejected, moved], ignore_index=True)
    by_reason = dict(checked.by_reason)
    by_reason[UNKNOWN_OPD] = by_reason.get(UNKNOWN_OPD, 0) + int(stray.sum())
    return Checked(
        kind=checked.kind,
        valid=valid[~stray].reset_index(drop=True),
        rejected=rejected,
        received=checked.received,
        by_reason=by_reason,
    )
