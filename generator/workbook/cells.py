"""Open a workbook safely and read every cell as it is printed.

Publishers' files are checked before a parser sees them: size, kind (zip or
the old OLE2 container), encryption, macros, and the uncompressed size of a
zip (a "zip bomb"). Every cell then becomes a `Cell` with the text Excel
shows for it, because a record keeps what the document prints.

Printed digits: openpyxl (and xlrd) hand over numeric cells as binary floats.
The printed text is rebuilt from the float's shortest decimal form (Python's
repr, which is also what Excel, WPS and openpyxl write into the file for any
value of up to 15 significant digits), rounded half away from zero to the
cell's number format: "0.000000" gives 31.900000, "0000" gives 0123,
"0.00%" gives 12.50%, "#,##0.00" gives 1,234.00, and "General" shows at most
15 significant digits, as Excel does. Text cells are kept exactly, so a number
typed as text ("31.900000", "0123") stays as it was typed.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 20 * 1024 * 1024  # a 绩效目标表 is tens of KB; 20 MB is absurd already
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed for one zip member (XML compresses ~10-30x)
MAX_MEMBERS = 5000
MAX_CELLS = 2_000_000
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
SUFFIXES = (".xlsx", ".xls", ".xlsm", ".xltx", ".xltm")


class WorkbookError(Exception):
    """A workbook that cannot be imported, located by sheet and cell when known."""

    def __init__(self, message: str, sheet: str | None = None, cell: str | None = None):
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.cell = cell

    def __str__(self) -> str:
        where = ""
        if self.sheet:
            where = f"工作表“{self.sheet}”" + (f"单元格 {self.cell}" if self.cell else "") + "："
        return where + self.message


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell as printed: its text ("" when blank) and what kind of value it holds."""

    row: int
    col: int
    text: str
    kind: str = "blank"  # blank, text, number, bool, date
    merged: bool = False  # a covered cell of a merged range (its value is in the range's first cell)

    @property
    def ref(self) -> str:
        return ref(self.row, self.col)


@dataclass
class Sheet:
    """A sheet's cells as a dense grid of printed text, 1-based like Excel."""

    name: str
    rows: list[list[Cell]] = field(default_factory=list)
    merges: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # covered → first cell
    spans: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # first cell → (rows, columns)

    def cell(self, row: int, col: int) -> Cell:
        """Return the cell at a 1-based position (a blank one outside the grid)."""
        if 1 <= row <= len(self.rows) and 1 <= col <= len(self.rows[row - 1]):
            return self.rows[row - 1][col - 1]
        return Cell(row, col, "")

    def shown(self, row: int, col: int) -> str:
        """Return the text shown at a position, a merged range's text in each of its cells."""
        origin = self.merges.get((row, col))
        return self.cell(*origin).text if origin else self.cell(row, col).text

    def span(self, row: int, col: int) -> tuple[int, int]:
        """Return how many rows and columns a cell covers: (1, 1) unless it starts a merged range."""
        return self.spans.get((row, col), (1, 1))

    @property
    def empty(self) -> bool:
        return not any(c.text for r in self.rows for c in r)


def ref(row: int, col: int) -> str:
    """Return an A1-style reference for a 1-based row and column."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def open_sheets(path: Path) -> list[Sheet]:
    """Check a workbook file and return its sheets as printed text."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise WorkbookError(f"无法读取文件：{exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise WorkbookError(f"文件过大（{size / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）："
                            "一个项目的绩效目标表通常不到 1 MB，请检查是否放错了文件")
    if size == 0:
        raise WorkbookError("文件是空的（0 字节），不是 Excel 工作簿")
    if path.suffix.lower() in {".xlsm", ".xltm"}:
        raise WorkbookError("这是启用宏的工作簿（.xlsm）：出于安全考虑不导入含宏的文件。请在 Excel 中“另存为”.xlsx 后再导入")
    if head.startswith(OLE2):
        return _open_ole2(path)
    if head.startswith(ZIP):
        _check_zip(path)
        return _open_xlsx(path)
    raise WorkbookError("不是 Excel 工作簿（.xlsx 或 .xls）：文件内容不是表格。如果是 CSV 或 WPS 文件，请在表格软件中另存为 .xlsx")


def _open_ole2(path: Path) -> list[Sheet]:
    """Open the old binary container: an .xls workbook, or an encrypted .xlsx."""
    data = path.read_bytes()
    if "EncryptionInfo".encode("utf-16-le") in data:
        raise WorkbookError("工作簿设置了打开密码（已加密），无法读取。请在 Excel 中打开，"
                            "“文件 → 信息 → 保护工作簿 → 用密码进行加密”清空密码并保存后再导入")
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise WorkbookError("工作簿设置了打开密码（已加密），无法读取。请清空密码并保存后再导入") from None
        raise WorkbookError(f"不是可读取的 .xls 工作簿（{exc}）") from None
    except Exception as exc:  # xlrd raises assorted errors on damaged files
        raise WorkbookError(f".xls 工作簿已损坏，无法读取（{type(exc).__name__}）") from None
    return [_xls_sheet(book, book.sheet_by_index(i)) for i in range(book.nsheets)]


def _check_zip(path: Path) -> None:
    """Refuse a zip that is not a workbook, holds macros, or would unpack to an absurd size."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise WorkbookError("文件已损坏：不是完整的 .xlsx 工作簿（压缩包无法打开）") from None
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if len(members) > MAX_MEMBERS:
            raise WorkbookError(f"工作簿内含 {len(members)} 个部件，远超正常工作簿，拒绝读取")
        if "xl/workbook.xml" not in names:
            kind = "Word 文档" if "word/document.xml" in names else "压缩包"
            raise WorkbookError(f"不是 Excel 工作簿：这是一个{kind}，不是 .xlsx 表格")
        if any(m.flag_bits & 0x1 for m in members):
            raise WorkbookError("工作簿的部件设置了密码，无法读取。请清空密码后再导入")
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise WorkbookError("工作簿含有宏（VBA）：出于安全考虑不导入含宏的文件。请另存为不含宏的 .xlsx 后再导入")
        total = sum(m.file_size for m in members)
        bomb = next((m for m in members if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1)), None)
        if total > MAX_UNZIPPED_BYTES or bomb is not None:
            raise WorkbookError(f"工作簿解压后过大（{total / 1024 / 1024:.0f} MB），可能是恶意构造的压缩包（“zip 炸弹”），拒绝读取")


def _open_xlsx(path: Path) -> list[Sheet]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=False, rich_text=False)
    except Exception as exc:  # openpyxl raises many kinds on damaged parts
        raise WorkbookError(f"工作簿已损坏，无法读取（{type(exc).__name__}: {str(exc)[:120]}）") from None
    return [_xlsx_sheet(ws) for ws in book.worksheets]


def _xlsx_sheet(ws: Any) -> Sheet:
    sheet = Sheet(ws.title)
    if ws.max_row * ws.max_column > MAX_CELLS:
        raise WorkbookError(f"工作表过大（{ws.max_row} 行 × {ws.max_column} 列），拒绝读取", ws.title)
    for merged in ws.merged_cells.ranges:
        sheet.spans[(merged.min_row, merged.min_col)] = (merged.max_row - merged.min_row + 1,
                                                         merged.max_col - merged.min_col + 1)
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if (r, c) != (merged.min_row, merged.min_col):
                    sheet.merges[(r, c)] = (merged.min_row, merged.min_col)
    for row in ws.iter_rows():
        cells = []
        for c in row:
            if c.data_type == "f" or (isinstance(c.value, str) and c.data_type == "f"):
                raise WorkbookError(f"单元格是公式（{str(c.value)[:60]}）：公开的数字必须是确定的值。"
                                    "请复制后“选择性粘贴 → 数值”再导入", ws.title, c.coordinate)
            if type(c.value).__name__ in {"ArrayFormula", "DataTableFormula"}:
                raise WorkbookError("单元格是数组公式：请复制后“选择性粘贴 → 数值”再导入", ws.title, c.coordinate)
            cells.append(_cell(c.row, c.column, c.value, c.number_format, (c.row, c.column) in sheet.merges))
        sheet.rows.append(cells)
    return sheet


def _xls_sheet(book: Any, sh: Any) -> Sheet:
    import xlrd

    sheet = Sheet(sh.name)
    for rlo, rhi, clo, chi in sh.merged_cells:
        sheet.spans[(rlo + 1, clo + 1)] = (rhi - rlo, chi - clo)
        for r in range(rlo, rhi):
            for c in range(clo, chi):
                if (r, c) != (rlo, clo):
                    sheet.merges[(r + 1, c + 1)] = (rlo + 1, clo + 1)
    for r in range(sh.nrows):
        cells = []
        for c in range(sh.ncols):
            x = sh.cell(r, c)
            fmt = book.format_map[book.xf_list[x.xf_index].format_key].format_str if x.xf_index is not None else "General"
            value: Any = x.value
            if x.ctype == xlrd.XL_CELL_DATE:
                value = xlrd.xldate_as_datetime(x.value, book.datemode)
            elif x.ctype == xlrd.XL_CELL_BOOLEAN:
                value = bool(x.value)
            elif x.ctype in {xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR}:
                value = None
            cells.append(_cell(r + 1, c + 1, value, fmt, (r + 1, c + 1) in sheet.merges))
        sheet.rows.append(cells)
    return sheet


def _cell(row: int, col: int, value: Any, fmt: str, merged: bool) -> Cell:
    if value is None:
        return Cell(row, col, "", "blank", merged)
    if isinstance(value, bool):
        return Cell(row, col, "TRUE" if value else "FALSE", "bool", merged)
    if isinstance(value, int | float):
        return Cell(row, col, printed_number(value, fmt), "number", merged)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return Cell(row, col, printed_date(value, fmt), "date", merged)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return Cell(row, col, text, "text" if text else "blank", merged)


_QUOTED = re.compile(r'"([^"]*)"|\\(.)|\[[^\]]*\]|_.|\*.')


def printed_number(value: int | float, fmt: str) -> str:
    """Return a number as Excel prints it in a number format (see the module docstring)."""
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
    section = (fmt or "General").split(";")[0]
    literal = "".join(m.group(1) or m.group(2) or "" for m in _QUOTED.finditer(section))
    pattern = _QUOTED.sub("", section)
    if pattern.strip().lower() in {"general", "@", ""} or not re.search(r"[0#?]", pattern):
        return _general(exact) + literal
    if "%" in pattern:
        exact *= 100
    whole, _, fraction = pattern.partition(".")
    decimals = len(re.findall(r"[0#?]", fraction.split("E")[0].split("e")[0]))
    if "e" in pattern.lower():
        return _general(exact) + literal
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    digits, _, tail = format(abs(rounded), "f").partition(".")
    digits = digits.zfill(whole.count("0"))
    if whole.count("0") == 0 and digits == "0" and "#" in whole:
        digits = "" if tail else "0"
    if "," in whole:
        digits = f"{int(digits or 0):,}"
    text = f"{sign}{digits}" + (f".{tail}" if decimals else "")
    return text + ("%" if "%" in pattern else "") + literal


def _general(exact: Decimal) -> str:
    """Show a number as Excel's General format does: at most 15 significant digits."""
    if exact == exact.to_integral_value() and abs(exact) < Decimal(10) ** 15:
        return str(int(exact))
    shown = Decimal(format(exact, ".15g")).normalize()
    return format(shown, "f")


_DATE_TOKENS = [("yyyy", "%Y"), ("yy", "%y"), ("mm", "%m"), ("m", "%-m"), ("dd", "%d"), ("d", "%-d"),
                ("hh", "%H"), ("h", "%-H"), ("ss", "%S")]


def printed_date(value: dt.datetime | dt.date | dt.time, fmt: str) -> str:
    """Return a date as its format prints it, for the common formats; ISO otherwise."""
    pattern = _QUOTED.sub("", (fmt or "").split(";")[0]).lower()
    if not re.fullmatch(r"[ymdhs:/\-. 年月日]+", pattern or "?"):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    out, i = "", 0
    while i < len(pattern):
        for token, code in _DATE_TOKENS:
            if pattern.startswith(token, i):
                if token in {"mm", "m"} and ":" in pattern[max(0, i - 2):i]:
                    code = "%M"  # minutes follow hours
                out += value.strftime(code.replace("%-", "%")).lstrip("0") if "%-" in code else value.strftime(code)
                i += len(token)
                break
        else:
            out += pattern[i]
            i += 1
    return out
