"""RunInput forms of the two pauses; built per review so they list only that OPD's people.

The forms have no channel field: the channel is set by the code path that records the answer
(the flow records "ui"; the CLI and portal record theirs before resuming), never by input.

The forms have no action field either: each form turns what was filled into the answer the
review applies (`answer()`, the dicts of review.answers). They are short, because the classic
Prefect UI gives the description above a form only the height the form leaves free: the
selection form is one reason per candidate (a reason given selects), the defence form one
employee, one action and one text. The one required field, `oleh`, is in both forms, so the
wake-up (`WAKE`: `oleh` empty, nothing else) fits whichever pause a run is at; the portal, CLI
and sweeper resume with it, their decisions being on record already.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from prefect.input import RunInput
from pydantic import Field, create_model

REASON_PREFIX = "alasan_"

NO_ACTION = "(pilih tindakan)"
RECORD_DEFENCE = "Catat pembelaan pegawai"
ACCEPT = "Pembelaan diterima"
REJECT = "Pembelaan ditolak"
# Not Optional: the classic UI shows an optional choice as a "str | None" type switch.
DefenceAction = Literal[
    "(pilih tindakan)", "Catat pembelaan pegawai", "Pembelaan diterima", "Pembelaan ditolak"
]

# The resume that only wakes the run (deadline passed, or its answer was recorded meanwhile).
WAKE: dict[str, Any] = {"oleh": ""}

_NIP_OF_CHOICE = re.compile(r"\(NIP (?P<nip>[^()]+)\)$")


def _person(nip: str, names: dict[str, str]) -> str:
    name = names.get(nip, "")
    return f"{name} (NIP {nip})" if name and name != nip else f"(NIP {nip})"


def _reason_field(alias: str, title: str) -> Any:
    """A free-text reason (the place for a length limit on every reason of both forms)."""
    return Field(default="", alias=alias, title=title)


def _by_prefix(answer: RunInput, prefix: str) -> dict[str, Any]:
    """NIP -> value of the fields whose alias is `prefix` + NIP, in the form's order."""
    fields = type(answer).model_fields
    return {
        str(f.alias)[len(prefix) :]: getattr(answer, name)
        for name, f in fields.items()
        if f.alias and f.alias.startswith(prefix)
    }


class SelectionInput(RunInput):
    """The head of OPD's answer at the selection pause (field texts are shown in the UI)."""

    oleh: str = Field(title="Diputuskan oleh (nama dan NIP kepala OPD)")

    kind: ClassVar[str] = "selection"

    def answer(self) -> dict[str, Any]:
        """The selection answer of review.answers (a reason selects); nothing filled, a wake-up."""
        reasons = {nip: str(r).strip() for nip, r in _by_prefix(self, REASON_PREFIX).items()}
        if not self.oleh.strip() and not any(reasons.values()):
            return {"action": "wake"}
        return {
            "action": "submit",
            "decided_by": self.oleh,
            "selections": [
                {"nip": nip, "selected": bool(reason), "reason": reason}
                for nip, reason in reasons.items()
            ],
        }


class DefenceInput(RunInput):
    """A defence (employee) or a verdict (head) at the warning and defence pause."""

    oleh: str = Field(title="Diisi oleh (nama dan NIP kepala OPD atau pegawai)")

    kind: ClassVar[str] = "defence"

    def answer(self) -> dict[str, Any]:
        """The defence or verdict answer of review.answers; nothing filled, a wake-up."""
        who = getattr(self, "pegawai", None)
        action = getattr(self, "tindakan", None)
        text = str(getattr(self, "isi", ""))
        if action in (None, NO_ACTION):
            filled = self.oleh.strip() or text.strip()
            return {"action": "invalid"} if filled else {"action": "wake"}
        found = _NIP_OF_CHOICE.search(who or "")
        if found is None:
            return {"action": "invalid"}  # no employee: the run asks again
        nip = found["nip"]
        if action == RECORD_DEFENCE:
            return {"action": "defence", "nip": nip, "actor": self.oleh, "text": text}
        return {
            "action": "verdict",
            "nip": nip,
            "actor": self.oleh,
            "accepted": action == ACCEPT,
            "reason": text,
        }


def _choices(nips: list[str], names: dict[str, str]) -> Any:
    # A Literal renders as a drop-down and the server refuses anything else on resume.
    return Literal[tuple(_person(nip, names) for nip in nips)]  # type: ignore[valid-type]


def selection_form(
    nips: list[str], description: str, names: dict[str, str] | None = None
) -> type[SelectionInput]:
    """A SelectionInput with one reason per candidate (only `nips`, in order)."""
    names = names or {}
    fields: dict[str, Any] = {
        f"alasan_{i}": (
            str,
            _reason_field(REASON_PREFIX + nip, f"{i}. {_person(nip, names)}: alasan"),
        )
        for i, nip in enumerate(nips, start=1)
    }
    form = create_model("PemilihanKandidat", __base__=SelectionInput, **fields)
    return form.with_initial_data(description=description)


def defence_form(
    nips: list[str], description: str, names: dict[str, str] | None = None
) -> type[DefenceInput]:
    """A DefenceInput whose employee must be one of the selected employees (`nips`)."""
    form = create_model(
        "PembelaanDanPutusan",
        __base__=DefenceInput,
        pegawai=(
            _choices(nips, names or {}),
            Field(default=_person(nips[0], names or {}), title="Pegawai"),
        ),
        tindakan=(DefenceAction, Field(default=NO_ACTION, title="Tindakan")),
        isi=(str, _reason_field("isi", "Isi pembelaan, atau alasan putusan")),
    )
    return form.with_initial_data(description=description)


def selection_payload(actor: str, selections: dict[str, tuple[bool, str]]) -> dict[str, Any]:
    """What the selection form holds for this choice (a reason for each one selected)."""
    payload: dict[str, Any] = {"oleh": actor}
    payload.update(
        {REASON_PREFIX + nip: reason for nip, (sel, reason) in selections.items() if sel}
    )
    return payload
