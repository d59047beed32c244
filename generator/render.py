"""Turn one planned page into bytes: the Jinja environment, its filters and helpers.

Rendering is a pure function of a `PageSpec`: the environment is set up once
from the templates folder and never changes, and a page sees only the context
its spec carries. That is what lets a later build render pages in worker
processes, or skip pages whose inputs did not change.

Safety: autoescape is on for every template (HTML, XML, text alike), Markdown
is rendered with raw HTML off and images off (an image would be a request to
another site), and undefined names are errors rather than blanks.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
from jinja2 import meta, nodes
from markdown_it import MarkdownIt
from markupsafe import Markup
from pydantic import BaseModel

from . import address, bounds, tables, urls
from . import money as figures
from .charts import bar_chart
from .folders import TEMPLATES, walk_followed
from .model import NOT_GIVEN_MARKS
from .money import Money, Unit
from .plan import PageSpec, head
from .state import digest_bytes

# CommonMark without raw HTML: a <script> typed into a record shows as text.
# Tables (a GFM extension) are on: documents print 年度履职目标 and the like as tables.
MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable("image").enable("table")
# A Markdown link obeys the same rule as every other address (address.py); a refused one stays text.
MARKDOWN.validateLink = lambda link: address.problem(link) is None


# The templates each template names, by the digest of its source: kept for the life of the process
# (`disclose serve` builds again and again), since the same bytes always name the same templates.
REFERENCES: dict[str, tuple[str, ...]] = {}


def _plain(name: str) -> bool:
    """Tell whether a template name is a plain relative path, as a folder's listing spells it."""
    return not (name.startswith("/") or "\\" in name or "//" in name
                or any(part in ("", ".", "..") for part in name.split("/")))


class Renderer:
    """The templates of one build, ready to render any page."""

    def __init__(self, folders: Path | tuple[Path, ...] = TEMPLATES, cache: Path | None = None,
                 sheets: dict | None = None) -> None:
        self.folders = (folders,) if isinstance(folders, Path) else tuple(folders)
        self.cache = cache
        self.sheets = sheets  # a running preview's sheets rendered by earlier builds (see `sheet`)
        self.heads: dict[int, tuple[object, object, str]] = {}  # id → (record, its head, the head's repr)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.folders),
            # Compiled templates are kept by source checksum, so a one-page build does not compile them all again.
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache)) if cache is not None else None,
            autoescape=True,
            # A Renderer lasts one build, and templates do not change during one (see `digest`): no
            # stat of its file each time a template is included (2.7 % of rendering at 10,000 projects).
            auto_reload=False,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.do"],
        )
        self.env.filters.update(money=money, amount=amount, cell=cell, figure=figure, unit_label=unit_label, labelled=labelled,
                                markdown=markdown,
                                css_string=css_string, link=link, cn_date=cn_date, iso_date=iso_date)
        self.env.tests.update(filled=filled)
        self.env.globals.update(url=url, paths=PATHS, tables=tables, bar_chart=bar_chart, common_unit=figures.common_unit,
                                print_table=print_table, page_address=page_address,
                                stack_labels=stack_labels, sheet=jinja2.pass_context(
                                    lambda context, name, **values: self.sheet(context, name, values)))
        self.parsed: dict[str, tuple[str, ...]] = {}
        self.digested: dict[str, str] = {}
        self.listings: dict[int, frozenset[str]] = {}
        self.listed: dict[tuple[str, ...], str] = {}
        self.used: dict[tuple[str, ...], tuple[str, ...]] = {}

    def digest(self, name: str) -> str:
        """Return which folder a template name is read from and a hash of its bytes ("-" when missing)."""
        if name not in self.digested:  # templates do not change during a build
            self.digested[name] = "-"
            for n, folder in enumerate(self.folders):
                path = folder / name
                # A page names its more specific candidates too, missing ones mostly: at 10,000
                # projects, 40,000 names, whose stat calls were 0.2 s of a one-edit build.
                if (name in self.listing(n) or not _plain(name)) and path.is_file():
                    self.digested[name] = f"{n}:{digest_bytes(path.read_bytes())}"
                    break
        return self.digested[name]

    def listing(self, n: int) -> frozenset[str]:
        """Return the names of the files under template folder n (as a template is named: a/b.html)."""
        if n not in self.listings:
            names = set()
            for root, _, files in walk_followed(self.folders[n]):
                inside = os.path.relpath(root, self.folders[n]).replace(os.sep, "/")
                names.update(f if inside == "." else f"{inside}/{f}" for f in files)
            self.listings[n] = frozenset(names)
        return self.listings[n]

    def digests(self, names: tuple[str, ...]) -> str:
        """Return "name=digest" of each template named, once each, NUL-separated (a part of a page's key).

        Pages share a few lists of candidates: made once per list, not for each of 11,500 pages
        (0.3 s of a one-edit build at 10,000 projects).
        """
        if names not in self.listed:
            self.listed[names] = "\0".join(f"{name}={self.digest(name)}" for name in dict.fromkeys(names))
        return self.listed[names]

    def assets(self) -> dict[str, Path]:
        """Return every asset by its output path, a site's own assets overriding the bundled ones by name."""
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            source = folder / "assets"
            for path in sorted(source.rglob("*")) if source.is_dir() else ():
                relative = path.relative_to(source)
                if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                    found[f"assets/{relative.as_posix()}"] = path
        return dict(sorted(found.items()))

    def uses(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Return the chosen template and every template it extends, includes or imports, sorted."""
        if names not in self.used:  # templates do not change during a build; 500 by-year pages share one list
            self.used[names] = self.find_uses(names)
        return self.used[names]

    def find_uses(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """Find what `uses` returns."""
        chosen = next((name for name in names if self.digest(name) != "-"), None)
        if chosen is None:  # no candidate exists: let Jinja say so, naming them all
            self.env.select_template(names)
        seen: set[str] = set()
        todo = [chosen]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(self.references(name))
        return tuple(sorted(seen))

    def references(self, name: str) -> tuple[str, ...]:
        """Return the templates one template names; none for a missing optional include."""
        if name not in self.parsed:  # templates do not change during a build: parse each once
            digest = self.digest(name)
            # `in`, not `get() or`: a template that names none (macros.html, 0.1 s to parse) was parsed at every build.
            if digest not in REFERENCES:
                REFERENCES[digest] = self.find_references(name)
            self.parsed[name] = REFERENCES[digest]
        return self.parsed[name]

    def find_references(self, name: str) -> tuple[str, ...]:
        """Parse a template for the names it extends, includes or imports (Jinja's parser is slow: 30 ms)."""
        try:
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            source = ""  # still recorded by `uses`, so that adding it later counts as a change
        tree = self.env.parse(source)
        # A print-all page's sheets are templates too: `sheet("partials/project_sheet.html", …)`.
        sheets = (call.args[0].value for call in tree.find_all(nodes.Call)
                  if isinstance(call.node, nodes.Name) and call.node.name == "sheet"
                  and call.args and isinstance(call.args[0], nodes.Const) and isinstance(call.args[0].value, str))
        return tuple(dict.fromkeys(ref for ref in (*meta.find_referenced_templates(tree), *sheets) if ref))

    def sheet(self, context: jinja2.runtime.Context, name: str, values: dict[str, Any]) -> Markup:
        """Render one table's sheet of a page that holds many (the print-all page) from what it shows alone.

        A sheet sees the page's address, the edition, its department's own fields (as on the
        table's own page) and `values`. In a running preview a department's other 19 sheets are
        unchanged after an edit: a sheet of the very same records (an unchanged file is loaded as
        the same object, RecordCache.derived), department and edition fields, address and templates as an
        earlier build's is taken as that build rendered it (~50 ms of each save at 10,000 projects).
        """
        edition, edition_text = self.head(context["edition"])
        department, department_text = self.head(context["department"])
        here, link_base = context["here"], context["link_base"]
        shown = {"edition": edition, "department": department, **values}
        if self.sheets is None:
            return Markup(self.env.get_template(name).render(shown, here=here, link_base=link_base))
        records = tuple(value for value in values.values() if isinstance(value, BaseModel))
        key = (name, self.digests(self.uses((name,))), here, repr(link_base), edition_text, department_text,
               tuple(sorted((k, repr(v)) for k, v in values.items() if not isinstance(v, BaseModel))),
               tuple((k, id(v)) for k, v in values.items() if isinstance(v, BaseModel)))
        held = self.sheets.get(key)
        if held is not None and all(a is b for a, b in zip(held[0], records, strict=True)):
            return held[1]
        if len(self.sheets) >= MAX_SHEETS:  # a session that went through every department: start again
            self.sheets.clear()
        html = Markup(self.env.get_template(name).render(shown, here=here, link_base=link_base))
        self.sheets[key] = (records, html)  # the records held, so that their ids stay theirs
        return html

    def head(self, record: Any) -> tuple[Any, str]:
        """Return a record's own fields (plan.head) and their repr, made once per record this build."""
        held = self.heads.get(id(record))
        if held is None or held[0] is not record:
            own = head(record)
            held = self.heads[id(record)] = (record, own, repr(own) if self.sheets is not None else "")
        return held[1], held[2]

    def render(self, spec: PageSpec) -> bytes:
        """Render one page from its spec alone."""
        template = self.env.select_template(spec.templates)
        text = template.render(spec.context, here=spec.output, link_base=spec.link_base)
        return text.encode("utf-8")


MAX_SHEETS = 2000  # sheets a running preview keeps (about 40 MB at 20 KB each)

# Output paths of every kind of page, for templates: {{ url(paths.project(year, dept, slug)) }}.
PATHS = SimpleNamespace(**{name: getattr(urls, name) for name in (
    "home", "edition", "department", "project", "print_all", "page", "search", "asset", "not_found",
    "corrections", "years", "years_data",
)})


@jinja2.pass_context
def url(context: jinja2.runtime.Context, target: str, anchor: str | None = None) -> str:
    """Return the link from the page being rendered to an output file (and an anchor on it)."""
    base = context["link_base"]
    link = base + urls.directory_url(target) if base is not None else urls.relative(target, context["here"])
    return f"{link}#{anchor}" if anchor else link


# A table of at most this many rows is printed whole (with its caption) rather than split, so
# that no printed page holds a stub of one; a longer one repeats its caption on each page.
KEEP_ROWS = 12
FIRST_ROW = re.compile(r"<tr\b.*?</tr>", re.S)
CELL = re.compile(r"<t[hd]\b([^>]*)>")
COLSPAN = re.compile(r'colspan="(\d+)"')


def print_table(body: Markup, caption: Markup) -> tuple[Markup, bool]:
    """Return a table's rows ready for print, and whether the table is short enough to keep whole.

    Chromium repeats a table's <thead> on every page it continues on, but not its <caption>:
    a long table gets a first header row that repeats the caption (unit included), shown
    only in print. Its width is the first row's, which spans every column of a table.
    """
    if body.count("<tr") <= KEEP_ROWS:
        return body, True
    first = FIRST_ROW.search(body)
    width = sum(int(m[1]) if (m := COLSPAN.search(attrs)) else 1 for attrs in CELL.findall(first[0])) if first else 1
    row = Markup('<tr class="print-caption"><th colspan="{}">{}</th></tr>').format(width, caption)
    if "<thead>" in body:
        return body.replace(Markup("<thead>"), Markup("<thead>") + row, 1), False
    return Markup("<thead>") + row + Markup("</thead>") + body, False


# How many data cells in a row the stacked layout can name (style.css has one rule for each).
STACK_COLUMNS = 12


def stack_labels(cells: list[str] | tuple[str, ...] = (), row: str | None = None,
                 levels: tuple[str, str] | None = None) -> Markup:
    """Return a table's style attribute naming its columns for the stacked (phone) layout.

    Each row's n-th <td> is shown under `cells[n-1]`, its row heading under `row`, an indicator
    table's 一级 / 二级 cells under `levels`: one custom property per column on the table
    (style.css reads them) instead of a label on every cell, which would double a long page.
    """
    return _stack_labels(tuple(cells), row, tuple(levels) if levels else None)


@lru_cache(maxsize=1024)  # most tables of a site have the same few sets of columns
def _stack_labels(cells: tuple[str, ...], row: str | None, levels: tuple[str, str] | None) -> Markup:
    names = {f"--c{n}": label for n, label in enumerate(cells[:STACK_COLUMNS], 1) if label}
    if row:
        names["--c0"] = row
    if levels:
        names["--l1"], names["--l2"] = levels
    if not names:
        return Markup("")
    # css_string escapes every quote, so the attribute can be single-quoted around the double-quoted strings.
    return Markup(" style='{}'").format(Markup(";").join(Markup("{}:{}").format(k, css_string(v)) for k, v in names.items()))


@jinja2.pass_context
def page_address(context: jinja2.runtime.Context) -> str:
    """Return the public address of the page being rendered: full with site.yaml base_url, else from the site's root."""
    base = (context["site"].base_url or "").strip()
    path = urls.directory_url(context["here"])
    return f"{base.rstrip('/')}/{path}" if base else f"/{path}"


def money(value: Money | Decimal | str | None, unit: Unit | None = None) -> Markup:
    """Show a figure with its unit: a Money in its own unit (or converted to `unit`), a number in `unit`."""
    return figures.html(not_given(value), unit)


def amount(value: Money | Decimal | str | None, unit: Unit | None = None) -> Markup:
    """Show a figure without its unit, for a table whose caption names it; a Money converted to `unit`."""
    return figures.html(not_given(value), unit, with_unit=False)


def not_given(value: Any) -> Any:
    """Return a printed "not given" mark ("—", "/", "无") trimmed, anything else as it is."""
    return value.strip() if isinstance(value, str) and value.strip() in NOT_GIVEN_MARKS else value


def cell(value: Any, figure: bool = False) -> Markup | str:
    """Show a table cell: an amount or percentage (`figure`) as `amount` does, a count as printed, text as it is."""
    value = not_given(value)
    if figure or isinstance(value, Money) or (isinstance(value, str) and value in NOT_GIVEN_MARKS):
        return amount(value)
    if isinstance(value, Decimal):
        return figures.format_number(value)
    return "" if value is None else str(value)


def figure(value: Any, printed: str | None = None) -> Markup:
    """Show a form's money cell as `amount` does; wording printed beside the number (“854万(……)”) is shown as printed."""
    if printed and not isinstance(not_given(value), str):
        number = value.amount if isinstance(value, Money) else value
        attribute = Markup(' value="{}"').format(number) if isinstance(number, Decimal) else ""
        return Markup("<data{}>{}</data>").format(attribute, printed)
    return amount(value)


# A text field the form labels as an amount (项目年度金额, 其中：……安排金额) holding a bare number: it is a
# figure like any other and is written the one way; a unit in the label (“（万元）”) is that figure's unit.
AMOUNT_LABEL = re.compile(r"金额")
LABEL_UNIT = re.compile(r"[（(]\s*(?:万元|元)\s*[)）]")
BARE_NUMBER = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def labelled(value: Any, label: str, unit: Unit | None = None, marks: bool = True) -> Markup | str:
    """Show a text cell under its label: a bare number labelled as an amount as `money` does (in `unit`,
    unless the label names its own, or without one when `unit` is None); anything else as `cell` does,
    or as it is with `marks=False` (a 基本信息 answer “无” is an answer, not a blank)."""
    text = value.strip() if isinstance(value, str) else None
    if text and AMOUNT_LABEL.search(label) and BARE_NUMBER.fullmatch(text):
        figure = Decimal(text.replace(",", ""))
        return figures.html(figure, None if LABEL_UNIT.search(label) else unit)
    return cell(value) if marks else value


def filled(value: Any) -> bool:
    """Test whether a setting is filled in (a blank or spaces-only item is left out of the page)."""
    return value is not None and str(value).strip() != ""


def unit_label(unit: str, items: list[Money] | None = None) -> str:
    """Return the unit line printed above a money table; it says so when figures were converted into it."""
    others = sorted({m.unit for m in items or ()} - {unit})
    converted = f"（原文以{'、'.join(others)}列示的金额已换算为{unit}）" if others else ""
    return f"单位：{unit}{converted}"


def link(text: str) -> str:
    """Return an address for an href, checked again where it is written (a refused one stops the build)."""
    return address.checked(text)


@lru_cache(maxsize=4096)  # a project's texts are on its page and again on its department's print page
def markdown(text: str | None) -> Markup:
    """Render a narrative field (Markdown, raw HTML shown as text)."""
    return Markup(MARKDOWN.render(text or ""))


def cn_date(date: str) -> str:
    """Write a date (2024-02-07, 2024/2/7, 2024 年 2 月 7 日 …) the Chinese way: 2024年2月7日."""
    year, month, day = bounds.date_parts(date)
    return f"{year}年{month}月" + (f"{day}日" if day else "")


def iso_date(date: str) -> str:
    """Write a date as <time datetime> wants it: 2024-02-07 (or 2024-02 without a day)."""
    year, month, day = bounds.date_parts(date)
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def css_string(text: str) -> Markup:
    """Quote text as a CSS string, every character that could end it escaped."""
    return Markup('"' + CSS_UNSAFE.sub(lambda m: f"\\{ord(m[0]):06x}", text) + '"')


# Letters, digits (Chinese included), spaces, Chinese and a few ASCII punctuation marks are safe in a CSS
# string, in a <style> element and in a single-quoted attribute alike; quotes, \\, <, > and & are not.
CSS_UNSAFE = re.compile(r"[^\w \u3000-\u303f\uff01-\uff5e·./:%()-]")
