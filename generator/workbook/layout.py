"""The template's layout: sheet names, columns and their notes.

Export writes this layout, the template reader reads it, and the blank
template is an export of the skeleton project, so the three cannot drift
apart. Each column names the record field it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

LAYOUT_MARK = "disclose 绩效目标表模板 v1"  # kept in the workbook's keywords; sheet names are what counts


@dataclass(frozen=True)
class Column:
    """One column of a table sheet: the record field, its header, width and note."""

    field: str
    header: str
    width: int
    note: str = ""


@dataclass(frozen=True)
class Row:
    """One labelled row of the basic-information sheet."""

    field: str
    label: str
    note: str


BASIC = "基本信息"
GOALS = "绩效目标"
SECTIONS = "项目说明"
INDICATORS = "绩效指标"
COSTS = "测算明细"
FUNDING = "资金来源"
PLAN = "支出计划"
HELP = "填写说明"

# First row of every table sheet is a note, the second the header; data follows.
NOTE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3

BASIC_ROWS = (
    Row("slug", "记录文件名", "导入后的文件名（也是网址的一段）：小写英文字母、数字和“-”。不填则用项目代码或项目名称的拼音"),
    Row("name", "项目名称", "必填，按文件所印"),
    Row("code", "项目代码", "项目代码 / 项目编码。请把单元格设为“文本”，以免长代码丢失末位"),
    Row("number", "序号", "在本部门文件中的序号，决定项目的排列顺序；不填则按导入顺序"),
    Row("unit", "金额单位", "必填：元 或 万元。本工作簿所有金额都用这个单位"),
    Row("amount", "本年度预算金额", "必填。照原文的小数位数填写，如 31.900000"),
    Row("total_amount", "项目总金额", "跨年度项目的总金额"),
    Row("period", "项目期限", "按文件所印，如“1 年”"),
    Row("form_title", "表名", "绩效目标表的表名，按文件所印"),
)
INFO_BLOCK = "【基本信息表所印栏目】"
LABELS_BLOCK = "【指标表栏目名】"
PRIOR_BLOCK = "【上年度项目资金使用情况】"
BLOCK_NOTES = {
    INFO_BLOCK: "以下每行一个栏目：左边栏目名，右边内容，按文件顺序",
    LABELS_BLOCK: "指标表各栏在文件中所印的标题，与模板不同时填写（左边为模板栏名）",
    PRIOR_BLOCK: "有就填，没有就留空",
}
PRIOR_ROWS = (
    Row("title", "标题", "如“上年度项目资金使用情况”"),
    Row("budget", "年度预算安排资金", ""),
    Row("spent", "项目实际使用资金", ""),
    Row("balance", "项目结余资金", ""),
    Row("usage_rate", "资金使用率（%）", "只填数字"),
    Row("progress", "项目完成进度（%）", "只填数字"),
)

INDICATOR_COLUMNS = (
    Column("level1", "一级指标", 14, "产出指标、效益指标、满意度指标等；同一一级指标的各行可合并单元格，或只在第一行填写"),
    Column("level2", "二级指标", 16, "数量指标、质量指标等，可带编码如“11-数量指标”；只有二级指标、没有三级指标的行照样保留"),
    Column("name", "三级指标", 30, "每行一个三级指标"),
    Column("operator", "指标性质", 9, "≥ ≤ = > <（单独一栏时）"),
    Column("value", "指标值", 16, "照原文填写，如“≥90%”“24 人”“进一步提升”"),
    Column("unit", "度量单位", 9, "单独一栏时填写"),
    Column("kind", "指标属性", 10, "定量指标 / 定性指标"),
    Column("basis", "设定依据", 28, "指标值设定依据 / 目标值来源"),
    Column("weight", "权重", 7, "权重或分值，只填数字"),
    Column("core", "★", 5, "核心指标填“★”"),
    Column("description", "指标内容", 28, "指标内容 / 绩效指标描述"),
    Column("scoring", "评（扣）分标准", 28, ""),
    Column("period", "期间", 7, "年度 或 中期（不填为年度）"),
)
GOAL_COLUMNS = (
    Column("period", "期间", 10, "总体、中期 或 年度"),
    Column("label", "标题", 24, "文件所印标题，如“年度绩效目标”"),
    Column("text", "目标内容", 80, "可分段；可用 Markdown"),
)
SECTION_COLUMNS = (
    Column("title", "标题", 24, "如“立项依据”“项目概况”"),
    Column("body", "正文", 80, "可分段；可用 Markdown"),
)
FUNDING_COLUMNS = (
    Column("title", "表名", 22, "每张资金来源表的第一行填表名，其余行留空或合并"),
    Column("period", "期间", 8, "年度 或 中期"),
    Column("row", "行类别", 8, "合计 或 来源；每张表先一行合计，再逐行来源"),
    Column("name", "名称", 24, "合计行填合计栏名（如“合计”“预算数”），来源行填来源名称"),
    Column("amount", "金额", 16, "只填数字；空白表示文件中此格为空，印有 0 的填 0"),
)
PLAN_COLUMNS = (
    Column("title", "表名", 20, "只在第一行填写，如“资金支出计划（%）”"),
    Column("label", "时点或年度", 14, "如“6月底”“2021”"),
    Column("percent", "累计支出进度（%）", 14, "累计百分比，只填数字"),
    Column("amount", "金额", 16, "分年度计划的金额"),
)
COST_COLUMNS = (
    Column("title", "表名", 20, "每张测算表的第一行填表名，其余行留空或合并"),
    Column("row", "行类别", 8, "合计 或 明细"),
    Column("name", "明细名称", 26, ""),
    Column("amount", "金额", 14, "测算数，只填数字"),
    Column("purpose", "用途", 26, ""),
    Column("unit_price", "单价", 12, ""),
    Column("quantity", "数量", 10, ""),
    Column("measure", "计量单位", 10, ""),
    Column("basis", "测算依据及说明", 36, "右边可再加栏目（如支出功能分类科目），栏名即文件所印栏名"),
)

PERIODS = {"annual": "年度", "midterm": "中期"}
GOAL_PERIODS = {"overall": "总体", "midterm": "中期", "annual": "年度"}
OPERATORS = ("≥", "≤", "=", ">", "<")
LEVEL1_CHOICES = ("产出指标", "效益指标", "满意度指标", "成本指标")
LEVEL2_CHOICES = (
    "数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标",
    "生态效益指标", "可持续影响指标", "服务对象满意度指标",
)
KIND_CHOICES = ("定量指标", "定性指标")
TOTAL_ROW, LINE_ROW, SOURCE_ROW = "合计", "明细", "来源"
CORE_MARK = "★"

# Which template column each indicator_labels key names.
LABEL_HEADERS = {c.field: c.header for c in INDICATOR_COLUMNS if c.field not in {"core", "period"}}

HELP_TEXT = (
    "本工作簿是“预算绩效目标公开”项目支出绩效目标表的导入模板，由 disclose template 生成。",
    "一个工作簿填写一个项目。填好后运行：disclose import 工作簿.xlsx --into content/<年度>/<部门>/",
    "总原则：按文件所印逐字填写，不要改动原文的数字、用语和顺序；没有的内容留空。",
    "各工作表：基本信息（项目名称、金额等及基本信息表所印各栏）、绩效目标、项目说明（立项依据等叙述）、"
    "绩效指标（一级 → 二级 → 三级）、测算明细、资金来源、支出计划。",
    "金额：只填数字，不加单位和逗号；照原文的小数位数，如 31.900000。单位在“基本信息”的金额单位一栏统一填写。",
    "代码和以 0 开头的编号（如 0123）：请先把单元格格式设为“文本”再输入，否则 Excel 会去掉开头的 0、长代码会丢失末位。",
    "空白、“空”和“—”：留空即可；文件中印有“—”的指标值照印填写。",
    "不要使用公式：公开的数字必须是确定的值。如有公式，请复制后“选择性粘贴 → 数值”。",
    "第一行是说明，第二行是栏名，请不要删除或改动栏名；可以插入、删除数据行。",
    "有下拉列表的栏目（一级指标、二级指标、指标性质等）也可以填写列表以外的文字，如“11-数量指标”。",
)
