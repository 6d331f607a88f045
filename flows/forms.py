"""RunInput forms of the two pauses; built per review so they list only that OPD's people.

The forms have no channel field: the channel is set by the code path that records the answer
(the flow records "ui"; the CLI and portal record theirs before resuming), never by input.
Whoever answers here is a BKD operator, one of KINERJA_OPERATORS, recorded as that operator
and never as the head: a head's decision entered at their request goes through the CLI
(`--on-behalf-of` with a note), which records both. The length limits are
review.validate's, so the Prefect server refuses an oversized answer on resume, and no other
field is accepted (an unknown NIP is an unknown field).

The forms have no action field either: each form turns what was filled into the answer the
review applies (`answer()`, the dicts of review.answers). They are short, because the classic
Prefect UI gives the description above a form only the height the form leaves free: the
selection form is one reason per candidate (a reason given selects), the defence form one
employee, one action and one text. The one required field, the operator, is in both forms, so
the wake-up (review.answers.WAKE: the operator empty, nothing else) fits whichever pause a run
is at; the portal, CLI and sweeper resume with it, their decisions being on record already.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from prefect.input import RunInput
from pydantic import Field, create_model

from kinerja.review import answers
from kinerja.review.answers import WAKE
from kinerja.review.validate import DEFENCE_MAX, NAME_MAX, REASON_MAX

__all__ = ["DEFENCE_TEXT_FIELD", "WAKE", "defence_form", "selection_form"]

REASON_PREFIX = "alasan_"
DEFENCE_TEXT_FIELD = "isi"  # the defence text as stored in Prefect's run input (then removed)

NO_ACTION = "(pilih tindakan)"
RECORD_DEFENCE = "Catat pembelaan pegawai"
ACCEPT = "Pembelaan diterima"
REJECT = "Pembelaan ditolak"
# Not Optional: the classic UI shows an optional choice as a "str | None" type switch.
DefenceAction = Literal[
    "(pilih tindakan)", "Catat pembelaan pegawai", "Pembelaan diterima", "Pembelaan ditolak"
]
OPERATOR_TITLE = "Operator BKD (nama terdaftar)"

_NIP_OF_CHOICE = re.compile(r"\(NIP (?P<nip>[^()]+)\)$")


def _person(nip: str, names: dict[str, str]) -> str:
    name = names.get(nip, "")
    return f"{name} (NIP {nip})" if name and name != nip else f"(NIP {nip})"


def _text_field(alias: str, title: str, max_length: int = REASON_MAX) -> Any:
    """A free-text field (every reason and text of both forms has review.validate's limit)."""
    return Field(default="", alias=alias, title=title, max_length=max_length)


def _by_prefix(answer: RunInput, prefix: str) -> dict[str, Any]:
    """NIP -> value of the fields whose alias is `prefix` + NIP, in the form's order."""
    fields = type(answer).model_fields
    return {
        str(f.alias)[len(prefix) :]: getattr(answer, name)
        for name, f in fields.items()
        if f.alias and f.alias.startswith(prefix)
    }


class SelectionInput(RunInput):
    """The selection pause's answer, entered by a BKD operator (field titles show in the UI)."""

    operator: str = Field(max_length=NAME_MAX, title=OPERATOR_TITLE)

    kind: ClassVar[str] = "selection"

    def answer(self) -> dict[str, Any]:
        """The selection answer of review.answers (a reason selects); nothing filled, a wake-up."""
        reasons = {nip: str(r).strip() for nip, r in _by_prefix(self, REASON_PREFIX).items()}
        if not self.operator.strip() and not any(reasons.values()):
            return answers.nothing_answered()
        return answers.selection_answer(self.operator, reasons)


class DefenceInput(RunInput):
    """A defence (for the employee) or a verdict (for the head) at the defence pause."""

    operator: str = Field(max_length=NAME_MAX, title=OPERATOR_TITLE)

    kind: ClassVar[str] = "defence"

    def answer(self) -> dict[str, Any]:
        """The defence or verdict answer of review.answers; nothing filled, a wake-up."""
        who = getattr(self, "pegawai", None)
        action = getattr(self, "tindakan", None)
        text = str(getattr(self, "isi", ""))
        if action in (None, NO_ACTION):
            filled = self.operator.strip() or text.strip()
            return answers.unfit_answer() if filled else answers.nothing_answered()
        found = _NIP_OF_CHOICE.search(who or "")
        if found is None:
            return answers.unfit_answer()  # no employee: the run asks again
        nip = found["nip"]
        if action == RECORD_DEFENCE:
            return answers.defence_answer(nip, self.operator, text)
        return answers.verdict_answer(nip, self.operator, action == ACCEPT, text)


def _choices(nips: list[str], names: dict[str, str]) -> Any:
    # A Literal renders as a drop-down and the server refuses anything else on resume.
    return Literal[tuple(_person(nip, names) for nip in nips)]  # type: ignore[valid-type]


def _operator_field(operators: list[str]) -> Any:
    """The required operator field: one of the configured operators (any name if none).

    A text field (the classic UI's drop-downs are slow to drive) whose pattern admits only the
    configured names, so the Prefect server itself refuses anyone else on resume. The empty
    name stays allowed so that a wake-up fits the form; a submit without an operator is
    refused by review.validate.
    """
    if not operators:
        return (str, Field(max_length=NAME_MAX, title=OPERATOR_TITLE))
    names = "|".join(re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", o) for o in operators)
    title = f"Operator BKD (salah satu: {', '.join(operators)})"
    return (str, Field(max_length=NAME_MAX, pattern=f"^({names})?$", title=title))


def selection_form(
    nips: list[str],
    description: str,
    names: dict[str, str] | None = None,
    operators: list[str] | None = None,
) -> type[SelectionInput]:
    """A SelectionInput with one reason per candidate (only `nips`, in order)."""
    names = names or {}
    fields: dict[str, Any] = {
        f"alasan_{i}": (
            str,
            _text_field(REASON_PREFIX + nip, f"{i}. {_person(nip, names)}: alasan"),
        )
        for i, nip in enumerate(nips, start=1)
    }
    form = create_model(
        "PemilihanKandidat",
        __base__=SelectionInput,
        operator=_operator_field(operators or []),
        **fields,
    )
    return form.with_initial_data(description=description)


def defence_form(
    nips: list[str],
    description: str,
    names: dict[str, str] | None = None,
    operators: list[str] | None = None,
) -> type[DefenceInput]:
    """A DefenceInput whose employee must be one of the selected employees (`nips`)."""
    form = create_model(
        "PembelaanDanPutusan",
        __base__=DefenceInput,
        operator=_operator_field(operators or []),
        pegawai=(
            _choices(nips, names or {}),
            Field(default=_person(nips[0], names or {}), title="Pegawai"),
        ),
        tindakan=(DefenceAction, Field(default=NO_ACTION, title="Tindakan")),
        isi=(
            str,
            _text_field(DEFENCE_TEXT_FIELD, "Isi pembelaan, atau alasan putusan", DEFENCE_MAX),
        ),
    )
    return form.with_initial_data(description=description)


def selection_payload(operator: str, selections: dict[str, tuple[bool, str]]) -> dict[str, Any]:
    """What the selection form holds for this choice (a reason for each one selected)."""
    payload: dict[str, Any] = {"operator": operator}
    payload.update(
        {REASON_PREFIX + nip: reason for nip, (sel, reason) in selections.items() if sel}
    )
    return payload
