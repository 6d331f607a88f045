"""Indonesian formatting filters for templates: months, dates, numbers, QR codes of links."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
WEEKDAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]


FIELD_LABELS = {"name": "nama", "nip": "NIP", "position": "jabatan", "opd": "unit kerja"}


def fields_label(fields: list[str]) -> str:
    """['name', 'position', 'opd'] -> 'nama, jabatan dan unit kerja'."""
    names = [FIELD_LABELS[f] for f in fields]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " dan " + names[-1]


def _as_date(value: Any) -> date | datetime:
    if isinstance(value, date):
        return value
    text = str(value)
    return datetime.fromisoformat(text) if "T" in text or " " in text else date.fromisoformat(text)


def period_label(period: str) -> str:
    """'2025-10' -> 'Oktober 2025'."""
    year, month = str(period).split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def tanggal(value: Any) -> str:
    """A date as 'Senin, 3 November 2025'."""
    d = _as_date(value)
    return f"{WEEKDAYS[d.weekday()]}, {d.day} {MONTHS[d.month - 1]} {d.year}"


ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def _zone() -> str:
    from kinerja.settings import get_settings

    return get_settings().timezone


def local_time(value: datetime) -> datetime:
    """An aware datetime in the configured zone (Asia/Jakarta); naive input is taken as UTC,
    the way the database stores every moment."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(_zone()))


def zone_label() -> str:
    """The configured zone as people name it (WIB, WITA, WIT), or its IANA name."""
    zone = _zone()
    return ZONE_LABELS.get(zone, zone)


def local_iso(value: datetime | None) -> str | None:
    """A stored moment as local ISO 8601 with its offset, to the second (files people and
    programs read, e.g. manifest.json): '2025-11-03T16:00:00+07:00'; None stays None."""
    if value is None:
        return None
    return local_time(value).replace(microsecond=0).isoformat()


def local_stamp(value: datetime | None) -> str:
    """A stored moment for a terminal line: '2025-11-03 16.00 WIB'; None -> '-'."""
    if value is None:
        return "-"
    return f"{local_time(value):%Y-%m-%d %H.%M} {zone_label()}"


def tanggal_jam(value: Any) -> str:
    """A moment as 'Senin, 3 November 2025 pukul 16.00 WIB' (dates alone get no time).

    Aware datetimes are shown in the configured zone; naive ones are shown as given (callers
    pass local times, e.g. review.people.wib()).
    """
    d = _as_date(value)
    if isinstance(d, datetime):
        if d.tzinfo is not None:
            d = d.astimezone(ZoneInfo(_zone()))
        return f"{tanggal(d)} pukul {d:%H.%M} {zone_label()}"
    return tanggal(d)


def angka(value: Any, digits: int = 1) -> str:
    """A number with the Indonesian decimal comma: 45.25 -> '45,3'; None -> '-'."""
    if value is None:
        return "-"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number != number:  # NaN: no data
        return "-"
    text = f"{number:,.{digits}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def selisih(value: Any, digits: int = 1) -> str:
    """A signed change: +3,5 / -2,0 / 0,0; None -> '-'."""
    if value is None:
        return "-"
    number = float(value)
    sign = "+" if number > 0 else ""
    return sign + angka(number, digits)


def qr_svg(value: Any, scale: int = 3) -> Markup:
    """A QR code of a link as inline SVG (printed letters: the phone opens it); nothing for none.

    Error correction M: a letter folded or stamped over still scans.
    """
    if not value:
        return Markup("")
    import segno

    code = segno.make(str(value), error="m", micro=False)
    return Markup(
        code.svg_inline(scale=scale, border=2, title="Kode QR tautan", svgclass="qr", omitsize=True)
    )


FILTERS = {
    "qr_svg": qr_svg,
    "period_label": period_label,
    "tanggal": tanggal,
    "tanggal_jam": tanggal_jam,
    "angka": angka,
    "selisih": selisih,
}
