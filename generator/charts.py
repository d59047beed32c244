"""Bar charts drawn at build time in plain HTML and CSS: no script, no request, text that
wraps on a phone and grows with 大字 like the rest of the page.

A chart repeats figures that a table on the same page already lists, so it is one image
for a screen reader (role="img", named by its title), not a second table. Each bar is
labelled with its row's 序号 in that table and the name (shortened by CSS on a narrow
screen, whole in the bar's `title`), so two long names that start alike stay apart; its
figure is written exactly as the table writes it, in the same unit.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from .money import Money, Unit, common_unit, format_amount

MAX_BARS = 30  # a longer list is charted by its largest items, and the chart says so
MIN_BARS = 2  # one bar compares nothing: the table says it all


def bar_chart(chart_id: str, title: str, labels: Sequence[str], values: Sequence[Money], unit: Unit | None = None) -> Markup:
    """Return a chart of horizontal bars, one per label, in `unit` (default: the values' common unit)."""
    if len(values) < MIN_BARS:
        return Markup()
    unit = unit or common_unit(values)
    bars = [(n, label, value.to(unit).amount) for n, (label, value) in enumerate(zip(labels, values, strict=True), 1)]
    note = ""
    if len(bars) > MAX_BARS:
        kept = set(sorted(range(len(bars)), key=lambda i: (-bars[i][2], i))[:MAX_BARS])
        bars = [bar for i, bar in enumerate(bars) if i in kept]  # the largest, in the list's own order
        note = f"（仅显示金额最大的 {MAX_BARS} 项，完整数字见上表）"
    largest = max((amount for _, _, amount in bars), default=0) or 1
    parts = [Markup('<div class="chart" id="{}" role="img" aria-label="{}">').format(chart_id, f"{title}（单位：{unit}）{note}")]
    for number, label, amount in bars:
        share = max(float(amount / largest) * 100, 0.5) if amount > 0 else 0.0
        parts.append(Markup(
            '<div class="bar-row" title="{label}"><span class="bar-label">{number}. {label}</span>'
            '<span class="bar-track"><span class="bar" style="width:{share:.2f}%"></span></span>'
            '<span class="bar-value">{figure}</span></div>'
        ).format(label=label, number=number, share=share, figure=format_amount(amount)))
    if note:
        parts.append(Markup('<p class="chart-note">{}</p>').format(note))
    parts.append(Markup("</div>"))
    return Markup("").join(parts)
