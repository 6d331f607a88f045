"""The pause forms: they list only the review's NIPs and take no channel from the answerer."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kinerja.flows.forms import defence_form, selection_form
from kinerja.review.answers import selection_payload

NIPS = ["DISHUB-001", "DISHUB-002", "DISHUB-003"]


def test_selection_form_lists_only_this_reviews_nips_and_refuses_a_channel() -> None:
    form = selection_form(NIPS, "## Pemilihan")
    schema = form.model_json_schema()
    assert schema["$defs"]["Kandidat"]["properties"]["nip"]["enum"] == NIPS
    answer = form(**selection_payload("Kepala", {NIPS[0]: (True, "alasan")}))
    assert answer.selections[0].nip == NIPS[0]
    # The channel is not the answerer's to choose: a form answer claiming one is refused.
    with pytest.raises(ValidationError, match="channel"):
        form(**selection_payload("Kepala", {}), channel="portal")
    with pytest.raises(ValidationError, match="channel"):
        defence_form(NIPS, "## Pembelaan")(action="verdict", nip=NIPS[0], channel="portal")
