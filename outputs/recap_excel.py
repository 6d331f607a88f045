"""The BKD recap as an Excel workbook (openpyxl), one sheet per view."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kinerja.outputs.recap import (
    BINS,
    CANDIDATE_COLUMNS,
    DECISION_COLUMNS,
    NOT_ANNOUNCED_COLUMNS,
    PROPOSAL_COLUMNS,
    SUMMARY_COLUMNS,
    OpdRecap,
    Recap,
    summary_headers,
    summary_row,
)
from kinerja.outputs.recap_html import DECISION_HEADERS

HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[Any]]) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in rows:
        ws.append(row)
    for i, h in enumerate(headers, start=1):
        width = max([len(str(h))] + [len(str(r[i - 1])) for r in rows if len(r) >= i] + [6])
        ws.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
    ws.freeze_panes = "B2"
    return ws


def _r(x: float | None) -> float | None:
    return round(x, 2) if x is not None else None


def write_workbook(recap: Recap, path: Path) -> Path:
    """Sheets: Ringkasan, Sebaran, Kategori, Keputusan, Kualitas data, Tren, Pendampingan,
    Pendampingan berikutnya, Tidak diumumkan."""
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    every: list[OpdRecap] = [*recap.opds, recap.total]
    keys = [k for k, _ in SUMMARY_COLUMNS]
    _sheet(wb, "Ringkasan", summary_headers(keys), [summary_row(o, keys, _r) for o in every])
    step = 100 // BINS
    dist = _sheet(
        wb,
        "Sebaran",
        ["Perangkat daerah"] + [f"{i * step}-{(i + 1) * step}" for i in range(BINS)],
        [[o.name, *o.histogram] for o in every],
    )
    chart = BarChart()
    chart.title = "Sebaran indeks komposit (seluruh perangkat daerah)"
    chart.y_axis.title = "Pegawai"
    total_row = len(every) + 1
    chart.add_data(
        Reference(dist, min_col=2, max_col=BINS + 1, min_row=total_row),
        from_rows=True,
        titles_from_data=False,
    )
    chart.set_categories(Reference(dist, min_col=2, max_col=BINS + 1, min_row=1))
    chart.legend = None
    dist.add_chart(chart, f"A{total_row + 3}")
    _sheet(
        wb,
        "Kategori",
        ["Perangkat daerah"] + [b["label"] for b in recap.bands],
        [[o.name] + [o.bands.get(b["code"], 0) for b in recap.bands] for o in every]
        + [[]]
        + [["Kategori", "Tunjangan", "Kenaikan pangkat"]]
        + [[b["label"], b["allowance"], b["promotion"]] for b in recap.bands],
    )
    if recap.distribution:
        _sheet(
            wb,
            "Distribusi predikat",
            ["Perangkat daerah", "Predikat organisasi", "Berpredikat"]
            + [b["label"] for b in recap.bands]
            + ["Peringatan", "Pemeriksaan distribusi"],
            [
                [r["name"], r["rating"], r["total"]]
                + [r["counts"].get(b["code"], 0) for b in recap.bands]
                + ["ya" if r["warning"] else "tidak", r["verdict"]]
                for r in recap.distribution
            ],
        )
    cols = [c for c, _, _ in DECISION_COLUMNS]
    _sheet(
        wb,
        "Keputusan",
        ["Perangkat daerah", "Usulan"] + [DECISION_HEADERS[c] for c in cols] + ["Tanpa keputusan"],
        [
            [o.name, o.candidates] + [o.decisions.get(c, 0) for c in cols] + [o.no_decision]
            for o in every
        ],
    )
    reasons = sorted(recap.total.quarantined)
    _sheet(
        wb,
        "Kualitas data",
        ["Perangkat daerah", "Dapat dinilai", "Alasan tidak dapat dinilai", "Dikarantina"]
        + reasons
        + ["Pegawai data kurang"],
        [
            [o.name, "ya" if o.assessable else "tidak", o.status_reason, o.quarantined_total]
            + [o.quarantined.get(r, 0) for r in reasons]
            + [o.insufficient]
            for o in every
        ],
    )
    names = {o.code: o.name for o in recap.opds}
    trend = _sheet(
        wb,
        "Tren",
        ["Perangkat daerah", *recap.trend_periods],
        [[names.get(c, c)] + [_r(v) for v in values] for c, values in recap.trend.items()],
    )
    if recap.trend:
        line = LineChart()
        line.title = "Rata-rata indeks komposit per bulan"
        line.add_data(
            Reference(
                trend,
                min_col=1,
                max_col=len(recap.trend_periods) + 1,
                min_row=2,
                max_row=len(recap.trend) + 1,
            ),
            from_rows=True,
            titles_from_data=True,
        )
        line.set_categories(
            Reference(trend, min_col=2, max_col=len(recap.trend_periods) + 1, min_row=1)
        )
        trend.add_chart(line, f"A{len(recap.trend) + 4}")
    keys = ["kinerja", "kehadiran", "perilaku", "composite"]
    _sheet(
        wb,
        "Pendampingan",
        ["NIP", "Nama", "Perangkat daerah", "Dari bulan", "Status"]
        + [f"{k} awal" for k in keys]
        + [f"{k} kini" for k in keys]
        + [f"{k} perubahan" for k in keys],
        [
            [f.nip, f.name, f.opd_name, f.source_period, f.status_label]
            + [_r(f.baseline[k]) for k in keys]
            + [_r(f.current[k]) for k in keys]
            + [_r(f.change[k]) for k in keys]
            for f in recap.followups
        ],
    )
    _sheet(
        wb,
        "Pendampingan berikutnya",
        ["NIP", "Nama", "Perangkat daerah", "Bulan", "Pendamping", "Sasaran", "Jadwal"],
        [
            [
                c["nip"],
                c["name"],
                c["opd_name"],
                c["period"],
                c["coach"],
                c["goals"],
                ", ".join(c["checkins"]),
            ]
            for c in recap.coaching_next
        ],
    )
    _sheet(
        wb,
        "Usulan",
        [h for _, h in PROPOSAL_COLUMNS],
        [[r[k] for k, _ in PROPOSAL_COLUMNS] for r in recap.proposals],
    )
    _sheet(
        wb,
        "Kandidat",
        [h for _, h in CANDIDATE_COLUMNS],
        [[r[k] for k, _ in CANDIDATE_COLUMNS] for r in recap.candidates],
    )
    _sheet(
        wb,
        "Tidak diumumkan",
        [h for _, h in NOT_ANNOUNCED_COLUMNS],
        [[r[k] for k, _ in NOT_ANNOUNCED_COLUMNS] for r in recap.not_announced],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    os.replace(tmp, path)
    return path
