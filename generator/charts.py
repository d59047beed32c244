"""Bar charts drawn at build time as inline SVG: no script, no request, prints sharply.

A chart repeats figures that a table on the same page already lists, so screen
reader users get the chart's name from its <title> and the figures from the
table; the chart itself is one image (role="img"), not a maze of shapes.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from .money import Money, format_amount, total

WIDTH = 720
LABEL_WIDTH = 260
VALUE_WIDTH = 130
BAR_HEIGHT = 18
ROW_HEIGHT = 28
LABEL_CHARS = 16  # a label longer than this is shortened; the table beside it has it whole
MAX_BARS = 30  # a longer list is charted by its largest items, and the chart says so


def bar_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[Money]) -> Markup:
    """Return an SVG of horizontal bars, one per label, all in the values' common money unit."""
    unit = total(list(values)).unit
    bars = [(label, value.to(unit).amount) for label, value in zip(labels, values, strict=True)]
    note = ""
    if len(bars) > MAX_BARS:
        kept = set(sorted(range(len(bars)), key=lambda i: (-bars[i][1], i))[:MAX_BARS])
        bars = [bar for i, bar in enumerate(bars) if i in kept]  # the largest, in the list's own order
        note = f"（仅显示金额最大的 {MAX_BARS} 项，完整数字见上表）"
    largest = max((amount for _, amount in bars), default=0) or 1
    height = ROW_HEIGHT * (len(bars) + bool(note)) + 8
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}（单位：{unit}）{note}</title>',
    ]
    for i, (label, amount) in enumerate(bars):
        y = 4 + i * ROW_HEIGHT
        length = max(float(amount / largest) * span, 1.0) if amount > 0 else 0.0
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 14}" text-anchor="end">{escape(shorten(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 14}">{format_amount(amount)}</text>'
        )
    if note:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{4 + len(bars) * ROW_HEIGHT + 14}">{note}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def shorten(label: str) -> str:
    """Shorten a long label for the chart."""
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
