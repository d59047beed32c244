"""Plan the site: decide every page before any is rendered.

A plan is a list of small frozen `PageSpec`s. Each says where a page goes,
which templates may render it (most specific first, so that one edition or one
project can have a template of its own), what it shows and what it is made
from. A page's context holds only the records it shows: a project page gets
its project and the *heads* of its department and edition (their own fields,
without children), never the whole edition. So a page is a pure function of
its spec, and its `records` and `template_files` name every input a later
incremental build must watch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from . import address, archive, opendata, urls, years
from .kept import NOTHING, Kept, kept_as_is
from .load import Page
from .model import Department, Edition, Site, record_file
from .money import Money, total
from .state import hash_parts

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class PageSpec:
    """One page to render: where it goes, how, from what."""

    output: str  # path in the output folder, such as 2024/pengyang-sfj/index.html
    templates: tuple[str, ...]  # override list, most specific first
    context: dict[str, Any]  # what the templates see; never changed after planning
    records: tuple[str, ...]  # content files it is made from, relative to the content folder
    template_files: tuple[str, ...] = ()  # every template it is rendered with (filled in by `plan_site`)
    link_base: str | None = None  # base of every link (the 404 page: site address or "/"); None: relative links
    shows: str = ""  # a digest of its whole context, for a page that shows little of many records (`shown`)


@dataclass(frozen=True)
class DepartmentSummary:
    """A department as a line of a list: its own fields, how many tables of each kind, and its total."""

    department: Department  # the head only, without projects
    projects: int
    total: Money
    basis: str = "projects"  # "department": the total is the department's own 资金总额 (it has no projects)
    transfers: int = 0
    evaluations: int = 0
    digest: str = field(default="", repr=False, compare=False)  # of its repr, made once (`summarized`)


@dataclass(frozen=True)
class EditionSummary:
    """An edition as a line of a list, with a summary of each of its departments."""

    edition: Edition  # the head only, without departments
    departments: tuple[DepartmentSummary, ...]
    projects: int
    total: Money


class Later:
    """The pages of one department (or one by-year page), planned again from its records when first needed.

    What lasts between processes of a department's plan is its `outline`: all but the pages'
    context, which holds the tables (generator/shelf.py). A page whose key says it is fresh is
    never rendered, so its context is never read and the department's tables stay on the shelf.
    A plan is always held so, its contexts made where its pages are rendered and dropped after
    (`forget`): the process that plans 10,000 projects' pages never holds them all.
    """

    def __init__(self, plan: Callable[[], list[PageSpec]]) -> None:
        self.plan, self.specs = plan, None

    def forget(self) -> None:
        """Drop the contexts planned (they are planned again if read again)."""
        self.specs = None

    def context(self, index: int, output: str) -> dict[str, Any]:
        if self.specs is None:
            self.specs = self.plan()
        spec = self.specs[index]
        if spec.output != output:  # an outline is only taken under the same source and token: never so
            raise PlanError(f"规划不一致：{output} ≠ {spec.output}")
        return spec.context


class LaterContext(Mapping):
    """A page's context, planned when first read (`Later`); a worker process gets it as a plain dict."""

    __slots__ = ("later", "index", "output")

    def __init__(self, later: Later, index: int, output: str) -> None:
        self.later, self.index, self.output = later, index, output

    def __getitem__(self, name: str) -> Any:
        return self.later.context(self.index, self.output)[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.later.context(self.index, self.output))

    def __len__(self) -> int:
        return len(self.later.context(self.index, self.output))

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self.later.context(self.index, self.output)),))


Outline = tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], str | None], ...]


def outline(specs: list[PageSpec]) -> Outline:
    """Return what lasts of planned pages between processes: everything but their context."""
    return tuple((s.output, s.templates, s.records, s.template_files, s.link_base) for s in specs)


def planned_later(saved: Outline, plan: Callable[[], list[PageSpec]]) -> list[PageSpec]:
    """Return the pages of an outline, their contexts planned by `plan` when first read."""
    later = Later(plan)
    return [PageSpec(output, templates, LaterContext(later, i, output), records, files, base)  # type: ignore[arg-type]
            for i, (output, templates, records, files, base) in enumerate(saved)]


def lazily(plan: Callable[[], list[PageSpec]]) -> list[PageSpec]:
    """Return the pages `plan` makes, holding their outline only (`Later`)."""
    return planned_later(outline(plan()), plan)


def forget(spec: PageSpec) -> None:
    """Drop a page's context if it was planned later (`Later.forget`), once it is rendered."""
    if isinstance(spec.context, LaterContext):
        spec.context.later.forget()


class PlanError(Exception):
    """Two pages would be written to the same file."""


def plan_site(site: Site, pages: tuple[Page, ...], uses: Callable[[tuple[str, ...]], tuple[str, ...]],
              kept: Kept = NOTHING, token: Callable[[Edition], object] | None = None,
              blocks: list[tuple[Edition, Department, int, int]] | None = None) -> list[PageSpec]:
    """Return every page of the site; `uses` names the templates an override list renders with.

    A running preview passes what it kept and, per edition, a token of everything a department's pages
    are made from besides the department (templates, site.yaml, pages, edition.yaml): the pages of a
    department loaded as the same object as last time are not planned again. Without a token nothing is.
    `blocks`, when given, is filled with where each department's pages are: (edition, department, start, stop).
    """
    if token is None:
        kept, token = NOTHING, lambda edition: None
    def filled(specs: Iterable[PageSpec]) -> list[PageSpec]:
        return [replace(spec, template_files=uses(spec.templates)) for spec in specs]

    specs = filled(site_pages(site, pages, kept))
    chrome = common(site, pages)
    for edition in site.editions:
        specs.extend(filled(edition_pages(site, pages, edition, kept)))
        edition_head = head(edition)
        for department in edition.departments:
            def plan(e: Edition = edition, h: Edition = edition_head, d: Department = department) -> list[PageSpec]:
                return filled(department_pages(chrome, e, h, d))
            start = len(specs)
            # What the outline is made of is asked for at every build, as what is kept and not asked
            # for is not kept again (kept.Kept.save): a later build may need it.
            tables = tables_of(edition.year, department, kept)

            def later(plan: Callable[[], list[PageSpec]] = plan, e: Edition = edition, d: Department = department,
                      tables: tuple[tuple[str, str, tuple[str, ...]], ...] = tables) -> list[PageSpec]:
                return planned_later(outlined(chrome[1], e, d, tables, uses, kept), plan)
            specs.extend(kept.get(("plan", edition.year, department.slug), department, later, token(edition),
                                  lasting=outline, restore=lambda saved, plan=plan: planned_later(saved, plan)))
            if blocks is not None:
                blocks.append((edition, department, start, len(specs)))
    specs.extend(years_pages(site, pages, filled, kept, token))
    specs.extend(filled(crawler_files(site, specs)))
    clashes = [path for path, n in Counter(spec.output for spec in specs).items() if n > 1]
    if clashes:
        raise PlanError(f"以下页面的网址重复（页面文件名与年度、部门或“search”“assets”重名？）：{'、'.join(sorted(clashes))}")
    return specs


def site_pages(site: Site, pages: tuple[Page, ...], kept: Kept = NOTHING) -> Iterator[PageSpec]:
    """Plan the pages outside any edition: home, Markdown pages, search, 404."""
    chrome, chrome_records = common(site, pages)
    summaries = tuple(summarize(edition, kept) for edition in site.editions)
    everything = tuple(path for edition in site.editions for path in edition_records(edition, kept))
    listed = {**chrome, "editions": summaries}
    key = shown(listed)
    yield PageSpec(urls.home(), ("home.html",), listed, (*chrome_records, *everything), shows=key)
    for page in pages:
        yield PageSpec(urls.page(page.slug), overrides("page", page.slug), {**chrome, "page": page}, chrome_records)
    # The search page lists every department, for browsers without JavaScript.
    yield PageSpec(urls.search(), ("search.html",), listed, (*chrome_records, *everything), shows=key)
    # A server shows 404.html at any depth, so its links are absolute when the site's address is
    # known, and root-relative ("/search/") without it: right for a site at a domain's root.
    yield PageSpec(urls.not_found(), ("404.html",), chrome, chrome_records, link_base=base_url(site) or "/")


def common(site: Site, pages: tuple[Page, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Return what every HTML page shows (the site's chrome, a link to each Markdown page) and its files."""
    nav = tuple((page.title, urls.page(page.slug)) for page in pages)
    return {"site": head(site), "nav": nav}, ("site.yaml", *(f"pages/{Path(page.path).name}" for page in pages))


def edition_pages(site: Site, pages: tuple[Page, ...], edition: Edition, kept: Kept = NOTHING) -> Iterator[PageSpec]:
    """Plan an edition's own pages: the edition and its corrections."""
    year = edition.year
    chrome, chrome_records = common(site, pages)
    everything = (*chrome_records, *edition_records(edition, kept))
    listed = {**chrome, "summary": summarize(edition, kept), **data_links(str(year), ())}
    yield PageSpec(urls.edition(year), overrides("edition", year), listed, everything, shows=shown(listed))
    entries = {**chrome, "edition": head(edition), "entries": tuple(archive.corrections(edition, kept))}
    yield PageSpec(urls.corrections(year), overrides("corrections", year), entries, everything, shows=shown(entries))


def department_pages(shared: tuple[dict[str, Any], tuple[str, ...]], edition: Edition, edition_head: Edition,
                     department: Department) -> Iterator[PageSpec]:
    """Plan a department's pages: the department, its print-all page and each of its tables.

    `shared` is what every page shows and its files (`common`). Where each page goes and what it is
    made of is `department_outline`'s; what it shows, `department_contexts`'.
    """
    year = edition.year
    chrome, chrome_records = shared
    pages = department_outline(chrome_records, year, department.slug, department_records(year, department),
                               tables_of(year, department))
    for (output, templates, records), context in zip(pages, department_contexts(chrome, edition, edition_head, department),
                                                      strict=True):
        yield PageSpec(output, templates, context, records)


def tables_of(year: int, department: Department, kept: Kept = NOTHING) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Return, for each table's page of a department, its kind, slug and own files (its record, the one it links).

    Kept with the department: its pages' outline is then made without reading its tables.
    """
    def made() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        found = []
        for project in department.projects:
            evaluation = department.evaluation_of(project)
            found.append(("project", project.slug, (record_file(year, department, project),
                                                    *((record_file(year, department, evaluation),) if evaluation else ()))))
        found += [("transfer", t.slug, (record_file(year, department, t),)) for t in department.transfers]
        for evaluation in department.evaluations:
            target = department.target_of(evaluation)
            found.append(("evaluation", evaluation.slug, (record_file(year, department, evaluation),
                                                          *((record_file(year, department, target),) if target else ()))))
        return tuple(found)
    return kept.get(("tables", year, department.slug), department, made, lasting=kept_as_is)


def department_outline(chrome_records: tuple[str, ...], year: int, slug: str, records: tuple[str, ...],
                       tables: tuple[tuple[str, str, tuple[str, ...]], ...]) -> Iterator[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Yield where each of a department's pages goes, its templates and its files, in `department_pages`' order.

    `records` are the department's files (`department_records`), `tables` its tables' pages (`tables_of`).
    """
    every = (*chrome_records, f"{year}/edition.yaml", *records)
    yield urls.department(year, slug), overrides("department", year, slug), every
    yield urls.print_all(year, slug), overrides("print", year, slug), every
    own = (*chrome_records, f"{year}/edition.yaml", f"{year}/{slug}/department.yaml")
    for kind, table, files in tables:
        yield urls.project(year, slug, table), overrides(kind, year, slug, table), (*own, *files)


def department_contexts(chrome: dict[str, Any], edition: Edition, edition_head: Edition,
                        department: Department) -> Iterator[dict[str, Any]]:
    """Yield what each of a department's pages shows, in `department_pages`' order."""
    folder = f"{edition.year}/{department.slug}"
    context = {**chrome, "edition": edition_head, "department": department,
               **data_links(folder, opendata.attachments(edition, department))}
    yield context
    yield context
    department_head = head(department)
    for project in department.projects:
        yield {**chrome, "edition": edition_head, "department": department_head, "project": project,
               "evaluation": department.evaluation_of(project),
               **data_links(folder, opendata.attachments(edition, department, [project]))}
    for transfer in department.transfers:
        yield {**chrome, "edition": edition_head, "department": department_head, "transfer": transfer}
    for evaluation in department.evaluations:
        yield {**chrome, "edition": edition_head, "department": department_head, "evaluation": evaluation,
               "target": department.target_of(evaluation)}


def outlined(chrome_records: tuple[str, ...], edition: Edition, department: Department,
             tables: tuple[tuple[str, str, tuple[str, ...]], ...], uses: Callable[[tuple[str, ...]], tuple[str, ...]],
             kept: Kept) -> Outline:
    """Return a department's pages' outline from what is kept of it (`tables_of`, `department_records`)."""
    return tuple((output, templates, records, uses(templates), None) for output, templates, records in department_outline(
        chrome_records, edition.year, department.slug, department_records(edition.year, department, kept), tables))


def data_links(folder: str, sources: list[opendata.Attachment] | tuple[()]) -> dict[str, Any]:
    """Return what a page's download list shows: the folder's data files and the original documents."""
    return {"downloads": opendata.downloads(folder), "sources": tuple(sources)}


def years_pages(site: Site, pages: tuple[Page, ...], fill: Callable[[Iterable[PageSpec]], list[PageSpec]],
                kept: Kept = NOTHING, token: Callable[[Edition], object] = lambda edition: None) -> list[PageSpec]:
    """Plan each department's page of other years (outside the editions, so never frozen).

    With what a running preview kept, a page whose departments (the ones it shows records of) are
    the same objects, under the same editions' tokens and inputs, is not planned again.
    """
    chrome, chrome_records = common(site, pages)
    links = years.across(site, kept)
    newest = head(links.newest) if links.newest else None
    by_key = {(e.year, d.slug): d for e in site.editions for d in e.departments}
    tokens = tuple(token(e) for e in site.editions)
    specs = []
    for edition in site.editions:
        edition_head = head(edition)
        for department in edition.departments:
            key = (edition.year, department.slug)

            records = (*chrome_records, *links.inputs[key])

            def plan(e: Edition = edition, h: Edition = edition_head, d: Department = department,
                     records: tuple[str, ...] = records) -> list[PageSpec]:
                rows = tuple((p, links.rows_of(e.year, d.slug, p.slug)) for p in d.projects)
                return fill([PageSpec(urls.years(e.year, d.slug), ("years.html",),
                                      {**chrome, "edition": h, "department": head(d), "newest": newest,
                                       "years": links.departments[d.slug], "projects": rows}, records)])

            def later(plan: Callable[[], list[PageSpec]] = plan, output: str = urls.years(*key),
                      records: tuple[str, ...] = records) -> list[PageSpec]:
                # Its context needs the department's tables; where it goes and what it is made of do not.
                return planned_later(outline(fill([PageSpec(output, ("years.html",), {}, records)])), plan)
            shown = tuple(by_key[k] for k in links.shown[key])
            specs.extend(kept.get(("years page", *key), shown, later, (tokens, links.inputs[key]),
                                  lasting=outline, restore=lambda saved, plan=plan: planned_later(saved, plan)))
    return specs


def crawler_files(site: Site, specs: list[PageSpec]) -> Iterator[PageSpec]:
    """Plan robots.txt, and sitemap.xml when the site's address is known (a sitemap needs full URLs).

    Draft editions (built with --drafts) are left out of the sitemap.
    """
    base = base_url(site)
    drafts = {str(e.year) for e in site.editions if e.status == "draft"}
    if base:
        everything = tuple(sorted({record for spec in specs for record in spec.records}))
        listed = tuple(urls.directory_url(spec.output) for spec in specs
                       if spec.output.endswith(".html") and spec.output not in (urls.not_found(), urls.search())
                       and spec.output.split("/")[0] not in drafts
                       and not (spec.output.startswith("years/") and spec.output.split("/")[1] in drafts))
        context = {"base_url": base, "locations": listed}
        yield PageSpec("sitemap.xml", ("sitemap.xml",), context, everything, shows=shown(context))
    yield PageSpec("robots.txt", ("robots.txt",), {"base_url": base}, ("site.yaml",))


def summarize(edition: Edition, kept: Kept = NOTHING) -> EditionSummary:
    """Count and total an edition and each of its departments, from the model.

    A running preview passes what it kept: an unchanged department's line is not made again (the home,
    search and edition pages summarize all 500 departments of a 10,000-project edition at every save).
    """
    departments = tuple(kept.get(("summary", edition.year, d.slug), d, lambda d=d: summarized(DepartmentSummary(
        head(d), len(d.projects), d.total, d.total_basis, len(d.transfers), len(d.evaluations))), lasting=kept_as_is)
        for d in edition.departments)
    # Edition.total, from the summaries: it would read every department's tables
    edition_total = total([s.total for s in departments if s.basis != "none"])
    return EditionSummary(head(edition), departments, sum(s.projects for s in departments), edition_total)


def summarized(summary: DepartmentSummary) -> DepartmentSummary:
    """Return a department's summary with the digest of everything it holds."""
    return replace(summary, digest=hash_parts([repr(summary)]))


def shown(context: Mapping[str, Any]) -> str:
    """Return a digest of everything a page's context holds, or "" when some part has no faithful repr.

    The home, search, edition and corrections pages and the sitemap are made from every record, but
    show only a line per department (or per correction, or per page): keyed by what they show rather
    than by the hashes of the 10,000 records, an edit that leaves every line as it was (a project's
    name, an indicator) does not render them again (4 of the 8 pages a preview's save rendered at
    10,000 projects, ~55 ms). A template sees nothing but its context (generator/render.py), and a record's repr
    holds every field, so the digest changes whenever the page could.
    """
    parts = []
    for name, value in context.items():
        text = repr_of(value)
        if " at 0x" in text:  # an object printed by address: not a description of its contents
            return ""
        parts.append(f"{name}={text}")
    return hash_parts(parts)


def repr_of(value: Any) -> str:
    """Return the repr of a context value, a summary by the digest made once with it."""
    if isinstance(value, DepartmentSummary):
        return "D:" + (value.digest or hash_parts([repr(value)]))
    if isinstance(value, EditionSummary):
        return "E:" + hash_parts([repr(value.edition), str(value.projects), repr(value.total),
                                  *map(repr_of, value.departments)])
    if isinstance(value, tuple) and any(isinstance(v, (DepartmentSummary, EditionSummary)) for v in value):
        return "(" + ",".join(map(repr_of, value)) + ")"
    return repr(value)


def head(record: M) -> M:
    """Return a record with its own fields only: no children, and no totals cached from them."""
    own = type(record).model_fields
    if CHILDREN.isdisjoint(own):
        return record  # a project, transfer or evaluation has no children: it is its own head (10,000 copies saved)
    return type(record).model_construct(**{name: getattr(record, name) for name in own if name not in CHILDREN})


CHILDREN = frozenset({"editions", "departments", "projects", "transfers", "evaluations"})


def overrides(kind: str, *parts: object) -> tuple[str, ...]:
    """Return template names from most to least specific: project-2024-dept-slug.html … project.html."""
    names = [f"{kind}-{'-'.join(map(str, parts[:n]))}.html" for n in range(len(parts), 0, -1)]
    return (*names, f"{kind}.html")


def edition_records(edition: Edition, kept: Kept = NOTHING) -> tuple[str, ...]:
    """Return the content files of an edition: edition.yaml and every department's files."""
    return (f"{edition.year}/edition.yaml",
            *(path for d in edition.departments for path in department_records(edition.year, d, kept)))


def department_records(year: int, department: Department, kept: Kept = NOTHING) -> tuple[str, ...]:
    """Return the content files of a department: department.yaml and its projects, transfer tables and self-evaluations."""
    if kept.keep:  # asked for every page and data file of the department, and for the edition's
        return kept.get(("records", year, department.slug), department, lambda: department_records(year, department),
                        lasting=kept_as_is)
    tables = (*department.projects, *department.transfers, *department.evaluations)
    return (f"{year}/{department.slug}/department.yaml", *(record_file(year, department, t) for t in tables))


def base_url(site: Site) -> str | None:
    """Return the site's public address ending in "/", or None when it is not set."""
    if not site.base_url or not site.base_url.strip():
        return None
    # Checked again here, where it becomes every link of the 404 page, robots.txt and sitemap.xml.
    return address.checked(site.base_url.strip(), absolute=True).rstrip("/") + "/"
