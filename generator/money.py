"""Exact money: a Decimal amount in the unit the document printed (元 or 万元), and the one
way every page writes it.

A record keeps the digits its document printed ("31.900000"); a page shows them one
consistent way ("31.90 万元"): thousands separators, at least two decimals, more only when
a non-zero digit needs them, the unit always beside the figure or in its table's caption.
The printed digits stay machine-readable in `<data value="31.900000">`. A list that mixes
units converts every figure exactly into one (`common_unit`) and says which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Literal

from markupsafe import Markup, escape

Unit = Literal["元", "万元"]

# How many 元 one unit is worth. Conversions multiply or divide by a power of
# ten, which Decimal does exactly.
YUAN_PER_UNIT: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10000)}

# The unit a list in mixed units is converted into: budgets are approved in 万元, and
# 元 → 万元 only moves the decimal point, so no digit is lost.
MIXED_UNIT: Unit = "万元"

# "Not given" must never look like 0.00: a cell the document leaves blank stays blank, and one it
# fills with "—", "/" or "无" shows that mark (`printed_marks`), as printed either way.
NOT_GIVEN = Markup("")
NOT_GIVEN_TEXT = ""


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of money together with its unit."""

    amount: Decimal
    unit: Unit = "元"

    def to(self, unit: Unit) -> Money:
        """Return the same amount expressed in another unit, exactly."""
        if unit == self.unit:
            return self
        with localcontext() as ctx:
            ctx.prec = 60  # enough for any amount a record may hold, so the division is exact
            yuan = self.amount * YUAN_PER_UNIT[self.unit]
            return Money(normalize(yuan / YUAN_PER_UNIT[unit]), unit)

    def __add__(self, other: Money) -> Money:
        if other.unit == self.unit:
            return Money(self.amount + other.amount, self.unit)
        return Money(self.to(MIXED_UNIT).amount + other.to(MIXED_UNIT).amount, MIXED_UNIT)

    def __str__(self) -> str:
        """Return the amount as printed, for data: "31.900000 万元" (pages use `display`)."""
        return f"{self.amount} {self.unit}"


def normalize(value: Decimal) -> Decimal:
    """Drop trailing zeros that a division introduced, but keep integers whole."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def common_unit(items: Iterable[Money]) -> Unit:
    """Return the unit all items share, or the unit a list mixing units is converted into."""
    units = {m.unit for m in items}
    return units.pop() if len(units) == 1 else MIXED_UNIT


def total(items: list[Money], unit: Unit | None = None) -> Money:
    """Add amounts; the result is in `unit`, or in the common unit of all items."""
    if not items:
        return Money(Decimal(0), unit or "元")
    common = unit or common_unit(items)
    return Money(sum((m.to(common).amount for m in items), Decimal(0)), common)


def decimals(value: Decimal) -> int:
    """Return how many decimals show `value` exactly: two, or more when a non-zero digit needs them."""
    exponent = value.normalize().as_tuple().exponent
    return max(2, -exponent) if isinstance(exponent, int) else 2


def format_amount(value: Decimal) -> str:
    """Write a figure the site's one way: 2279.048 → "2,279.048", 31.900000 → "31.90"."""
    if value == 0:
        value = abs(value)  # never "-0.00"
    return f"{value:,.{decimals(value)}f}"


def format_number(value: Decimal) -> str:
    """Write a count, score or quantity as printed, with thousands separators ("1,200", "2.50")."""
    if value == 0:
        value = abs(value)
    return f"{value:,f}"


def display(value: Money | Decimal | None, unit: Unit | None = None) -> str:
    """Return the plain text of a figure: "31.90 万元"; a Money converted to `unit` when given."""
    if value is None:
        return NOT_GIVEN_TEXT
    if isinstance(value, Money):
        value = value.to(unit) if unit else value
        return f"{format_amount(value.amount)} {value.unit}"
    return f"{format_amount(value)} {unit}" if unit else format_amount(value)


def printed_marks(value: str) -> Markup:
    """Show a cell the document fills with "—", "/" or "无" as printed: not a number, and not 0."""
    return Markup('<span class="not-given" title="未填写">{}</span>').format(value)


def html(value: Money | Decimal | str | None, unit: Unit | None = None, *, with_unit: bool = True) -> Markup:
    """Return a figure for a page: `<data value="387664.62" title="原文：387664.62">387,664.62</data> 元`.

    The visible text is the one way (`format_amount`); `value` keeps the exact digits and the
    title shows the printed text when it reads differently. A Money is converted to `unit` when
    given (the title then names the printed amount and unit); a bare Decimal is shown in `unit`,
    or without one when its table's caption names it. `with_unit=False` leaves the unit to the
    caption. None (a blank cell) stays blank, a printed mark ("—", "/", "无") stays as printed: never 0.00.
    """
    if value is None:
        return NOT_GIVEN
    if isinstance(value, str):
        return printed_marks(value)
    shown_unit: str | None = unit
    printed = format(value.amount if isinstance(value, Money) else value, "f")
    if isinstance(value, Money):
        converted = value.to(unit) if unit else value
        if converted.unit != value.unit:
            printed = f"{printed} {value.unit}"
        shown_unit = converted.unit
        value = converted.amount
    exact, shown = format(value, "f"), format_amount(value)
    # Escaped parts joined, not Markup.format: that was 4 of the 6.5 s a cold 10,000-project build spent here.
    title = f' title="原文：{escape(printed)}"' if printed != shown else ""
    figure = Markup(f'<data value="{escape(exact)}"{title}>{escape(shown)}</data>')
    return figure + Markup(" ") + escape(shown_unit) if with_unit and shown_unit else figure
