"""`disclose build`: a content folder in, a complete static site out.

The pipeline reads top to bottom, one stage per module:

1. load     read every record                        generator/load.py
2. check    errors stop here, before the output is touched; warnings are
            reported (and stop the build with --strict)  generator/validate.py
3. plan     decide every page as a small PageSpec        generator/plan.py
4. render   each page from its spec alone                generator/render.py
5. write    into a folder beside the output, swapped in only when every
            page, asset and index is written             generator/write.py

Each step prints its time, and the last line sums up: pages, warnings, seconds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import jinja2

from . import address, search
from .load import Page, load_content
from .model import Site
from .plan import PageSpec, PlanError, plan_site
from .problems import Problem, print_problems
from .render import TEMPLATES, Renderer
from .validate import check_site
from .write import OutputError, copy_tree, staged, write_file


def build(content: Path, output: Path, *, strict: bool = False, progress: bool = True, templates: Path = TEMPLATES,
          on_problems: Callable[[list[Problem]], object] | None = None) -> int:
    """Build the site from `content` into `output`; return the exit code (0 built, 1 not built).

    `on_problems` receives every error and warning found (the preview shows them in the browser).
    """
    started = time.perf_counter()

    since = time.perf_counter()
    loaded = load_content(content)
    site = loaded.site
    problems = list(loaded.report.problems)
    if site is not None and not loaded.report.errors:
        problems += check_site(site)
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level == "warning"]
    print_problems(problems)
    if on_problems is not None:
        on_problems(problems)
    projects = sum(len(e.projects) for e in site.editions) if site else 0
    step("读取并检查内容", f"{projects} 个项目，{len(errors)} 个错误，{len(warnings)} 个警告", since)
    if site is None or errors or (strict and warnings):
        reason = "有错误" if site is None or errors else "有警告（--strict）"
        print(f"{reason}，未生成网站；{output} 保持不变。", file=sys.stderr)
        return 1

    since = time.perf_counter()
    renderer = Renderer(templates)
    try:
        specs = plan_site(site, loaded.pages, renderer.uses)
    except (PlanError, address.AddressError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    step("规划页面", f"{len(specs)} 个文件", since)

    try:
        with staged(output) as folder:
            since = time.perf_counter()
            for spec in with_progress(specs, progress):
                write_file(folder, spec.output, render(renderer, spec))
            step("生成页面", f"{len(specs)} 个文件", since)

            since = time.perf_counter()
            assets = copy_tree(templates / "assets", folder / "assets")
            step("复制样式和脚本", f"{len(assets)} 个文件", since)

            since = time.perf_counter()
            step("搜索索引", index_for_search(site, loaded.pages, folder), since)
    except (OutputError, TemplateFailure) as exc:
        print(f"错误：{exc}\n未生成网站；{output} 保持不变。", file=sys.stderr)
        return 1

    pages = sum(spec.output.endswith(".html") for spec in specs)
    print(f"完成：{pages} 个页面，{len(warnings)} 个警告，用时 {time.perf_counter() - started:.2f} 秒 → {output}")
    return 0


class TemplateFailure(Exception):
    """A template could not render a page."""


def render(renderer: Renderer, spec: PageSpec) -> bytes:
    """Render one page, turning a template's mistake into a message that names the page."""
    try:
        return renderer.render(spec)
    except address.AddressError as exc:  # an address that skipped validation: the second check, at writing
        raise TemplateFailure(f"生成 {spec.output} 时发现不能发布的网址：{exc}") from exc
    except jinja2.TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else "、".join(spec.template_files)
        raise TemplateFailure(f"生成 {spec.output} 时模板出错（{where}）：{exc}") from exc


def index_for_search(site: Site, pages: tuple[Page, ...], folder: Path) -> str:
    """Write the search index: one per edition and one over all of them (generator/search/)."""
    written = search.write_indexes(search.site_docs(site, pages), folder)
    return f"{len(written)} 个文件"


def step(name: str, detail: str, since: float) -> None:
    """Print one step of the build with its time, as Zola does."""
    print(f"{name}：{detail}（{time.perf_counter() - since:.2f} 秒）")


def with_progress(specs: Sequence[PageSpec], enabled: bool) -> Iterator[PageSpec]:
    """Yield the specs, drawing a progress bar on stderr when it is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield from specs
        return
    every = max(len(specs) // 100, 1)
    for done, spec in enumerate(specs, start=1):
        yield spec
        if done % every == 0 or done == len(specs):
            filled = 30 * done // len(specs)
            sys.stderr.write(f"\r生成页面 [{'#' * filled}{'.' * (30 - filled)}] {done}/{len(specs)}")
            sys.stderr.flush()
    sys.stderr.write("\r\033[K")  # clear the bar; the step line follows on stdout
