"""Charts as inline SVG, drawn on the server: no JavaScript library, nothing to build.

Each function returns markup that is safe to embed (every label is escaped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

# Colour-blind-safe palette (Okabe-Ito), one colour per series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999")


def _fmt(value: float) -> str:
    return f"{value:.0%}" if 0 <= value <= 1 and not float(value).is_integer() else f"{value:g}"


def bars(
    items: Sequence[tuple[str, float]], *, title: str, percent: bool = False, width: int = 560
) -> Markup:
    """Horizontal bars, one per (label, value)."""
    row, label_w, pad = 22, 170, 44
    height = row * max(len(items), 1) + 8
    top = max((v for _, v in items), default=0) or 1
    scale = 1.0 if percent else top
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = (width - label_w - pad) * (value / scale if scale else 0)
        text = f"{value:.0%}" if percent else f"{value:g}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{PALETTE[0]}"><title>{escape(label)}: {text}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{text}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every label is escaped above)


def stacked_bars(
    rows: Sequence[tuple[str, dict[str, float]]],
    series: Sequence[str],
    *,
    title: str,
    width: int = 560,
    colours: Sequence[str] = PALETTE,
) -> Markup:
    """Horizontal stacked bars: for each label, its parts by series (with a legend)."""
    row, label_w, pad, legend = 22, 170, 44, 22
    height = legend + row * max(len(rows), 1) + 8
    top = max((sum(parts.values()) for _, parts in rows), default=0) or 1
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    x = 0
    for i, name in enumerate(series):
        out.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{colours[i % len(colours)]}"/>'
            f'<text x="{x + 14}" y="13" class="legend">{escape(name)}</text>'
        )
        x += 14 + 7 * len(name) + 12
    for r, (label, parts) in enumerate(rows):
        y = legend + r * row
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
        left = float(label_w)
        for i, name in enumerate(series):
            value = parts.get(name, 0)
            if not value:
                continue
            w = (width - label_w - pad) * value / top
            out.append(
                f'<rect x="{left:.1f}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" '
                f'fill="{colours[i % len(colours)]}"><title>{escape(label)}, {escape(name)}: '
                f"{value:g}</title></rect>"
            )
            left += w
        out.append(f'<text x="{left + 4:.1f}" y="{y + 14}">{sum(parts.values()):g}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every label is escaped above)


def columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    percent: bool = True,
    width: int = 560,
    height: int = 200,
) -> Markup:
    """Grouped vertical columns over time (months), one colour per series; None is a gap."""
    bottom, left, legend = 24, 36, 20
    plot_h = height - bottom - legend
    values = [v for _, vs in series for v in vs if v is not None]
    top = 1.0 if percent else (max(values, default=0) or 1)
    group = (width - left) / max(len(labels), 1)
    bar = min(48.0, max(2.0, group * 0.8 / max(len(series), 1)))
    out = _column_frame(
        title,
        width,
        height,
        [name for name, _ in series],
        PALETTE,
        left,
        plot_h,
        [(t, f"{t:.0%}" if percent else f"{top * t:g}") for t in (0, 0.5, 1)],
    )
    for g, label in enumerate(labels):
        gx = left + g * group + group * 0.1
        for i, (name, vs) in enumerate(series):
            value = vs[g]
            if value is None:
                continue
            h = plot_h * value / top
            text = f"{value:.0%}" if percent else f"{value:g}"
            out.append(
                f'<rect x="{gx + i * bar:.1f}" y="{legend + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(label)}, '
                f"{escape(name)}: {text}</title></rect>"
            )
        if len(labels) <= 12 or g % max(1, len(labels) // 12) == 0:
            out.append(
                f'<text x="{gx + group * 0.4:.1f}" y="{height - 6}" text-anchor="middle" '
                f'class="axis">{escape(label)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every label is escaped above)


def _column_frame(
    title: str,
    width: int,
    height: int,
    names: Sequence[str],
    colours: Sequence[str],
    left: int,
    plot_h: int,
    ticks: Sequence[tuple[float, str]],
) -> list[str]:
    """The opening of a column chart: the svg element, the legend of the series along the top
    (20 pixels) and the horizontal grid lines with their labels."""
    legend = 20
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    x = left
    for i, name in enumerate(names):
        out.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{colours[i % len(colours)]}"/>'
            f'<text x="{x + 14}" y="13" class="legend">{escape(name)}</text>'
        )
        x += 14 + 7 * len(name) + 12
    for tick, label in ticks:
        y = legend + plot_h * (1 - tick)
        out.append(
            f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">{label}</text>'
        )
    return out


def stacked_columns(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    colours: Sequence[str] = PALETTE,
    width: int = 560,
    height: int = 200,
) -> Markup:
    """Vertical columns over time (days, weeks), each stacked by series, with a legend."""
    bottom, left, legend = 24, 40, 20
    plot_h = height - bottom - legend
    totals = [sum(vs[g] for _, vs in series) for g in range(len(labels))]
    top = max(totals, default=0) or 1
    group = (width - left) / max(len(labels), 1)
    bar = max(1.0, group * 0.8)
    out = _column_frame(
        title,
        width,
        height,
        [name for name, _ in series],
        colours,
        left,
        plot_h,
        [(t, f"{top * t:g}") for t in (0, 0.5, 1)],
    )
    every = max(1, len(labels) // 8)
    for g, label in enumerate(labels):
        gx = left + g * group + group * 0.1
        base = float(legend + plot_h)
        for i, (name, vs) in enumerate(series):
            if not vs[g]:
                continue
            h = plot_h * vs[g] / top
            base -= h
            out.append(
                f'<rect x="{gx:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colours[i % len(colours)]}"><title>{escape(label)}, {escape(name)}: '
                f"{vs[g]:g}</title></rect>"
            )
        if g % every == 0:
            out.append(
                f'<text x="{gx + bar / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                f'class="axis">{escape(label)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (every label is escaped above)


def heat(value: int, top: int) -> str:
    """The class of a heatmap cell, ``heat-1`` (lightest) to ``heat-10``: darker for more
    tickets. Classes of dashboard.css, not inline styles, which the dashboard's CSP refuses."""
    if not value or not top:
        return ""
    return f"heat-{max(1, min(10, math.ceil(10 * value / top)))}"
