"""The one check per answer kind that the portal, the CLI and the Prefect UI share."""

from __future__ import annotations

import pytest

from kinerja.review.logic import Choice, Refused
from kinerja.review.validate import (
    DEFENCE_MAX,
    REASON_MAX,
    OnBehalf,
    check_defence,
    check_extension,
    check_on_behalf,
    check_operator,
    check_selection,
    check_verdict,
)


def test_a_selection_naming_a_nip_twice_is_refused_naming_it() -> None:
    with pytest.raises(Refused) as exc:
        check_selection([("N1", True, "sering absen"), ("N2", False, ""), ("N1", False, "")])
    assert exc.value.problems == ["NIP N1 muncul 2 kali; setiap NIP hanya boleh muncul sekali"]
    assert check_selection([("N1", True, " sering absen "), ("N2", False, "")]) == {
        "N1": Choice(True, "sering absen"),
        "N2": Choice(False, ""),
    }


def test_reasons_and_defences_have_the_same_limits_everywhere() -> None:
    with pytest.raises(Refused, match="alasan untuk NIP N1 minimal 5 karakter"):
        check_selection([("N1", True, "x")])
    with pytest.raises(Refused, match=f"maksimal {REASON_MAX} karakter"):
        check_selection([("N1", False, "x" * (REASON_MAX + 1))])
    with pytest.raises(Refused, match="minimal 10 karakter"):
        check_defence("saya")
    with pytest.raises(Refused, match=f"maksimal {DEFENCE_MAX} karakter"):
        check_defence("x" * 5_000_000)
    assert check_defence("  Saya sakit hari itu.  ") == "Saya sakit hari itu."
    with pytest.raises(Refused) as exc:
        check_verdict("N1", "ok", {7: (True, "")})
    assert exc.value.problems == [
        "alasan untuk putusan atas pembelaan NIP N1 minimal 5 karakter",
        "alasan untuk keberatan data #7 minimal 5 karakter",
    ]
    with pytest.raises(Refused, match="1 sampai 20 hari kerja"):
        check_extension(40, "banjir besar")


def test_only_configured_operators_act_and_on_behalf_needs_the_decider_and_a_note() -> None:
    ops = ["op.rina", "op.agus"]
    assert check_operator(" op.rina ", ops) == "op.rina"
    with pytest.raises(Refused, match="Kepala bukan operator BKD .*: op.rina, op.agus"):
        check_operator("Kepala", ops)
    with pytest.raises(Refused, match="KINERJA_OPERATORS"):
        check_operator("op.rina", [])
    assert check_on_behalf("", "", "HEAD") is None
    with pytest.raises(Refused, match="catatan"):
        check_on_behalf("HEAD", "", "HEAD")
    with pytest.raises(Refused, match="OTHER bukan pemutus tinjauan ini .pemutusnya NIP HEAD"):
        check_on_behalf("OTHER", "diminta lewat telepon", "HEAD")
    assert check_on_behalf("HEAD", " lewat telepon ", "HEAD") == OnBehalf("HEAD", "lewat telepon")
