"""Excel templates for offices without a source system: one workbook per data kind.

Each workbook's first sheet ("data") has the contract's headers, NIP columns formatted as Text
(so Excel never turns an 18-digit NIP into a number), dropdowns for every closed list
(statuses, kinds, rater roles, behaviour items, Ya/Tidak), date columns as dates; a second
sheet ("Petunjuk") explains each column in Indonesian. A filled workbook is what an `xlsx`
source reads (sources.files), unchanged.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kinerja.domain import (
    ActivityKind,
    ApprovalStatus,
    AttendanceStatus,
    EmployeeStatus,
    IndicatorKind,
    Period,
    PositionLevel,
    RaterRole,
)
from kinerja.rules.frames import FRAME_COLUMNS
from kinerja.rules.policy import Policy
from kinerja.sources.cells import DATE_COLUMNS, DATETIME_COLUMNS, NIP_COLUMNS
from kinerja.sources.validate import REGISTER_EXTRAS

FORMATTED_ROWS = 2000  # rows pre-formatted as Text/date; the column format covers the rest
LAST_ROW = 1_048_576
TEXT = "@"
DATE = "DD/MM/YYYY"
DATETIME = "DD/MM/YYYY HH:MM"

# Column -> (wajib?, what to enter, example), in Indonesian: the operator reads this.
HELP: dict[str, tuple[bool, str, str]] = {
    "nip": (
        True,
        "NIP 18 digit (PPPK: nomor induk PPPK), diketik sebagai teks",
        "197901142022101001",
    ),
    "name": (True, "Nama lengkap dengan gelar", "Dra. Hj. Siti Nur'aini, M.Si."),
    "status": (True, "Status kepegawaian: PNS atau PPPK", "PNS"),
    "opd_code": (True, "Kode OPD tempat bertugas", "DINKES"),
    "opd_name": (False, "Nama OPD", "Dinas Kesehatan"),
    "rumpun_code": (False, "Kode rumpun OPD", "KESRA"),
    "rumpun_name": (False, "Nama rumpun OPD", "Kesejahteraan Rakyat"),
    "position_level": (
        True,
        "Jenjang jabatan: staff, eselon_iv, eselon_iii, eselon_ii, eselon_i",
        "staff",
    ),
    "job_title": (False, "Nama jabatan (Plt/Plh/Pj bila pelaksana tugas)", "Analis Kebijakan"),
    "supervisor_nip": (False, "NIP atasan langsung (kosong untuk eselon I)", "197001011995031002"),
    "start_date": (True, "Tanggal mulai pada jabatan ini (hari/bulan/tahun)", "01/01/2020"),
    "end_date": (False, "Tanggal terakhir pada jabatan ini; kosong bila masih menjabat", ""),
    "email": (False, "Alamat email untuk pemberitahuan", "nama@jabarprov.go.id"),
    "phone": (False, "Nomor telepon/WhatsApp", "081234567890"),
    "work_date": (True, "Tanggal kerja dalam periode ini (hari/bulan/tahun)", "01/10/2025"),
    "check_in": (False, "Jam datang JJ:MM (kosong bila tidak absen datang)", "07:25"),
    "check_out": (False, "Jam pulang JJ:MM (kosong bila tidak absen pulang)", "16:05"),
    "external_id": (
        True,
        "Nomor unik aktivitas di aplikasi sumber (maks. 64 karakter)",
        "A-000123",
    ),
    "entered_at": (
        True,
        "Waktu aktivitas dicatat (hari/bulan/tahun jam:menit)",
        "01/10/2025 16:10",
    ),
    "minutes": (True, "Menit efektif aktivitas (1-1440)", "120"),
    "completed": (True, "Apakah keluaran selesai: Ya atau Tidak", "Ya"),
    "approval": (True, "Status persetujuan atasan: approved, pending, rejected", "approved"),
    "approver_nip": (False, "NIP yang menyetujui", "197001011995031002"),
    "rater_nip": (True, "NIP penilai (tidak boleh menilai diri sendiri)", "197001011995031002"),
    "rater_role": (True, "Peran penilai: supervisor, peer, subordinate", "peer"),
    "item": (True, "Butir perilaku BerAKHLAK", "akuntabel"),
    "score": (True, "Nilai pada skala kebijakan", "4"),
    "kind": (True, "Jenis", ""),
    "value": (True, "Capaian dalam persen (0-100), koma atau titik desimal", "87,5"),
}
STATUS_HELP = {
    "attendance": "Status kehadiran: present (hadir), absent (tanpa keterangan), leave (cuti), "
    "sick (sakit), official_travel (dinas luar), holiday (libur), connectivity_gap (perangkat "
    "absensi mati)",
}
KIND_HELP = {
    "activities": "Jenis aktivitas: main (utama) atau additional (tambahan)",
    "indicators": "Jenis indikator: capaian_fisik, iki, iku, ikp",
}


def _choices(kind: str, column: str, policy: Policy) -> list[str] | None:
    """The closed list a column takes its values from, if it has one."""
    if column == "status":
        return list(EmployeeStatus) if kind == "employees" else list(AttendanceStatus)
    if column == "kind":
        return list(ActivityKind) if kind == "activities" else list(IndicatorKind)
    lists: dict[str, list[str]] = {
        "position_level": list(PositionLevel),
        "approval": list(ApprovalStatus),
        "rater_role": [r for r in RaterRole if r != RaterRole.SELF],
        "item": list(policy.behaviour.items),
        "completed": ["Ya", "Tidak"],
    }
    return lists.get(column)


def columns_of(kind: str) -> list[str]:
    return [*FRAME_COLUMNS[kind], *(REGISTER_EXTRAS if kind == "employees" else [])]


def _help(kind: str, column: str) -> tuple[bool, str, str]:
    required, text, example = HELP[column]
    if column == "status" and kind in STATUS_HELP:
        return True, STATUS_HELP[kind], "present"
    if column == "kind" and kind in KIND_HELP:
        return True, KIND_HELP[kind], "main" if kind == "activities" else "iki"
    if column == "nip" and kind == "behaviour":
        return True, "NIP pegawai yang dinilai", example
    return required, text, example


def _data_sheet(sheet: Worksheet, kind: str, period: str, policy: Policy) -> None:
    first, last = Period.parse(period).bounds()
    sheet.title = "data"
    columns = columns_of(kind)
    sheet.append(columns)
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        cell = sheet.cell(row=1, column=j)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7" if _help(kind, column)[0] else "F2F2F2")
        sheet.column_dimensions[letter].width = max(14, len(column) + 4)
        fmt = None
        if column in NIP_COLUMNS or column in ("external_id", "phone", "check_in", "check_out"):
            fmt = TEXT  # never a number: an 18-digit NIP would lose its last digits
        elif column in DATE_COLUMNS:
            fmt = DATE
        elif column in DATETIME_COLUMNS:
            fmt = DATETIME
        if fmt is not None:
            sheet.column_dimensions[letter].number_format = fmt
            for row in range(2, FORMATTED_ROWS + 2):
                sheet.cell(row=row, column=j).number_format = fmt
        cells = f"{letter}2:{letter}{LAST_ROW}"
        rule = _validation(kind, column, policy, first.isoformat(), last.isoformat())
        if rule is not None:
            rule.add(cells)
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"


def _validation(
    kind: str, column: str, policy: Policy, first: str, last: str
) -> DataValidation | None:
    choices = _choices(kind, column, policy)
    if choices is not None:
        rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        rule.error = f"Pilih salah satu: {', '.join(choices)}"
    elif column == "work_date":
        rule = DataValidation(
            type="date",
            operator="between",
            formula1=str(_serial(first)),  # Excel's day numbers: no locale in a formula
            formula2=str(_serial(last)),
            allow_blank=True,
        )
        rule.error = f"Tanggal kerja harus dalam periode {first[:7]}"
    elif column in DATE_COLUMNS or column in DATETIME_COLUMNS:
        rule = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
        rule.error = "Isi dengan tanggal (hari/bulan/tahun)"
    elif column == "minutes":
        rule = DataValidation(
            type="whole", operator="between", formula1="1", formula2="1440", allow_blank=True
        )
        rule.error = "Menit efektif 1 sampai 1440"
    elif column == "score":
        b = policy.behaviour
        rule = DataValidation(
            type="decimal",
            operator="between",
            formula1=f"{b.scale_min:g}",
            formula2=f"{b.scale_max:g}",
            allow_blank=True,
        )
        rule.error = f"Nilai {b.scale_min:g} sampai {b.scale_max:g}"
    elif column == "value":
        rule = DataValidation(
            type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
        )
        rule.error = "Persen 0 sampai 100"
    else:
        return None
    rule.errorTitle = "Isian tidak sesuai"
    rule.showErrorMessage = True
    return rule


def _serial(day: str) -> int:
    from datetime import date

    return (date.fromisoformat(day) - date(1899, 12, 30)).days


def _help_sheet(book: Workbook, kind: str, period: str) -> None:
    sheet = book.create_sheet("Petunjuk")
    sheet.append([f"Templat {kind} untuk periode {period}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [
            "Isi lembar 'data' mulai baris 2, satu baris per catatan, tanpa mengubah judul "
            "kolom. Kolom NIP berformat Teks: ketik atau tempel NIP sebagai teks (jangan ubah "
            "formatnya menjadi angka, Excel akan menghapus digit terakhir). Simpan sebagai "
            ".xlsx dengan nama yang sama."
        ]
    )
    sheet["A2"].alignment = Alignment(wrap_text=True)
    sheet.append([])
    sheet.append(["Kolom", "Wajib", "Isi", "Contoh"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for column in columns_of(kind):
        required, text, example = _help(kind, column)
        sheet.append([column, "ya" if required else "tidak", text, example])
    for letter, width in zip("ABCD", (18, 8, 80, 30), strict=True):
        sheet.column_dimensions[letter].width = width


def write_templates(period: str, out: Path, policy: Policy) -> list[Path]:
    """One <kind>.xlsx per data kind in `out`, for the period; returns the paths."""
    Period.parse(period).bounds()  # a bad period fails here, naming it
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in FRAME_COLUMNS:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        _data_sheet(sheet, kind, period, policy)
        _help_sheet(book, kind, period)
        path = out / f"{kind}.xlsx"
        book.save(path)
        written.append(path)
    return written
