"""The disclosure data model: every record, validated once and then immutable.

Each class is one kind of YAML record or a part of one. The `description` of
every field is its Chinese name: it feeds the JSON Schema, the field reference
in docs/, and the error messages, so the model is the single source for all
three. Fields marked `SkipJsonSchema` are filled in by the loader (slugs,
paths, children) and may not be written in a record.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

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


# An ordered mapping of label → text, exactly as the document prints it.
Labelled = Annotated[dict[str, str], AfterValidator(FrozenMap)]
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


class Record(BaseModel):
    """Base of every record part: unknown fields are errors, nothing changes after."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        coerce_numbers_to_str=True,
        str_max_length=bounds.TEXT_LIMIT,  # every text has a limit; narrative fields (Text) a larger one
        ignored_types=(cached_property,),
    )


# --- parts of a project -----------------------------------------------------


class Section(Record):
    """A titled narrative part of a document, such as 立项依据 or 项目概况."""

    title: str = Field(description="标题")
    body: Text = Field("", description="正文（Markdown）")


class Goal(Record):
    """A performance goal: the overall (mid-term) goal or the annual goal."""

    period: Literal["overall", "midterm", "annual"] = Field(description="目标期间：overall 总体 / midterm 中期 / annual 年度")
    label: str | None = Field(None, description="文件所印标题，如“预算年度(2022年)目标”")
    text: Text = Field(description="目标内容（Markdown）")


class FundingSource(Record):
    """One named source of funds; an empty amount is a blank cell."""

    name: str = Field(description="资金来源名称，如“财政资金”“中央财政”")
    amount: Amount | None = Field(None, description="金额（空表示文件中此格为空）")


class FundingTable(Record):
    """A funding block: a total and the named sources that make it up."""

    title: str = Field(description="表头，如“项目资金来源”“年度资金来源（元）”")
    period: Period = Field("annual", description="期间：annual 年度 / midterm 中期")
    total: Amount | None = Field(None, description="合计金额")
    total_label: str = Field("合计", description="合计一栏的名称，如“预算数”“项目资金总额”")
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
    "scoring", "description", "basis", "weight",
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
    weight: Amount | None = Field(None, description="权重（分值）")
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


# --- records ----------------------------------------------------------------


class Correction(Record):
    """A correction (更正) made after publication: it allows a new version of a frozen page, shown openly."""

    date: IsoDate = Field(description="更正日期（YYYY-MM-DD）")
    what: Text = Field(description="更正了什么，如“满意度指标值由≥80%更正为≥90%”")
    why: Text = Field(description="更正原因")



class Project(Record):
    """A budget project and its performance targets (项目支出绩效目标表)."""

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
    goals: tuple[Goal, ...] = Field((), description="绩效目标：总体（中期）目标与年度目标")
    indicators: tuple[Level1, ...] = Field((), description="绩效指标：一级 → 二级 → 三级")
    indicator_labels: dict[IndicatorColumn, str] = Field(
        default_factory=dict, description="指标表各栏的标题，按文件所印（如 basis: 目标值来源）"
    )
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


class DepartmentGoals(Record):
    """A department's overall performance goals (部门整体绩效目标)."""

    title: str = Field("部门整体绩效目标", description="标题")
    sections: tuple[Section, ...] = Field((), description="各部分，如总体绩效目标、分项绩效目标、工作保障措施")
    indicators: tuple[Level1, ...] = Field((), description="部门整体绩效指标（如有）")


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
    goals: DepartmentGoals | None = Field(None, description="部门整体绩效目标")
    source_file: FileName | None = Field(None, description="原文件（与 department.yaml 放在同一文件夹的 PDF、XLS 等文件名），随网页一同发布")
    corrections: tuple[Correction, ...] = Field((), description="更正记录（年度冻结后修改本记录时必须增加）")

    slug: SkipJsonSchema[str] = Field("", exclude=True)
    path: SkipJsonSchema[str] = Field("", exclude=True)
    projects: SkipJsonSchema[tuple[Project, ...]] = Field((), exclude=True)

    @cached_property
    def total(self) -> Money:
        """Return the sum of this year's project budgets, exactly."""
        return total([p.budget for p in self.projects])


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
        """Return the sum of all departments' totals, exactly."""
        return total([d.total for d in self.departments])


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
RESERVED_FIELDS = frozenset({"slug", "path", "projects", "departments", "editions"})
