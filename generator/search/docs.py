"""Search documents: what the index knows of each page (fields with anchors and labels)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .. import urls
from ..money import display, format_amount
from ..urls import indicator_anchor
from .text import normalize, query_words

Field = tuple[str, str, str]  # (anchor on the page or "", label, text)


@dataclass(frozen=True)
class SearchDoc:
    """One page as the search sees it.

    `id` is the page's output path relative to the site root (the link of a
    result). `fields` are the searchable texts in page order; the first
    `title_fields` of them are the title (name, and code for a project): a hit
    there ranks first.
    """

    id: str
    kind: str  # "project", "department" or "page"
    title: str
    edition: int | None = None
    department: str | None = None
    amount: str | None = None  # as pages show it (money.display), such as "104.54 万元"
    amount_yuan: Decimal | None = None  # for sorting by amount
    level1: tuple[str, ...] = ()  # 一级 indicator titles present (filter)
    fields: tuple[Field, ...] = ()
    title_fields: int = 1


def doc_text(doc: SearchDoc) -> str:
    """Return a document's normalised text: its fields, normalised, joined by spaces."""
    return " ".join(normalize(text) for _, _, text in doc.fields)


def matches(doc: SearchDoc, q: str) -> bool:
    """Return whether a document matches a query by brute force (the reference for tests)."""
    words = query_words(q)
    texts = [normalize(text) for _, _, text in doc.fields]
    return bool(words) and all(any(w in t for t in texts) for w in words)


_MD_BLOCK = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,9}[.)]\s+)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(markdown: str | None) -> str:
    """Return the text a reader sees of a Markdown field (markers and escapes removed)."""
    if not markdown:
        return ""
    lines = []
    for line in markdown.splitlines():
        line = _MD_BLOCK.sub("", line)
        line = _MD_LINK.sub(r"\1", line).replace("**", "").replace("`", "")
        lines.append(_MD_ESCAPE.sub(r"\1", line))
    return " ".join(line.strip() for line in lines if line.strip())


def _year(edition: Any) -> int | None:
    return edition if isinstance(edition, int) or edition is None else edition.year


CATEGORIES = ("产出", "效益", "满意度", "成本", "其他")


def category(level1: str, level2: str = "") -> str:
    """Return the canonical 一级 category of an indicator from its printed headings (docs/search.md).

    Printed names differ by layout and year (产出指标, 产出目标, 1-产出指标; older ones
    have 投入与目标管理, 效果目标, 影响力目标 and put 满意度 under 效果); the search filter
    offers the five categories of the current framework instead, and results keep
    the printed names.
    """
    if "满意" in level1 or "满意" in level2:
        return "满意度"
    for word, name in (("产出", "产出"), ("成本", "成本"), ("效益", "效益"), ("效果", "效益"), ("影响", "效益")):
        if word in level1:
            return name
    return "其他"


def target(ind: Any) -> str:
    """Return an indicator's target as one piece of text: operator, value and unit as printed ("≥90%")."""
    return "".join(p for p in (ind.operator, ind.value, ind.unit) if p)


def _indicator_fields(tree: tuple, first: int = 1) -> tuple[list[Field], list[str], tuple[str, ...]]:
    """Return the indicators' fields, the level headings, and the categories present.

    An indicator is a field "name target" labelled with its path ("满意度指标 ›
    服务对象满意度") and anchored to its row, so a hit shows the answer; its
    description, basis and scoring follow as a second field with the same anchor.
    """
    fields: list[Field] = []
    headings: list[str] = []
    categories: list[str] = []
    position = first
    for level1 in tree:
        headings.append(level1.title)
        for level2 in level1.groups:
            headings.append(level2.title)
            path = PATH_SEPARATOR.join(t for t in (level1.title, level2.title) if t)
            for ind in level2.indicators:
                anchor = indicator_anchor(position)
                fields.append((anchor, path, " ".join(p for p in (ind.name, target(ind)) if p)))
                if ind.actual:
                    fields.append((anchor, path, f"实际完成值 {ind.actual}"))
                detail = " ".join(p for p in (ind.description, ind.basis, ind.scoring) if p)
                if detail:
                    fields.append((anchor, path, detail))
                categories.append(category(level1.title, level2.title))
                position += 1
    present = tuple(c for c in CATEGORIES if c in categories)
    return fields, list(dict.fromkeys(h for h in headings if h)), present


PATH_SEPARATOR = " › "


def _distinct(fields: list[Field]) -> tuple[Field, ...]:
    """Drop empty fields and repeats of a text already indexed (an anchored field always stays)."""
    seen: set[str] = set()
    out = []
    for anchor, label, text in fields:
        text = text.strip() if text else ""
        if text and (anchor or text not in seen):
            seen.add(text)
            out.append((anchor, label, text))
    return tuple(out)


def project_doc(project: Any, department: Any, edition: Any, url: str) -> SearchDoc:
    """Return the search document of a project page, or of a transfer table or self-evaluation page.

    Indexed: name and code (the title), department, budget, basic information,
    goals, narrative sections, funding sources, every indicator (name, value,
    description, basis, scoring, actual value; anchored to its row) with the level headings,
    and cost lines (name, amount, purpose, basis). A transfer table adds its
    notice and authorities; a self-evaluation its results and notes.
    """
    kind = getattr(project, "kind", "project")
    fields: list[Field] = [("", "项目名称" if kind != "transfer" else "资金名称", project.name)]
    if getattr(project, "code", None):
        fields.append(("", "项目代码", project.code))
    if kind != "project" and project.form_title:
        fields.append(("", "表名", project.form_title))
    title_fields = len(fields)
    fields.append(("", "主管部门", department.name))
    if project.budget is not None:
        fields.append(("", "本年度预算", display(project.budget)))
    if getattr(project, "total_amount", None) is not None:
        fields.append(("", "项目总金额", display(project.money(project.total_amount))))
    if getattr(project, "period", None):
        fields.append(("", "项目期限", project.period))
    notice = getattr(project, "notice", None)
    if notice is not None:
        fields.extend(("", label, value) for label, value in (
            ("文号", notice.number), ("发文单位", notice.issuer), ("发文日期", notice.date), ("依据文件", notice.basis),
            ("功能科目", notice.subject), ("通知", plain(notice.body))) if value)
    fields.extend(("", label, value) for label, value in getattr(project, "authorities", {}).items() if value)
    fields.extend(("", label, value) for label, value in project.info.items() if value)
    fields.extend(("", goal.label or "绩效目标", plain(goal.text)) for goal in project.goals)
    fields.extend(("", "实际完成情况", plain(goal.result)) for goal in project.goals if goal.result)
    fields.extend(("", section.title, plain(section.body)) for section in (*getattr(project, "sections", ()), *project.notes))
    for table in getattr(project, "funding", ()):
        names = " ".join(s.name for s in table.sources)
        if names:
            fields.append(("", table.title, names))
    fields.extend(("", project.execution_title, line.name) for line in getattr(project, "execution", ()))
    indicators, headings, categories = _indicator_fields(project.indicators)
    if headings:
        fields.append(("", "绩效指标", " ".join(headings)))
    fields.extend(indicators)
    for table in getattr(project, "cost_tables", ()):
        for line in table.lines:
            amount = format_amount(line.amount) if line.amount is not None else ""
            parts = [line.name, amount, line.purpose, line.basis]
            fields.append(("", table.title, " ".join(p for p in parts if p)))
    budget = project.budget
    return SearchDoc(
        id=url, kind=kind, title=project.form_title if kind == "transfer" and project.form_title else project.name,
        edition=_year(edition), department=department.name,
        amount=display(budget) if budget is not None else None,
        amount_yuan=budget.to("元").amount if budget is not None else None,
        level1=categories,
        fields=_distinct(fields), title_fields=title_fields,
    )


def department_doc(department: Any, edition: Any, url: str) -> SearchDoc:
    """Return the search document of a department page (its goals and project list)."""
    fields: list[Field] = [("", "部门名称", department.name)]
    for label, value in (("部门编码", department.code), ("财政区划", department.region)):
        if value:
            fields.append(("", label, value))
    fields.extend(("", label, value) for label, value in department.info.items() if value)
    pub = department.publication
    if pub:
        fields.extend(("", label, value) for label, value in (("来源文件", pub.title), ("发布单位", pub.issuer),
                                                                ("发布日期", pub.date), ("前言", plain(pub.preamble))) if value)
    level1: tuple[str, ...] = ()
    if department.goals:
        fields.extend(("", s.title, plain(s.body)) for s in department.goals.sections)
        indicators, headings, level1 = _indicator_fields(department.goals.indicators)
        if headings:
            fields.append(("", "绩效指标", " ".join(headings)))
        fields.extend(indicators)
    for p in department.projects:
        fields.append(("", "项目", " ".join(x for x in (p.name, p.code, display(p.budget) if p.budget is not None else "") if x)))
    fields.extend(("", table.title, " ".join([table.total_label, *(s.name for s in table.sources)])) for table in department.funding)
    if department.goals and department.goals.duties:
        fields.extend(("", department.goals.duties.title, " ".join(row)) for row in department.goals.duties.rows)
    total = department.total
    totalled = department.total_basis != "none"
    if totalled:
        fields.append(("", "预算合计", display(total)))
    return SearchDoc(
        id=url, kind="department", title=department.name, edition=_year(edition), department=department.name,
        amount=display(total) if totalled else None,
        amount_yuan=total.to("元").amount if totalled else None,
        level1=level1, fields=_distinct(fields), title_fields=1,
    )


def page_doc(title: str, url: str, markdown: str = "", edition: int | None = None) -> SearchDoc:
    """Return the search document of a Markdown page: its title and one field per paragraph."""
    fields: list[Field] = [("", "标题", title)]
    for paragraph in re.split(r"\n\s*\n", markdown or ""):
        text = plain(paragraph)
        if text:
            fields.append(("", "正文", text))
    return SearchDoc(id=url, kind="page", title=title, edition=edition, fields=tuple(fields), title_fields=1)


def docs_for_partition(edition: Any, department: Any) -> list[SearchDoc]:
    """Return the documents of one department of an edition: its page, then its projects' pages."""
    docs = [department_doc(department, edition, urls.department(edition.year, department.slug))]
    docs.extend(project_doc(record, department, edition, urls.project(edition.year, department.slug, record.slug))
                for record in (*department.projects, *department.transfers, *department.evaluations))
    return docs


def page_docs(pages: Iterable[Any]) -> list[SearchDoc]:
    """Return the documents of the Markdown pages (the partition of no edition)."""
    return [page_doc(page.title, urls.page(page.slug), page.body) for page in pages]


def site_docs(site: Any, pages: Iterable[Any] = ()) -> Iterator[SearchDoc]:
    """Yield the documents of a loaded site in site order: each edition's departments and projects, then pages."""
    for edition in site.editions:
        for department in edition.departments:
            yield from docs_for_partition(edition, department)
    yield from page_docs(pages)
