"""The pause forms: short, fixed fields, names beside NIPs, one required field, no channel."""

from __future__ import annotations

import pytest
from prefect.utilities.schema_tools import ValidationError as SchemaError
from prefect.utilities.schema_tools import validate
from pydantic import ValidationError

from kinerja.flows.forms import WAKE, defence_form, selection_form, selection_payload

NIPS = ["DISHUB-001", "DISHUB-002", "DISHUB-003"]
NAMES = {"DISHUB-001": "Budi", "DISHUB-002": "Sari", "DISHUB-003": "Tono"}
BUDI = "Budi (NIP DISHUB-001)"


def _server_accepts(form: type, payload: dict[str, object]) -> bool:
    """What the Prefect server checks on resume: the payload against the form's schema."""
    try:
        validate(payload, form.model_json_schema(by_alias=True), raise_on_error=True)
    except SchemaError:
        return False
    return True


def test_selection_form_is_one_labelled_reason_per_candidate() -> None:
    form = selection_form(NIPS, "## Pemilihan", NAMES)
    schema = form.model_json_schema(by_alias=True)
    assert schema["required"] == ["operator"]  # the only field every answer fills
    props = schema["properties"]
    assert list(props) == ["operator", *(f"alasan_{n}" for n in NIPS)]
    assert props["alasan_DISHUB-001"]["title"] == "1. Budi (NIP DISHUB-001): alasan"

    answer = form(
        **selection_payload("Kepala", {NIPS[0]: (True, " alasan "), NIPS[1]: (False, "")})
    )
    assert answer.answer() == {
        "action": "submit",
        "operator": "Kepala",
        "selections": [
            {"nip": NIPS[0], "selected": True, "reason": "alasan"},
            {"nip": NIPS[1], "selected": False, "reason": ""},
            {"nip": NIPS[2], "selected": False, "reason": ""},
        ],
    }
    assert form(operator="Kepala").answer()["selections"][0]["selected"] is False  # nobody
    # An answer with nothing filled in is no answer: the run only re-checks its deadline.
    assert form(**WAKE).answer() == {"action": "wake"}
    assert form(**{"operator": "", "alasan_DISHUB-001": "x"}).answer()["action"] == "submit"


def test_the_server_takes_only_this_reviews_people_and_the_wake_up_fits_both_forms() -> None:
    sel = selection_form(NIPS, "d", NAMES)
    dfc = defence_form(NIPS[:1], "d", NAMES)
    assert _server_accepts(sel, selection_payload("K", {NIPS[0]: (True, "x")}))
    assert not _server_accepts(sel, selection_payload("K", {"DINKES-001": (True, "x")}))
    assert not _server_accepts(sel, {"alasan_DISHUB-001": "x"})  # no operator: refused
    assert _server_accepts(dfc, {"operator": "K", "pegawai": BUDI, "tindakan": "Pembelaan ditolak"})
    assert not _server_accepts(dfc, {"operator": "K", "pegawai": "Sari (NIP DISHUB-002)"})
    assert _server_accepts(sel, WAKE) and _server_accepts(dfc, WAKE)


def test_defence_form_derives_defence_or_verdict_from_the_chosen_action() -> None:
    form = defence_form(NIPS[:2], "## Pembelaan", NAMES)
    props = form.model_json_schema(by_alias=True)["properties"]
    assert list(props) == ["operator", "pegawai", "tindakan", "isi"]
    assert "anyOf" not in props["pegawai"] and "anyOf" not in props["tindakan"]  # no null
    assert props["pegawai"]["enum"] == [BUDI, "Sari (NIP DISHUB-002)"]
    assert form(operator="Budi", pegawai=BUDI, tindakan="Catat pembelaan pegawai",
                isi="Saya sakit.").answer() == {
        "action": "defence", "nip": NIPS[0], "operator": "Budi", "text": "Saya sakit.",
    }  # fmt: skip
    verdict = form(operator="K", pegawai=BUDI, tindakan="Pembelaan diterima", isi="ada surat")
    assert verdict.answer() == {
        "action": "verdict", "nip": NIPS[0], "operator": "K", "accepted": True,
        "reason": "ada surat",
    }  # fmt: skip
    assert (
        form(operator="K", pegawai=BUDI, tindakan="Pembelaan ditolak").answer()["accepted"] is False
    )
    assert form(operator="K", tindakan="Pembelaan ditolak").answer()["nip"] == NIPS[0]  # preset
    assert form(operator="K", pegawai=BUDI).answer() == {"action": "invalid"}  # no action chosen
    assert form(**WAKE).answer() == {"action": "wake"}


def test_no_answer_chooses_its_channel() -> None:
    with pytest.raises(ValidationError, match="channel"):
        selection_form(NIPS, "## Pemilihan")(**selection_payload("Kepala", {}), channel="portal")
    with pytest.raises(ValidationError, match="channel"):
        defence_form(NIPS, "## Pembelaan")(operator="K", channel="portal")


def test_forms_offer_only_configured_operators_and_refuse_oversized_text() -> None:
    ops = ["op.rina", "op.agus"]
    form = selection_form(NIPS, "## Pemilihan", NAMES, ops)
    assert form(**WAKE).operator == "" and _server_accepts(form, WAKE)  # a wake-up fits
    assert _server_accepts(form, {"operator": "op.agus"})
    with pytest.raises(ValidationError, match="operator"):
        form(operator="Kepala DISHUB")
    assert not _server_accepts(form, {"operator": "Kepala DISHUB"})
    assert not _server_accepts(form, {"operator": "opXrina"})  # "." is not a wildcard
    with pytest.raises(ValidationError, match="1000"):
        form(**{"operator": "op.rina", "alasan_DISHUB-001": "x" * 1001})
    assert not _server_accepts(form, {"operator": "op.rina", "alasan_DISHUB-001": "x" * 1001})
    defence = defence_form(NIPS, "## Pembelaan", NAMES, ops)
    with pytest.raises(ValidationError, match="5000"):
        defence(operator="op.rina", tindakan="Catat pembelaan pegawai", isi="x" * 5_000_001)
    assert not _server_accepts(defence, {"operator": "op.rina", "isi": "x" * 5001})
