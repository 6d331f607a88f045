"""The BKD recap as Markdown tables (for Prefect artifacts and terminals)."""

from __future__ import annotations

from typing import Any

from kinerja.outputs.recap import (
    CANDIDATE_COLUMNS,
    DECISION_COLUMNS,
    DRAFT_HISTORY_COLUMNS,
    NOT_ANNOUNCED_COLUMNS,
    PROPOSAL_COLUMNS,
    SUMMARY_MARKDOWN,
    Recap,
    summary_headers,
    summary_row,
)
from kinerja.outputs.recap_html import DECISION_HEADERS
from kinerja.templates.filters import angka, period_label, selisih


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = [
        "| " + " | ".join(_cell(h) for h in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def recap_markdown(recap: Recap) -> dict[str, str]:
    """Artifact key -> Markdown: ringkasan, kategori, usulan, (distribusi under a predikat
    profile), keputusan, tidak-diumumkan, kualitas-data, pendampingan, draf."""
    every = [*recap.opds, recap.total]
    title = f"Rekap kinerja ASN {period_label(recap.period)}"
    out: dict[str, str] = {}
    out["ringkasan"] = f"# {title}: ringkasan\n\n" + table(
        summary_headers(SUMMARY_MARKDOWN),
        [summary_row(o, SUMMARY_MARKDOWN, angka) for o in every],
    )
    out["kategori"] = (
        f"# {title}: kategori\n\n"
        + table(
            ["Perangkat daerah"] + [b["label"] for b in recap.bands],
            [[o.name] + [o.bands.get(b["code"], 0) for b in recap.bands] for o in every],
        )
        + "\n"
        + table(
            ["Kategori", "Tunjangan", "Kenaikan pangkat"],
            [[b["label"], b["allowance"], b["promotion"]] for b in recap.bands],
        )
    )
    out["usulan"] = (
        f"# {title}: usulan dan alasannya\n\n"
        + table(
            [h for _, h in PROPOSAL_COLUMNS],
            [[r[k] for k, _ in PROPOSAL_COLUMNS] for r in recap.proposals],
        )
        + "\n"
        + table(
            [h for _, h in CANDIDATE_COLUMNS],
            [
                [angka(r[k], 2) if k == "composite" else r[k] for k, _ in CANDIDATE_COLUMNS]
                for r in recap.candidates
            ],
        )
    )
    if recap.distribution:
        out["distribusi"] = f"# {title}: distribusi predikat per perangkat daerah\n\n" + table(
            ["Perangkat daerah", "Predikat organisasi", "Berpredikat"]
            + [b["label"] for b in recap.bands]
            + ["Pemeriksaan distribusi"],
            [
                [r["name"], r["rating"], r["total"]]
                + [r["counts"].get(b["code"], 0) for b in recap.bands]
                + [("PERINGATAN: " if r["warning"] else "") + r["verdict"]]
                for r in recap.distribution
            ],
        )
    cols = [c for c, _, _ in DECISION_COLUMNS]
    out["keputusan"] = f"# {title}: keputusan\n\n" + table(
        ["Perangkat daerah", "Usulan"] + [DECISION_HEADERS[c] for c in cols] + ["Tanpa keputusan"],
        [
            [o.name, o.candidates] + [o.decisions.get(c, 0) for c in cols] + [o.no_decision]
            for o in every
        ],
    )
    out["tidak-diumumkan"] = f"# {title}: ditetapkan diumumkan tetapi tidak dimuat\n\n" + (
        table(
            [h for _, h in NOT_ANNOUNCED_COLUMNS],
            [[r[k] for k, _ in NOT_ANNOUNCED_COLUMNS] for r in recap.not_announced],
        )
        if recap.not_announced
        else "Semua pegawai yang ditetapkan diumumkan dimuat dalam draf pengumuman.\n"
    )
    out["kualitas-data"] = f"# {title}: kualitas data\n\n" + table(
        ["Perangkat daerah", "Dapat dinilai", "Dikarantina", "Alasan", "Data kurang"],
        [
            [
                o.name,
                "ya" if o.assessable else f"tidak: {o.status_reason}",
                o.quarantined_total,
                ", ".join(f"{r} ({n})" for r, n in sorted(o.quarantined.items())),
                o.insufficient,
            ]
            for o in every
        ],
    )
    out["pendampingan"] = f"# {title}: pendampingan\n\n" + (
        table(
            [
                "Pegawai",
                "Perangkat daerah",
                "Dari bulan",
                "Kinerja",
                "Kehadiran",
                "Perilaku",
                "Komposit",
                "Status",
            ],
            [
                [f.name, f.opd_name, f.source_period]
                + [selisih(f.change[k]) for k in ("kinerja", "kehadiran", "perilaku", "composite")]
                + [f.status_label]
                for f in recap.followups
            ],
        )
        if recap.followups
        else "Tidak ada pegawai yang didampingi bulan ini.\n"
    )
    statuses = {"draft": "menunggu persetujuan", "approved": "disetujui", "rejected": "ditolak"}
    counts = ", ".join(
        f"{n} {statuses.get(k, 'ditarik' if k == 'withdrawn' else k)}"
        for k, n in sorted(recap.drafts.items())
    )
    out["draf"] = (
        f"# {title}: draf pengumuman dan apresiasi\n\n{counts or 'Belum ada draf'}.\n\n"
        + (
            table(
                [h for _, h in DRAFT_HISTORY_COLUMNS],
                [[r[k] for k, _ in DRAFT_HISTORY_COLUMNS] for r in recap.draft_history],
            )
            if recap.draft_history
            else "Belum ada keputusan atas draf.\n"
        )
    )
    return out
