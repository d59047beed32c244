"""Exact money: a Decimal amount in the unit the document printed (元 or 万元)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Unit = Literal["元", "万元"]

# How many 元 one unit is worth. Conversions multiply or divide by a power of
# ten, which Decimal does exactly.
YUAN_PER_UNIT: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10000)}


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of money together with its unit."""

    amount: Decimal
    unit: Unit = "元"

    def to(self, unit: Unit) -> Money:
        """Return the same amount expressed in another unit, exactly."""
        if unit == self.unit:
            return self
        yuan = self.amount * YUAN_PER_UNIT[self.unit]
        return Money(normalize(yuan / YUAN_PER_UNIT[unit]), unit)

    def __add__(self, other: Money) -> Money:
        if other.unit == self.unit:
            return Money(self.amount + other.amount, self.unit)
        return Money(self.to("元").amount + other.to("元").amount, "元")

    def __str__(self) -> str:
        return f"{format_amount(self.amount)} {self.unit}"


def normalize(value: Decimal) -> Decimal:
    """Drop trailing zeros that a division introduced, but keep integers whole."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def total(items: list[Money], unit: Unit | None = None) -> Money:
    """Add amounts; the result is in `unit`, or in the common unit of all items."""
    if not items:
        return Money(Decimal(0), unit or "元")
    common = unit or (items[0].unit if all(m.unit == items[0].unit for m in items) else "元")
    return Money(sum((m.to(common).amount for m in items), Decimal(0)), common)


def format_amount(value: Decimal) -> str:
    """Format an amount with thousands separators, keeping the printed decimals."""
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}"
    return f"{sign}{grouped}.{fraction}" if fraction else f"{sign}{grouped}"



def display(value: Money | Decimal | None, unit: Unit | None = None) -> str:
    """Return the plain text of a figure as pages show it: "31.90 万元" (the lead's rule on the BOARD).

    Thousands separators, at least two decimals, more only where a non-zero digit needs them.
    """
    if value is None:
        return "—"
    if isinstance(value, Money):
        value = value.to(unit) if unit else value
        value, unit = value.amount, value.unit
    exponent = value.normalize().as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) else 2)
    figure = f"{value:,.{places}f}"
    return f"{figure} {unit}" if unit else figure
