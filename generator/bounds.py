"""What a number, a date or a piece of text in a record may be.

These are the validators behind the model's field types (model.py): they turn
what a source document could never print into a located error instead of a
page. An amount is a plain decimal as printed (`31.900000`, `148.00`), never
scientific notation, with a sane number of digits: `1e6` is a typing slip and
`1e-999999` a million-digit total. A date is a real calendar date. Texts have
a length limit (model.Record) so that one pasted file cannot make a 91 MB site.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

MAX_INTEGER_DIGITS = 15  # 10^15 元 is more than a whole national budget
MAX_PLACES = 8  # documents print at most six decimals (31.900000)
TEXT_LIMIT = 2000  # any text field; narrative fields (model.Text) allow more
LONG_TEXT_LIMIT = 20000

_PLAIN = re.compile(r"^[-+]?\d+(?:\.\d+)?$")


def plain_amount(value: object) -> object:
    """Accept an amount only as a plain decimal within bounds (a pydantic before-validator)."""
    if isinstance(value, bool) or value is None:
        return value  # the type check that follows says what is wrong
    if isinstance(value, str):
        if not _PLAIN.match(value.strip()):
            raise ValueError("应为数字，照原文写普通小数，如 148.00（不能用科学计数法 1e6、逗号或单位）")
        value = Decimal(value.strip())
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, float):  # only an explicit float could get here; the reader makes Decimals
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("应为有限的数字")
        sign, digits, exponent = value.as_tuple()
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        whole = max(len(digits) - places, 0) if isinstance(exponent, int) and exponent <= 0 else len(digits) + exponent
        if whole > MAX_INTEGER_DIGITS:
            raise ValueError(f"整数部分有 {whole} 位，超过上限 {MAX_INTEGER_DIGITS} 位，请核对")
        if places > MAX_PLACES:
            raise ValueError(f"有 {places} 位小数，超过上限 {MAX_PLACES} 位，请核对")
    return value


def not_negative(value: Decimal) -> Decimal:
    """Refuse a negative amount where the form has no place for one (a pydantic after-validator)."""
    if value < 0:
        raise ValueError("不能是负数（只有“结余”一类栏目可以为负）")
    return value


# As the documents print dates: 2024-02-07, 2024/2/7, 2024.2.7, 2024 年 2 月 7 日, or a month alone.
_DATE = re.compile(
    r"^(?P<y>\d{4})(?:(?P<sep>[-./])(?P<m>\d{1,2})(?:(?P=sep)(?P<d>\d{1,2}))?"
    r"|\s*年\s*(?P<cm>\d{1,2})\s*月(?:\s*(?P<cd>\d{1,2})\s*日)?)"
    # Web pages print the time of publication too: "2019-12-31 15:38:36".
    r"(?:\s+(?P<hh>\d{1,2}):(?P<mm>\d{2})(?::(?P<ss>\d{2}))?)?$"
)


def date_parts(value: str) -> tuple[int, int, int | None]:
    """Return (year, month, day or None) of a date `real_date` accepted."""
    match = _DATE.match(value.strip())
    if match is None:
        raise ValueError(value)
    day = match["d"] or match["cd"]
    return int(match["y"]), int(match["m"] or match["cm"]), int(day) if day else None


def real_date(value: str | None) -> str | None:
    """Accept a date as printed (2024-02-07, 2024 年 2 月 7 日, 2024年2月, 2019-12-31 15:38:36) only when it is real."""
    if value is None or not value.strip():
        return value
    match = _DATE.match(value.strip())
    if match is None:
        raise ValueError(f"“{value[:30]}”不是日期，应写成 2024-02-07 或“2024 年 2 月 7 日”")
    year = int(match["y"])
    month, day = int(match["m"] or match["cm"]), int(match["d"] or match["cd"] or 1)
    try:
        datetime.date(year, month, day)
        if match["hh"] is not None:
            datetime.time(int(match["hh"]), int(match["mm"]), int(match["ss"] or 0))
    except ValueError:
        raise ValueError(f"“{value[:30]}”不是真实存在的日期，请核对年、月、日") from None
    if not 1949 <= year <= 2100:
        raise ValueError(f"“{value[:30]}”的年份 {year} 不合理，请核对")
    return value
