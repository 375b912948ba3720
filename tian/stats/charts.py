"""Charts drawn on the server as SVG: no script, no CDN, sharp in print. Every chart carries its numbers
as text too, so colour is never the only signal."""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ["#a3201c", "#0b57a4", "#1a7f37", "#8a5a00", "#6e40c9", "#59636e"]


def _svg(width, height, body, title):
    return mark_safe(  # noqa: S308 - every text below is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="{escape(title)}" class="chart" font-family="sans-serif" font-size="13">'
        f"<title>{escape(title)}</title>{body}</svg>")


def bar_chart(items: list[tuple[str, float | None]], *, title: str, suffix: str = "", max_value=None) -> str:
    """Horizontal bars, one per (label, value)."""
    items = [(label, value or 0) for label, value in items]
    row, label_width, width = 26, 150, 640
    top = max_value or max([v for _l, v in items] + [1])
    body = []
    for i, (label, value) in enumerate(items):
        y = i * row + 4
        length = 0 if not top else (width - label_width - 70) * value / top
        body.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(str(label)[:12])}</text>'
                    f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{row - 8}" fill="{PALETTE[0]}"/>'
                    f'<text x="{label_width + length + 6:.1f}" y="{y + 15}">{value:g}{escape(suffix)}</text>')
    return _svg(width, max(len(items), 1) * row + 8, "".join(body), title)


def donut(shares: dict[str, float | None], *, title: str, labels: dict[str, str] | None = None) -> str:
    """Class shares (A/B/C) as a ring with a legend carrying the percentages."""
    total = sum(v or 0 for v in shares.values())
    cx, cy, r = 90, 90, 70
    body, angle = [], -math.pi / 2
    for i, value in enumerate(shares.values()):
        value = value or 0
        if not total or not value:
            continue
        sweep = 2 * math.pi * value / total
        end = angle + sweep
        large = 1 if sweep > math.pi else 0
        x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
        x2, y2 = cx + r * math.cos(end - 1e-6), cy + r * math.sin(end - 1e-6)
        body.append(f'<path d="M {x1:.2f} {y1:.2f} A {r} {r} 0 {large} 1 {x2:.2f} {y2:.2f}" fill="none" '
                    f'stroke="{PALETTE[i % len(PALETTE)]}" stroke-width="34"/>')
        angle = end
    for i, (key, value) in enumerate(shares.items()):
        name = (labels or {}).get(key, key)
        body.append(f'<rect x="200" y="{20 + i * 24}" width="14" height="14" fill="{PALETTE[i % len(PALETTE)]}"/>'
                    f'<text x="222" y="{32 + i * 24}">{escape(name)}:{(value or 0):g}%</text>')
    if not total:
        body.append('<text x="40" y="95">—</text>')
    return _svg(520, 190, "".join(body), title)


def line_chart(points: list[tuple[str, float | None]], *, title: str, suffix: str = "%") -> str:
    """A trend over years; missing values leave a gap."""
    width, height, left, bottom = 640, 220, 40, 30
    n = max(len(points), 1)
    step = (width - left - 20) / max(n - 1, 1)
    values = [v for _l, v in points if v is not None]
    top = max(values + [100 if suffix == "%" else 1])
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#8c959f"/>']
    coords = []
    for i, (label, value) in enumerate(points):
        x = left + i * step
        body.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle">{escape(str(label))}</text>')
        if value is None:
            continue
        y = height - bottom - (height - bottom - 20) * value / top
        coords.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{PALETTE[1]}"/>'
                    f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{value:g}{escape(suffix)}</text>')
    if len(coords) > 1:
        body.insert(1, f'<polyline points="{" ".join(coords)}" fill="none" stroke="{PALETTE[1]}" stroke-width="2"/>')
    return _svg(width, height, "".join(body), title)
