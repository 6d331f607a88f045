"""What a valid answer is (selection, defence, verdict, extension, actor): one check per kind.

The portal, the CLI and an answer through the Prefect UI/API all pass their input through
these functions before the review's rules (review.logic) look at the review's state, so the
three paths refuse the same input with the same Indonesian message. The limits are documented
here and repeated as `max_length` in the Prefect forms (flows.forms), so the Prefect server
itself refuses an oversized answer before any run sees it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kinerja.review.logic import Choice, Refused

REASON_MIN = 5  # characters of a reason (selection, verdict, ruling, extension, note)
REASON_MAX = 1000  # characters of a reason: a paragraph, not a document
DEFENCE_MIN = 10  # characters of a written defence
DEFENCE_MAX = 5000  # characters of a written defence (about two pages)
NAME_MAX = 100  # characters of an operator name or a NIP field
EXTENSION_MAX_WORKDAYS = 20  # one extension adds at most four working weeks
SELECTION_MAX_ITEMS = 500  # rows in one selection answer (an OPD has far fewer candidates)


@dataclass(frozen=True)
class OnBehalf:
    """An operator enters a head's decision because the head asked: who asked, and the note."""

    nip: str
    note: str


def reason_problems(reason: str, what: str, *, required: bool = True) -> list[str]:
    """Problems with a reason's length; `what` names it in the message (e.g. 'NIP 1987...')."""
    text = reason.strip()
    if not text and not required:
        return []
    if len(text) < REASON_MIN:
        return [f"alasan untuk {what} minimal {REASON_MIN} karakter"]
    if len(text) > REASON_MAX:
        return [f"alasan untuk {what} terlalu panjang (maksimal {REASON_MAX} karakter)"]
    return []


def duplicate_nips(nips: Iterable[str]) -> list[str]:
    """One problem per NIP that appears more than once (each answer names a NIP once)."""
    counts = Counter(n.strip() for n in nips)
    return [
        f"NIP {nip} muncul {n} kali; setiap NIP hanya boleh muncul sekali"
        for nip, n in sorted(counts.items())
        if n > 1
    ]


def check_selection(items: Sequence[tuple[str, bool, str]]) -> dict[str, Choice]:
    """(nip, selected, reason) rows -> choices by NIP; Refused names every problem.

    A selected NIP needs a reason of REASON_MIN..REASON_MAX characters; a reason given for a
    NIP not selected is optional but within the same maximum.
    """
    problems = []
    if len(items) > SELECTION_MAX_ITEMS:
        problems.append(f"terlalu banyak baris pemilihan (maksimal {SELECTION_MAX_ITEMS})")
    problems += duplicate_nips(nip for nip, _, _ in items)
    for nip, selected, reason in items:
        if len(nip.strip()) > NAME_MAX or not nip.strip():
            problems.append("NIP kosong atau terlalu panjang")
            continue
        problems += reason_problems(reason, f"NIP {nip.strip()}", required=selected)
    if problems:
        raise Refused(problems)
    return {nip.strip(): Choice(selected, reason.strip()) for nip, selected, reason in items}


def check_defence(text: str) -> str:
    """The defence text, stripped; Refused when shorter or longer than the limits."""
    body = text.strip()
    if len(body) < DEFENCE_MIN:
        raise Refused([f"isi pembelaan minimal {DEFENCE_MIN} karakter"])
    if len(body) > DEFENCE_MAX:
        raise Refused([f"isi pembelaan terlalu panjang (maksimal {DEFENCE_MAX} karakter)"])
    return body


def check_verdict(
    nip: str, reason: str, rulings: dict[int, tuple[bool, str]] | None = None
) -> None:
    """A verdict's reason and each data-objection ruling's reason within the limits."""
    problems = reason_problems(reason, f"putusan atas pembelaan NIP {nip}")
    for ident, (_, why) in sorted((rulings or {}).items()):
        problems += reason_problems(why, f"keberatan data #{ident}")
    if problems:
        raise Refused(problems)


def check_extension(workdays: int, reason: str) -> None:
    """1..EXTENSION_MAX_WORKDAYS working days, with a reason within the limits."""
    problems = []
    if not 1 <= workdays <= EXTENSION_MAX_WORKDAYS:
        problems.append(f"perpanjangan harus 1 sampai {EXTENSION_MAX_WORKDAYS} hari kerja")
    problems += reason_problems(reason, "perpanjangan")
    if problems:
        raise Refused(problems)


def check_operator(name: str, operators: Sequence[str]) -> str:
    """`name` if it is one of the configured BKD operators (KINERJA_OPERATORS), else Refused."""
    who = name.strip()
    if not operators:
        raise Refused(["belum ada operator BKD yang terdaftar (atur KINERJA_OPERATORS)"])
    if who not in operators:
        raise Refused(
            [
                f"{who or '(kosong)'} bukan operator BKD yang terdaftar; operator terdaftar: "
                + ", ".join(operators)
            ]
        )
    return who


def check_on_behalf(head: str | None, note: str, decider_nip: str | None) -> OnBehalf | None:
    """An operator acting for the review's decider: the decider's NIP and a note are required."""
    if not (head or "").strip():
        if note.strip():
            raise Refused(["catatan atas nama hanya diisi bila keputusan diambil atas nama kepala"])
        return None
    who = (head or "").strip()
    problems = []
    if decider_nip is None or who != decider_nip:
        problems.append(
            f"{who} bukan pemutus tinjauan ini"
            + (f" (pemutusnya NIP {decider_nip})" if decider_nip else "")
        )
    problems += reason_problems(note, "keputusan atas nama kepala (catatan permintaannya)")
    if problems:
        raise Refused(problems)
    return OnBehalf(who, note.strip())
