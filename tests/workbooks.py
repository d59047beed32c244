"""Build the budget systems' printed layouts as workbooks, in code (no binary fixtures).

Each builder lays out a sheet the way a real 绩效目标表 prints it, transcribed
from the source documents in /work/shared/seeds/: the compact national layout
with coded, merged headings (彭阳 2024), the mid-term/annual layout (呈贡 2020)
and the detailed layout with operator, unit and basis columns (呈贡 2022).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

PENGYANG = [
    {
        "name": "2024 年“司法协理”基层服务专项计划资金",
        "amount": 31.9, "amount_format": "0.000000",
        "goal": "本项目预算安排资金 31.9 万元，主要用于支付司法协理员工资和社保费。",
        "tree": [
            ("1-产出指标", [("11-数量指标", [("司法协理员数量", "24 人")]),
                           ("12-质量指标", [("人员到岗率", "100%")]),
                           ("14-成本指标", [("司法协理员工资社保费", "≤31.9 万元")])]),
            ("2-效益指标", [("21-经济效益", []), ("22-社会效益", [("稳定发挥司法所职能", "进一步提升")])]),
            ("3-满意度指标", [("31-服务对象满意度", [("司法协理员满意度", ">90%")])]),
        ],
    },
    {
        "name": "2024 年全区法律援助案件补助经费等",
        "amount": "35.000000", "amount_format": "@",
        "goal": "本项目预算安排资金 35 万元，主要用于安置帮教、社区矫正工作及人民调解和法律援助案件补贴。",
        "tree": [
            ("1-产出指标", [("11-数量指标", [("人民调解案件数量", ">70 件"), ("法律援助案件数量", ">100 件")])]),
            ("3-满意度指标", [("31-服务对象满意度", [("社区矫正和安置帮教对象满意度", "≥95%")])]),
        ],
    },
]


def put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> None:
    cell = ws.cell(row, col, value)
    if number_format:
        cell.number_format = number_format


def pengyang_sheet(ws: Worksheet, projects: list[dict[str, Any]] = PENGYANG) -> None:
    """Several projects in one sheet, coded headings merged down their rows, 单位：万元."""
    r = 1
    for project in projects:
        put(ws, r, 1, "2024 年部门项目支出预算绩效目标表")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        put(ws, r + 1, 1, "单位：万元")
        put(ws, r + 2, 1, "项目名称")
        put(ws, r + 2, 2, project["name"])
        ws.merge_cells(start_row=r + 2, start_column=2, end_row=r + 2, end_column=4)
        for i, (a, b, c, d) in enumerate([("主管部门", "彭阳县司法局", "实施单位", "彭阳县司法局本级"),
                                          ("项目属性", "0101-一年期项目", "项目期限", "1 年")]):
            for col, value in enumerate((a, b, c, d), start=1):
                put(ws, r + 3 + i, col, value)
        put(ws, r + 5, 1, "项目主管处室")
        put(ws, r + 5, 2, "02-预算股")
        put(ws, r + 5, 3, "项目年度金额")
        put(ws, r + 5, 4, project["amount"], project["amount_format"])
        put(ws, r + 6, 1, "年度总体绩效目标")
        put(ws, r + 6, 2, project["goal"])
        ws.merge_cells(start_row=r + 6, start_column=2, end_row=r + 6, end_column=4)
        for col, head in enumerate(("一级指标", "二级指标", "三级指标", "绩效值"), start=1):
            put(ws, r + 7, col, head)
        r += 8
        for level1, groups in project["tree"]:
            start1 = r
            for level2, indicators in groups:
                start2 = r
                put(ws, r, 2, level2)
                for name, value in indicators or [(None, None)]:
                    put(ws, r, 3, name)
                    put(ws, r, 4, value)
                    r += 1
                if r - 1 > start2:
                    ws.merge_cells(start_row=start2, start_column=2, end_row=r - 1, end_column=2)
            put(ws, start1, 1, level1)
            if r - 1 > start1:
                ws.merge_cells(start_row=start1, start_column=1, end_row=r - 1, end_column=1)
        r += 2


def midterm_sheet(ws: Worksheet) -> None:
    """呈贡 2020: goals and indicator values in mid-term and annual columns, 单位：元, blank cells as 空 and —."""
    rows = [
        ["项目支出绩效目标申报表（生成表）（2020年度）"],
        ["单位：元"],
        ["项目名称", "社区矫正工作经费", "", ""],
        ["主管部门及代码", "昆明市呈贡区司法局", "实施单位", "昆明市呈贡区司法局"],
        ["项目期", "经常性项目", "项目代码", None],
        ["年度资金总额", None, "中期资金总额", None],
        ["备用栏", "—", "空", "空"],
        ["", "中期目标", "年度目标", ""],
        ["", "年中至少1次社区矫正培训。", "完成对6个司法所的社区矫正指导工作。", ""],
        ["一级指标", "二级指标", "三级指标", "指标值", ""],
        ["", "", "", "中期指标值", "年度指标值"],
        ["产出指标", "数量指标", "社区矫正工作人员培训", "每年2次以上", "2次以上"],
        ["", "", "社区矫正工作人员培训覆盖率", 0.9, 0.9],
        ["", "质量指标", "加强社区矫正对象管理", "从新犯罪率不超过0.2%", "—"],
        ["满意度指标", "群众满意率", "培训人员满意度", "95%", "95%"],
    ]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value not in ("", None):
                put(ws, r, c, value)
    put(ws, 5, 4, 123, "0000")  # a code stored as a number, printed 0123
    put(ws, 6, 2, 300000, "#,##0.00")
    put(ws, 6, 4, "900000.00")
    put(ws, 13, 4, 0.9, "0%")
    put(ws, 13, 5, 0.9, "0%")
    ws.merge_cells("A10:A11")
    ws.merge_cells("B10:B11")
    ws.merge_cells("C10:C11")
    ws.merge_cells("D10:E10")
    ws.merge_cells("A12:A14")
    ws.merge_cells("B12:B13")


def detailed_sheet(ws: Worksheet) -> None:
    """呈贡 2022: 指标性质 / 指标值 / 度量单位 / 指标属性 / 评（扣）分标准 / 指标内容 / 设定依据 columns."""
    rows = [
        ["项目绩效目标表"],
        ["金额单位：元"],
        ["项目名称", "人民调解业务保障经费", "项目代码", "530121210000000001706"],
        ["本年度预算金额", "100000.00", "项目总金额", 550000],
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "指标属性", "评（扣）分标准", "指标内容",
         "绩效指标值设定依据及数据来源"],
        ["产出指标", "数量指标", "设备配备", "=", "100%", "%", "定量指标", "设备配备率达100%", "空", "设备配备率达100%"],
        ["空", "成本指标", "系统运行经费", "=", "100000元", "元", "定量指标", "空", "空", "空"],
        ["效益指标", "社会效益指标", "提升调解质量", "=", "简化调解程序", "空", "定性指标", "空", "空", "空"],
    ]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value)
    ws.cell(4, 4).number_format = "0.00"


def save(path: Path, *builders: Any, titles: tuple[str, ...] = ()) -> Path:
    """Write a workbook with one sheet per builder."""
    book = Workbook()
    book.remove(book.active)
    for i, build in enumerate(builders):
        build(book.create_sheet(titles[i] if i < len(titles) else f"Sheet{i + 1}"))
    book.save(path)
    return path


# --- the other kinds' printed forms, laid out from the example records (examples/) -----------------------


def cell(ws: Worksheet, row: int, col: int, value: Any, across: int = 1, down: int = 1) -> None:
    """Write a value as the form prints it (a Decimal as a number, text as text), merged over its cells."""
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if value not in (None, ""):
        ws.cell(row, col, value)
    if across > 1 or down > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + down - 1, end_column=col + across - 1)


def tree_height(tree: Any) -> int:
    """Return how many rows an indicator tree prints: one per indicator, one per empty group or heading."""
    return sum(sum(max(len(g.indicators), 1) for g in level1.groups) or 1 for level1 in tree)


def tree_rows(ws: Worksheet, row: int, tree: Any, fields: tuple[str, ...], col: int = 1) -> int:
    """Print an indicator tree from a row: 一级 and 二级 headings merged down their rows; return the row after it."""
    for level1 in tree:
        start1 = row
        for level2 in level1.groups or ():
            height = max(len(level2.indicators), 1)
            cell(ws, row, col + 1, level2.level2, down=height)
            for indicator in level2.indicators:
                for offset, field in enumerate(fields, start=2):
                    cell(ws, row, col + offset, getattr(indicator, field))
                row += 1
            row += 0 if level2.indicators else 1
        row += 0 if level1.groups else 1
        cell(ws, start1, col, level1.level1, down=row - start1)
    return row


def yongde_sheet(ws: Worksheet, record: Any) -> None:
    """永德 2022 项目支出绩效自评表（公开14表）: 项目资金 merged down its lines, goals over their results, a two-row head."""
    cell(ws, 1, 1, "公开14表")
    cell(ws, 2, 1, record.form_title, across=10)
    cell(ws, 3, 1, "部门:临沧市永德县明朗中学", across=10)
    cell(ws, 4, 1, "项目名称")
    cell(ws, 4, 2, record.name, across=9)
    for col, value, across in ((1, "主管部门", 1), (2, record.info["主管部门"], 4), (6, "实施单位", 1),
                               (7, record.info["实施单位"], 4)):
        cell(ws, 5, col, value, across)
    cell(ws, 6, 1, record.execution_title, down=1 + len(record.execution))
    cell(ws, 6, 2, None, across=3)
    fields = ("initial", "budget", "executed", "weight", "rate", "score")
    for col, head in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"), start=5):
        cell(ws, 6, col, head)
    for row, line in enumerate(record.execution, start=7):
        cell(ws, row, 2, line.name, across=3)
        for col, field in enumerate(fields, start=5):
            cell(ws, row, col, getattr(line, field))
    row = 7 + len(record.execution)
    (goal,) = record.goals
    cell(ws, row, 1, record.goals_title, down=2)
    for col, head, text in ((2, "预期目标", goal.text), (7, "实际完成情况", goal.result)):
        cell(ws, row, col, head, across=5 if col == 2 else 4)
        cell(ws, row + 1, col, text, across=5 if col == 2 else 4)
    row += 2
    cell(ws, row, 1, "绩效指标", across=3)
    cell(ws, row, 4, "年度指标值", across=3)
    for col, head in enumerate(("实际完成值", "分值", "得分", "偏差原因分析及改进措施"), start=7):
        cell(ws, row, col, head, down=2)
    for col, head in enumerate(("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"), start=1):
        cell(ws, row + 1, col, head)
    row = tree_rows(ws, row + 2, record.indicators, ("name", "operator", "value", "unit", "actual", "weight", "score",
                                                     "deviation"))
    (note,) = record.notes
    cell(ws, row, 1, note.title)
    cell(ws, row, 2, note.body, across=9)
    cell(ws, row + 1, 1, record.total.label, across=7)
    for col, value in ((8, record.total.weight), (9, record.total.score), (10, record.total.grade)):
        cell(ws, row + 1, col, value)


def zhongxian_sheet(ws: Worksheet, record: Any) -> None:
    """忠县 2022 区域绩效目标表: authorities one per row, 资金情况 merged down its parts, 绩效指标 down the indicators."""
    cell(ws, 1, 1, record.form_title, across=6)
    rows = [("资金名称", record.name), *record.authorities.items()]
    for row, (label, value) in enumerate(rows, start=2):
        cell(ws, row, 1, label)
        cell(ws, row, 2, value, across=5)
    row = 2 + len(rows)
    (funding,) = record.funding
    cell(ws, row, 1, funding.title, down=1 + len(funding.sources))
    for at, (name, amount) in enumerate([(funding.total_label, funding.total),
                                         *((s.name, s.amount) for s in funding.sources)], start=row):
        cell(ws, at, 2, name)
        cell(ws, at, 3, amount, across=4)
    row += 1 + len(funding.sources)
    (goal,) = record.goals
    cell(ws, row, 1, goal.label)
    cell(ws, row, 2, goal.text, across=5)
    row += 1
    cell(ws, row, 1, "绩效指标", down=1 + tree_height(record.indicators))
    for col, head in enumerate(("一级指标", "二级指标", "三级指标", "单位", "指标值"), start=2):
        cell(ws, row, col, head)
    tree_rows(ws, row + 1, record.indicators, ("name", "unit", "value"), col=2)


def ningde_sheet(ws: Worksheet, record: Any) -> None:
    """宁德 2019 部门整体支出绩效目标表: 年度预算安排 and 年度履职目标 merged down their rows, 指标解释 / 目标值."""
    goals = record.goals
    cell(ws, 1, 1, goals.form_title, across=5)
    (name, code) = goals.info.items()
    for col, value, across in ((1, name[0], 1), (2, name[1], 2), (4, code[0], 1), (5, code[1], 1)):
        cell(ws, 2, col, value, across)
    (funding,) = record.funding
    cell(ws, 3, 1, funding.title, down=1 + len(funding.sources))
    for at, (label, amount) in enumerate([(funding.total_label, funding.total),
                                          *((s.name, s.amount) for s in funding.sources)], start=3):
        cell(ws, at, 2, label)
        cell(ws, at, 3, amount, across=3)
    row = 4 + len(funding.sources)
    (section,) = goals.sections
    cell(ws, row, 1, section.title)
    cell(ws, row, 2, "\n".join(line for line in section.body.splitlines() if line), across=4)
    row += 1
    duties = goals.duties
    cell(ws, row, 1, duties.title, down=1 + len(duties.rows))
    for at, values in enumerate([duties.columns, *duties.rows], start=row):
        for col, value in enumerate(values, start=2):
            cell(ws, at, col, value)
    row += 1 + len(duties.rows)
    for col, head in enumerate(("一级指标", "二级指标", "三级指标", "指标解释", "目标值"), start=1):
        cell(ws, row, col, head)
    tree_rows(ws, row + 1, goals.indicators, ("name", "description", "value"))
