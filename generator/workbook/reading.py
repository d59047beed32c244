"""What reading a workbook produces, and how cells become record values.

Both readers (template.py for the template's layout, forms.py for the budget
systems' printed forms) fill a `Reading` per project: the record as YAML data,
where each field came from (so a validation error can name the sheet and
cell), and every non-empty cell that could not be placed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..model import NOT_GIVEN_MARKS
from .cells import Cell, Sheet, WorkbookError

# Cells that print "nothing here" in the sources.
NOT_GIVEN = frozenset({"", "空", "—", "——", "－", "-", "/", "／", "无"})
_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")

Loc = tuple[str | int, ...]


@dataclass
class Unplaced:
    """A non-empty cell that no field of the record took."""

    sheet: str
    cell: str
    text: str

    def __str__(self) -> str:
        shown = self.text if len(self.text) <= 40 else self.text[:40] + "…"
        return f"工作表“{self.sheet}”单元格 {self.cell}：“{shown}”"


@dataclass
class Reading:
    """One project read from a workbook: its data, origins and leftovers."""

    data: dict[str, Any]
    sheet: str
    slug: str = ""
    kind: str = "project"  # project, transfer, evaluation or department
    origins: dict[Loc, tuple[str, str]] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)

    def origin(self, loc: Loc) -> tuple[str, str | None]:
        """Return (sheet, cell) of a field, or of its nearest parent that has one."""
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.origins:
                return self.origins[loc[:end]]
        return self.sheet, None

    def mark(self, loc: Loc, sheet: Sheet, cell: Cell) -> None:
        self.origins[loc] = (sheet.name, cell.ref)


def strict_text(sheet: Sheet, cell: Cell, what: str) -> str:
    """Return a cell that must hold words (a name, a heading): a number there is an error."""
    if cell.kind in {"number", "bool", "date"}:
        raise WorkbookError(f"“{what}”应为文字，找到{kind_name(cell)}“{cell.text}”。"
                            "如果文件中确实印的是这个数字，请把单元格设为“文本”后重新输入", sheet.name, cell.ref)
    return cell.text.strip(" \t")


def loose_text(sheet: Sheet, cell: Cell, what: str) -> str | None:
    """Return a cell that holds printed text, digits included, or None when blank."""
    if cell.kind == "number" and len(cell.text.replace(".", "").replace("-", "").lstrip("0")) > 15:
        raise WorkbookError(f"“{what}”是超过 15 位的数字“{cell.text}”：Excel 只保留 15 位有效数字，末位已经丢失。"
                            "请把单元格设为“文本”，照原文重新输入", sheet.name, cell.ref)
    text = cell.text.strip(" \t")
    return text if text.strip() else None


def amount(sheet: Sheet, cell: Cell, what: str) -> Decimal | None:
    """Return an exact amount as printed, or None for a blank, 空 or — cell."""
    text = cell.text.strip().replace(",", "").replace("，", "").replace(" ", "")
    if text in NOT_GIVEN:
        return None
    if not _NUMBER.match(text):
        raise WorkbookError(f"“{what}”应为数字（不带单位和逗号），找到“{cell.text.strip()}”", sheet.name, cell.ref)
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise WorkbookError(f"“{what}”应为数字，找到“{cell.text}”", sheet.name, cell.ref) from None


def cell_amount(sheet: Sheet, cell: Cell, what: str) -> Decimal | str | None:
    """Return a form's money cell: an amount, a printed "not given" mark such as "—" kept as printed, or None."""
    text = cell.text.strip()
    return text if text in NOT_GIVEN_MARKS else amount(sheet, cell, what)


def whole_number(sheet: Sheet, cell: Cell, what: str) -> int | None:
    """Return a whole number such as a 序号, or None when blank."""
    value = amount(sheet, cell, what)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise WorkbookError(f"“{what}”应为整数，找到“{cell.text}”", sheet.name, cell.ref)
    return int(value)


def kind_name(cell: Cell) -> str:
    return {"number": "数字", "bool": "是/否", "date": "日期"}.get(cell.kind, "文字")
