"""Indonesian display helpers for portal pages: numbers, local times, labels."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from kinerja.review.describe import recorded_by
from kinerja.templates.filters import MONTHS, local_time, period_label, zone_label

STAGES = {
    "awaiting_selection": "Menunggu pemilihan oleh pimpinan",
    "awaiting_defence": "Menunggu pembelaan dan putusan",
    "done": "Selesai",
    "no_decision": "Tanpa keputusan (batas waktu lewat)",
    "not_assessable": "Tidak dapat dinilai",
}
ATTENDANCE = {
    "present": "Hadir",
    "absent": "Tidak hadir tanpa keterangan",
    "leave": "Cuti",
    "sick": "Sakit",
    "official_travel": "Dinas luar",
    "holiday": "Libur",
    "connectivity_gap": "Gangguan jaringan (tidak teramati)",
}
ACTIVITY_KIND = {"main": "Utama", "additional": "Tambahan"}
APPROVAL = {"approved": "Disetujui", "pending": "Menunggu persetujuan", "rejected": "Ditolak"}
BAND = {"kurang": "Kurang (< 50)", "cukup": "Cukup (50-75)", "baik": "Baik (> 75)"}
COMPONENTS = {
    "c_behaviour": "Perilaku (kuesioner 360°)",
    "c_main_activity": "Kegiatan utama",
    "c_additional_activity": "Kegiatan tambahan",
    "c_attendance": "Kehadiran",
    "c_capaian_fisik": "Capaian fisik",
    "c_iki": "IKI",
    "c_iku": "IKU",
    "c_ikp": "IKP",
    "c_iku_iki_ikp": "IKI/IKU/IKP",
    "c_subordinate_activity": "Kegiatan bawahan",
    "workdays_expected": "Hari kerja",
    "days_observed": "Hari tercatat",
    "days_excused": "Hari berketerangan (cuti, sakit, dinas, libur)",
    "days_absent": "Hari tidak hadir",
    "late_count": "Terlambat (kali)",
    "early_count": "Pulang cepat (kali)",
    "missing_checkin": "Tanpa absen masuk (hari)",
    "missing_checkout": "Tanpa absen pulang (hari)",
    "activities_unapproved": "Kegiatan belum disetujui",
    "activities_incomplete": "Kegiatan tidak selesai",
    "raters": "Jumlah penilai perilaku",
}


def num(value: Any, digits: int = 1) -> str:
    """45.25 -> '45,3' (Indonesian decimal comma); None/NaN -> '-'."""
    if value is None or isinstance(value, bool):
        return "-" if value is None else ("ya" if value else "tidak")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number != number:
        return "-"
    text = f"{number:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def day(value: date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def short_day(value: date) -> str:
    """'Rab 1 Okt': compact enough for a table row on a phone."""
    days = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"]
    return f"{days[value.weekday()]} {value.day} {MONTHS[value.month - 1][:3]}"


def when(value: datetime | None) -> str:
    """'3 November 2025 pukul 16.00 WIB': stored naive UTC, shown in the configured zone."""
    if value is None:
        return "-"
    loc = local_time(value)
    return f"{day(loc.date())} pukul {loc:%H.%M} {zone_label()}"


def clock(value: time | None) -> str:
    return "-" if value is None else f"{value:%H.%M}"


def activity_targets() -> dict[str, float | bool]:
    """The configured policy's activity targets in minutes per working day (what "% dari
    target" in the components means)."""
    from kinerja.review.deciders import active_policy

    acts = active_policy().activities
    return {
        "main": acts.main_target_minutes_per_day,
        "additional": acts.additional_target_minutes_per_day,
        "count_incomplete": acts.count_incomplete,
    }


def helpers() -> dict[str, Any]:
    """What every portal template gets for display."""
    return {
        "num": num,
        "when": when,
        "day": day,
        "short_day": short_day,
        "clock": clock,
        "activity_targets": activity_targets,
        "period_label": period_label,
        "STAGES": STAGES,
        "ATTENDANCE": ATTENDANCE,
        "ACTIVITY_KIND": ACTIVITY_KIND,
        "APPROVAL": APPROVAL,
        "BAND": BAND,
        "COMPONENTS": COMPONENTS,
        "recorded_by": recorded_by,
    }
