"""RunInput forms of the two pauses; built per review so they list only that OPD's people.

The forms have no channel field: the channel is set by the code path that records the answer
(the flow records "ui"; the CLI and portal record theirs before resuming), never by input.
"""

from __future__ import annotations

from typing import Any, Literal

from prefect.input import RunInput
from pydantic import BaseModel, Field, create_model

ACTIONS_SELECTION = Literal["submit", "wake"]
ACTIONS_DEFENCE = Literal["defence", "verdict", "wake"]


class SelectionInput(RunInput):
    """The head of OPD's answer at the selection pause (field texts are shown in the UI)."""

    decided_by: str = Field(default="", title="Diputuskan oleh (nama/NIP kepala OPD)")
    selections: list[Any] = Field(default_factory=list, title="Kandidat")
    action: ACTIONS_SELECTION = Field(default="submit", title="Aksi (biarkan 'submit')")


class DefenceInput(RunInput):
    """A defence (employee) or a verdict (head) at the warning and defence pause."""

    action: ACTIONS_DEFENCE = Field(default="verdict", title="Aksi: defence atau verdict")
    nip: str | None = Field(default=None, title="NIP pegawai")
    actor: str = Field(default="", title="Oleh (nama/NIP)")
    text: str = Field(default="", title="Isi pembelaan (untuk aksi defence)")
    accepted: bool = Field(default=False, title="Pembelaan diterima (untuk aksi verdict)")
    reason: str = Field(default="", title="Alasan putusan (untuk aksi verdict)")


def _nip_type(nips: list[str]) -> Any:
    # A Literal renders as a drop-down and the server refuses any other NIP on resume.
    return Literal[tuple(nips)]  # type: ignore[valid-type]


def selection_form(nips: list[str], description: str) -> type[SelectionInput]:
    """A SelectionInput whose items accept only `nips`, prefilled with one row per candidate."""
    item = create_model(
        "Kandidat",
        __base__=BaseModel,
        nip=(_nip_type(nips), Field(title="NIP")),
        selected=(bool, Field(default=False, title="Dinyatakan berkinerja rendah")),
        reason=(str, Field(default="", title="Alasan (wajib bila dipilih)")),
    )
    rows = [item(nip=n) for n in nips]
    form = create_model(
        "PemilihanKandidat",
        __base__=SelectionInput,
        selections=(list[item], Field(default=rows, title="Kandidat")),  # type: ignore[valid-type]
    )
    form._description = description
    return form


def defence_form(nips: list[str], description: str) -> type[DefenceInput]:
    """A DefenceInput whose NIP must be one of the selected employees of this review."""
    form = create_model(
        "PembelaanDanPutusan",
        __base__=DefenceInput,
        nip=(_nip_type(nips) | None, Field(default=None, title="NIP pegawai")),
    )
    form._description = description
    return form
