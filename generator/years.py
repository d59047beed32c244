"""Across years: the newest-edition notice, a department's years, and a project by year.

These links change whenever a new edition appears, so they must live outside
the pages of an edition, which may be frozen. Every edition page carries an
empty placeholder and loads two site-wide, never-frozen files:

    years/<year>.js              (edition pages) or
    years/<year>/<department>.js (department, print and project pages)
                                 `window.discloseYears = {...}`: the newest edition, the department's
                                 years and, per project, its rows by year
    assets/years.js              fills the placeholder from that data

and links to `years/<year>/<department>/index.html`, the same information as
a plain page for browsers without JavaScript. Their paths depend only on the
page's own edition and department, so a frozen page keeps finding them.

A department is the same across editions when its folder name is; a project
is the same when its 项目代码 is, or when a record names the other in
`same_as` (<year>/<department>/<project>).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import urls
from .kept import NOTHING, Kept, kept_as_is, source_of
from .model import Department, Edition, Evaluation, Project, Site, iter_indicators, record_file
from .money import format_amount
from .opendata import DataFile
from .state import hash_parts

Key = tuple[int, str, str]  # (year, department slug, project slug)


class YearRow(NamedTuple):
    """A project in one edition, as a row of its by-year table (a named tuple: 10,000 are read back per build)."""

    year: int
    name: str
    department: str
    path: str  # output path of its page
    amount: str
    unit: str
    targets: tuple[str, ...]
    result: str = ""  # the self-evaluation's overall result, once one is published


def project_groups(site: Site, kept: Kept = NOTHING) -> tuple[object, dict[Key, tuple[Key, ...]]]:
    """Connect projects across editions by 项目代码 and `same_as`; map each project to its group, newest first.

    The groups depend only on each project's key, code and `same_as`: a running preview passes what it
    kept, and when none of those changed (an edit to a figure or a name) the last build's groups stand
    (grouping 10,000 projects again was 0.1 s of each save's preview build). They come with a token,
    the hash of what they were made from, for what is derived from them to compare.
    """
    links = tuple((e.year, d.slug, fields_of(e, d, kept)) for e in site.editions for d in e.departments)
    return kept.get(("groups",), None, lambda: (hash_parts([repr(links)]), group_projects(links)), links, lasting=kept_as_is)


def fields_of(edition: Edition, department: Department, kept: Kept = NOTHING) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Return a department's `link_fields`, kept with it."""
    return kept.get(("link fields", edition.year, department.slug), department, lambda: link_fields(department),
                    lasting=kept_as_is)


def link_fields(department: Department) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """Return what groups a department's projects across editions: slug, 项目代码 as compared, `same_as`."""
    return tuple((p.slug, p.code.strip().upper() if p.code and p.code.strip() else "", tuple(p.same_as))
                 for p in department.projects)


def group_projects(links: tuple[tuple[int, str, tuple[tuple[str, str, tuple[str, ...]], ...]], ...]) -> dict[Key, tuple[Key, ...]]:
    """Group projects given by department as (year, department slug, `link_fields`): a union-find by code and `same_as`."""
    parent: dict[Key, Key] = {}

    def find(key: Key) -> Key:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(a: Key, b: Key) -> None:
        parent[find(a)] = find(b)

    by_code: dict[str, Key] = {}
    known = {(year, slug, project) for year, slug, fields in links for project, _, _ in fields}
    for year, slug, fields in links:
        for project, code, same_as in fields:
            key = (year, slug, project)
            find(key)
            if code:
                if code in by_code:
                    join(key, by_code[code])
                by_code.setdefault(code, key)
            for link in same_as:
                parts = link.strip().strip("/").split("/")
                if len(parts) == 3 and parts[0].isdigit() and (int(parts[0]), parts[1], parts[2]) in known:
                    join(key, (int(parts[0]), parts[1], parts[2]))
    groups: dict[Key, list[Key]] = {}
    for key in known:
        groups.setdefault(find(key), []).append(key)
    return {key: tuple(sorted(members, reverse=True)) for members in groups.values() for key in members}


def key_targets(project: Project, limit: int = 3) -> tuple[str, ...]:
    """Return a few key targets: the first indicator under each 一级 heading, as printed."""
    seen: dict[str, str] = {}
    for level1, _, indicator in iter_indicators(project.indicators):
        if indicator.period == "annual" and level1.level1 not in seen:
            seen[level1.level1] = f"{indicator.name} {indicator.value}".strip()
    return tuple(seen.values())[:limit]


def year_row(edition: Edition, department: Department, project: Project) -> YearRow:
    """Return a project's row in its by-year table."""
    return YearRow(edition.year, project.name, department.name,
                   urls.project(edition.year, department.slug, project.slug),
                   format_amount(project.amount), project.unit, key_targets(project),
                   evaluation_result(department.evaluation_of(project)))


def evaluation_result(evaluation: Evaluation | None) -> str:
    """Return a self-evaluation's overall result as the by-year table shows it: "总分 96（满分 100），优"."""
    total = evaluation.total if evaluation is not None else None
    if total is None or total.score is None:
        return "已自评" if evaluation is not None else ""
    out = f"{total.label} {total.score}"
    if total.weight is not None:
        out += f"（满分 {total.weight}）"
    return out + (f"，{total.grade}" if total.grade else "")


@dataclass(frozen=True)
class Across:
    """Everything the cross-year outputs show, computed once per build."""

    newest: Edition | None
    departments: dict[str, tuple[tuple[int, str], ...]]  # slug → (year, name), newest first
    rows: dict[tuple[int, str], dict[str, tuple[YearRow, ...]]]  # (year, department) → project → its group's rows, newest first
    inputs: dict[tuple[int, str], tuple[str, ...]]  # (year, department) → the content files its outputs show
    shown: dict[tuple[int, str], tuple[tuple[int, str], ...]]  # (year, department) → the departments those are in

    def rows_of(self, year: int, department: str, project: str) -> tuple[YearRow, ...]:
        """Return a project's rows by year (its own among them), newest first."""
        return self.rows.get((year, department), {}).get(project, ())


def files_of(edition: Edition, department: Department, project: Project) -> tuple[str, ...]:
    """Return the files a project's by-year row is made from: its record, its department's, its self-evaluation."""
    evaluation = department.evaluation_of(project)
    return (f"{edition.year}/{department.slug}/department.yaml", record_file(edition.year, department, project),
            *((record_file(edition.year, department, evaluation),) if evaluation else ()))


_last: tuple[Site, Across] | None = None  # the pages and the scripts of one build both need the links


def across(site: Site, kept: Kept = NOTHING) -> Across:
    """Return the cross-year links of a site, computed once per site object.

    A running preview passes what it kept: an unchanged department's rows are not made again.
    """
    global _last
    if _last is None or _last[0] is not site:
        _last = (site, links_of(site, kept))
    return _last[1]


def rows_of(edition: Edition, department: Department, kept: Kept = NOTHING) -> dict[str, tuple[YearRow, tuple[str, ...]]]:
    """Return a department's `department_rows`, kept with it."""
    return kept.get(("years", edition.year, department.slug), department, lambda: department_rows(edition, department),
                    lasting=kept_as_is)


def department_rows(edition: Edition, department: Department) -> dict[str, tuple[YearRow, tuple[str, ...]]]:
    """Return each project's by-year row and the files it is made from, by project slug."""
    return {p.slug: (year_row(edition, department, p), files_of(edition, department, p)) for p in department.projects}


def links_of(site: Site, kept: Kept = NOTHING) -> Across:
    """Compute the cross-year links of a site.

    With what a running preview kept, a department's links are made again only when it, the groups,
    its years or the rows of another year's projects it links to changed (0.1 s of each save's preview
    build at 10,000 projects went into making all of them again).
    """
    departments: dict[str, list[tuple[int, str]]] = {}
    made: dict[tuple[int, str], dict[str, tuple[YearRow, tuple[str, ...]]]] = {}
    by_key = {(e.year, d.slug): d for e in site.editions for d in e.departments}
    for edition in site.editions:
        for department in edition.departments:
            departments.setdefault(department.slug, []).append((edition.year, department.name))
            # A row shows the edition's year only, besides the department and its records.
            made[edition.year, department.slug] = rows_of(edition, department, kept)
    version, groups = project_groups(site, kept)
    newest = site.editions[0] if site.editions else None  # editions are sorted newest first
    editions = tuple(f"{e.year}/edition.yaml" for e in site.editions)
    rows, inputs, shown = {}, {}, {}
    for edition in site.editions:
        for department in edition.departments:
            key = (edition.year, department.slug)
            years = tuple(departments[department.slug])
            linked = kept.get(("linked", *key), department,
                              lambda y=edition.year, d=department: linked_departments(y, d.slug, made[y, d.slug], groups),
                              (version,), lasting=kept_as_is)
            # The linked departments' rows are made from them alone: their identity stands for the rows
            # (which, as a token, were a third of what a new process reads back), when they all have one.
            sources = tuple(source_of(by_key[k]) for k in linked)
            rows[key], inputs[key], shown[key] = kept.get(
                ("links", *key), department,
                lambda y=edition.year, d=department, s=years: department_links(y, d, groups, made, editions, s),
                (version, editions, years, sources if None not in sources else tuple(made[k] for k in linked)),
                lasting=kept_as_is)
    return Across(newest, {slug: tuple(sorted(v, reverse=True)) for slug, v in departments.items()}, rows, inputs, shown)


def linked_departments(year: int, slug: str, projects: Iterable[str], groups: dict[Key, tuple[Key, ...]]) -> tuple[tuple[int, str], ...]:
    """Return the departments, in any year, whose projects (here by slug) share a group with one of this department's.

    The projects' slugs are taken from the department's rows (`department_rows`), in its order, not
    from its tables: those may be shelved (generator/shelf.py).
    """
    return tuple(dict.fromkeys((m[0], m[1]) for p in projects for m in groups[(year, slug, p)]))


def department_links(year: int, department: Department, groups: dict[Key, tuple[Key, ...]],
                     made: dict[tuple[int, str], dict[str, tuple[YearRow, tuple[str, ...]]]],
                     editions: tuple[str, ...], years: tuple[tuple[int, str], ...],
                     ) -> tuple[dict[str, tuple[YearRow, ...]], tuple[str, ...], tuple[tuple[int, str], ...]]:
    """Return a department's projects' rows by year, the content files its by-year outputs show, and their departments.

    Precise inputs, so that an edit re-makes the by-year outputs that show it and no others: every
    edition's own file (the newest notice), the department in every year, its projects' groups.
    """
    slug = department.slug
    members = {p: groups[(year, slug, p)] for p in made[year, slug]}  # its projects' slugs, as linked_departments
    rows = {project: tuple(made[m[0], m[1]][m[2]][0] for m in group) for project, group in members.items()}
    every = [m for group in members.values() for m in group]
    inputs = tuple(dict.fromkeys((*editions, *(f"{y}/{slug}/department.yaml" for y, _ in years),
                                  *(f for m in every for f in made[m[0], m[1]][m[2]][1]))))
    shown = tuple(dict.fromkeys((*((y, slug) for y, _ in years), *((m[0], m[1]) for m in every))))
    return rows, inputs, shown


def edition_data(links: Across, year: int) -> dict[str, Any]:
    """Return what an edition's page needs: the newest edition."""
    newest = links.newest
    return {"year": year, "newest": None if newest is None else {
        "year": newest.year, "title": newest.title or f"{newest.year}年预算绩效目标公开", "path": urls.edition(newest.year)}}


def department_data(links: Across, edition: Edition, department: Department) -> dict[str, Any]:
    """Return what a department's pages need: the newest edition, its years, each project's years."""
    years = [{"year": y, "name": name, "path": urls.department(y, department.slug)}
             for y, name in links.departments.get(department.slug, ())]
    projects = {}
    for slug, rows in links.rows.get((edition.year, department.slug), {}).items():  # by project, in its order
        if len(rows) > 1:
            projects[slug] = [{"year": r.year, "name": r.name, "department": r.department, "path": r.path,
                                       "amount": r.amount, "unit": r.unit, "targets": list(r.targets),
                                       "result": r.result} for r in rows]
    return {**edition_data(links, edition.year), "department": department.slug, "years": years, "projects": projects,
            "page": urls.years(edition.year, department.slug)}


def script(data: dict[str, Any]) -> bytes:
    """Wrap data as a classic script, so that pages opened from disk (file://) can load it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    return f"window.discloseYears={text};\n".encode()


def plan_scripts(site: Site, links: Across) -> list[DataFile]:
    """Plan the cross-year data scripts of every edition and department (never frozen: paths outside <year>/)."""
    files = []
    editions = tuple(f"{e.year}/edition.yaml" for e in site.editions)
    for edition in site.editions:
        files.append(DataFile(urls.years_data(edition.year), editions, lambda e=edition: script(edition_data(links, e.year))))
        for department in edition.departments:
            files.append(DataFile(urls.years_data(edition.year, department.slug), links.inputs[(edition.year, department.slug)],
                                  lambda e=edition, d=department: script(department_data(links, e, d))))
    return files
