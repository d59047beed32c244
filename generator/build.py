"""`disclose build`: a content folder in, a complete static site out, redoing only what changed.

The pipeline reads top to bottom, one stage per module:

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
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import address, archive, opendata, prefetch, safety, search, walk, years
from .forked import forked_map
from .load import Page, load_content
from .minify import minify
from .model import Department, Edition, Site
from .parallel import SchedulerError, TemplateFailure, default_jobs, executor, render_all, tasks
from .plan import PageSpec, PlanError, common, department_records, edition_records, plan_site
from .problems import Problem, print_problems
from .render import REFERENCES, Renderer, template_folders
from .state import NOTHING, BuildState, Kept, RecordCache, default_cache, fingerprint, hash_parts
from .validate import check_site
from .write import Output, OutputError


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
        self.kept = Kept()  # what earlier builds derived from departments that are unchanged (state.Kept)
        self.templates_token = ""  # the template folders as the last signature saw them

    def build(self, *, strict: bool = False, clean: bool = False, progress: bool = True, pages_only: bool = False,
              cancel: Callable[[], bool] | None = None) -> BuildReport:
        """Build the site: load, check, plan, render what is stale, write what changed.

        `pages_only` (the preview, before it reloads the browser) renders the stale pages and leaves the
        downloads and the search index as the last build made them, for a full build to follow at once;
        that build stops, leaving the output as it was, as soon as `cancel` says so (another save).
        """
        report = BuildReport()
        started = time.perf_counter()
        try:  # before anything is read or written, the cache included: the output must not swallow its inputs
            safety.prepare(self.content, self.output, template_folders(self.content, self.templates), self.cache)
        except OutputError as exc:
            print(f"错误：{exc}\n未生成网站；{self.output} 保持不变。", file=sys.stderr)
            return report
        state = self.open_state(report)
        try:
            self.run(state, report, strict=strict, clean=clean, progress=progress, pages_only=pages_only,
                     cancel=cancel or (lambda: False))
        except Cancelled:
            report.status, report.cache = 1, "cancelled"
        finally:
            if not pages_only:  # the full build that follows gives it back (see `settle`)
                self.settle()
            if state is not None:
                state.close()
        if report.status == 0:
            pages = sum(path.endswith(".html") for path in report.rendered)
            print(f"完成：渲染 {pages} 个页面，写入 {len(report.written)} 个文件，删除 {len(report.removed)} 个，"
                  f"{len(report.warnings)} 个警告，用时 {time.perf_counter() - started:.2f} 秒 → {self.output}")
        return report

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
            pages_only: bool, cancel: Callable[[], bool]) -> None:
        """Run the pipeline, filling in the report."""
        root = Path(os.path.realpath(self.output))
        signature = self.signature(root)
        if state is not None and not clean and not pages_only and self.unchanged(state, root, signature, report, strict):
            return
        with timed(report, "读取并检查内容") as say:
            records = RecordCache(state, self.memory)
            prefetch.parse_ahead(self.content, records, self.jobs if not self.scheduler else 1)
            loaded = load_content(self.content, records)
            site = loaded.site
            report.problems = list(loaded.report.problems)
            if site is not None and not loaded.report.errors:
                report.problems += check_site(site, prefetch.cached_checks(records), self.kept) \
                    + archive.check_editions(site, self.content)
            errors = [p for p in report.problems if p.level == "error"]
            print_problems(report.problems)
            projects = sum(len(e.projects) for e in site.editions) if site else 0
            say(f"{projects} 个项目（{records.misses} 个文件重新读取），{len(errors)} 个错误，{len(report.warnings)} 个警告")
        records.flush()  # what was parsed is worth keeping even when the build stops here
        if site is None or errors or (strict and report.warnings):
            reason = "有错误" if site is None or errors else "有警告（--strict）"
            print(f"{reason}，未生成网站；{self.output} 保持不变。", file=sys.stderr)
            return

        site = editions_to_build(site, self.drafts, self.only)
        with timed(report, "规划页面") as say:
            renderer = Renderer(template_folders(self.content, self.templates), self.compiled(state))
            if state is not None:
                REFERENCES.update(state.template_references())
            try:
                digest = record_digests(self.content, records)
                parts = opendata.PartStore(self.cache / "data" if state is not None else None,
                                           part_key(state.generator if state is not None else "", digest), self.parts)
                specs = plan_site(site, loaded.pages, renderer.uses, self.kept, self.edition_token(site, loaded.pages, digest))
                data = plan_data(site, parts, self.kept)
                check_unique([*specs, *data])
                frozen = archive.Frozen.load(site, self.content)
            except (PlanError, address.AddressError, archive.ArchiveError) as exc:
                print(f"错误：{exc}", file=sys.stderr)
                return
            searched = search_key(specs, digest, site) if not pages_only else ""
            report.planned = len(specs) + len(data)
            todo, verbatim = frozen.split([*specs, *data])
            specs = [item for item in todo if isinstance(item, PageSpec)]
            data = [item for item in todo if not isinstance(item, PageSpec)]
            # A spec kept from the last build (plan_site) was made from the same files: so is its key.
            keys = [self.kept.get(("key", spec.output), spec, lambda s=spec: page_key(s, renderer, digest)) for spec in specs]
            say(f"{report.planned} 个文件，{len(verbatim)} 个来自已冻结年度的存档")

        previous = self.outputs(state, root) if state is not None else {}
        try:
            with Output.open(self.output, previous, trusted=bool(previous) and not clean) as out:
                with timed(report, "生成页面") as say:
                    stale = [(spec, key) for spec, key in zip(specs, keys, strict=True) if not out.fresh(spec.output, key)]
                    report.rendered = [spec.output for spec, _ in stale]
                    self.render(renderer, stale, out, report, progress)
                    say(f"{len(stale)} 个文件，其中 {len(out.changed)} 个有变化" + where(report.processes))

                if cancel():
                    raise Cancelled
                with timed(report, "数据和存档") as say:
                    if pages_only:  # only the by-year scripts the pages load; the downloads follow
                        say(write_data([item for item in data if item.output.startswith("years/")], {}, out, digest))
                    else:
                        years = {item.output.partition("/")[0] for item in data}  # a frozen edition's come verbatim
                        parts.make_ahead([(e, d) for e in site.editions if str(e.year) in years for d in e.departments],
                                         self.jobs if not self.scheduler else 1)
                        say(write_data(data, verbatim, out, digest, cancel))
                        parts.prune(parts.key(e, d) for e in site.editions for d in e.departments)

                with timed(report, "复制样式和脚本") as say:
                    say(copy_assets(renderer, out))

                if pages_only:
                    for path, entry in previous.items():  # left as they are, stale keys and all, for the full build
                        if path not in out.entries and entry.origin in ("data", "archive", "search"):
                            out.entries[path] = entry
                else:
                    if cancel():
                        raise Cancelled
                    with timed(report, "搜索索引") as say:
                        say(index_for_search(site, loaded.pages, out, searched, self.cache if state is not None else None,
                                             part_key("search" + (state.generator if state else ""), digest, with_edition=True),
                                             self.jobs if not self.scheduler else 1, cancel))
        except (OutputError, TemplateFailure, SchedulerError) as exc:
            print(f"错误：{exc}\n未生成网站；{self.output} 保持不变。", file=sys.stderr)
            return
        except OSError as exc:  # a full disk, a folder made read-only meanwhile: the output's problem, not a bug
            place = f"（{exc.filename}）" if exc.filename else ""
            print(f"错误：写入网站时出错{place}：{walk.explain(exc)}。\n未生成网站；{self.output} 保持不变。", file=sys.stderr)
            return
        if state is not None:
            state.save_outputs(root, out.entries, previous)
            self.remember_outputs(state, root, out.entries)
            state.save_template_references(REFERENCES)
            # After pages only, the output is not what these inputs make: the next build must not stop early.
            state.keep(f"signature:{root}", b"pages only" if pages_only else signature)
            state.keep(f"problems:{root}", pickle.dumps(report.problems, protocol=pickle.HIGHEST_PROTOCOL))
        report.written, report.removed, report.status = sorted(out.changed), out.removed, 0

    def signature(self, root: Path) -> bytes:
        """Return a hash of every input file's name, size and mtime, and of the options that change the output.

        Taken before anything is read, so that a file changed during a build makes the next build look again.
        """
        parts = [str(root), repr((self.drafts, self.only))]
        for folder in (*template_folders(self.content, self.templates), self.content):
            if folder == self.content:
                self.templates_token = hash_parts(parts)
            parts.append(f"@{folder}")
            for top, dirs, files in os.walk(folder):
                dirs.sort()
                # Folders count too (by lstat): a folder replaced by a link is a change even when walk skips it.
                for name in sorted([*dirs, *files]):
                    try:
                        stat = os.lstat(os.path.join(top, name))
                    except OSError:
                        continue
                    parts.append(f"{top}/{name}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_mode}")
        return hash_parts(parts).encode()

    def unchanged(self, state: BuildState, root: Path, signature: bytes, report: BuildReport, strict: bool) -> bool:
        """Finish at once when no input changed since the last build of this output and its files are intact.

        A no-op build then reads no record: it stats the inputs and the output's files, and repeats the
        last build's warnings.
        """
        if state.recall(f"signature:{root}") != signature:
            return False
        problems = state.recall(f"problems:{root}")
        previous = self.outputs(state, root)
        if problems is None or not previous:
            return False
        try:
            report.problems = pickle.loads(problems)
        except Exception:  # noqa: BLE001 - an unreadable row only means building the usual way
            return False
        if strict and report.warnings:
            return False
        with timed(report, "检查输入和输出") as say:
            writer = Output.open(self.output, previous, trusted=True).writer
            if not all(writer.intact(path, entry) for path, entry in previous.items()):
                return False
            print_problems(report.problems)
            say(f"没有文件变化，{len(previous)} 个输出文件完好，{len(report.warnings)} 个警告")
        report.planned, report.status = len(previous), 0
        return True

    def outputs(self, state: BuildState, root: Path) -> dict:
        """Return the files the last build of `root` wrote: from memory when this engine saved them last.

        A running preview rebuilds the same folder again and again; reading its 63,000 rows back from
        SQLite took ~0.85 s per edit at 10k projects. The token saved with the rows tells whether the
        state was written since (by another build, or a reset), and then the rows are read.
        """
        token = state.recall(f"outputs:{root}")
        if self.rows is not None and token is not None and self.rows[0] == (str(root), token):
            return dict(self.rows[1])
        return state.outputs(root)

    def remember_outputs(self, state: BuildState, root: Path, entries: dict) -> None:
        """Keep the rows just saved, under a new token saved beside them."""
        token = os.urandom(16)
        state.keep(f"outputs:{root}", token)
        self.rows = ((str(root), token), dict(entries))

    def edition_token(self, site: Site, pages: tuple[Page, ...], digest: Callable[[str], str]) -> Callable[[Edition], str]:
        """Return, per edition, the key of what its department pages show besides the department itself.

        The templates, site.yaml, the Markdown pages, edition.yaml, and the working folder (the
        records' paths are shown relative to it).
        """
        shared = [self.templates_token, os.getcwd(), *(f"{name}={digest(name)}" for name in common(site, pages)[1])]
        tokens: dict[int, str] = {}

        def token(edition: Edition) -> str:
            if edition.year not in tokens:
                tokens[edition.year] = hash_parts([*shared, f"{edition.year}={digest(f'{edition.year}/edition.yaml')}"])
            return tokens[edition.year]
        return token

    def compiled(self, state: BuildState | None) -> Path | None:
        """Return the folder for compiled templates, inside the cache."""
        if state is None:
            return None
        folder = self.cache / "templates"
        folder.mkdir(exist_ok=True)
        return folder

    def render(self, renderer: Renderer, stale: list[tuple[PageSpec, str]], out: Output, report: BuildReport,
               progress: bool) -> None:
        """Render the stale pages, one task per partition, and record what each staged."""
        work = tasks([spec for spec, _ in stale], [key for _, key in stale])
        bar = Progress(len(stale), progress)
        with executor(self.jobs, self.scheduler, len(stale)) as pool:
            for result in render_all(renderer, work, out.writer, pool, bar.advance):
                for path, entry, changed in result.files:
                    out.add(path, entry, changed)
                report.processes.add(result.process)
        bar.close()


def where(processes: set[int]) -> str:
    """Say how many worker processes rendered, when it was not this one alone."""
    return f"，{len(processes)} 个进程" if processes - {os.getpid()} else ""


def record_digests(content: Path, records: RecordCache) -> Callable[[str], str]:
    """Return a function giving the content hash of a file named relative to the content folder."""
    known: dict[str, str] = {}

    def digest(name: str) -> str:
        if name not in known:
            known[name] = records.digest(content / name)
        return known[name]
    return digest


def page_key(spec: PageSpec, renderer: Renderer, digest: Callable[[str], str]) -> str:
    """Return the key of everything a page is made from.

    Its records by content hash; every template it may be rendered with, the
    missing more specific candidates too (so adding an override is a change);
    where it goes and how it links. The generator's own code is in the state's
    fingerprint, so a new generator starts from a new state.
    """
    templates = dict.fromkeys((*spec.templates, *spec.template_files))
    return hash_parts([
        spec.output, repr(spec.link_base),
        *(f"{name}={renderer.digest(name)}" for name in templates),
        *(f"{name}={digest(name)}" for name in spec.records),
    ])


def search_key(specs: list[PageSpec], digest: Callable[[str], str], site: Site) -> str:
    """Return the key of the search index: every record and page of the site, and which editions are drafts."""
    everything = sorted({name for spec in specs for name in spec.records})
    return hash_parts(["search", *sorted(drafts_of(site)), *(f"{name}={digest(name)}" for name in everything)])


def drafts_of(site: Site) -> set[str]:
    """Return the years of the draft editions being built."""
    return {str(e.year) for e in site.editions if e.status == "draft"}


def editions_to_build(site: Site, drafts: bool, only: int | None) -> Site:
    """Leave out draft editions (unless `drafts`), or every edition but `only`."""
    kept = tuple(e for e in site.editions if (drafts or e.status != "draft") and (only is None or e.year == only))
    return site.model_copy(update={"editions": kept})


def part_key(generator: str, digest: Callable[[str], str], *,
             with_edition: bool = False) -> Callable[[Edition, Department], str]:
    """Return the key of what is made of one department alone (its open-data parts, its search partition).

    Its records, and the generator that made them (and, for search, the edition's own file).
    """
    known: dict[tuple[int, str], str] = {}  # asked once per data file: a department has several

    def key(edition: Edition, department: Department) -> str:
        if (edition.year, department.slug) not in known:
            files = department_records(edition.year, department)
            if with_edition:
                files = (f"{edition.year}/edition.yaml", *files)
            known[edition.year, department.slug] = hash_parts(
                [generator, str(edition.year), department.slug, *(f"{name}={digest(name)}" for name in files)])
        return known[edition.year, department.slug]
    return key


def plan_data(site: Site, parts: opendata.PartStore, kept: Kept = NOTHING) -> list[opendata.DataFile]:
    """Plan the files made without templates: open data, original documents, cross-year scripts."""
    def made_from(edition, department) -> tuple[str, ...]:
        if department is None:
            return edition_records(edition, kept)
        return (f"{edition.year}/edition.yaml", *department_records(edition.year, department, kept))

    return [*opendata.plan_data(site, made_from, parts), *opendata.plan_attachments(site),
            *years.plan_scripts(site, years.across(site, kept))]


def check_unique(outputs: list[PageSpec | opendata.DataFile]) -> None:
    """Refuse two outputs for one file (say, an original document named like a data file)."""
    seen: set[str] = set()
    clashes = sorted({item.output for item in outputs if item.output in seen or seen.add(item.output)})
    if clashes:
        raise PlanError(f"以下文件重复（原文件与数据文件或页面重名？）：{'、'.join(clashes)}")


def write_data(data: list[opendata.DataFile], verbatim: dict[str, bytes], out: Output,
               digest: Callable[[str], str], cancel: Callable[[], bool] = lambda: False) -> str:
    """Write the data files whose records changed, and the frozen editions' files from their archives."""
    made = 0
    for item in data:
        if cancel():  # an edition's workbook takes a second: a newer save should not wait for all of them
            raise Cancelled
        key = hash_parts(["data", item.output, *(f"{name}={digest(name)}" for name in item.records)])
        if not out.fresh(item.output, key):
            out.write(item.output, item.make(), key, origin="data")
            made += 1
    for path, contents in verbatim.items():
        key = archive.sha256(contents)
        if not out.fresh(path, key):
            out.write(path, contents, key, origin="archive")
    return f"{len(data)} 个数据文件（{made} 个重新生成），{len(verbatim)} 个存档文件"


def copy_assets(renderer: Renderer, out: Output) -> str:
    """Write the style sheets and scripts (a site's own override the bundled ones by name)."""
    assets = renderer.assets()
    # Published without the comments and indentation the sources keep (generator/minify.py).
    changed = sum(out.write(path, minify(path, source.read_bytes()), origin="asset") for path, source in assets.items())
    return f"{len(assets)} 个文件，其中 {changed} 个有变化"


def index_for_search(site: Site, pages: tuple[Page, ...], out: Output, key: str, cache: Path | None,
                     inputs: Callable[[Edition, Department], str], jobs: int = 1,
                     cancel: Callable[[], bool] = lambda: False) -> str:
    """Write the search index: one per edition and one over all of them (generator/search/).

    Each department is a partition, inverted once and kept in the cache by content;
    the merge redoes only the key buckets an edit touched (generator/search/write.py),
    and a document file whose partition is unchanged is kept without being read.
    """
    previous = {path: entry for path, entry in out.writer.previous.items() if entry.origin == "search"}
    # Documents are keyed by their partition and term shards by their buckets; the rest of the index
    # (manifests, amount order) by the whole index: when that is unchanged, so is every file.
    own = ("/d/", "/t/", "/p/")
    if previous and any(entry.key == key for entry in previous.values()) \
            and all(entry.key == key or any(part in path for part in own) for path, entry in previous.items()) \
            and all(out.writer.fresh(path, entry.key) for path, entry in previous.items()):
        for path, entry in previous.items():
            out.fresh(path, entry.key)
        return f"{len(previous)} 个文件，没有变化"
    sink = SearchSink(out, key)
    drafts = drafts_of(site)
    try:
        written = search.write_site_index(search_partitions(site, pages, cache, inputs, jobs, cancel), out.writer.root, cache,
                                          leave_out=drafts, output=sink, workers=jobs)
    except (OSError, search.CacheError):  # an unusable cache folder: index from scratch
        with tempfile.TemporaryDirectory(dir=out.writer.staging) as scratch:
            written = search.write_indexes(search.site_docs(site, pages), Path(scratch), leave_out=drafts)
            for path in written:
                sink.write(Path(path).relative_to(scratch).as_posix(), Path(path).read_bytes())
        return f"{len(written)} 个文件（未使用缓存）"
    return f"{len(written)} 个文件，其中 {len(written.changed)} 个有变化"


@dataclass
class SearchSink:
    """The search index's way into the output: files keyed by their partition, or by the whole index."""

    out: Output
    key: str

    def fresh(self, path: str, key: str) -> bool:
        return self.out.fresh(path, key)

    def write(self, path: str, data: bytes, key: str = "") -> bool:
        if path in self.out.entries:  # an index file the first attempt wrote, met again from scratch
            return False
        return self.out.write(path, data, key or self.key, origin="search")


def search_partitions(site: Site, pages: tuple[Page, ...], cache: Path | None, inputs: Callable[[Edition, Department], str],
                      jobs: int = 1, cancel: Callable[[], bool] = lambda: False) -> Iterator[search.PartitionIndex]:
    """Yield the search partitions of a site in site order: each department of each edition, then the pages.

    A department whose records are unchanged is found in the cache by their key, without making its
    documents; the others are made in `jobs` worker processes when there are many.
    """
    if cache is None:
        raise search.CacheError("no cache folder")
    departments = [(edition, department, inputs(edition, department))
                   for edition in site.editions for department in edition.departments]
    found = {key: search.known_partition(cache, key) for _, _, key in departments}
    missing = [(edition, department) for edition, department, key in departments if found[key] is None]
    made = iter(make_partitions(missing, cache, jobs))
    for _, _, key in departments:
        if cancel():
            raise Cancelled
        part = found[key]
        if part is None:
            part = next(made)
            search.remember(cache, key, part)
        yield part
    if pages:
        yield search.index_partition(search.page_docs(pages), cache)
    search.forget_others(cache, {key for _, _, key in departments})


def make_partitions(missing: list[tuple[Edition, Department]], cache: Path, jobs: int) -> Iterator[search.PartitionIndex]:
    """Index departments' search documents into the cache, in order; in forked workers when there are many."""
    def index(pending: tuple[Edition, Department]) -> search.PartitionIndex:
        return search.index_partition(search.docs_for_partition(*pending), cache)

    return forked_map(index, missing, jobs, minimum=2 * jobs, chunksize=4)


class Cancelled(Exception):
    """A newer change arrived: this build stops, and the output stays as the last build left it."""


@dataclass
class Progress:
    """A progress bar on stderr, drawn only when it is a terminal."""

    total: int
    enabled: bool
    done: int = 0

    def __post_init__(self) -> None:
        self.enabled = self.enabled and sys.stderr.isatty() and self.total > 0

    def advance(self, pages: int) -> None:
        """Count pages done and redraw the bar."""
        self.done += pages
        if self.enabled:
            filled = 30 * self.done // self.total
            sys.stderr.write(f"\r生成页面 [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        """Clear the bar; the step line follows on stdout."""
        if self.enabled:
            sys.stderr.write("\r\033[K")


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
        if kind is None and self.detail:
            print(f"{self.name}：{self.detail}（{seconds:.2f} 秒）")
