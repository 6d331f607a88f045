"""The pause forms: they list only the review's NIPs and take no channel from the answerer."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kinerja.flows.forms import defence_form, selection_form

NIPS = ["DISHUB-001", "DISHUB-002", "DISHUB-003"]


def test_selection_form_lists_only_this_reviews_nips_and_refuses_a_channel() -> None:
    form = selection_form(NIPS, "## Pemilihan")
    schema = form.model_json_schema()
    assert schema["$defs"]["Kandidat"]["properties"]["nip"]["enum"] == NIPS
    row = {"nip": NIPS[0], "selected": True, "reason": "alasan"}
    answer = form(operator="", selections=[row], action="submit")
    assert answer.selections[0].nip == NIPS[0]
    # The channel is not the answerer's to choose: a form answer claiming one is refused.
    with pytest.raises(ValidationError, match="channel"):
        form(selections=[], channel="portal")
    with pytest.raises(ValidationError, match="channel"):
        defence_form(NIPS, "## Pembelaan")(action="verdict", nip=NIPS[0], channel="portal")


def test_forms_offer_only_configured_operators_and_refuse_oversized_text() -> None:
    ops = ["op.rina", "op.agus"]
    form = selection_form(NIPS, "## Pemilihan", ops)
    assert form.model_json_schema()["properties"]["operator"]["enum"] == ["", *ops]
    assert form(action="wake").operator == ""  # a wake-up fits the form
    with pytest.raises(ValidationError, match="operator"):
        form(operator="Kepala DISHUB")
    with pytest.raises(ValidationError, match="1000"):
        form(selections=[{"nip": NIPS[0], "selected": True, "reason": "x" * 1001}])
    defence = defence_form(NIPS, "## Pembelaan", ops)
    with pytest.raises(ValidationError, match="5000"):
        defence(action="defence", nip=NIPS[0], operator="op.rina", text="x" * 5_000_001)
