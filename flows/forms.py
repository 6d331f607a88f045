"""RunInput forms of the two pauses; built per review so they list only that OPD's people.

The forms have no channel field: the channel is set by the code path that records the answer
(the flow records "ui"; the CLI and portal record theirs before resuming), never by input.
Whoever answers here is a BKD operator, one of KINERJA_OPERATORS (a drop-down), recorded as
that operator; "on behalf of" the head needs the head's NIP and a note. The length limits are
review.validate's, so the Prefect server refuses an oversized answer on resume.
"""

from __future__ import annotations

from typing import Any, Literal

from prefect.input import RunInput
from pydantic import BaseModel, Field, create_model

from kinerja.review.validate import DEFENCE_MAX, NAME_MAX, REASON_MAX, SELECTION_MAX_ITEMS

ACTIONS_SELECTION = Literal["submit", "wake"]
ACTIONS_DEFENCE = Literal["defence", "verdict", "wake"]


class SelectionInput(RunInput):
    """The head of OPD's answer at the selection pause (field texts are shown in the UI)."""

    operator: str = Field(default="", max_length=NAME_MAX, title="Operator BKD (nama terdaftar)")
    on_behalf_of: str = Field(
        default="",
        max_length=NAME_MAX,
        title="Atas nama kepala OPD (NIP; isi hanya bila kepala meminta operator mencatatnya)",
    )
    note: str = Field(
        default="", max_length=REASON_MAX, title="Catatan permintaan kepala (wajib bila atas nama)"
    )
    selections: list[Any] = Field(
        default_factory=list, max_length=SELECTION_MAX_ITEMS, title="Kandidat"
    )
    action: ACTIONS_SELECTION = Field(default="submit", title="Aksi (biarkan 'submit')")


class DefenceInput(RunInput):
    """A defence (employee) or a verdict (head) at the warning and defence pause."""

    action: ACTIONS_DEFENCE = Field(default="verdict", title="Aksi: defence atau verdict")
    nip: str | None = Field(default=None, max_length=NAME_MAX, title="NIP pegawai")
    operator: str = Field(default="", max_length=NAME_MAX, title="Operator BKD (nama terdaftar)")
    text: str = Field(
        default="", max_length=DEFENCE_MAX, title="Isi pembelaan (untuk aksi defence)"
    )
    accepted: bool = Field(default=False, title="Pembelaan diterima (untuk aksi verdict)")
    reason: str = Field(
        default="", max_length=REASON_MAX, title="Alasan putusan (untuk aksi verdict)"
    )
    on_behalf_of: str = Field(
        default="",
        max_length=NAME_MAX,
        title="Putusan atas nama kepala OPD (NIP; isi hanya bila kepala memintanya)",
    )
    note: str = Field(
        default="", max_length=REASON_MAX, title="Catatan permintaan kepala (wajib bila atas nama)"
    )


def _nip_type(nips: list[str]) -> Any:
    # A Literal renders as a drop-down and the server refuses any other NIP on resume.
    return Literal[tuple(nips)]  # type: ignore[valid-type]


def _operator_field(operators: list[str]) -> Any:
    """The operator field: a drop-down of the configured operators (free text if none).

    Empty by default so that a wake-up (run input {"action": "wake"}) fits the form; a submit
    without an operator is refused by review.validate.
    """
    title = "Operator BKD (nama terdaftar)"
    if not operators:
        return (str, Field(default="", max_length=NAME_MAX, title=title))
    return (Literal[("", *operators)], Field(default="", title=title))


def selection_form(
    nips: list[str], description: str, operators: list[str] | None = None
) -> type[SelectionInput]:
    """A SelectionInput whose items accept only `nips`, prefilled with one row per candidate."""
    item = create_model(
        "Kandidat",
        __base__=BaseModel,
        nip=(_nip_type(nips), Field(title="NIP")),
        selected=(bool, Field(default=False, title="Dinyatakan berkinerja rendah")),
        reason=(str, Field(default="", max_length=REASON_MAX, title="Alasan (wajib bila dipilih)")),
    )
    rows = [item(nip=n) for n in nips]
    form = create_model(
        "PemilihanKandidat",
        __base__=SelectionInput,
        operator=_operator_field(operators or []),
        selections=(
            list[item],  # type: ignore[valid-type]
            Field(default=rows, max_length=SELECTION_MAX_ITEMS, title="Kandidat"),
        ),
    )
    form._description = description
    return form


def defence_form(
    nips: list[str], description: str, operators: list[str] | None = None
) -> type[DefenceInput]:
    """A DefenceInput whose NIP must be one of the selected employees of this review."""
    form = create_model(
        "PembelaanDanPutusan",
        __base__=DefenceInput,
        operator=_operator_field(operators or []),
        nip=(_nip_type(nips) | None, Field(default=None, title="NIP pegawai")),
    )
    form._description = description
    return form
