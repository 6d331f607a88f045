"""Notification texts: stage wording, policy-driven outcome text, whitespace."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from kinerja.notifications.render import render_message
from kinerja.rules.policy import load_policy
from kinerja.settings import Settings

DEADLINE = datetime(2025, 11, 10, 16, 0)


def _deadline_passed(stage: str) -> tuple[str, str]:
    return render_message(
        "deadline_passed",
        {
            "recipient_name": "Tim BKD",
            "scope_name": "Dinas Perhubungan",
            "period": "2025-10",
            "stage": stage,
            "deadline": DEADLINE,
        },
    )


def test_deadline_passed_selection_says_the_head_chose_no_one() -> None:
    subject, body = _deadline_passed("selection")
    assert "pemilihan" in subject
    assert "pimpinan tidak memilih siapa pun" in body
    assert "Tidak ada nama dari Dinas Perhubungan yang diumumkan" in body
    assert "pembelaan" not in body


@pytest.mark.parametrize("stage", ["defence", "verdict"])
def test_deadline_passed_defence_says_no_verdict_and_nobody_published(stage: str) -> None:
    subject, body = _deadline_passed(stage)
    assert "putusan pembelaan" in subject
    assert "pimpinan belum memberikan putusan" in body
    assert "Tidak ada nama dari Dinas Perhubungan yang diumumkan" in body
    # The old text claimed no answer came and the outcome was decided without a defence.
    assert "tanpa jawaban" not in body
    assert "tanpa pembelaan" not in body


def test_deadline_passed_unknown_stage_is_an_error() -> None:
    with pytest.raises(ValueError, match="stage 'outcome'"):
        _deadline_passed("outcome")


def _policy_file(tmp_path: Path, **publication: Any) -> Path:
    data = load_policy("jabar").model_dump(mode="json")
    data["publication"].update(publication)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _outcome(settings: Settings, **extra: Any) -> str:
    ctx = {
        "recipient_name": "Siti",
        "period": "2025-10",
        "outcome": "published",
        "reason": "Capaian rendah",
        **extra,
    }
    return render_message("outcome", ctx, settings)[1]


def test_outcome_names_the_policy_fields_and_cap(tmp_path: Path) -> None:
    only_name = Settings(policy=str(_policy_file(tmp_path, fields=["name"], max_per_scope=2)))
    body = _outcome(only_name)
    assert "hanya memuat nama," in body
    assert "jabatan" not in body and "unit kerja" not in body
    assert "paling banyak 2 nama per OPD" in body
    # It never promises the name is in the announcement before the cap is applied.
    assert "termasuk dalam pengumuman" not in body

    with_nip = Settings(policy=str(_policy_file(tmp_path, fields=["name", "nip", "opd"])))
    assert "hanya memuat nama, NIP dan unit kerja" in _outcome(with_nip)


def test_outcome_over_the_cap_says_not_announced(tmp_path: Path) -> None:
    settings = Settings(policy="jabar")
    body = _outcome(
        settings, announced=False, not_announced_reason="melebihi batas pengumuman per OPD/rumpun"
    )
    assert "TIDAK dimuat dalam pengumuman" in body
    assert "melebihi batas pengumuman per OPD/rumpun" in body
    assert "dimuat dalam pengumuman pegawai" not in body
    off = Settings(policy=str(_policy_file(tmp_path, max_per_scope=0)))
    assert "tidak ada pengumuman nama" in _outcome(off)


def test_warning_lists_indicators_without_blank_lines() -> None:
    _, body = render_message(
        "warning",
        {
            "recipient_name": "Siti",
            "period": "2025-10",
            "opd_name": "Dinas Perhubungan",
            "indicators": [
                {"label": "Kinerja", "value": 40.5},
                {"label": "Kehadiran", "value": 52.0, "note": "8 kali terlambat"},
                {"label": "Perilaku kerja", "value": 61.0},
            ],
            "reason": "Capaian rendah",
            "deadline": DEADLINE,
            "link": "http://127.0.0.1:8100/l/x",
        },
    )
    lines = body.splitlines()
    start = lines.index("Indikator yang menjadi dasar:")
    assert lines[start + 1 : start + 5] == [
        "- Kinerja: 40,5",
        "- Kehadiran: 52,0 (8 kali terlambat)",
        "- Perilaku kerja: 61,0",
        "",
    ]
