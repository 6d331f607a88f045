"""RunInput forms of the two pauses; built per review so they list only that OPD's people.

The forms have no channel field: the channel is set by the code path that records the answer
(the flow records "ui"; the CLI and portal record theirs before resuming), never by input.

The forms have no action field either: each form turns what was filled into the answer the
review applies (`answer()`, the dicts of review.answers). Fields per person are fixed (one
checkbox and one reason per candidate; one action, defence and reason per selected employee),
keyed by NIP so that the portal, CLI and sweeper resume with payloads built here. The one
required field, `oleh`, is the same in both forms: the sweeper's wake-up (`WAKE`, `oleh` empty,
nothing else) fits whichever pause the run is at.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from prefect.input import RunInput
from pydantic import Field, create_model


SELECT_PREFIX = "pilih_"
REASON_PREFIX = "alasan_"
ACTION_PREFIX = "tindakan_"
DEFENCE_PREFIX = "pembelaan_"

RECORD_DEFENCE = "Catat pembelaan pegawai"
ACCEPT = "Pembelaan diterima"
REJECT = "Pembelaan ditolak"
DefenceAction = Literal["Catat pembelaan pegawai", "Pembelaan diterima", "Pembelaan ditolak"]

# The resume that only wakes the run (deadline passed, or its answer was recorded meanwhile).
WAKE: dict[str, Any] = {"oleh": ""}


def _person(nip: str, names: dict[str, str]) -> str:
    name = names.get(nip, "")
    return f"{name} (NIP {nip})" if name and name != nip else f"NIP {nip}"


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

    oleh: str = Field(
        title="Diputuskan oleh",
        description="Nama dan NIP kepala OPD yang memutuskan.",
    )

    kind: ClassVar[str] = "selection"

    def answer(self) -> dict[str, Any]:
        """The selection answer review.answers applies; nothing filled in is a wake-up."""
        chosen = _by_prefix(self, SELECT_PREFIX)
        reasons = _by_prefix(self, REASON_PREFIX)
        if not self.oleh.strip() and not any(chosen.values()) and not any(reasons.values()):
            return {"action": "wake"}
        return {
            "action": "submit",
            "decided_by": self.oleh,
            "selections": [
                {"nip": nip, "selected": bool(sel), "reason": str(reasons.get(nip, ""))}
                for nip, sel in chosen.items()
            ],
        }


class DefenceInput(RunInput):
    """A defence (employee) or a verdict (head) at the warning and defence pause."""

    oleh: str = Field(
        title="Diisi oleh",
        description="Nama dan NIP kepala OPD (putusan) atau pegawai (pembelaan).",
    )

    kind: ClassVar[str] = "defence"

    def answer(self) -> dict[str, Any]:
        """The defence or verdict answer of review.answers: one employee per answer."""
        actions = {nip: a for nip, a in _by_prefix(self, ACTION_PREFIX).items() if a}
        texts = _by_prefix(self, DEFENCE_PREFIX)
        reasons = _by_prefix(self, REASON_PREFIX)
        if not actions:
            filled = self.oleh.strip() or any(texts.values()) or any(reasons.values())
            return {"action": "invalid"} if filled else {"action": "wake"}
        if len(actions) > 1:
            return {"action": "invalid"}  # one employee per answer: the run asks again
        nip, action = next(iter(actions.items()))
        if action == RECORD_DEFENCE:
            return {"action": "defence", "nip": nip, "actor": self.oleh, "text": texts.get(nip)}
        return {
            "action": "verdict",
            "nip": nip,
            "actor": self.oleh,
            "accepted": action == ACCEPT,
            "reason": reasons.get(nip, ""),
        }


def selection_form(
    nips: list[str], description: str, names: dict[str, str] | None = None
) -> type[SelectionInput]:
    """A SelectionInput with a checkbox and a reason per candidate (only `nips`, in order)."""
    names = names or {}
    fields: dict[str, Any] = {}
    for i, nip in enumerate(nips, start=1):
        who = _person(nip, names)
        fields[f"pilih_{i}"] = (
            bool,
            Field(default=False, alias=SELECT_PREFIX + nip, title=f"{i}. {who}",
                  description="Centang bila dinyatakan berkinerja rendah."),
        )  # fmt: skip
        fields[f"alasan_{i}"] = (
            str,
            _reason_field(REASON_PREFIX + nip, f"Alasan untuk {who} (wajib bila dicentang)"),
        )
    form = create_model("PemilihanKandidat", __base__=SelectionInput, **fields)
    return form.with_initial_data(description=description)


def defence_form(
    nips: list[str], description: str, names: dict[str, str] | None = None
) -> type[DefenceInput]:
    """A DefenceInput with an action, a defence and a reason per selected employee (`nips`)."""
    names = names or {}
    fields: dict[str, Any] = {}
    for i, nip in enumerate(nips, start=1):
        who = _person(nip, names)
        fields[f"tindakan_{i}"] = (
            DefenceAction | None,
            Field(default=None, alias=ACTION_PREFIX + nip, title=f"{i}. {who}: tindakan",
                  description="Satu pegawai per kiriman."),
        )  # fmt: skip
        fields[f"pembelaan_{i}"] = (
            str,
            Field(default="", alias=DEFENCE_PREFIX + nip,
                  title=f"Isi pembelaan {who} (bila dicatat di sini)"),
        )  # fmt: skip
        fields[f"alasan_{i}"] = (
            str,
            _reason_field(REASON_PREFIX + nip, f"Alasan putusan untuk {who}"),
        )
    form = create_model("PembelaanDanPutusan", __base__=DefenceInput, **fields)
    return form.with_initial_data(description=description)


def selection_payload(actor: str, selections: dict[str, tuple[bool, str]]) -> dict[str, Any]:
    """The run input the portal and CLI resume a selection pause with."""
    payload: dict[str, Any] = {"oleh": actor}
    for nip, (sel, reason) in selections.items():
        payload[SELECT_PREFIX + nip] = sel
        payload[REASON_PREFIX + nip] = reason
    return payload


def defence_payload(nip: str) -> dict[str, Any]:
    """The run input after a defence recorded elsewhere (its text stays in our database)."""
    return {"oleh": nip, ACTION_PREFIX + nip: RECORD_DEFENCE}


def verdict_payload(nip: str, actor: str, accepted: bool, reason: str) -> dict[str, Any]:
    """The run input after a verdict recorded elsewhere."""
    return {"oleh": actor, ACTION_PREFIX + nip: ACCEPT if accepted else REJECT,
            REASON_PREFIX + nip: reason}  # fmt: skip
