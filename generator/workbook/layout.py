"""The template's layout: sheet names, columns and their notes.

Export writes this layout, the template reader reads it, and the blank
template is an export of the skeleton project, so the three cannot drift
apart. Each column names the record field it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import KIND_TITLES

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
    """One labelled row of the basic-information sheet; `kind` says how its cell is read."""

    field: str
    label: str
    note: str
    kind: str = "text"  # text, name (words, not a number), amount, cell (amount or —), score, int, lines


@dataclass(frozen=True)
class Block:
    """A titled group of rows on the basic sheet: one part of the record (prior_year, notice, …).

    A block without `rows` is labelled: each row is a printed label and its content (info, authorities);
    a listed one holds a list, each row one item: a printed heading and the template columns it spans
    (indicator_groups).
    """

    title: str
    path: str
    note: str
    rows: tuple[Row, ...] = ()
    listed: bool = False


BASIC = "基本信息"
GOALS = "绩效目标"
SECTIONS = "项目说明"
INDICATORS = "绩效指标"
COSTS = "测算明细"
FUNDING = "资金来源"
PLAN = "支出计划"
DEPARTMENT_SECTIONS = "目标说明"
NOTES = "注释说明"
EXECUTION = "项目资金"
DUTIES = "年度履职目标"
CORRECTIONS = "更正记录"
HELP = "填写说明"

# First row of every table sheet is a note, the second the header; data follows.
NOTE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3

KIND_ROW = Row("kind", "记录种类", "本工作簿是哪一种表，决定导入后写成哪种记录；不要改动", "name")
SLUG_ROW = Row("slug", "记录文件名", "导入后的文件名（也是网址的一段）：小写英文字母、数字和“-”。不填则用项目代码或项目名称的拼音")
UNIT_NOTE = "元 或 万元。本工作簿所有金额都用这个单位"
BASIC_ROWS = (
    SLUG_ROW,
    Row("name", "项目名称", "必填，按文件所印", "name"),
    Row("code", "项目代码", "项目代码 / 项目编码。请把单元格设为“文本”，以免长代码丢失末位"),
    Row("number", "序号", "在本部门文件中的序号，决定项目的排列顺序；不填则按导入顺序", "int"),
    Row("unit", "金额单位", "必填：" + UNIT_NOTE, "name"),
    Row("amount", "本年度预算金额", "必填。照原文的小数位数填写，如 31.900000", "amount"),
    Row("total_amount", "项目总金额", "跨年度项目的总金额", "amount"),
    Row("period", "项目期限", "按文件所印，如“1 年”"),
    Row("form_title", "表名", "绩效目标表的表名，按文件所印"),
    Row("goals_title", "绩效目标栏标题", "绩效目标一栏所印的标题，如“总体目标”；不填为“绩效目标”"),
    Row("source_file", "原文件", "与记录放在同一文件夹的原文件名，如 yuanwen.pdf，随网页一同发布"),
    Row("same_as", "其他年度的同一项目", "项目代码不同或没有代码时填写，如 2022/部门/项目；多个时每行一个", "lines"),
)
TRANSFER_ROWS = (
    SLUG_ROW,
    Row("name", "资金名称", "必填，按文件所印", "name"),
    Row("form_title", "表名", "如“…资金区域绩效目标表”，按文件所印"),
    Row("unit", "金额单位", "必填：" + UNIT_NOTE, "name"),
    Row("amount", "年度金额", "必填：本次下达金额，照原文的小数位数填写", "amount"),
    Row("goals_title", "绩效目标栏标题", "绩效目标一栏所印的标题；不填为“绩效目标”"),
)
EVALUATION_ROWS = (
    SLUG_ROW,
    Row("name", "项目名称", "必填，按文件所印", "name"),
    Row("code", "项目代码", "与项目支出绩效目标表的项目代码相同时自动关联。请把单元格设为“文本”"),
    Row("target", "对应的项目记录", "同一部门中项目记录的文件名（不含 .yaml），没有项目代码时填写"),
    Row("form_title", "表名", "如“2022年度项目支出绩效自评表”，按文件所印"),
    Row("unit", "金额单位", "必填：" + UNIT_NOTE, "name"),
    Row("execution_title", "资金栏标题", "“项目资金”一栏所印的标题，如“项目资金 (元)”；不填为“项目资金”"),
    Row("goals_title", "目标栏标题", "目标一栏所印的标题；不填为“年度总体目标”"),
)
DEPARTMENT_ROWS = (
    Row("name", "部门名称", "必填，按文件所印", "name"),
    Row("code", "部门编码", "部门编码 / 单位代码。请把单元格设为“文本”，以免丢失开头的 0"),
    Row("region", "财政区划", "如“呈贡区”"),
    Row("unit", "金额单位", "填写“资金来源”工作表时必填：" + UNIT_NOTE, "name"),
    Row("source_file", "原文件", "与 department.yaml 放在同一文件夹的原文件名，如 yuanwen.pdf"),
)
INFO_BLOCK = "【基本信息表所印栏目】"
LABELS_BLOCK = "【指标表栏目名】"
PRIOR_BLOCK = "【上年度项目资金使用情况】"
PRIOR_ROWS = (
    Row("title", "标题", "如“上年度项目资金使用情况”"),
    Row("budget", "年度预算安排资金", "", "amount"),
    Row("spent", "项目实际使用资金", "", "amount"),
    Row("balance", "项目结余资金", "可为负数", "amount"),
    Row("usage_rate", "资金使用率（%）", "只填数字", "amount"),
    Row("progress", "项目完成进度（%）", "只填数字", "amount"),
)
INFO = Block(INFO_BLOCK, "info", "以下每行一个栏目：左边栏目名，右边内容，按文件顺序")
LABELS = Block(LABELS_BLOCK, "indicator_labels", "指标表各栏在文件中所印的标题，与模板不同时填写（左边为模板栏名）")
GROUPS_NOTE = ("表头印成两行时填写：每行一个印在几栏上方的跨栏标题，左边按文件所印（如“年度指标值”），"
               "右边它所跨的相邻各栏的模板栏名，用“、”隔开（如“指标性质、指标值、度量单位”）；没有就留空")
GROUPS = Block("【指标表跨栏标题】", "indicator_groups", GROUPS_NOTE, listed=True)
PRIOR = Block(PRIOR_BLOCK, "prior_year", "有就填，没有就留空", PRIOR_ROWS)
AUTHORITIES = Block("【各级主管部门】", "authorities", "每行一个：左边栏目名（如“中央主管部门”），右边部门名称")
NOTICE = Block("【资金下达通知】", "notice", "下达资金的通知，有就填", (
    Row("title", "通知标题", ""),
    Row("number", "文号", "如“忠财农〔2022〕5号”"),
    Row("issuer", "发文单位", ""),
    Row("date", "发文日期", "按文件所印"),
    Row("addressee", "主送单位", ""),
    Row("basis", "依据文件及文号", ""),
    Row("amount", "下达金额", "只填数字", "amount"),
    Row("subject", "功能科目", "如“农业农村(21301)”"),
    Row("body", "通知正文", "可分段；可用 Markdown"),
))
TOTAL = Block("【总分】", "total", "总分、得分与评价等级", (
    Row("label", "标题", "按文件所印，如“总分”"),
    Row("weight", "满分", "分值合计，只填数字", "score"),
    Row("score", "总得分", "只填数字", "score"),
    Row("grade", "评价等级", "如“优”"),
))
PUBLICATION = Block("【来源文件】", "publication", "部门公开的文件", (
    Row("title", "文件标题", "必填", "name"),
    Row("issuer", "编制 / 发布单位", ""),
    Row("date", "发布日期", "按文件所印"),
    Row("preamble", "前言", "文件正文前言，可用 Markdown"),
))
DEPARTMENT_GOALS = Block("【部门整体绩效目标】", "goals", "有部门整体绩效目标时填写；各部分见“目标说明”“年度履职目标”“绩效指标”工作表", (
    Row("title", "标题", "如“部门整体绩效目标”", "name"),
    Row("form_title", "表名", "如“部门整体支出绩效目标表”，按文件所印"),
    Row("duties.title", "年度履职目标标题", "“年度履职目标”一栏所印的标题"),
))
DEPARTMENT_INFO = Block("【部门整体绩效目标表所印栏目】", "goals.info",
                        "部门整体支出绩效目标表中表名之下所印的基本信息（如 部门(单位)名称、部门预算编码）："
                        "每行一个，左边栏目名，右边内容，按文件顺序")
DEPARTMENT_LABELS = Block(LABELS_BLOCK, "goals.indicator_labels", LABELS.note)
DEPARTMENT_GROUPS = Block(GROUPS.title, "goals.indicator_groups", GROUPS.note, listed=True)

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
EVALUATION_INDICATOR_COLUMNS = (
    *INDICATOR_COLUMNS,
    Column("actual", "实际完成值", 16, "按文件所印"),
    Column("score", "得分", 7, "只填数字"),
    Column("deviation", "偏差原因分析及改进措施", 30, ""),
)
EXECUTION_COLUMNS = (
    Column("name", "资金名称", 24, "按文件所印，如“年度资金总额”“其中：当年财政拨款”"),
    Column("initial", "年初预算数", 14, "只填数字；文件印“—”的照填"),
    Column("budget", "全年预算数", 14, "只填数字；文件印“—”的照填"),
    Column("executed", "全年执行数", 14, "只填数字；文件印“—”的照填"),
    Column("weight", "分值", 8, "只填数字"),
    Column("rate", "执行率", 10, "按文件所印，如“100%”"),
    Column("score", "得分", 8, "只填数字"),
)
CORRECTION_COLUMNS = (
    Column("date", "更正日期", 14, "YYYY-MM-DD，如 2025-03-01"),
    Column("what", "更正了什么", 50, "如“满意度指标值由≥80%更正为≥90%”"),
    Column("why", "更正原因", 50, ""),
)
GOAL_COLUMNS = (
    Column("period", "期间", 10, "总体、中期 或 年度"),
    Column("label", "标题", 24, "文件所印标题，如“年度绩效目标”"),
    Column("text", "目标内容", 80, "可分段；可用 Markdown"),
)
EVALUATION_GOAL_COLUMNS = (*GOAL_COLUMNS, Column("result", "实际完成情况", 60, "自评表的实际完成情况"))
SECTION_COLUMNS = (
    Column("title", "标题", 24, "如“立项依据”“项目概况”"),
    Column("body", "正文", 80, "可分段；可用 Markdown"),
)
FUNDING_COLUMNS = (
    Column("title", "表名", 22, "每张资金来源表的第一行填表名，其余行留空或合并"),
    Column("period", "期间", 8, "年度 或 中期"),
    Column("row", "行类别", 8, "合计 或 来源；每张表先一行合计，再逐行来源"),
    Column("name", "名称", 24, "合计行填合计栏名（如“合计”“预算数”），来源行填来源名称"),
    Column("amount", "金额", 16, "只填数字；空白表示文件中此格为空，印有 0 的填 0，印有“—”的照填"),
    Column("printed", "金额旁所印文字", 30, "金额旁另印的文字，如“854万(高标准农田建设400万元,…)”"),
    Column("level", "层级", 6, "来源的下一级明细填 2（再下一级填 3），不填为 1"),
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
LABEL_HEADERS = {c.field: c.header for c in EVALUATION_INDICATOR_COLUMNS if c.field != "period"}

KIND_NAMES = {**KIND_TITLES, "department": "部门整体支出绩效目标表"}


@dataclass(frozen=True)
class Kind:
    """What one kind of record looks like as a workbook: its basic rows, blocks and sheets."""

    name: str
    rows: tuple[Row, ...]
    blocks: tuple[Block, ...]
    sheets: tuple[str, ...]
    goal_columns: tuple[Column, ...] = GOAL_COLUMNS
    indicator_columns: tuple[Column, ...] = INDICATOR_COLUMNS
    prefix: str = ""  # where the goals' parts live in the record ("goals." for a department)

    @property
    def sections_sheet(self) -> str:
        """Return the name of the sheet that holds this kind's narrative sections."""
        return DEPARTMENT_SECTIONS if DEPARTMENT_SECTIONS in self.sheets else SECTIONS


KINDS = {
    "project": Kind("project", BASIC_ROWS, (INFO, LABELS, GROUPS, PRIOR),
                    (HELP, BASIC, GOALS, SECTIONS, INDICATORS, NOTES, COSTS, FUNDING, PLAN, CORRECTIONS)),
    "transfer": Kind("transfer", TRANSFER_ROWS, (AUTHORITIES, INFO, LABELS, GROUPS, NOTICE),
                     (HELP, BASIC, FUNDING, GOALS, INDICATORS, NOTES)),
    "evaluation": Kind("evaluation", EVALUATION_ROWS, (INFO, LABELS, GROUPS, TOTAL),
                       (HELP, BASIC, EXECUTION, GOALS, INDICATORS, NOTES), EVALUATION_GOAL_COLUMNS,
                       EVALUATION_INDICATOR_COLUMNS),
    "department": Kind("department", DEPARTMENT_ROWS,
                       (INFO, PUBLICATION, DEPARTMENT_GOALS, DEPARTMENT_INFO, DEPARTMENT_LABELS, DEPARTMENT_GROUPS),
                       (HELP, BASIC, FUNDING, DEPARTMENT_SECTIONS, DUTIES, INDICATORS, NOTES, CORRECTIONS),
                       prefix="goals."),
}

SHEET_HELP = {
    BASIC: "基本信息：名称、金额等固定栏目，以及基本信息表所印各栏、指标表栏目名、指标表跨栏标题等",
    GOALS: "绩效目标：每行一个目标",
    SECTIONS: "项目说明：立项依据、项目概况等叙述，每行一项",
    DEPARTMENT_SECTIONS: "目标说明：年度总体目标、分项绩效目标等叙述，每行一项",
    INDICATORS: "绩效指标：一级 → 二级 → 三级，每行一个三级指标",
    NOTES: "注释说明：印在指标表之后的注、说明，每行一项",
    COSTS: "测算明细：测算明细 / 项目概算",
    FUNDING: "资金来源：合计和各来源（部门表为资金总额及其组成）",
    PLAN: "支出计划：资金支出计划",
    EXECUTION: "项目资金：年初预算数、全年预算数、全年执行数、执行率、得分",
    DUTIES: "年度履职目标：第 2 行照原表填写各栏标题（栏目不限），以下每行一项任务",
    CORRECTIONS: "更正记录：年度冻结后修改记录时，每次更正一行",
}


def help_text(kind: Kind) -> tuple[str, ...]:
    """Return the lines of a workbook's 填写说明 sheet, in Chinese, for one kind of record."""
    what = "部门" if kind.name == "department" else "项目"
    target = "content/<年度>/<部门>/（写成该文件夹的 department.yaml）" if kind.name == "department" \
        else "content/<年度>/<部门>/"
    return (
        f"本工作簿是“预算绩效目标公开”{KIND_NAMES[kind.name]}的导入模板，由 disclose 生成。",
        f"一个工作簿填写一个{what}。填好后运行：disclose import 工作簿.xlsx --into {target}",
        "总原则：按文件所印逐字填写，不要改动原文的数字、用语和顺序；没有的内容留空。",
        "各工作表：",
        *(f"    {SHEET_HELP[s]}" for s in kind.sheets if s in SHEET_HELP),
        "金额：只填数字，不加单位和逗号；照原文的小数位数，如 31.900000。单位在“基本信息”的金额单位一栏统一填写。",
        "代码和以 0 开头的编号（如 0123）：请先把单元格格式设为“文本”再输入，否则 Excel 会去掉开头的 0、长代码会丢失末位。",
        "空白和“空”：留空即可；文件中印有“—”“/”“无”的照印填写（表示未填，不是 0）。",
        "不要使用公式：公开的数字必须是确定的值。如有公式，请复制后“选择性粘贴 → 数值”。",
        "第一行是说明，第二行是栏名，请不要删除或改动栏名；可以插入、删除数据行。把鼠标停在栏名上可看到填写提示。",
        "有下拉列表的栏目（一级指标、二级指标、指标性质等）也可以填写列表以外的文字，如“11-数量指标”。",
        "指标表的表头印成两行时（如“年度指标值”印在指标性质、指标值、度量单位三栏上方），在“基本信息”的"
        "【指标表跨栏标题】中每行写一个：左边所印标题，右边所跨各栏的栏名，用“、”隔开；表头只有一行的留空。",
        *(("部门整体支出绩效目标表表名之下所印的部门(单位)名称、部门预算编码等，填在“基本信息”的"
           "【部门整体绩效目标表所印栏目】中，每行一个。",) if kind.name == "department" else ()),
        "“基本信息”中的“记录种类”一栏决定导入后写成哪种记录，请不要改动。",
    )


HELP_TEXT = help_text(KINDS["project"])
