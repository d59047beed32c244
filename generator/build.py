"""`disclose build`: a content folder in, a complete static site out, redoing only what changed.

The pipeline reads top to bottom, one stage per module (run by generator/pipeline.py,
which this module imports only once an input changed):

1. load     read every record (unchanged files come from the cache)   generator/load.py
2. check    errors stop here, before the output is touched; warnings are
            reported (and stop the build with --strict)                generator/validate.py
3. plan     decide every page as a small PageSpec, with the key of
            everything it is made from, and every data file            generator/plan.py, opendata.py, years.py
   freeze   a frozen edition's files come verbatim from its archive,
            re-made only where a correction changed their records      generator/archive.py
4. render   each stale page from its spec alone, partition by
            partition, here or in worker processes                     generator/render.py, parallel.py
5. write    only files whose bytes changed, staged beside the output
            and applied when every page, asset and index is ready      generator/write.py

What each output was made from is kept in the build state (generator/state.py),
in a cache folder outside the output. A second build with nothing changed
renders nothing and writes nothing; `--clean` renders everything again (and
still leaves files whose bytes are the same untouched).

Each step prints its time, and the last line sums up: pages, warnings, seconds.
`Engine.build` returns a `BuildReport` that says what was rendered, written and
removed, for tests and for `disclose serve`.
"""

from __future__ import annotations

import gc
import os
import pickle
import stat
import sys
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import safety, walk
from .folders import template_folders
from .forked import default_jobs
from .kept import Kept
from .problems import Problem, print_problems
from .state import BuildState, CacheDamaged, default_cache, fingerprint, hash_parts
from .write import OutputError, survey


@dataclass
class BuildReport:
    """What one build did."""

    status: int = 1  # 0 built, 1 not built
    problems: list[Problem] = field(default_factory=list)
    planned: int = 0  # files the site consists of
    rendered: list[str] = field(default_factory=list)  # pages rendered this time
    written: list[str] = field(default_factory=list)  # files whose bytes changed (added or replaced)
    removed: list[str] = field(default_factory=list)  # files of the last build no longer made
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step
    processes: set[int] = field(default_factory=set)  # the processes pages were rendered in
    cache: str = ""  # what happened to the build state, when it was not simply used
    quiet: bool = False  # print nothing of a build that went as expected (a preview's warm-up)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


def build(content: Path, output: Path, *, strict: bool = False, progress: bool = True, templates: Path | None = None,
          clean: bool = False, jobs: int | None = None, scheduler: str | None = None, cache: Path | None = None,
          on_problems: Callable[[list[Problem]], object] | None = None, drafts: bool = False,
          only: int | None = None) -> int:
    """Build the site from `content` into `output`; return the exit code (0 built, 1 not built).

    `on_problems` receives every error and warning found (the preview shows them in the browser).
    Draft editions are built only with `drafts`; `only` builds one edition (for `disclose bundle`).
    """
    engine = Engine(content, output, templates=templates, jobs=jobs, scheduler=scheduler, cache=cache,
                    drafts=drafts, only=only)
    report = engine.build(strict=strict, clean=clean, progress=progress)
    if on_problems is not None:
        on_problems(report.problems)
    return report.status


class Engine:
    """Builds one content folder into one output folder, as often as asked."""

    def __init__(self, content: Path, output: Path, *, templates: Path | None = None, jobs: int | None = None,
                 scheduler: str | None = None, cache: Path | None = None, drafts: bool = False,
                 only: int | None = None, resident: bool = False) -> None:
        self.content = Path(os.path.abspath(content))
        self.resident = resident  # kept for a session of builds (`disclose serve`), not for one
        self.output = output
        self.templates = templates
        self.jobs = jobs if jobs is not None else default_jobs()
        self.scheduler = scheduler
        self.cache = cache if cache is not None else default_cache(self.content)
        self.drafts, self.only = drafts, only
        self.memory: dict = {}  # records loaded by earlier builds of this engine (RecordCache)
        self.parts: dict = {}  # open-data parts made or read by earlier builds (opendata.PartStore)
        self.rows: tuple[tuple[str, bytes], dict] | None = None  # the output rows this engine saved last
        self.kept = Kept()  # what earlier builds derived from departments that are unchanged (kept.Kept)
        self.sheets: dict = {}  # the print-all pages' sheets, when `resident` (render.Renderer.sheet)
        self.templates_token = ""  # the template folders as the last signature saw them
        self.listed: dict[str, tuple] = {}  # the content's folders as the last signature listed them (walk.listing)
        self.announced: set[Problem] = set()  # the problems the last build printed (see `announce`)
        self.saved_problems: list[Problem] | None = None  # the problems this engine saved in the state last

    def build(self, *, strict: bool = False, clean: bool = False, progress: bool = True, pages_only: bool = False,
              cancel: Callable[[], bool] | None = None, warm: bool = False,
              changed: Collection[str] | None = None) -> BuildReport:
        """Build the site: load, check, plan, render what is stale, write what changed.

        `pages_only` (the preview, before it reloads the browser) renders the stale pages and leaves the
        downloads and the search index as the last build made them, for a full build to follow at once;
        that build stops, leaving the output as it was, as soon as `cancel` says so (another save).
        `warm` runs every stage even when nothing changed, and prints no step, problem or summary (the
        build before it said them): a resident engine then holds every record before the first save.
        `changed` names the files a watcher saw change since the last build: a resident engine's
        pages-first build lists again only the department folders that hold one (the full build that
        follows lists them all).
        """
        report = BuildReport(quiet=warm)
        started = time.perf_counter()
        try:  # before anything is read or written, the cache included: the output must not swallow its inputs
            safety.prepare(self.content, self.output, template_folders(self.content, self.templates), self.cache)
        except OutputError as exc:
            print(f"错误：{exc}\n未生成网站；{self.output} 保持不变。", file=sys.stderr)
            return report
        state = self.open_state(report)
        try:
            self.run(state, report, strict=strict, clean=clean, progress=progress, pages_only=pages_only,
                     cancel=cancel or (lambda: False), warm=warm,
                     changed=changed if pages_only and self.resident else None)
        except Cancelled:
            report.status, report.cache = 1, "cancelled"
        finally:
            if not pages_only:  # the full build that follows gives it back (see `settle`)
                self.settle()
            if state is not None:
                state.close()
        if report.status == 0 and not report.quiet:
            pages = sum(path.endswith(".html") for path in report.rendered)
            print(f"完成：渲染 {pages} 个页面，写入 {len(report.written)} 个文件，删除 {len(report.removed)} 个，"
                  f"{len(report.warnings)} 个警告，用时 {time.perf_counter() - started:.2f} 秒 → {self.output}")
        return report

    def announce(self, problems: list[Problem]) -> None:
        """Print the problems a build found; an engine kept for a session prints errors and new warnings only.

        A preview builds twice per save, and at 10,000 projects it printed the same 3,400 warnings each
        time, burying the line that says the preview was updated; the page itself lists them all.
        """
        new = [p for p in problems if p.level == "error" or p not in self.announced] if self.resident else problems
        print_problems(new)
        if len(new) < len(problems):
            print(f"（另有 {len(problems) - len(new)} 个警告与上次相同，不再重复；预览页面列出全部问题）", file=sys.stderr)
        self.announced = set(problems) if self.resident else set()

    def settle(self) -> None:
        """Give back to the garbage collector what this build set aside (RecordCache freezes what it loads).

        An engine kept for a session (`resident`) then collects once and sets aside what it keeps for
        the next build, so that the pages-first build after the next save walks none of it: with 10,000
        records kept, a full collection inside that build cost ~2 s.
        """
        gc.unfreeze()
        if self.resident:
            gc.collect()
            gc.freeze()

    def open_state(self, report: BuildReport) -> BuildState | None:
        """Open the build state; without a usable cache folder the build still runs, in full."""
        try:
            state = BuildState(self.cache, fingerprint())
        except OSError as exc:
            report.cache = f"无法使用缓存文件夹 {self.cache}（{exc.strerror}），本次完整生成"
            print(f"提示：{report.cache}", file=sys.stderr)
            return None
        if state.reset:
            report.cache = f"{state.reset}，已重建"
            print(f"提示：{report.cache}（{state.path}）")
        return state

    def run(self, state: BuildState | None, report: BuildReport, *, strict: bool, clean: bool, progress: bool,
            pages_only: bool, cancel: Callable[[], bool], warm: bool = False,
            changed: Collection[str] | None = None) -> None:
        """Stop at once when nothing changed since the last build (unless `warm`); else run the pipeline."""
        root = Path(os.path.realpath(self.output))
        signature = self.signature(root, with_content=not pages_only)
        if state is not None and not clean and not pages_only and not warm \
                and self.unchanged(state, root, signature, report, strict):
            return
        from . import pipeline  # here, not above: a build with nothing to do never imports the stages

        try:
            pipeline.run(self, state, report, root, signature, strict=strict, clean=clean, progress=progress,
                         pages_only=pages_only, cancel=cancel, changed=changed)
        except CacheDamaged:
            if state is None:
                raise
            print("提示：缓存中保存的部门记录已损坏，已丢弃，重新读取全部记录。", file=sys.stderr)
            state.forget_shelves()
            self.memory.clear()
            self.kept = Kept()
            report.problems, report.rendered, report.processes = [], [], set()
            pipeline.run(self, state, report, root, signature, strict=strict, clean=clean, progress=progress,
                         pages_only=pages_only, cancel=cancel)

    def signature(self, root: Path, *, with_content: bool = True) -> bytes:
        """Return a hash of every input file's name, size and mtime, and of the options that change the output.

        Taken before anything is read, so that a file changed during a build makes the next build look again.
        A preview's pages-first build never stops early: it needs only the templates' part (`templates_token`),
        not a walk of the content folder (10,500 files at 10,000 projects).
        """
        parts = [str(root), repr((self.drafts, self.only))]
        for folder in template_folders(self.content, self.templates):
            parts += [f"@{folder}", *tree_entries(folder)]
        self.templates_token = hash_parts(parts)
        # The loader takes each department folder's listing from here: one stat per record file, not two.
        self.listed = {}
        if with_content:
            parts += [f"@{self.content}", *tree_entries(self.content, self.listed)]
        return hash_parts(parts).encode()

    def unchanged(self, state: BuildState, root: Path, signature: bytes, report: BuildReport, strict: bool) -> bool:
        """Finish at once when no input changed since the last build of this output and its files are intact.

        A no-op build then reads no record: it stats the inputs and the output's files, and repeats the
        last build's warnings.
        """
        if state.recall(f"signature:{root}") != signature:
            return False
        problems = state.recall(f"problems:{root}")
        # Only what the check needs of each row: making 63,000 Entry objects cost 0.13 s.
        held = self.remembered(state, root)
        previous = [(path, e.size, e.mtime_ns) for path, e in held.items()] if held is not None \
            else state.output_stats(root)
        if problems is None or not previous:
            return False
        try:
            report.problems = pickle.loads(problems)
        except Exception:  # noqa: BLE001 - an unreadable row only means building the usual way
            return False
        if strict and report.warnings:
            return False
        with timed(report, "检查输入和输出") as say:
            if survey(root, previous):
                return False
            self.announce(report.problems)
            say(f"没有文件变化，{len(previous)} 个输出文件完好，{len(report.warnings)} 个警告")
        report.planned, report.status = len(previous), 0
        return True

    def outputs(self, state: BuildState, root: Path) -> dict:
        """Return the files the last build of `root` wrote: from memory when this engine saved them last.

        A running preview rebuilds the same folder again and again; reading its 63,000 rows back from
        SQLite took ~0.85 s per edit at 10k projects. The token saved with the rows tells whether the
        state was written since (by another build, or a reset), and then the rows are read.
        """
        held = self.remembered(state, root)
        return dict(held) if held is not None else state.outputs(root)

    def remembered(self, state: BuildState, root: Path) -> dict | None:
        """Return the rows this engine saved last for `root`, when the state still holds them."""
        token = state.recall(f"outputs:{root}")
        if self.rows is not None and token is not None and self.rows[0] == (str(root), token):
            return self.rows[1]
        return None

    def remember_outputs(self, state: BuildState, root: Path, entries: dict) -> None:
        """Keep the rows just saved, under a new token saved beside them."""
        token = os.urandom(16)
        state.keep(f"outputs:{root}", token)
        self.rows = ((str(root), token), dict(entries))

def tree_entries(folder: Path, listings: dict[str, tuple] | None = None) -> Iterator[str]:
    """Yield the name, type, size and mtime of everything under a folder, in a stable order.

    Links are followed, as the loaders follow them: an edit to a template or a record reached
    through a link is a change. The folders are walked as `walk_followed` walks them (the
    same order, each real folder once below itself, so a link to a parent ends there), from
    each folder's `walk.listing`: one scan of each folder, and a folder's real path made from
    its parent's (os.walk's second scan and realpath per folder were 25 of 78 ms at 10k
    projects). Folders count too (by lstat): a folder replaced by a link is a change. Each
    folder's listing is left in `listings`, under the folder's path as a `Path` spells it.
    """
    seen: set[str] = set()
    stack = [(os.fspath(folder), os.path.realpath(folder))]
    while stack:
        top, real = stack.pop()
        seen.add(real)
        here = Path(top)
        found = walk.listing(here)
        if found is None:
            continue  # gone since it was walked, or unreadable: the loader reports it
        if listings is not None:
            listings[str(here)] = found
        below = []
        # Not the working folder the listing starts with, nor inodes: a copied project (cp -a) is unchanged.
        for name, mode, size, mtime_ns, _, *target in found[1:]:
            yield f"{top}/{name}:{mode}:{size}:{mtime_ns}:{target!r}"
            if stat.S_ISDIR(mode):
                below.append((os.path.join(top, name), os.path.join(real, name)))
            elif target and target[0] is not None and stat.S_ISDIR(target[1]):  # a link to a folder
                below.append((os.path.join(top, name), target[0]))
        # Which folders to go into is decided here, as os.walk decides it in the parent (walk_followed).
        stack += reversed([(path, inside) for path, inside in below if inside not in seen])


class Cancelled(Exception):
    """A newer change arrived: this build stops, and the output stays as the last build left it."""


class timed:  # noqa: N801 - used as a statement: `with timed(report, "规划页面") as say:`
    """Time one step of the build, as Zola does, and print it with the detail the step gives."""

    def __init__(self, report: BuildReport, name: str) -> None:
        self.report, self.name, self.detail = report, name, ""

    def __enter__(self) -> Callable[[str], None]:
        self.since = time.perf_counter()
        return self.say

    def say(self, detail: str) -> None:
        self.detail = detail

    def __exit__(self, kind: object, *_: object) -> None:
        seconds = time.perf_counter() - self.since
        self.report.timings[self.name] = seconds
        if kind is None and self.detail and not self.report.quiet:
            print(f"{self.name}：{self.detail}（{seconds:.2f} 秒）")
