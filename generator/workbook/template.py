"""Read a workbook in the template's layout (written by `disclose template` or `export`).

Sheets are found by name and columns by their header, so a publisher may
reorder columns, insert rows and merge cells. Headings (一级 / 二级 指标,
表名) are written once per group or merged over it; a blank or covered cell
continues the group above. Every non-empty cell ends up in the record or in
the reading's list of cells that could not be placed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from ..model import RECORD_KINDS, Department, DepartmentGoals, Indicator, Record
from . import layout as L
from .cells import Cell, Sheet, WorkbookError
from .reading import Reading, Unplaced, amount, cell_amount, loose_text, strict_text, whole_number

TEMPLATE_SHEETS = {L.BASIC, L.INDICATORS}
KIND_BY_NAME = {v: k for k, v in L.KIND_NAMES.items()}
MODELS: dict[str, type[Record]] = {**RECORD_KINDS, "department": Department}


def is_template(sheets: Sequence[Sheet]) -> bool:
    """Return whether a workbook is laid out as the template."""
    return {s.name for s in sheets} >= TEMPLATE_SHEETS


def template_kind(sheet: Sheet) -> str:
    """Return the kind of record a template's 记录种类 row names (a project when it has none)."""
    for r in range(L.FIRST_ROW, len(sheet.rows) + 1):
        if sheet.cell(r, 1).text.strip() == L.KIND_ROW.label:
            value = sheet.cell(r, 2)
            if value.text.strip() not in KIND_BY_NAME:
                raise WorkbookError(f"“记录种类”应为 {'、'.join(L.KIND_NAMES.values())} 之一，找到“{value.text}”",
                                    sheet.name, value.ref)
            return KIND_BY_NAME[value.text.strip()]
    return "project"


def read_template(sheets: Sequence[Sheet]) -> Reading:
    """Read the one record of a template-layout workbook."""
    by_name = {s.name: s for s in sheets}
    kind = L.KINDS[template_kind(by_name[L.BASIC])]
    reading = Reading({}, L.BASIC, kind=kind.name)
    data = read_basic(by_name[L.BASIC], kind, reading)
    pre: tuple[str, ...] = ("goals",) if kind.prefix else ()
    goals = data.setdefault("goals", {}) if kind.prefix else data
    readers: dict[str, Callable[[Sheet], None]] = {
        L.GOALS: lambda sheet: data.update(goals=read_rows(sheet, L.EVALUATION_GOAL_COLUMNS, reading, goal_row, ("goals",))),
        kind.sections_sheet: lambda sheet: goals.update(
            sections=read_rows(sheet, L.SECTION_COLUMNS, reading, section_row, (*pre, "sections"))),
        L.NOTES: lambda sheet: goals.update(notes=read_rows(sheet, L.SECTION_COLUMNS, reading, section_row, (*pre, "notes"))),
        L.INDICATORS: lambda sheet: goals.update(indicators=read_indicators(sheet, L.EVALUATION_INDICATOR_COLUMNS, reading, pre)),
        L.DUTIES: lambda sheet: read_duties(sheet, goals, reading),
        L.PLAN: lambda sheet: data.update(spending_plan=read_plan(sheet, reading)),
        L.FUNDING: lambda sheet: data.update(funding=read_blocks(sheet, L.FUNDING_COLUMNS, reading, "funding")),
        L.COSTS: lambda sheet: data.update(cost_tables=read_blocks(sheet, L.COST_COLUMNS, reading, "cost_tables")),
        L.EXECUTION: lambda sheet: data.update(
            execution=read_rows(sheet, L.EXECUTION_COLUMNS, reading, execution_row, ("execution",))),
        L.CORRECTIONS: lambda sheet: data.update(
            corrections=read_rows(sheet, L.CORRECTION_COLUMNS, reading, correction_row, ("corrections",))),
    }
    for name, sheet in by_name.items():
        if name in readers and name in kind.sheets:
            readers[name](sheet)
        elif name not in {L.BASIC, L.HELP}:
            reading.unplaced += [Unplaced(name, c.ref, c.text) for row in sheet.rows for c in row if c.text.strip()]
    if kind.prefix:
        goals = ordered(goals, DepartmentGoals)
        data["goals"] = goals if goals else None
    model = MODELS[kind.name]
    reading.data = ordered(data, model)
    return reading


def ordered(data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Return a record part's filled fields in the model's order, as the bundled records write them."""
    return {k: data[k] for k in model.model_fields if data.get(k) not in (None, [], {}, ())}


def owner_of(data: dict[str, Any], steps: Sequence[str]) -> dict[str, Any]:
    """Return the nested dict that holds the last step of a field path, making the dicts on the way."""
    for name in steps[:-1]:
        data = data.setdefault(name, {})
    return data


def set_path(data: dict[str, Any], steps: Sequence[str], value: Any) -> None:
    """Set a field given by its steps (("goals", "duties", "title")) in nested dicts.

    Steps, not a dotted string: a printed label such as "1.项目名称" is one step.
    """
    owner_of(data, steps)[steps[-1]] = value


def row_value(sheet: Sheet, cell: Cell, spec: L.Row) -> Any:
    """Convert one labelled row's cell to its field's type."""
    if spec.kind in {"amount", "score"}:
        return amount(sheet, cell, spec.label)
    if spec.kind == "cell":
        return cell_amount(sheet, cell, spec.label)
    if spec.kind == "int":
        return whole_number(sheet, cell, spec.label)
    if spec.kind == "name":
        return strict_text(sheet, cell, spec.label) or None
    text = loose_text(sheet, cell, spec.label)
    if spec.kind == "lines":
        return [line.strip() for line in text.split("\n") if line.strip()] if text else None
    return text


def read_basic(sheet: Sheet, kind: L.Kind, reading: Reading) -> dict[str, Any]:
    """Read the fixed rows and the blocks of the basic-information sheet."""
    fixed = {r.label: r for r in kind.rows}
    blocks = {b.title: b for b in kind.blocks}
    headers = {h: k for k, h in L.LABEL_HEADERS.items()}
    notes = {r.note for r in (L.KIND_ROW, *kind.rows, *(row for b in kind.blocks for row in b.rows))}
    notes |= {b.note for b in kind.blocks}
    out: dict[str, Any] = {"kind": kind.name} if kind.name not in {"project", "department"} else {}
    block: L.Block | None = None
    for r in range(L.FIRST_ROW, len(sheet.rows) + 1):
        key, value, note = sheet.cell(r, 1), sheet.cell(r, 2), sheet.cell(r, 3)
        label = strict_text(sheet, key, "栏目名") if key.text.strip() else ""
        if note.text.strip() and note.text not in notes:
            reading.unplaced.append(Unplaced(sheet.name, note.ref, note.text))
        extra = [c for c in sheet.rows[r - 1][3:] if c.text.strip()]
        reading.unplaced += [Unplaced(sheet.name, c.ref, c.text) for c in extra]
        if label in blocks:
            block = blocks[label]
            continue
        if not label:
            if value.text.strip():
                reading.unplaced.append(Unplaced(sheet.name, value.ref, value.text))
            continue
        if block is None and label == L.KIND_ROW.label:
            continue
        if block is None and label in fixed:
            spec = fixed[label]
            found = row_value(sheet, value, spec)
            if spec is L.SLUG_ROW:
                reading.slug = found or ""
            elif found is not None:
                out[spec.field] = found
            reading.mark((spec.field,), sheet, value)
            continue
        path = tuple(block.path.split(".")) if block else ()
        if block is not None and block.listed:
            items = owner_of(out, path).setdefault(path[-1], [])
            items.append(group_row(sheet, key, value, (*path, len(items)), reading))
            continue
        if block is not None and not block.rows and block.path.endswith("indicator_labels"):
            if label in headers and value.text.strip():
                set_path(out, (*path, headers[label]), strict_text(sheet, value, label))
                continue
        elif block is not None and not block.rows:
            set_path(out, (*path, label), loose_text(sheet, value, label) or "")
            reading.mark((*path, label), sheet, value)
            continue
        elif block is not None and (spec := next((row for row in block.rows if row.label == label), None)):
            found = row_value(sheet, value, spec)
            if found is not None:
                steps = (*path, *spec.field.split("."))
                set_path(out, steps, found)
                reading.mark(steps, sheet, value)
            continue
        reading.unplaced += [Unplaced(sheet.name, c.ref, c.text) for c in (key, value) if c.text.strip()]
    return out


COLUMN_SEPARATOR = re.compile(r"[、,，;；\s]+")  # between the column names of a 跨栏标题 row
GROUP_COLUMNS = {**{field: field for field in L.LABEL_HEADERS}, **{h: field for field, h in L.LABEL_HEADERS.items()}}


def group_row(sheet: Sheet, key: Cell, value: Cell, loc: tuple[Any, ...], reading: Reading) -> dict[str, Any]:
    """Read one 跨栏标题 row: the heading as printed, and the template columns it spans (by header, or field name)."""
    label = strict_text(sheet, key, "跨栏标题")
    names = [n for n in COLUMN_SEPARATOR.split(strict_text(sheet, value, f"跨栏标题“{label}”所跨的栏")) if n]
    if not names:
        raise WorkbookError(f"跨栏标题“{label}”右边应写它所跨的各栏的栏名，用“、”隔开，如“指标性质、指标值、度量单位”",
                            sheet.name, value.ref)
    unknown = [n for n in names if n not in GROUP_COLUMNS]
    if unknown:
        raise WorkbookError(f"跨栏标题“{label}”所跨的“{unknown[0]}”不是“{L.INDICATORS}”工作表的栏名；"
                            f"应为 {'、'.join(L.LABEL_HEADERS.values())} 中相邻的几栏，用“、”隔开", sheet.name, value.ref)
    reading.mark(loc, sheet, key)
    reading.mark((*loc, "columns"), sheet, value)
    return {"label": label, "columns": [GROUP_COLUMNS[n] for n in names]}


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


def read_rows(sheet: Sheet | None, columns: Sequence[L.Column], reading: Reading, row_reader: RowReader,
              loc: tuple[Any, ...]) -> list[dict]:
    """Read a sheet where each data row is one item of the record part at `loc`."""
    if sheet is None:
        return []
    at, _ = columns_of(sheet, columns, reading)
    return [row_reader(sheet, r, at, reading, (*loc, i)) for i, r in enumerate(data_rows(sheet))]


def goal_row(sheet: Sheet, r: int, at: dict[str, int], reading: Reading, loc: tuple[Any, ...]) -> dict[str, Any]:
    periods = {v: k for k, v in L.GOAL_PERIODS.items()}
    period_cell = sheet.cell(r, at.get("period", 0))
    period = periods.get(period_cell.text.strip())
    if period is None:
        raise WorkbookError(f"期间应为 总体、中期 或 年度，找到“{period_cell.text}”", sheet.name, period_cell.ref)
    text_cell = sheet.cell(r, at.get("text", 0))
    reading.mark(loc, sheet, text_cell)
    label = loose_text(sheet, sheet.cell(r, at.get("label", 0)), "标题")
    goal = {"period": period, **({"label": label} if label else {}), "text": loose_text(sheet, text_cell, "目标内容") or ""}
    result = loose_text(sheet, sheet.cell(r, at.get("result", 0)), "实际完成情况")
    return {**goal, "result": result} if result is not None else goal


def section_row(sheet: Sheet, r: int, at: dict[str, int], reading: Reading, loc: tuple[Any, ...]) -> dict[str, Any]:
    title = sheet.cell(r, at.get("title", 0))
    reading.mark(loc, sheet, title)
    body = loose_text(sheet, sheet.cell(r, at.get("body", 0)), "正文")
    return {"title": strict_text(sheet, title, "标题"), **({"body": body} if body else {})}


def execution_row(sheet: Sheet, r: int, at: dict[str, int], reading: Reading, loc: tuple[Any, ...]) -> dict[str, Any]:
    """Read one line of a self-evaluation's funds; a printed "—" stays as printed."""
    name = sheet.cell(r, at.get("name", 0))
    reading.mark(loc, sheet, name)
    line: dict[str, Any] = {"name": strict_text(sheet, name, "资金名称")}
    for column in L.EXECUTION_COLUMNS[1:]:
        cell = sheet.cell(r, at.get(column.field, 0))
        found = loose_text(sheet, cell, column.header) if column.field == "rate" else cell_amount(sheet, cell, column.header)
        if found is not None:
            line[column.field] = found
    return line


def correction_row(sheet: Sheet, r: int, at: dict[str, int], reading: Reading, loc: tuple[Any, ...]) -> dict[str, Any]:
    reading.mark(loc, sheet, sheet.cell(r, at.get("date", 0)))
    return {c.field: loose_text(sheet, sheet.cell(r, at.get(c.field, 0)), c.header) or "" for c in L.CORRECTION_COLUMNS}


def read_duties(sheet: Sheet, goals: dict[str, Any], reading: Reading) -> None:
    """Read the 年度履职目标 table: its header row is the table's own columns, each row one task."""
    heads = [c for c in sheet.rows[L.HEADER_ROW - 1] if c.text.strip()] if len(sheet.rows) >= L.HEADER_ROW else []
    if not heads:
        for r in data_rows(sheet):
            reading.unplaced += [Unplaced(sheet.name, c.ref, c.text) for c in sheet.rows[r - 1] if c.text.strip()]
        return
    width = max(c.col for c in heads)
    duties = goals.setdefault("duties", {})
    duties["columns"] = [strict_text(sheet, sheet.cell(L.HEADER_ROW, col), "栏目标题") for col in range(1, width + 1)]
    reading.mark(("goals", "duties"), sheet, heads[0])
    rows = []
    for r in data_rows(sheet):
        rows.append([loose_text(sheet, sheet.cell(r, col), duties["columns"][col - 1]) or "" for col in range(1, width + 1)])
        reading.unplaced += [Unplaced(sheet.name, c.ref, c.text) for c in sheet.rows[r - 1][width:] if c.text.strip()]
        reading.mark(("goals", "duties", "rows", len(rows) - 1), sheet, sheet.cell(r, 1))
    if rows:
        duties["rows"] = rows
    goals["duties"] = {k: duties[k] for k in ("title", "columns", "rows") if k in duties}


def read_indicators(sheet: Sheet, columns: Sequence[L.Column], reading: Reading,
                    pre: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Read the indicator tree: a heading starts a group until a different heading."""
    at, _ = columns_of(sheet, columns, reading)
    if "name" not in at:
        raise WorkbookError("找不到“三级指标”栏（第 2 行应是栏名）", sheet.name, f"A{L.HEADER_ROW}")
    periods = {v: k for k, v in L.PERIODS.items()}
    tree: list[dict[str, Any]] = []
    level2: dict[str, Any] | None = None
    for r in data_rows(sheet):
        def cell(field: str, r: int = r) -> Cell:
            return sheet.cell(r, at[field]) if field in at else Cell(r, 0, "")
        heading1 = "" if cell("level1").merged else strict_text(sheet, cell("level1"), "一级指标")
        heading2 = "" if cell("level2").merged else strict_text(sheet, cell("level2"), "二级指标")
        if heading1 and (not tree or heading1 != tree[-1]["level1"]):
            tree.append({"level1": heading1, "groups": []})
            reading.mark((*pre, "indicators", len(tree) - 1), sheet, cell("level1"))
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
        for field in ("operator", "value", "unit", "kind", "basis", "description", "scoring", "actual", "deviation"):
            text = loose_text(sheet, cell(field), L.LABEL_HEADERS[field])
            if text is not None:
                indicator[field] = text
        for field in ("weight", "score"):
            number = amount(sheet, cell(field), L.LABEL_HEADERS[field])
            if number is not None:
                indicator[field] = number
        mark = cell("core").text.strip()
        if mark:
            indicator["core"] = True
            if mark != L.CORE_MARK:
                indicator["core_mark"] = mark
        period = cell("period").text.strip()
        if period:
            if period not in periods:
                raise WorkbookError(f"期间应为 年度 或 中期，找到“{period}”", sheet.name, cell("period").ref)
            if periods[period] != "annual":
                indicator["period"] = periods[period]
        level2["indicators"].append({k: indicator[k] for k in Indicator.model_fields if k in indicator})
        loc = (*pre, "indicators", len(tree) - 1, "groups", len(tree[-1]["groups"]) - 1, "indicators",
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
            total = cell_amount(sheet, cell("amount"), "合计") if kind == "funding" else amount(sheet, cell("amount"), "合计")
            if total is not None:
                table["total"] = total
            if kind == "funding":
                table["total_label"] = loose_text(sheet, cell("name"), "合计栏名") or L.TOTAL_ROW
                printed = loose_text(sheet, cell("printed"), "金额旁所印文字")
                if printed is not None:
                    table["total_printed"] = printed
        elif row_kind in {L.SOURCE_ROW, L.LINE_ROW} or (not row_kind and cell("name").text.strip()):
            if kind == "funding":
                add_source(sheet, cell, table, reading, (kind, len(tables) - 1))
                continue
            table["lines"].append(cost_line(sheet, cell, r, extras))
            reading.mark((kind, len(tables) - 1, "lines", len(table["lines"]) - 1), sheet, cell("name"))
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


def add_source(sheet: Sheet, cell: Callable[[str], Cell], table: dict[str, Any], reading: Reading,
               loc: tuple[Any, ...]) -> None:
    """Add a funding source under the last source one level up (层级), as the form nests them."""
    level = whole_number(sheet, cell("level"), "层级") or 1
    source: dict[str, Any] = {"name": strict_text(sheet, cell("name"), "来源名称"),
                              "amount": cell_amount(sheet, cell("amount"), "金额")}
    printed = loose_text(sheet, cell("printed"), "金额旁所印文字")
    if printed is not None:
        source["printed"] = printed
    siblings, loc = table["sources"], (*loc, "sources")
    for _ in range(level - 1):
        if not siblings:
            raise WorkbookError(f"层级 {level} 的来源上面缺少上一级来源", sheet.name, cell("level").ref)
        parent = siblings[-1]
        loc = (*loc, len(siblings) - 1, "children")
        siblings = parent.setdefault("children", [])
    siblings.append(source)
    reading.mark((*loc, len(siblings) - 1), sheet, cell("name"))


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
