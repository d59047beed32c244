"""Read a workbook in the template's layout (written by `disclose template` or `export`).

Sheets are found by name and columns by their header, so a publisher may
reorder columns, insert rows and merge cells. Headings (一级 / 二级 指标,
表名) are written once per group or merged over it; a blank or covered cell
continues the group above. Every non-empty cell ends up in the record or in
the reading's list of cells that could not be placed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..model import Indicator
from . import layout as L
from .cells import Cell, Sheet, WorkbookError
from .reading import Reading, Unplaced, amount, loose_text, strict_text, whole_number

TEMPLATE_SHEETS = {L.BASIC, L.INDICATORS}


def is_template(sheets: Sequence[Sheet]) -> bool:
    """Return whether a workbook is laid out as the template."""
    return {s.name for s in sheets} >= TEMPLATE_SHEETS


def read_template(sheets: Sequence[Sheet]) -> Reading:
    """Read the one project of a template-layout workbook."""
    by_name = {s.name: s for s in sheets}
    reading = Reading({}, L.BASIC)
    basic = read_basic(by_name[L.BASIC], reading)
    data = reading.data
    data.update(basic)
    data["sections"] = read_rows(by_name.get(L.SECTIONS), L.SECTION_COLUMNS, reading, section_row)
    data["spending_plan"] = read_plan(by_name.get(L.PLAN), reading)
    data["funding"] = read_blocks(by_name.get(L.FUNDING), L.FUNDING_COLUMNS, reading, "funding")
    data["goals"] = read_rows(by_name.get(L.GOALS), L.GOAL_COLUMNS, reading, goal_row)
    labels = data.pop("indicator_labels", None)
    if labels:
        data["indicator_labels"] = labels
    data["indicators"] = read_indicators(by_name[L.INDICATORS], reading)
    data["cost_tables"] = read_blocks(by_name.get(L.COSTS), L.COST_COLUMNS, reading, "cost_tables")
    if "prior_year" in data:
        data["prior_year"] = data.pop("prior_year")
    for name, sheet in by_name.items():
        if name not in {L.BASIC, L.SECTIONS, L.PLAN, L.FUNDING, L.GOALS, L.INDICATORS, L.COSTS, L.HELP}:
            reading.unplaced += [Unplaced(name, c.ref, c.text) for row in sheet.rows for c in row if c.text.strip()]
    reading.data = {k: v for k, v in data.items() if v not in (None, [], {})}
    return reading


def read_basic(sheet: Sheet, reading: Reading) -> dict[str, Any]:
    """Read the fixed rows and the three blocks of the basic-information sheet."""
    fixed = {r.label: r for r in L.BASIC_ROWS}
    prior = {r.label: r for r in L.PRIOR_ROWS}
    labels = {h: k for k, h in L.LABEL_HEADERS.items()}
    notes = {r.note for r in (*L.BASIC_ROWS, *L.PRIOR_ROWS)} | set(L.BLOCK_NOTES.values())
    out: dict[str, Any] = {}
    info: dict[str, str] = {}
    indicator_labels: dict[str, str] = {}
    prior_year: dict[str, Any] = {}
    block = None
    for r in range(L.FIRST_ROW, len(sheet.rows) + 1):
        key, value, note = sheet.cell(r, 1), sheet.cell(r, 2), sheet.cell(r, 3)
        label = strict_text(sheet, key, "栏目名") if key.text.strip() else ""
        if note.text.strip() and note.text not in notes:
            reading.unplaced.append(Unplaced(sheet.name, note.ref, note.text))
        extra = [c for c in sheet.rows[r - 1][3:] if c.text.strip()]
        reading.unplaced += [Unplaced(sheet.name, c.ref, c.text) for c in extra]
        if label in L.BLOCK_NOTES:
            block = label
            continue
        if not label:
            if value.text.strip():
                reading.unplaced.append(Unplaced(sheet.name, value.ref, value.text))
            continue
        if block is None and label in fixed:
            field = fixed[label].field
            out[field] = basic_value(sheet, value, field, label)
            reading.mark((field,), sheet, value)
        elif block == L.INFO_BLOCK:
            info[label] = loose_text(sheet, value, label) or ""
            reading.mark(("info", label), sheet, value)
        elif block == L.LABELS_BLOCK and label in labels:
            if value.text.strip():
                indicator_labels[labels[label]] = strict_text(sheet, value, label)
        elif block == L.PRIOR_BLOCK and label in prior:
            field = prior[label].field
            found = loose_text(sheet, value, label) if field == "title" else amount(sheet, value, label)
            if found is not None:
                prior_year[field] = found
                reading.mark(("prior_year", field), sheet, value)
        else:
            reading.unplaced += [Unplaced(sheet.name, c.ref, c.text) for c in (key, value) if c.text.strip()]
    reading.slug = out.pop("slug", None) or ""
    out["info"] = info
    out["indicator_labels"] = indicator_labels
    if prior_year:
        out["prior_year"] = prior_year
    return out


def basic_value(sheet: Sheet, cell: Cell, field: str, label: str) -> Any:
    """Convert one fixed row of the basic sheet to its field's type."""
    if field in {"amount", "total_amount"}:
        return amount(sheet, cell, label)
    if field == "number":
        return whole_number(sheet, cell, label)
    if field in {"name", "unit"}:
        return strict_text(sheet, cell, label) or None
    return loose_text(sheet, cell, label)


def columns_of(sheet: Sheet, columns: Sequence[L.Column], reading: Reading,
               extras: bool = False) -> tuple[dict[str, int], dict[str, int]]:
    """Map a sheet's header row to fields; unknown headers are extras or not placed."""
    known = {c.header: c.field for c in columns}
    found: dict[str, int] = {}
    more: dict[str, int] = {}
    for cell in sheet.rows[L.HEADER_ROW - 1] if len(sheet.rows) >= L.HEADER_ROW else []:
        text = cell.text.strip()
        if text in known:
            found[known[text]] = cell.col
        elif text and extras:
            more[text] = cell.col
        elif text:
            reading.unplaced += [Unplaced(sheet.name, c.ref, c.text)
                                 for c in column_cells(sheet, cell.col) if c.text.strip()]
    return found, more


def column_cells(sheet: Sheet, col: int) -> Iterator[Cell]:
    for r in range(L.HEADER_ROW, len(sheet.rows) + 1):
        yield sheet.cell(r, col)


def data_rows(sheet: Sheet) -> Iterator[int]:
    """Yield the data rows that hold anything."""
    for r in range(L.FIRST_ROW, len(sheet.rows) + 1):
        if any(c.text.strip() for c in sheet.rows[r - 1]):
            yield r


RowReader = Callable[[Sheet, int, dict[str, int], Reading, tuple[Any, ...]], dict[str, Any]]


def read_rows(sheet: Sheet | None, columns: Sequence[L.Column], reading: Reading, row_reader: RowReader) -> list[dict]:
    """Read a sheet where each data row is one item."""
    if sheet is None:
        return []
    at, _ = columns_of(sheet, columns, reading)
    return [row_reader(sheet, r, at, reading, (i,)) for i, r in enumerate(data_rows(sheet))]


def goal_row(sheet: Sheet, r: int, at: dict[str, int], reading: Reading, loc: tuple[Any, ...]) -> dict[str, Any]:
    periods = {v: k for k, v in L.GOAL_PERIODS.items()}
    period_cell = sheet.cell(r, at.get("period", 0))
    period = periods.get(period_cell.text.strip())
    if period is None:
        raise WorkbookError(f"期间应为 总体、中期 或 年度，找到“{period_cell.text}”", sheet.name, period_cell.ref)
    text_cell = sheet.cell(r, at.get("text", 0))
    reading.mark(("goals", *loc), sheet, text_cell)
    label = loose_text(sheet, sheet.cell(r, at.get("label", 0)), "标题")
    return {"period": period, **({"label": label} if label else {}), "text": loose_text(sheet, text_cell, "目标内容") or ""}


def section_row(sheet: Sheet, r: int, at: dict[str, int], reading: Reading, loc: tuple[Any, ...]) -> dict[str, Any]:
    title = sheet.cell(r, at.get("title", 0))
    reading.mark(("sections", *loc), sheet, title)
    body = loose_text(sheet, sheet.cell(r, at.get("body", 0)), "正文")
    return {"title": strict_text(sheet, title, "标题"), **({"body": body} if body else {})}


def read_indicators(sheet: Sheet, reading: Reading) -> list[dict[str, Any]]:
    """Read the indicator tree: a heading starts a group until a different heading."""
    at, _ = columns_of(sheet, L.INDICATOR_COLUMNS, reading)
    if "name" not in at:
        raise WorkbookError("找不到“三级指标”栏（第 2 行应是栏名）", sheet.name, f"A{L.HEADER_ROW}")
    periods = {v: k for k, v in L.PERIODS.items()}
    has_core = "core" in Indicator.model_fields
    tree: list[dict[str, Any]] = []
    level2: dict[str, Any] | None = None
    for r in data_rows(sheet):
        def cell(field: str, r: int = r) -> Cell:
            return sheet.cell(r, at[field]) if field in at else Cell(r, 0, "")
        heading1 = "" if cell("level1").merged else strict_text(sheet, cell("level1"), "一级指标")
        heading2 = "" if cell("level2").merged else strict_text(sheet, cell("level2"), "二级指标")
        if heading1 and (not tree or heading1 != tree[-1]["level1"]):
            tree.append({"level1": heading1, "groups": []})
            reading.mark(("indicators", len(tree) - 1), sheet, cell("level1"))
            level2 = None
        if heading2 and (level2 is None or heading2 != level2["level2"]):
            if not tree:
                raise WorkbookError("二级指标前缺少一级指标", sheet.name, cell("level2").ref)
            level2 = {"level2": heading2, "indicators": []}
            tree[-1]["groups"].append(level2)
        rest = [f for f in at if f not in {"level1", "level2"} and cell(f).text.strip()]
        if not rest:
            continue
        name = cell("name")
        if not name.text.strip():
            raise WorkbookError("这一行有指标值等内容，但没有三级指标名称", sheet.name, name.ref)
        if level2 is None:
            raise WorkbookError(f"三级指标“{name.text.strip()}”前缺少二级指标", sheet.name, cell("level2").ref)
        indicator: dict[str, Any] = {"name": strict_text(sheet, name, "三级指标")}
        for field in ("operator", "value", "unit", "kind", "basis", "description", "scoring"):
            text = loose_text(sheet, cell(field), L.LABEL_HEADERS[field])
            if text is not None:
                indicator[field] = text
        weight = amount(sheet, cell("weight"), "权重")
        if weight is not None:
            indicator["weight"] = weight
        mark = cell("core").text.strip()
        if mark and has_core:
            indicator["core"] = True
            if mark != L.CORE_MARK:
                indicator["core_mark"] = mark
        elif mark:
            reading.unplaced.append(Unplaced(sheet.name, cell("core").ref, mark))
        period = cell("period").text.strip()
        if period:
            if period not in periods:
                raise WorkbookError(f"期间应为 年度 或 中期，找到“{period}”", sheet.name, cell("period").ref)
            if periods[period] != "annual":
                indicator["period"] = periods[period]
        level2["indicators"].append(indicator)
        loc = ("indicators", len(tree) - 1, "groups", len(tree[-1]["groups"]) - 1, "indicators",
               len(level2["indicators"]) - 1)
        reading.mark(loc, sheet, name)
    return tree


def read_blocks(sheet: Sheet | None, columns: Sequence[L.Column], reading: Reading, kind: str) -> list[dict[str, Any]]:
    """Read funding or cost tables: a row with a 表名 starts a table, 合计 rows set its total."""
    if sheet is None:
        return []
    extras_ok = kind == "cost_tables"
    at, extras = columns_of(sheet, columns, reading, extras=extras_ok)
    tables: list[dict[str, Any]] = []
    for r in data_rows(sheet):
        def cell(field: str, r: int = r) -> Cell:
            return sheet.cell(r, at[field]) if field in at else Cell(r, 0, "")
        title = "" if cell("title").merged else strict_text(sheet, cell("title"), "表名")
        if title:
            tables.append(new_table(sheet, cell, title, kind))
            reading.mark((kind, len(tables) - 1), sheet, cell("title"))
        elif not tables:
            raise WorkbookError("第一行缺少表名", sheet.name, cell("title").ref)
        table = tables[-1]
        row_kind = cell("row").text.strip()
        if row_kind == L.TOTAL_ROW:
            total = amount(sheet, cell("amount"), "合计")
            if total is not None:
                table["total"] = total
            if kind == "funding":
                table["total_label"] = loose_text(sheet, cell("name"), "合计栏名") or L.TOTAL_ROW
        elif row_kind in {L.SOURCE_ROW, L.LINE_ROW} or (not row_kind and cell("name").text.strip()):
            item = funding_source(sheet, cell) if kind == "funding" else cost_line(sheet, cell, r, extras)
            key = "sources" if kind == "funding" else "lines"
            table[key].append(item)
            reading.mark((kind, len(tables) - 1, key, len(table[key]) - 1), sheet, cell("name"))
        elif row_kind:
            raise WorkbookError(f"行类别应为 {L.TOTAL_ROW} 或 {L.SOURCE_ROW if kind == 'funding' else L.LINE_ROW}，"
                                f"找到“{row_kind}”", sheet.name, cell("row").ref)
    return tables


def new_table(sheet: Sheet, cell: Callable[[str], Cell], title: str, kind: str) -> dict[str, Any]:
    if kind == "cost_tables":
        return {"title": title, "lines": []}
    periods = {v: k for k, v in L.PERIODS.items()}
    period = cell("period").text.strip() or L.PERIODS["annual"]
    if period not in periods:
        raise WorkbookError(f"期间应为 年度 或 中期，找到“{period}”", sheet.name, cell("period").ref)
    return {"title": title, "period": periods[period], "sources": []}


def funding_source(sheet: Sheet, cell: Callable[[str], Cell]) -> dict[str, Any]:
    return {"name": strict_text(sheet, cell("name"), "来源名称"), "amount": amount(sheet, cell("amount"), "金额")}


def cost_line(sheet: Sheet, cell: Callable[[str], Cell], r: int, extras: dict[str, int]) -> dict[str, Any]:
    line: dict[str, Any] = {"name": strict_text(sheet, cell("name"), "明细名称")}
    for field in ("amount", "purpose", "unit_price", "quantity", "measure", "basis"):
        header = next(c.header for c in L.COST_COLUMNS if c.field == field)
        found = amount(sheet, cell(field), header) if field in {"amount", "unit_price", "quantity"} \
            else loose_text(sheet, cell(field), header)
        if found is not None:
            line[field] = found
    attributes = extra_columns(sheet, r, extras)
    if attributes:
        line["attributes"] = attributes
    return line


def extra_columns(sheet: Sheet, r: int, extras: dict[str, int]) -> dict[str, str]:
    """Return a row's non-empty cells in the columns the template does not name, by header."""
    found = {k: loose_text(sheet, sheet.cell(r, col), k) for k, col in extras.items()}
    return {k: v for k, v in found.items() if v is not None}


def read_plan(sheet: Sheet | None, reading: Reading) -> dict[str, Any] | None:
    """Read the spending plan: its title in the first row, one step per row."""
    if sheet is None:
        return None
    at, extras = columns_of(sheet, L.PLAN_COLUMNS, reading, extras=True)
    plan: dict[str, Any] | None = None
    for r in data_rows(sheet):
        title = sheet.cell(r, at["title"]) if "title" in at else Cell(r, 0, "")
        if plan is None:
            plan = {"title": strict_text(sheet, title, "表名") or "资金支出计划", "steps": []}
            reading.mark(("spending_plan",), sheet, title)
        elif title.text.strip() and not title.merged:
            reading.unplaced.append(Unplaced(sheet.name, title.ref, title.text))
        label = sheet.cell(r, at.get("label", 0))
        step: dict[str, Any] = {"label": loose_text(sheet, label, "时点或年度") or ""}
        for field, header in (("percent", "累计支出进度（%）"), ("amount", "金额")):
            found = amount(sheet, sheet.cell(r, at.get(field, 0)), header)
            if found is not None:
                step[field] = found
        extra = extra_columns(sheet, r, extras)
        if extra:
            step["extra"] = extra
        plan["steps"].append(step)
        reading.mark(("spending_plan", "steps", len(plan["steps"]) - 1), sheet, label)
    return plan
