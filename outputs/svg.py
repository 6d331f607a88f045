"""Small inline SVG charts (no scripts, no network): histograms, stacked bars, trend lines."""

from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = [
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
BAND_COLOURS = ["#d62728", "#ff9f1c", "#2ca02c", "#1f77b4", "#9467bd"]
NEUTRAL = "#7f7f7f"


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def histogram_svg(
    counts: list[int],
    title: str,
    band_edges: tuple[float, ...] = (50.0, 75.0),
    width: int = 300,
    height: int = 150,
) -> Markup:
    """Bars of the score distribution 0-100 in equal bins, coloured by band, counts on top."""
    left, right, top, bottom = 28, 14, 30, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(counts) if counts and max(counts) > 0 else 1
    bar_w = plot_w / max(1, len(counts))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="13" font-size="11" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#333"/>',
        f'<text x="{left - 4}" y="{top + 8}" font-size="9" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" font-size="9" text-anchor="end">0</text>',
    ]
    step = 100 / max(1, len(counts))
    for i, n in enumerate(counts):
        h = plot_h * n / peak
        x = left + i * bar_w
        band = sum(1 for edge in band_edges if i * step >= edge)
        # no edges (predikat instead of score bands): one neutral colour
        colour = BAND_COLOURS[min(band, len(BAND_COLOURS) - 1)] if band_edges else NEUTRAL
        parts.append(
            f'<rect x="{_fmt(x + 1)}" y="{_fmt(top + plot_h - h)}" width="{_fmt(bar_w - 2)}" '
            f'height="{_fmt(h)}" fill="{colour}"><title>{int(i * step)}-{int((i + 1) * step)}: '
            f"{n}</title></rect>"
        )
        if n:
            parts.append(
                f'<text x="{_fmt(x + bar_w / 2)}" y="{_fmt(top + plot_h - h - 2)}" font-size="8" '
                f'text-anchor="middle">{n}</text>'
            )
    for tick in range(0, 101, 25):
        x = left + plot_w * tick / 100
        parts.append(
            f'<text x="{_fmt(x)}" y="{height - 8}" font-size="9" text-anchor="middle">{tick}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bar_svg(segments: list[tuple[str, int]], width: int = 220, height: int = 16) -> Markup:
    """One horizontal bar split by band; labels in tooltips."""
    total = sum(n for _, n in segments) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
    ]
    x = 0.0
    for i, (label, n) in enumerate(segments):
        w = width * n / total
        if w > 0:
            parts.append(
                f'<rect x="{_fmt(x)}" y="0" width="{_fmt(w)}" height="{height}" '
                f'fill="{BAND_COLOURS[i % len(BAND_COLOURS)]}"><title>{escape(label)}: {n}'
                "</title></rect>"
            )
            if w > 14:
                parts.append(
                    f'<text x="{_fmt(x + w / 2)}" y="{height - 4}" font-size="10" fill="#fff" '
                    f'text-anchor="middle">{n}</text>'
                )
        x += w
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_svg(
    periods: list[str],
    series: dict[str, list[float | None]],
    title: str,
    width: int = 720,
    height: int = 300,
) -> Markup:
    """Lines of the mean composite per series over the months (gaps where no data)."""
    left, right, top, bottom = 34, 190, 24, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(periods) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + plot_w * i / n, top + plot_h * (1 - v / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="15" font-size="12" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in range(0, 101, 25):
        _, y = xy(0, tick)
        parts.append(
            f'<line x1="{left}" y1="{_fmt(y)}" x2="{left + plot_w}" y2="{_fmt(y)}" '
            'stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{_fmt(y + 3)}" font-size="9" text-anchor="end">{tick}</text>'
        )
    for i, p in enumerate(periods):
        x, _ = xy(i, 0)
        parts.append(
            f'<text x="{_fmt(x)}" y="{height - 10}" font-size="9" text-anchor="middle">'
            f"{escape(p)}</text>"
        )
    for k, (name, values) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        run: list[str] = []
        for i, v in enumerate(values):
            if v is None:
                if len(run) > 1:
                    parts.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                        f'points="{" ".join(run)}"/>'
                    )
                run = []
                continue
            x, y = xy(i, v)
            run.append(f"{_fmt(x)},{_fmt(y)}")
            parts.append(
                f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="3" fill="{colour}">'
                f"<title>{escape(name)} {escape(periods[i])}: {v:.1f}</title></circle>"
            )
        if len(run) > 1:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                f'points="{" ".join(run)}"/>'
            )
        ly = top + 12 + 14 * k
        label = name if len(name) <= 28 else name[:27] + "…"
        parts.append(
            f'<rect x="{width - right + 10}" y="{ly - 8}" width="10" height="10" '
            f'fill="{colour}"/><text x="{width - right + 24}" y="{ly + 1}" font-size="10">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
