"""Parse the text of an indicator value ("≥90%", "≤31.9 万元", "进一步提升")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Every way the source documents write a comparison, mapped to one symbol.
OPERATORS: dict[str, str] = {
    "≥": "≥", "≧": "≥", ">=": "≥", "＞=": "≥", "不低于": "≥", "不少于": "≥", "达到": "≥",
    "≤": "≤", "≦": "≤", "<=": "≤", "＜=": "≤", "不高于": "≤", "不超过": "≤",
    "＞": ">", ">": ">", "＜": "<", "<": "<",
    "=": "=", "＝": "=", "═": "=",
}

# Longest spellings first, so that ">=" wins over ">".
_OPERATOR_PATTERN = "|".join(re.escape(k) for k in sorted(OPERATORS, key=len, reverse=True))

# A value is quantitative when it is an optional operator, a number and a short
# unit, and nothing else: "每年2次以上" stays qualitative text.
_VALUE = re.compile(
    rf"^\s*(?P<op>{_OPERATOR_PATTERN})?\s*(?P<num>[-+]?\d+(?:,\d{{3}})*(?:\.\d+)?)\s*(?P<unit>[^\d\s，。；;,]{{0,4}})\s*$"
)
_LEVEL = re.compile(r"^\s*(?P<code>\d+)\s*[-－—]\s*(?P<name>\S.*?)\s*$")


@dataclass(frozen=True, slots=True)
class ParsedValue:
    """The parts of an indicator value; `number` is None for qualitative text."""

    operator: str | None
    number: Decimal | None
    unit: str | None


def normalize_operator(text: str | None) -> str | None:
    """Map any accepted spelling of a comparison to ≥ ≤ = > or <."""
    if text is None:
        return None
    return OPERATORS.get(text.strip())


def parse_value(text: str) -> ParsedValue:
    """Split a printed value into operator, exact number and unit."""
    match = _VALUE.match(text or "")
    if not match:
        return ParsedValue(None, None, None)
    try:
        number = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return ParsedValue(None, None, None)
    op = OPERATORS[match["op"]] if match["op"] else None
    return ParsedValue(op, number, match["unit"] or None)


def split_level(text: str) -> tuple[str | None, str]:
    """Split a level heading like "11-数量指标" into ("11", "数量指标")."""
    match = _LEVEL.match(text)
    if match:
        return match["code"], match["name"]
    return None, text.strip()
