"""The BKD recap as one self-contained HTML page with inline SVG charts."""

from __future__ import annotations

from markupsafe import Markup

from kinerja.outputs.recap import DECISION_COLUMNS, DRAFT_HISTORY_COLUMNS, Recap
from kinerja.outputs.svg import BAND_COLOURS, histogram_svg, stacked_bar_svg, trend_svg
from kinerja.templates import environment

DECISION_HEADERS = {
    "ditetapkan": "Ditetapkan",
    "tidak_ditetapkan": "Tidak ditetapkan",
    "peringatan": "Peringatan",
    "pembelaan": "Pembelaan",
    "pembelaan_diterima": "Pembelaan diterima",
    "pembelaan_ditolak": "Pembelaan ditolak",
    "diumumkan": "Diumumkan",
    "tidak_diumumkan": "Tidak diumumkan",
}


def band_edges(recap: Recap) -> tuple[float, ...]:
    """Where the bands meet, from the policy: used to colour the histograms."""
    return tuple(float(b["max_score"]) for b in recap.bands[:-1] if b["max_score"] is not None)


def render_recap_html(recap: Recap) -> str:
    edges = band_edges(recap)
    charts: dict[str, Markup] = {
        o.code: histogram_svg(o.histogram, o.name, edges) for o in recap.opds
    }
    band_bars = {
        o.code: stacked_bar_svg([(b["label"], o.bands.get(b["code"], 0)) for b in recap.bands])
        for o in [*recap.opds, recap.total]
    }
    series: dict[str, list[float | None]] = {
        next((o.name for o in recap.opds if o.code == code), code): values
        for code, values in recap.trend.items()
        if any(v is not None for v in values)
    }
    return (
        environment()
        .get_template("outputs/recap.html.j2")
        .render(
            recap=recap,
            total_chart=histogram_svg(
                recap.total.histogram, "Seluruh perangkat daerah", edges, width=420, height=180
            ),
            charts=charts,
            band_bars=band_bars,
            trend_chart=trend_svg(
                recap.trend_periods, series, "Rata-rata indeks komposit per bulan"
            ),
            decision_columns=[(c, DECISION_HEADERS[c]) for c, _, _ in DECISION_COLUMNS],
            band_colours=BAND_COLOURS,
            draft_history_columns=DRAFT_HISTORY_COLUMNS,
        )
    )
