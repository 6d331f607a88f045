"""The pause forms: fixed fields per person, keyed by NIP, one required field, no channel."""

from __future__ import annotations

import pytest
from prefect.utilities.schema_tools import ValidationError as SchemaError
from prefect.utilities.schema_tools import validate
from pydantic import ValidationError

from kinerja.flows.forms import (
    WAKE,
    defence_form,
    defence_payload,
    selection_form,
    selection_payload,
    verdict_payload,
)

NIPS = ["DISHUB-001", "DISHUB-002", "DISHUB-003"]
NAMES = {"DISHUB-001": "Budi", "DISHUB-002": "Sari", "DISHUB-003": "Tono"}


def _server_accepts(form: type, payload: dict[str, object]) -> bool:
    """What the Prefect server checks on resume: the payload against the form's schema."""
    schema = form.model_json_schema(by_alias=True)
    try:
        validate(payload, schema, raise_on_error=True)
    except SchemaError:
        return False
    return True


def test_selection_form_has_a_labelled_checkbox_and_reason_per_candidate() -> None:
    form = selection_form(NIPS, "## Pemilihan", NAMES)
    schema = form.model_json_schema(by_alias=True)
    assert schema["required"] == ["oleh"]  # the only field an answer must fill
    props = schema["properties"]
    assert props["pilih_DISHUB-001"]["title"] == "1. Budi (NIP DISHUB-001)"
    assert props["pilih_DISHUB-001"]["type"] == "boolean"
    assert "Budi" in props["alasan_DISHUB-001"]["title"]
    assert not any("action" in k or "aksi" in k.lower() for k in props)
    assert form._description == "## Pemilihan"  # set by RunInput.with_initial_data

    answer = form(**selection_payload("Kepala", {NIPS[0]: (True, "alasan")})).answer()
    assert answer == {
        "action": "submit",
        "decided_by": "Kepala",
        "selections": [
            {"nip": NIPS[0], "selected": True, "reason": "alasan"},
            {"nip": NIPS[1], "selected": False, "reason": ""},
            {"nip": NIPS[2], "selected": False, "reason": ""},
        ],
    }
    # An answer naming nobody who decides is no answer: the run only re-checks its deadline.
    assert form(**WAKE).answer() == {"action": "wake"}
    assert form(oleh="Kepala").answer()["action"] == "submit"  # nobody selected, by Kepala


def test_the_server_takes_only_this_reviews_nips_and_the_wake_up_fits_both_forms() -> None:
    sel = selection_form(NIPS, "d", NAMES)
    dfc = defence_form(NIPS[:1], "d", NAMES)
    assert _server_accepts(sel, selection_payload("K", {NIPS[0]: (True, "x")}))
    assert not _server_accepts(sel, selection_payload("K", {"DINKES-001": (True, "x")}))
    assert not _server_accepts(sel, {"pilih_DISHUB-001": True})  # no "oleh": refused
    assert _server_accepts(dfc, defence_payload(NIPS[0]))
    assert _server_accepts(dfc, verdict_payload(NIPS[0], "K", False, "tanpa surat"))
    assert not _server_accepts(dfc, defence_payload(NIPS[1]))  # not selected
    assert _server_accepts(sel, WAKE) and _server_accepts(dfc, WAKE)


def test_defence_form_derives_defence_or_verdict_one_employee_at_a_time() -> None:
    form = defence_form(NIPS[:2], "## Pembelaan", NAMES)
    props = form.model_json_schema(by_alias=True)["properties"]
    assert props["tindakan_DISHUB-001"]["title"] == "1. Budi (NIP DISHUB-001): tindakan"
    assert form(**defence_payload(NIPS[0])).answer() == {
        "action": "defence", "nip": NIPS[0], "actor": NIPS[0], "text": "",
    }  # fmt: skip
    assert form(**verdict_payload(NIPS[1], "K", True, "ada surat")).answer() == {
        "action": "verdict", "nip": NIPS[1], "actor": "K", "accepted": True,
        "reason": "ada surat",
    }  # fmt: skip
    typed = form(**{"oleh": "Budi", "tindakan_DISHUB-001": "Catat pembelaan pegawai",
                    "pembelaan_DISHUB-001": "Saya sakit."})  # fmt: skip
    assert typed.answer()["text"] == "Saya sakit."
    both = {**verdict_payload(NIPS[0], "K", True, "a"), "tindakan_DISHUB-002": "Pembelaan ditolak"}
    assert form(**both).answer() == {"action": "invalid"}  # refused: one per answer
    assert form(oleh="K").answer() == {"action": "invalid"}  # filled in, but no action
    assert form(**WAKE).answer() == {"action": "wake"}


def test_no_answer_chooses_its_channel() -> None:
    with pytest.raises(ValidationError, match="channel"):
        selection_form(NIPS, "## Pemilihan")(**selection_payload("Kepala", {}), channel="portal")
    with pytest.raises(ValidationError, match="channel"):
        defence_form(NIPS, "## Pembelaan")(**defence_payload(NIPS[0]), channel="portal")
