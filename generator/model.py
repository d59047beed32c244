"""The disclosure data model: every record, validated once and then immutable.

Each class is one kind of YAML record or a part of one. The `description` of
every field is its Chinese name: it feeds the JSON Schema, the field reference
in docs/, and the error messages, so the model is the single source for all
three. Fields marked `SkipJsonSchema` are filled in by the loader (slugs,
paths, children) and may not be written in a record.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    WithJsonSchema,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from . import address, bounds
from .money import Money, Unit, total
from .values import normalize_operator, parse_value, split_level


class FrozenMap(dict):
    """A dict that refuses changes, so a validated record stays as it was."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("记录在校验后不可修改")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __reduce__(self) -> tuple[type, tuple[dict[Any, Any]]]:
        # Pickle (the record cache) rebuilds a dict item by item; hand it the items whole instead.
        return FrozenMap, (dict(self),)


def _blank_is_empty(data: Any) -> Any:
    """Let a blank cell of a labelled table stand for an empty text, as the guide allows."""
    if isinstance(data, dict):
        return {key: "" if value is None else value for key, value in data.items()}
    return data


# An ordered mapping of label → text, exactly as the document prints it; a blank cell is "".
Labelled = Annotated[dict[str, str], BeforeValidator(_blank_is_empty), AfterValidator(FrozenMap)]
Text = Annotated[str, Field(max_length=bounds.LONG_TEXT_LIMIT)]
# A plain decimal within bounds; SignedAmount only where a form can print a negative (结余).
SignedAmount = Annotated[Decimal, BeforeValidator(bounds.plain_amount), Field(allow_inf_nan=False)]
Amount = Annotated[SignedAmount, AfterValidator(bounds.not_negative)]
Date = Annotated[str, AfterValidator(bounds.real_date)]
Link = Annotated[str, AfterValidator(address.validate)]
Period = Literal["annual", "midterm"]




def iso_form(text: str) -> str:
    """Accept only the YYYY-MM-DD form: the site's own dates are sorted and shown as <time>."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise ValueError(f"“{text[:30]}”应写成 YYYY-MM-DD，如 2024-02-07")
    return text.strip()


# A date the site itself sets (publication, correction), as opposed to one a document printed.
IsoDate = Annotated[str, AfterValidator(bounds.real_date), AfterValidator(iso_form)]
# An original document published beside the pages: a file name in the record's own folder.
FileName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.(pdf|xls|xlsx|doc|docx|ofd|wps|txt)$")]


class NotGiven(str):
    """A cell the document fills with "—", "/" or "无": kept as printed, and not a number."""

    __slots__ = ()


# What documents print in a money cell that has no figure.
NOT_GIVEN_MARKS = frozenset({"—", "——", "-", "－", "/", "／", "无"})


def _amount_or_mark(value: Any) -> Decimal | NotGiven:
    """Accept a plain amount within bounds (bounds.py), or a printed "not given" mark such as "—"."""
    if isinstance(value, str) and value.strip() in NOT_GIVEN_MARKS:
        return NotGiven(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise PydanticCustomError("decimal_type", "not a number")
    return bounds.not_negative(bounds.plain_amount(value))  # type: ignore[arg-type]


# A money cell of a form: a number, or "—" / "/" / "无" kept as printed (not given).
Cell = Annotated[
    Decimal | NotGiven,
    PlainValidator(_amount_or_mark),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"enum": sorted(NOT_GIVEN_MARKS)}]}),
]
# A score or weight (分值 / 得分 / 权重): a number of points, never money.
Score = Annotated[Decimal, BeforeValidator(bounds.plain_amount), Field(allow_inf_nan=False)]


def given(value: Decimal | str | None) -> Decimal | None:
    """Return a cell's number, or None when it is blank or printed as not given."""
    return value if isinstance(value, Decimal) else None


class Record(BaseModel):
    """Base of every record part: unknown fields are errors, nothing changes after."""

    model_config = ConfigDict(
        # Validators are built when a record is first read, not on import: a build that finds every
        # record in the cache reads none, and building them for 30 classes took 0.15 s of its start.
        defer_build=True,
        frozen=True,
        extra="forbid",
        coerce_numbers_to_str=True,
        str_max_length=bounds.TEXT_LIMIT,  # every text has a limit; narrative fields (Text) a larger one
        ignored_types=(cached_property,),
    )

    def __getitem__(self, name: str) -> Any:
        """Return a field by name: a template's `indicator[column.key]`.

        Without it Jinja tries the subscript, catches the TypeError and only then reads the
        attribute: 0.9 µs more for each of ~3 million table cells at 10,000 projects.
        """
        try:
            return getattr(self, name)
        except (AttributeError, TypeError):
            raise KeyError(name) from None  # Jinja then tries the attribute, and reports it missing


# --- parts of a project -----------------------------------------------------


class Section(Record):
    """A titled narrative part of a document, such as 立项依据 or 项目概况."""

    title: str = Field(description="标题")
    body: Text = Field("", description="正文（Markdown）")


class Goal(Record):
    """A performance goal: the overall (mid-term) goal or the annual goal."""

    period: Literal["overall", "midterm", "annual"] = Field(description="目标期间：overall 总体 / midterm 中期 / annual 年度")
    label: str | None = Field(None, description="文件所印标题，如“预算年度(2022年)目标”")
    text: Text = Field(description="目标内容（Markdown）；自评表中为预期目标")
    result: Text | None = Field(None, description="实际完成情况（自评表）")


class FundingSource(Record):
    """One named line of funds; it may have lines of its own (小计 → 市本级 / 中央补助)."""

    name: str = Field(description="资金来源名称，按文件所印，如“财政资金”“其中：上级资金”")
    amount: Cell | None = Field(None, description="金额（数字；空表示此格为空；“—”“/”“无”照录，表示未填）")
    printed: str | None = Field(None, description="金额旁所印文字，如“854万(高标准农田建设400万元,…)”")
    children: tuple[FundingSource, ...] = Field((), description="下一级明细（各项之和应等于本项金额）")


class FundingTable(Record):
    """A funding block: a total and the named sources that make it up."""

    title: str = Field(description="表头，如“项目资金来源”“年度资金来源（元）”")
    period: Period = Field("annual", description="期间：annual 年度 / midterm 中期")
    total: Cell | None = Field(None, description="合计金额")
    total_label: str = Field("合计", description="合计一栏的名称，如“预算数”“项目资金总额”")
    total_printed: str | None = Field(None, description="合计旁所印文字，如“854万(高标准农田建设400万元,…)”")
    sources: tuple[FundingSource, ...] = Field((), description="资金来源明细")


class SpendingStep(Record):
    """One column of a spending plan: a month-end percentage or a year's amount."""

    label: str = Field(description="时点或年度，如“3月底”“2021”")
    percent: Amount | None = Field(None, description="累计支出进度（%）")
    amount: Amount | None = Field(None, description="金额")
    extra: Labelled = Field(default_factory=dict, description="其他栏目（栏目名: 内容）")


class SpendingPlan(Record):
    """A spending plan: cumulative percentages by month-end, or amounts by year."""

    title: str = Field("资金支出计划", description="表名，如“资金支出计划（%）”“分年度支出计划表”")
    steps: tuple[SpendingStep, ...] = Field(description="各时点或各年度")

    @cached_property
    def cumulative(self) -> bool:
        """Return whether this plan is expressed as cumulative percentages."""
        return any(step.percent is not None for step in self.steps)


class CostLine(Record):
    """One line of a cost breakdown (测算明细 / 项目概算)."""

    name: str = Field(description="明细名称")
    amount: Amount | None = Field(None, description="金额（测算数）")
    purpose: Text | None = Field(None, description="用途")
    unit_price: Amount | None = Field(None, description="单价")
    quantity: Amount | None = Field(None, description="计量数（数量）")
    measure: str | None = Field(None, description="计量单位")
    basis: Text | None = Field(None, description="测算依据及说明")
    attributes: Labelled = Field(default_factory=dict, description="其他栏目，如支出功能分类科目、经济科目（栏目名: 内容）")


class CostTable(Record):
    """A cost breakdown table as printed, with its 合计 when it has one."""

    title: str = Field(description="表名，如“项目概算”“本级项目测算表”")
    total: Amount | None = Field(None, description="合计（文件所印）")
    lines: tuple[CostLine, ...] = Field((), description="明细行")


class PriorYear(Record):
    """How the previous year's funds for this project were used."""

    title: str = Field("上年度项目资金使用情况", description="标题")
    budget: Amount | None = Field(None, description="年度预算安排资金")
    spent: Amount | None = Field(None, description="项目实际使用资金")
    balance: SignedAmount | None = Field(None, description="项目结余资金（可为负数）")
    usage_rate: Amount | None = Field(None, description="资金使用率（%）")
    progress: Amount | None = Field(None, description="项目完成进度（%）")


# --- the indicator tree -----------------------------------------------------

IndicatorColumn = Literal[
    "level1", "level2", "name", "operator", "value", "unit", "kind",
    "scoring", "description", "basis", "weight", "actual", "score", "deviation", "core",
]


class Indicator(Record):
    """A third-level indicator (三级指标) with its target value."""

    name: str = Field(description="三级指标名称")
    value: str = Field("", description="指标值，按文件所印，如“≥90%”“24 人”“进一步提升”")
    operator: str | None = Field(None, description="指标性质（单独一栏时），如 ≥ ≤ =")
    unit: str | None = Field(None, description="度量单位（单独一栏时）")
    kind: str | None = Field(None, description="指标属性，如“定量指标”“定性指标”")
    description: Text | None = Field(None, description="指标内容 / 绩效指标描述")
    basis: Text | None = Field(None, description="指标值设定依据 / 目标值来源")
    scoring: Text | None = Field(None, description="评（扣）分标准")
    weight: Score | None = Field(None, description="权重（分值），写数字，如 10")
    core: bool = Field(False, description="核心指标（文件以 ★ 标注）：true / false")
    core_mark: str | None = Field(None, description="核心指标的标注，按文件所印，如“★”“★★★”")
    actual: str | None = Field(None, description="实际完成值（自评表），按文件所印")
    score: Score | None = Field(None, description="得分（自评表），写数字，如 9")
    deviation: Text | None = Field(None, description="偏差原因分析及改进措施（自评表）")
    period: Period = Field("annual", description="期间：annual 年度 / midterm 中期")

    @cached_property
    def comparison(self) -> str | None:
        """Return the comparison as one of ≥ ≤ = > <, or None for none."""
        return normalize_operator(self.operator) or parse_value(self.value).operator

    @cached_property
    def number(self) -> Decimal | None:
        """Return the exact target number, or None for a qualitative value."""
        return parse_value(self.value).number

    @cached_property
    def measure(self) -> str | None:
        """Return the unit: the separate unit column, else the one in the value."""
        return self.unit or parse_value(self.value).unit

    @cached_property
    def quantitative(self) -> bool:
        """Return whether the value is a number (定量) rather than text (定性)."""
        return self.number is not None


class Heading(Record):
    """A level heading that may carry a code, as in "11-数量指标"."""

    @property
    def heading(self) -> str:
        """Return the heading exactly as printed."""
        raise NotImplementedError

    @cached_property
    def code(self) -> str | None:
        """Return the level's code, such as "11", when the document prints one."""
        return split_level(self.heading)[0]

    @cached_property
    def title(self) -> str:
        """Return the level's name without its code."""
        return split_level(self.heading)[1]


class Level2(Heading):
    """A second-level heading (二级指标); it may be printed with no indicators."""

    level2: str = Field(description="二级指标，如“数量指标”“11-数量指标”")
    indicators: tuple[Indicator, ...] = Field((), description="三级指标")

    @property
    def heading(self) -> str:
        return self.level2


class Level1(Heading):
    """A first-level heading (一级指标) such as 产出指标 or 投入与目标管理."""

    level1: str = Field(description="一级指标，如“产出指标”“1-产出指标”")
    groups: tuple[Level2, ...] = Field((), description="二级指标")

    @property
    def heading(self) -> str:
        return self.level1


def iter_indicators(tree: tuple[Level1, ...]):
    """Yield (level1, level2, indicator) for every indicator of a tree, in order."""
    for level1 in tree:
        for level2 in level1.groups:
            for indicator in level2.indicators:
                yield level1, level2, indicator


# Column headings of an indicator table as the document prints them (basis: 目标值来源).
IndicatorLabels = dict[IndicatorColumn, str]


class ColumnGroup(Record):
    """A heading a form prints over neighbouring columns of its indicator table (年度指标值 over 指标性质 / 指标值 / 度量单位)."""

    label: str = Field(description="跨栏标题，按文件所印，如“年度指标值”“绩效指标”")
    columns: tuple[IndicatorColumn, ...] = Field(min_length=1, description="它所跨的相邻各栏，如 [operator, value, unit]")


ColumnGroups = tuple[ColumnGroup, ...]
GROUPS_DESCRIPTION = "指标表上方跨几栏的标题，按文件所印（如 年度指标值 跨 operator、value、unit）"


# --- records ----------------------------------------------------------------


class Correction(Record):
    """A correction (更正) made after publication: it allows a new version of a frozen page, shown openly."""

    date: IsoDate = Field(description="更正日期（YYYY-MM-DD）")
    what: Text = Field(description="更正了什么，如“满意度指标值由≥80%更正为≥90%”")
    why: Text = Field(description="更正原因")



class Project(Record):
    """A budget project and its performance targets (项目支出绩效目标表)."""

    kind: Literal["project"] = Field("project", description="记录种类：project 项目支出绩效目标表（可不写）")
    name: str = Field(description="项目名称")
    code: str | None = Field(None, description="项目代码 / 项目编码")
    number: int | None = Field(None, ge=1, description="在文件中的序号，决定项目的排列顺序")
    unit: Unit = Field(description="文件使用的金额单位：元 或 万元")
    amount: Amount = Field(description="本年度预算金额（部门合计按此相加）")
    total_amount: Amount | None = Field(None, description="项目总金额（跨年度项目）")
    period: str | None = Field(None, description="项目期限，按文件所印，如“1 年”“2020-01-01 至 2020-12-31”")
    form_title: str | None = Field(None, description="绩效目标表的表名，按文件所印")
    info: Labelled = Field(default_factory=dict, description="基本信息，按文件顺序（栏目名: 内容）")
    sections: tuple[Section, ...] = Field((), description="叙述性内容，如立项依据、项目概况")
    funding: tuple[FundingTable, ...] = Field((), description="资金来源")
    spending_plan: SpendingPlan | None = Field(None, description="资金支出计划")
    goals_title: str = Field("绩效目标", description="绩效目标一栏的标题，按文件所印，如“总体目标”")
    goals: tuple[Goal, ...] = Field((), description="绩效目标：总体（中期）目标与年度目标")
    indicators: tuple[Level1, ...] = Field((), description="绩效指标：一级 → 二级 → 三级")
    indicator_labels: IndicatorLabels = Field(
        default_factory=dict, description="指标表各栏的标题，按文件所印（如 basis: 目标值来源）"
    )
    indicator_groups: ColumnGroups = Field((), description=GROUPS_DESCRIPTION)
    notes: tuple[Section, ...] = Field((), description="印在指标表之后的注、说明，按文件所印")
    cost_tables: tuple[CostTable, ...] = Field((), description="测算明细 / 项目概算")
    prior_year: PriorYear | None = Field(None, description="上年度项目资金使用情况")
    same_as: tuple[str, ...] = Field(
        (), description="其他年度的同一项目（<年度>/<部门>/<项目>），项目代码不同或没有项目代码时填写")
    source_file: FileName | None = Field(None, description="原文件（与记录放在同一文件夹的 PDF、XLS 等文件名），随网页一同发布")
    corrections: tuple[Correction, ...] = Field((), description="更正记录（年度冻结后修改本记录时必须增加）")

    slug: SkipJsonSchema[str] = Field("", exclude=True)
    path: SkipJsonSchema[str] = Field("", exclude=True)

    @cached_property
    def budget(self) -> Money:
        """Return this year's budget as Money in the document's unit."""
        return Money(self.amount, self.unit)

    def money(self, amount: Decimal | None) -> Money | None:
        """Return an amount of this record as Money in the record's unit."""
        return None if amount is None else Money(amount, self.unit)


class Notice(Record):
    """The notice that hands transfer funds down (资金下达文件)."""

    title: str | None = Field(None, description="通知标题")
    number: str | None = Field(None, description="文号，如“忠财农〔2022〕5号”")
    issuer: str | None = Field(None, description="发文单位，如“忠县财政局”")
    date: str | None = Field(None, description="发文日期，按文件所印")
    addressee: str | None = Field(None, description="主送单位，如“县农业农村委”")
    basis: str | None = Field(None, description="依据文件及文号，按文件所印")
    amount: Amount | None = Field(None, description="下达金额")
    subject: str | None = Field(None, description="功能科目，如“农业农村(21301)”")
    body: Text | None = Field(None, description="通知正文（Markdown）")


class Transfer(Record):
    """A transfer payment's regional performance targets (转移支付区域绩效目标表)."""

    kind: Literal["transfer"] = Field(description="记录种类：transfer 转移支付区域绩效目标表")
    name: str = Field(description="资金名称")
    form_title: str | None = Field(None, description="表名，按文件所印，如“…资金区域绩效目标表”")
    unit: Unit = Field(description="文件使用的金额单位：元 或 万元")
    amount: Amount = Field(description="年度金额（本次下达金额）")
    notice: Notice | None = Field(None, description="资金下达通知")
    authorities: Labelled = Field(default_factory=dict, description="各级主管部门，按文件顺序（如 中央主管部门: 财政部）")
    info: Labelled = Field(default_factory=dict, description="其他基本信息（栏目名: 内容）")
    funding: tuple[FundingTable, ...] = Field((), description="资金情况")
    goals_title: str = Field("绩效目标", description="绩效目标一栏的标题，按文件所印")
    goals: tuple[Goal, ...] = Field((), description="区域绩效目标")
    indicators: tuple[Level1, ...] = Field((), description="区域绩效指标：一级 → 二级 → 三级")
    indicator_labels: IndicatorLabels = Field(default_factory=dict, description="指标表各栏的标题，按文件所印")
    indicator_groups: ColumnGroups = Field((), description=GROUPS_DESCRIPTION)
    notes: tuple[Section, ...] = Field((), description="印在指标表之后的注、说明")

    slug: SkipJsonSchema[str] = Field("", exclude=True)
    path: SkipJsonSchema[str] = Field("", exclude=True)

    @cached_property
    def budget(self) -> Money:
        """Return the amount handed down as Money in the document's unit."""
        return Money(self.amount, self.unit)


class ExecutionLine(Record):
    """One line of a self-evaluation's funds: budget, execution, rate and score."""

    name: str = Field(description="资金名称，按文件所印，如“年度资金总额”“其中：当年财政拨款”")
    initial: Cell | None = Field(None, description="年初预算数")
    budget: Cell | None = Field(None, description="全年预算数")
    executed: Cell | None = Field(None, description="全年执行数")
    weight: Cell | None = Field(None, description="分值，写数字，如 10；“—”照录")
    rate: str | None = Field(None, description="执行率，按文件所印，如“100%”“—”")
    score: Cell | None = Field(None, description="得分，写数字，如 10；“—”照录")


class EvaluationTotal(Record):
    """A self-evaluation's overall result: 总分, its score and grade."""

    label: str = Field("总分", description="标题，按文件所印")
    weight: Score | None = Field(None, description="满分（分值合计），如 100")
    score: Score | None = Field(None, description="总得分，如 96")
    grade: str | None = Field(None, description="评价等级，如“优”")


class Evaluation(Record):
    """A project's self-evaluation after the year (项目支出绩效自评表): its results against its targets."""

    kind: Literal["evaluation"] = Field(description="记录种类：evaluation 项目支出绩效自评表")
    name: str = Field(description="项目名称")
    code: str | None = Field(None, description="项目代码（与项目支出绩效目标表相同时自动关联）")
    target: str | None = Field(None, description="对应的项目记录（同一部门中的文件名，不含 .yaml）")
    form_title: str | None = Field(None, description="表名，按文件所印，如“2022年度项目支出绩效自评表”")
    unit: Unit = Field(description="文件使用的金额单位：元 或 万元")
    info: Labelled = Field(default_factory=dict, description="基本信息，按文件顺序（如 主管部门、实施单位）")
    execution_title: str = Field("项目资金", description="资金一栏的标题，按文件所印")
    execution: tuple[ExecutionLine, ...] = Field((), description="项目资金：年初预算数、全年预算数、全年执行数、执行率、得分")
    goals_title: str = Field("年度总体目标", description="目标一栏的标题，按文件所印")
    goals: tuple[Goal, ...] = Field((), description="年度总体目标：预期目标（text）与实际完成情况（result）")
    indicators: tuple[Level1, ...] = Field((), description="绩效指标及完成情况：一级 → 二级 → 三级")
    indicator_labels: IndicatorLabels = Field(default_factory=dict, description="指标表各栏的标题，按文件所印")
    indicator_groups: ColumnGroups = Field((), description=GROUPS_DESCRIPTION)
    notes: tuple[Section, ...] = Field((), description="其他需要说明事项等，印在指标表之后")
    total: EvaluationTotal | None = Field(None, description="总分、得分与评价等级")

    slug: SkipJsonSchema[str] = Field("", exclude=True)
    path: SkipJsonSchema[str] = Field("", exclude=True)

    @cached_property
    def budget(self) -> Money | None:
        """Return the year's budget (the first line's 全年预算数) as Money, when it is a number."""
        amount = given(self.execution[0].budget) if self.execution else None
        return None if amount is None else Money(amount, self.unit)


class DutyTable(Record):
    """A department's 年度履职目标 sub-table: any columns, one row per task, as printed."""

    title: str = Field("年度履职目标", description="标题")
    columns: tuple[str, ...] = Field(description="各栏标题，如 部门职能、年度目标任务、支出项目名称、预算金额（万元）")
    rows: tuple[tuple[str, ...], ...] = Field((), description="各行，每行按栏目顺序列出各格内容")


class DepartmentGoals(Record):
    """A department's overall performance goals (部门整体绩效目标)."""

    title: str = Field("部门整体绩效目标", description="标题")
    form_title: str | None = Field(None, description="表名，按文件所印，如“部门整体支出绩效目标表”")
    info: Labelled = Field(default_factory=dict, description="表中表名之下的基本信息，按文件顺序（如 部门(单位)名称、部门预算编码）")
    sections: tuple[Section, ...] = Field((), description="各部分，如年度总体目标、总体绩效目标、分项绩效目标")
    duties: DutyTable | None = Field(None, description="年度履职目标（职能 → 工作任务 → 目标）")
    indicators: tuple[Level1, ...] = Field((), description="部门整体绩效指标（如有）")
    indicator_labels: IndicatorLabels = Field(default_factory=dict, description="指标表各栏的标题，按文件所印（如 description: 指标解释）")
    indicator_groups: ColumnGroups = Field((), description=GROUPS_DESCRIPTION)
    notes: tuple[Section, ...] = Field((), description="印在指标表之后的注、说明")


class Publication(Record):
    """The source document a department published for an edition."""

    title: str = Field(description="文件标题")
    issuer: str | None = Field(None, description="编制 / 发布单位")
    date: Date | None = Field(None, description="发布日期，按文件所印")
    preamble: Text | None = Field(None, description="文件正文前言（Markdown）")


class Department(Record):
    """A department (主管部门) in one edition, with its projects."""

    name: str = Field(description="部门名称")
    code: str | None = Field(None, description="部门编码 / 单位代码")
    region: str | None = Field(None, description="财政区划，如“呈贡区”")
    info: Labelled = Field(default_factory=dict, description="单位信息（栏目名: 内容），如地址、联系电话")
    publication: Publication | None = Field(None, description="来源文件")
    unit: Unit | None = Field(None, description="部门整体资金的金额单位：元 或 万元（填写 funding 时必填）")
    funding: tuple[FundingTable, ...] = Field((), description="部门整体资金：资金总额及基本支出、项目支出等组成，或按来源")
    goals: DepartmentGoals | None = Field(None, description="部门整体绩效目标")
    source_file: FileName | None = Field(None, description="原文件（与 department.yaml 放在同一文件夹的 PDF、XLS 等文件名），随网页一同发布")
    corrections: tuple[Correction, ...] = Field((), description="更正记录（年度冻结后修改本记录时必须增加）")

    slug: SkipJsonSchema[str] = Field("", exclude=True)
    path: SkipJsonSchema[str] = Field("", exclude=True)
    projects: SkipJsonSchema[tuple[Project, ...]] = Field((), exclude=True)
    transfers: SkipJsonSchema[tuple[Transfer, ...]] = Field((), exclude=True)
    evaluations: SkipJsonSchema[tuple[Evaluation, ...]] = Field((), exclude=True)
    # The digest of its folder's listing, set by the loader: the identity of what is derived from it
    # across processes (kept.Kept), without reading its tables (generator/shelf.py).
    _source: str = PrivateAttr("")

    @cached_property
    def own_total(self) -> Money | None:
        """Return the department's own 资金总额 (its first funding table's total), when it prints one."""
        amount = given(self.funding[0].total) if self.funding else None
        return None if amount is None or self.unit is None else Money(amount, self.unit)

    @cached_property
    def total_basis(self) -> Literal["projects", "department", "none"]:
        """Return what the department's total is made of: its projects' budgets, else its own 资金总额, else nothing."""
        if self.projects:
            return "projects"
        return "department" if self.own_total is not None else "none"

    @cached_property
    def total(self) -> Money:
        """Return the sum of this year's project budgets, or the department's own total without projects, exactly."""
        if self.total_basis == "department":
            return self.own_total  # type: ignore[return-value]
        return total([p.budget for p in self.projects])

    def evaluation_of(self, project: Project) -> Evaluation | None:
        """Return the self-evaluation linked to a project: by explicit target, else by the same 项目代码."""
        linked = [e for e in self.evaluations if e.target == project.slug]
        linked = linked or [e for e in self.evaluations if project.code and e.code == project.code and not e.target]
        return linked[0] if linked else None

    def target_of(self, evaluation: Evaluation) -> Project | None:
        """Return the project whose targets a self-evaluation reports on, if it is published here."""
        # By its file's name (unique in a folder), not by identity: a department read from its shelf
        # again (generator/shelf.py) holds copies of the records it held before.
        return next((p for p in self.projects if getattr(self.evaluation_of(p), "slug", None) == evaluation.slug), None)


class Edition(Record):
    """One year's publication: all departments' targets for that budget year."""

    year: int = Field(ge=1990, le=2100, description="预算年度")
    title: str | None = Field(None, description="标题，如“2024年预算绩效目标公开”")
    status: Literal["draft", "published", "frozen"] = Field(
        "published", description="状态：draft 草稿（只在 --drafts 时生成）/ published 已发布 / frozen 已冻结（由 disclose freeze 设置）")
    published: Date | None = Field(None, description="公开日期（如 2024-02-07），显示在本年度每一页上")
    note: Text | None = Field(None, description="说明（Markdown）")
    corrections: tuple[Correction, ...] = Field((), description="更正记录（年度冻结后修改本记录时必须增加）")

    path: SkipJsonSchema[str] = Field("", exclude=True)
    departments: SkipJsonSchema[tuple[Department, ...]] = Field((), exclude=True)

    @cached_property
    def projects(self) -> tuple[Project, ...]:
        """Return every project of the edition, department by department."""
        return tuple(p for d in self.departments for p in d.projects)

    @cached_property
    def total(self) -> Money:
        """Return the sum of the departments' totals, exactly (a department with neither projects nor 资金总额 adds nothing)."""
        return total([d.total for d in self.departments if d.total_basis != "none"])


class Site(Record):
    """The whole site: its government-site chrome and its editions."""

    name: str = Field(description="网站名称")
    description: str | None = Field(None, description="网站简介")
    organizer: str | None = Field(None, description="主办单位")
    contact: str | None = Field(None, description="联系方式")
    site_code: str | None = Field(None, description="网站标识码")
    icp: str | None = Field(None, description="ICP 备案号")
    police_record: str | None = Field(None, description="公安备案号")
    police_record_url: Link | None = Field(None, description="公安备案链接")
    dzjg_url: Link | None = Field(None, description="党政机关标识链接")
    error_report_url: Link | None = Field(None, description="“我为政府网站找错”链接")
    base_url: Annotated[str, AfterValidator(address.validate_absolute)] | None = Field(None, description="网站正式地址（用于 sitemap.xml），如 https://www.example.gov.cn/ysgk/jxmb/")

    path: SkipJsonSchema[str] = Field("", exclude=True)
    editions: SkipJsonSchema[tuple[Edition, ...]] = Field((), exclude=True)


# Loader-filled fields: a record that sets one of these is reporting an unknown field.
RESERVED_FIELDS = frozenset({"slug", "path", "projects", "transfers", "evaluations", "departments", "editions"})

# The kinds of record a department folder holds, by their `kind:` (absent means a project).
RECORD_KINDS: dict[str, type[Project | Transfer | Evaluation]] = {
    "project": Project, "transfer": Transfer, "evaluation": Evaluation,
}
KIND_TITLES = {"project": "项目支出绩效目标表", "transfer": "转移支付区域绩效目标表", "evaluation": "项目支出绩效自评表"}


def record_file(year: int, department: Department, record: Project | Transfer | Evaluation) -> str:
    """Return a record's file relative to the content folder: <year>/<department>/<file>."""
    return f"{year}/{department.slug}/{os.path.basename(record.path)}"  # called for every page's inputs: no Path
