"""Build the budget systems' printed layouts as workbooks, in code (no binary fixtures).

Each builder lays out a sheet the way a real 绩效目标表 prints it, transcribed
from the source documents in /work/shared/seeds/: the compact national layout
with coded, merged headings (彭阳 2024), the mid-term/annual layout (呈贡 2020)
and the detailed layout with operator, unit and basis columns (呈贡 2022).
"""

from __future__ import annotations

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
