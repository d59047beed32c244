"""The build's pipeline: what `Engine.run` runs once an input changed, stage after stage, each timed.

build.py decides whether there is anything to do; a build with nothing changed stops
there, without importing this module and the stages it names (those imports were ~0.3 s
of a 1.2 s no-op build at 10,000 projects). The stages, in order:

1. load and check   generator/load.py, prefetch.py, validate.py, archive.py
2. plan             generator/plan.py, opendata.py, years.py; frozen editions from archive.py
3. render           generator/render.py, parallel.py: only the stale pages
4. data, assets, the search index (generator/search/), then the state: what each output was made from
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import address, archive, opendata, prefetch, search, validate, walk, years
from .build import BuildReport, Cancelled, Engine, timed
from .folders import template_folders
from .forked import forked_map
from .kept import NOTHING, Kept, kept_as_is
from .load import Page, load_content
from .minify import minify
from .model import Department, Edition, Project, Site
from .parallel import SchedulerError, TemplateFailure, executor, render_all, tasks
from .plan import PageSpec, PlanError, common, department_records, edition_records, plan_site, tables_of
from .problems import Problem
from .render import REFERENCES, Renderer
from .state import BuildState, RecordCache, hash_parts
from .validate import check_site
from .write import Output, OutputError


def run(engine: Engine, state: BuildState | None, report: BuildReport, root: Path, signature: bytes, *,
        strict: bool, clean: bool, progress: bool, pages_only: bool, cancel: Callable[[], bool],
        changed: Collection[str] | None = None) -> None:
    """Run the pipeline for `engine`, filling in the report (`changed`: see `Engine.build`)."""
    with timed(report, "读取并检查内容") as say:
        records = RecordCache(state, engine.memory, untouched_by(changed) if changed is not None else None,
                              engine.listed, hold=engine.resident)
        if state is not None:
            engine.kept.load(state)
        prefetch.parse_ahead(engine.content, records, engine.jobs if not engine.scheduler else 1)
        loaded = load_content(engine.content, records, derive_ahead(engine.kept, prefetch.cached_checks(records)))
        records.drain()
        site = loaded.site
        report.problems = list(loaded.report.problems)
        if site is not None and not loaded.report.errors:
            report.problems += check_site(site, prefetch.cached_checks(records), engine.kept) \
                + archive.check_editions(site, engine.content, engine.kept)
        errors = [p for p in report.problems if p.level == "error"]
        if not report.quiet:  # a warm-up reads what the build before it announced
            engine.announce(report.problems)
        projects = sum(len(d.projects) for e in site.editions for d in e.departments) if site else 0
        say(f"{projects} 个项目（{records.misses} 个文件重新读取），{len(errors)} 个错误，{len(report.warnings)} 个警告")
    records.flush()  # what was parsed is worth keeping even when the build stops here
    gc.freeze()  # the records and what was kept last time: see the same after planning, below
    if site is None or errors or (strict and report.warnings):
        reason = "有错误" if site is None or errors else "有警告（--strict）"
        if not report.quiet:
            print(f"{reason}，未生成网站；{engine.output} 保持不变。", file=sys.stderr)
        return

    site = editions_to_build(site, engine.drafts, engine.only)
    with timed(report, "规划页面") as say:
        renderer = Renderer(template_folders(engine.content, engine.templates), compiled(engine.cache, state),
                            engine.sheets if engine.resident else None)
        if state is not None:
            REFERENCES.update(state.template_references())
        try:
            digest = Digests(engine.content, records)
            parts = opendata.PartStore(engine.cache / "data" if state is not None else None,
                                       part_key(state.generator if state is not None else "", digest, engine.kept), engine.parts)
            token = edition_token(engine, site, loaded.pages, digest)
            blocks: list[tuple[Edition, Department, int, int]] = []
            specs = planned = plan_site(site, loaded.pages, renderer.uses, engine.kept, token, blocks)
            # Pages first: a page named like a download is then found by the full build that follows.
            data = plan_data(site, parts, engine.kept, scripts_only=pages_only)
            check_unique([*specs, *data])
            frozen = archive.Frozen.load(site, engine.content, engine.kept)
        except (PlanError, address.AddressError, archive.ArchiveError) as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return
        searched = search_key(specs, digest, site) if not pages_only else ""
        report.planned = len(specs) + len(data)
        todo, verbatim = frozen.split([*specs, *data])
        specs = [item for item in todo if isinstance(item, PageSpec)]
        data = [item for item in todo if not isinstance(item, PageSpec)]
        keys = page_keys(specs, planned, blocks, renderer, digest, engine.kept, token)
        say(f"{report.planned} 个文件，{len(verbatim)} 个来自已冻结年度的存档")
    # What is held now lasts the whole build: the cycle collector sets it aside (the build gives it back
    # at its end, Engine.settle) instead of scanning it again at each full collection, two of which
    # took 70 ms of a one-edit build at 10,000 projects.
    gc.freeze()

    previous = engine.outputs(state, root) if state is not None else {}
    # A preview's pages-first build takes its own folder as its last build left it; the full build checks.
    checked = not (pages_only and engine.resident and state is not None and engine.remembered(state, root) is not None)
    try:
        with Output.open(engine.output, previous, trusted=bool(previous) and not clean, checked=checked) as out:
            with timed(report, "生成页面") as say:
                stale = [(spec, key) for spec, key in zip(specs, keys, strict=True) if not out.fresh(spec.output, key)]
                report.rendered = [spec.output for spec, _ in stale]
                render_pages(engine, renderer, stale, out, report, progress)
                say(f"{len(stale)} 个文件，其中 {len(out.changed)} 个有变化" + where(report.processes))

            if cancel():
                raise Cancelled
            with timed(report, "数据和存档") as say:
                if pages_only:  # only the by-year scripts the pages load (all it planned); the downloads follow
                    say(write_data(data, {}, out, digest))
                else:
                    years = {item.output.partition("/")[0] for item in data}  # a frozen edition's come verbatim
                    parts.make_ahead([(e, d) for e in site.editions if str(e.year) in years for d in e.departments],
                                     engine.jobs if not engine.scheduler else 1)
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
                    say(index_for_search(site, loaded.pages, out, searched, engine.cache if state is not None else None,
                                         part_key("search" + (state.generator if state else ""), digest, engine.kept,
                                                  with_edition=True),
                                         engine.jobs if not engine.scheduler else 1, cancel, engine.kept))
    except (OutputError, TemplateFailure, SchedulerError) as exc:
        print(f"错误：{exc}\n未生成网站；{engine.output} 保持不变。", file=sys.stderr)
        return
    except OSError as exc:  # a full disk, a folder made read-only meanwhile: the output's problem, not a bug
        place = f"（{exc.filename}）" if exc.filename else ""
        print(f"错误：写入网站时出错{place}：{walk.explain(exc)}。\n未生成网站；{engine.output} 保持不变。", file=sys.stderr)
        return
    if state is not None:
        ours = engine.remembered(state, root) is not None  # the state holds what this engine saved last
        state.save_outputs(root, out.entries, previous, out.added)
        engine.remember_outputs(state, root, out.entries)
        state.save_template_references(REFERENCES)
        # After pages only, the output is not what these inputs make: the next build must not stop early.
        state.keep(f"signature:{root}", b"pages only" if pages_only else signature)
        if not (ours and engine.saved_problems == report.problems):  # 3,400 warnings pickle in 20 ms
            state.keep(f"problems:{root}", pickle.dumps(report.problems, protocol=pickle.HIGHEST_PROTOCOL))
            engine.saved_problems = report.problems
        if not pages_only:  # what the next process takes from this one (kept.Kept)
            engine.kept.save(state)
    report.written, report.removed, report.status = sorted(out.changed), out.removed, 0


def derive_ahead(kept: Kept, check: Callable[[Project], list[Problem]]) -> Callable[[Edition, Department], None]:
    """Return what derives all the stages keep of one department alone, from a department just read from its files.

    The loader calls it while the department's records are at hand. In a build from the command line
    a department is then on its shelf, open only while used (RecordCache.hold): each of these, asked
    later by its stage (the tables' pages by planning, for their outline: plan.outlined), was a pass
    that opened every shelf again (3–5 s each at 10,000 projects).
    """
    def derive(edition: Edition, department: Department) -> None:
        validate.codes_of(edition, department, kept)
        validate.problems_of(edition, department, check, kept)
        archive.missing_of(edition, department, kept)
        archive.corrections_of(edition.year, department, kept)
        department_records(edition.year, department, kept)
        tables_of(edition.year, department, kept)
        years.rows_of(edition, department, kept)
        years.fields_of(edition, department, kept)
        opendata.attachments_of(edition, department, kept)
    return derive


def untouched_by(changed: Collection[str]) -> Callable[[str], bool]:
    """Return a test of whether a folder neither is nor holds any of the paths a file watcher reported.

    Each path is taken as given and through its links, as the watcher may name it either way.
    """
    named: set[str] = set()
    for path in changed:
        for form in {os.path.abspath(path), os.path.realpath(path)}:
            while form not in named:
                named.add(form)
                form = os.path.dirname(form)
    return lambda folder: folder not in named


def edition_token(engine: Engine, site: Site, pages: tuple[Page, ...], digest: Callable[[str], str]) -> Callable[[Edition], str]:
    """Return, per edition, the key of what its department pages show besides the department itself.

    The templates, site.yaml, the Markdown pages, edition.yaml, and the working folder (the
    records' paths are shown relative to it).
    """
    shared = [engine.templates_token, os.getcwd(), *(f"{name}={digest(name)}" for name in common(site, pages)[1])]
    tokens: dict[int, str] = {}

    def token(edition: Edition) -> str:
        if edition.year not in tokens:
            tokens[edition.year] = hash_parts([*shared, f"{edition.year}={digest(f'{edition.year}/edition.yaml')}"])
        return tokens[edition.year]
    return token


def compiled(cache: Path, state: BuildState | None) -> Path | None:
    """Return the folder for compiled templates, inside the cache."""
    if state is None:
        return None
    folder = cache / "templates"
    folder.mkdir(exist_ok=True)
    return folder


def render_pages(engine: Engine, renderer: Renderer, stale: list[tuple[PageSpec, str]], out: Output, report: BuildReport,
                 progress: bool) -> None:
    """Render the stale pages, one task per partition, and record what each staged."""
    work = tasks([spec for spec, _ in stale], [key for _, key in stale])
    bar = Progress(len(stale), progress)
    with executor(engine.jobs, engine.scheduler, len(stale)) as pool:
        for result in render_all(renderer, work, out.writer, pool, bar.advance):
            for path, entry, changed in result.files:
                out.add(path, entry, changed)
            report.processes.add(result.process)
    bar.close()


def where(processes: set[int]) -> str:
    """Say how many worker processes rendered, when it was not this one alone."""
    return f"，{len(processes)} 个进程" if processes - {os.getpid()} else ""


class Digests:
    """Content hashes of files named relative to the content folder: of one file, or of a tuple of files."""

    def __init__(self, content: Path, records: RecordCache) -> None:
        self.base, self.records = str(content), records
        self.prefix = os.path.join(self.base, "")  # names are relative: a concatenation is the join
        self.known: dict[str, str] = {}
        self.combined: dict[tuple[str, ...], str] = {}
        self.encoded: dict[str, bytes] = {}

    def __call__(self, name: str) -> str:
        """Return a file's content hash."""
        found = self.known.get(name)
        if found is None:  # a string join: pathlib cost ~0.1 s over 10,000 names, os.path.join 0.03 s
            path = self.prefix + name
            found = self.known[name] = self.records.digests.get(path) or self.records.digest(path)
        return found

    def of(self, names: tuple[str, ...]) -> str:
        """Return one hash of the files' names and content hashes, each tuple hashed once.

        The home, search and edition pages, the sitemap and the edition's downloads are each made
        from every record: hashing 10,000 names again for each data file took 5 % of an edit's build
        (py-spy: 188 of 3,614 samples at 10,000 projects; 17 after).
        """
        if names not in self.combined:
            # hash_parts of "name=hash" each, with each part encoded once per build: the home, search and
            # edition pages and the edition's downloads each name every record (0.1 s of a preview's save).
            encoded = self.encoded
            for name in names:
                if name not in encoded:
                    encoded[name] = f"{name}={self(name)}".encode("utf-8", "surrogatepass") + b"\0"
            self.combined[names] = hashlib.blake2b(b"".join(map(encoded.__getitem__, names)), digest_size=16).hexdigest()
        return self.combined[names]


def page_key(spec: PageSpec, renderer: Renderer, digest: Digests) -> str:
    """Return the key of everything a page is made from.

    Its records by content hash (or, for a page that lists them, what it shows of them: `plan.shown`);
    every template it may be rendered with, the
    missing more specific candidates too (so adding an override is a change);
    where it goes and how it links. The generator's own code is in the state's
    fingerprint, so a new generator starts from a new state.
    """
    return hash_parts([spec.output, repr(spec.link_base), renderer.digests((*spec.templates, *spec.template_files)),
                       f"shows:{spec.shows}" if spec.shows else digest.of(spec.records)])


def page_keys(specs: list[PageSpec], planned: list[PageSpec], blocks: list[tuple[Edition, Department, int, int]],
              renderer: Renderer, digest: Digests, kept: Kept, token: Callable[[Edition], str]) -> list[str]:
    """Return each page's key (`page_key`); a department's pages' keys are kept with the department.

    `blocks` (plan_site's) says where each department's pages are in `planned`; those still in
    `specs` as planned (a frozen edition's are not) are made of its files, the templates and what
    its edition's `token` covers, as its plan is. So their keys are kept across processes too, and a
    build after one edit keys the 23 pages of the department that changed, not all 11,500 at 10,000
    projects (0.1 s). Any other page's key is kept with its spec, within a process.
    """
    at = {id(spec): n for n, spec in enumerate(specs)}
    keys: list[str | None] = [None] * len(specs)
    for edition, department, start, stop in blocks:
        pages = planned[start:stop]
        first = at.get(id(pages[0])) if pages else None
        run = specs[first:first + len(pages)] if first is not None else []
        if len(run) != len(pages) or not all(a is b for a, b in zip(run, pages, strict=True)):
            continue
        outputs = tuple(spec.output for spec in pages)
        def made(pages: list[PageSpec] = pages, outputs: tuple[str, ...] = outputs) -> tuple[tuple[str, ...], list[str]]:
            return outputs, [page_key(spec, renderer, digest) for spec in pages]
        kept_for, found = kept.get(("keys", edition.year, department.slug), department, made, token(edition),
                                   lasting=kept_as_is)
        # Planned from the same files, so for the same pages; but a key must never go to another page.
        keys[first:first + len(pages)] = found if kept_for == outputs else made()[1]
    return [key if key is not None else kept.get(("key", spec.output), spec, lambda s=spec: page_key(s, renderer, digest))
            for spec, key in zip(specs, keys, strict=True)]


def search_key(specs: list[PageSpec], digest: Digests, site: Site) -> str:
    """Return the key of the search index: every record and page of the site, and which editions are drafts."""
    everything = sorted({name for spec in specs for name in spec.records})
    return hash_parts(["search", *sorted(drafts_of(site)), digest.of(tuple(everything))])


def drafts_of(site: Site) -> set[str]:
    """Return the years of the draft editions being built."""
    return {str(e.year) for e in site.editions if e.status == "draft"}


def editions_to_build(site: Site, drafts: bool, only: int | None) -> Site:
    """Leave out draft editions (unless `drafts`), or every edition but `only`."""
    kept = tuple(e for e in site.editions if (drafts or e.status != "draft") and (only is None or e.year == only))
    return site.model_copy(update={"editions": kept})


def part_key(generator: str, digest: Callable[[str], str], kept: Kept = NOTHING, *,
             with_edition: bool = False) -> Callable[[Edition, Department], str]:
    """Return the key of what is made of one department alone (its open-data parts, its search partition).

    Its records, and the generator that made them (and, for search, the edition's own file).
    """
    known: dict[tuple[int, str], str] = {}  # asked once per data file: a department has several

    def key(edition: Edition, department: Department) -> str:
        if (edition.year, department.slug) not in known:
            files = department_records(edition.year, department, kept)
            if with_edition:
                files = (f"{edition.year}/edition.yaml", *files)
            known[edition.year, department.slug] = hash_parts(
                [generator, str(edition.year), department.slug, *(f"{name}={digest(name)}" for name in files)])
        return known[edition.year, department.slug]
    return key


def plan_data(site: Site, parts: opendata.PartStore, kept: Kept = NOTHING, scripts_only: bool = False) -> list[opendata.DataFile]:
    """Plan the files made without templates: open data, original documents, cross-year scripts.

    `scripts_only`: only the cross-year scripts, all a preview's pages-first build writes (planning the
    5,500 downloads it leaves for the full build was 10 ms of each save at 10,000 projects).
    """
    def made_from(edition, department) -> tuple[str, ...]:
        if department is None:
            return edition_records(edition, kept)
        return (f"{edition.year}/edition.yaml", *department_records(edition.year, department, kept))

    scripts = years.plan_scripts(site, years.across(site, kept))
    if scripts_only:
        return scripts
    return [*opendata.plan_data(site, made_from, parts), *opendata.plan_attachments(site, kept), *scripts]


def check_unique(outputs: list[PageSpec | opendata.DataFile]) -> None:
    """Refuse two outputs for one file (say, an original document named like a data file)."""
    paths = [item.output for item in outputs]
    if len(set(paths)) == len(paths):  # the usual case, told apart in C: 12,500 outputs at 10,000 projects
        return
    seen: set[str] = set()
    clashes = sorted({path for path in paths if path in seen or seen.add(path)})
    if clashes:
        raise PlanError(f"以下文件重复（原文件与数据文件或页面重名？）：{'、'.join(clashes)}")


def write_data(data: list[opendata.DataFile], verbatim: dict[str, bytes], out: Output,
               digest: Digests, cancel: Callable[[], bool] = lambda: False) -> str:
    """Write the data files whose records changed, and the frozen editions' files from their archives."""
    made = 0
    for item in data:
        if cancel():  # an edition's workbook takes a second: a newer save should not wait for all of them
            raise Cancelled
        key = hash_parts(["data", item.output, digest.of(item.records)])
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
                     cancel: Callable[[], bool] = lambda: False, kept: Kept = NOTHING) -> str:
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
        written = search.write_site_index(search_partitions(site, pages, cache, inputs, jobs, cancel, kept), out.writer.root, cache,
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
                      jobs: int = 1, cancel: Callable[[], bool] = lambda: False,
                      kept: Kept = NOTHING) -> Iterator[search.PartitionIndex]:
    """Yield the search partitions of a site in site order: each department of each edition, then the pages.

    A department whose records are unchanged is found in the cache by their key, without making its
    documents; the others are made in `jobs` worker processes when there are many.
    """
    if cache is None:
        raise search.CacheError("no cache folder")
    departments = [(edition, department, inputs(edition, department))
                   for edition in site.editions for department in edition.departments]
    def known(edition: Edition, department: Department, key: str) -> search.PartitionIndex | None:
        # A summary kept with its department saves reading 500 partition heads (0.24 s at 10k);
        # its file must still be there, else the head is read after all.
        part = kept.get(("partition", edition.year, department.slug), department,
                        lambda: search.known_partition(cache, key), key, lasting=kept_as_is)
        return part if part is None or search.present(part) else search.known_partition(cache, key)

    found = {key: known(edition, department, key) for edition, department, key in departments}
    missing = [(edition, department) for edition, department, key in departments if found[key] is None]
    made = iter(make_partitions(missing, cache, jobs))
    for edition, department, key in departments:
        if cancel():
            raise Cancelled
        part = found[key]
        if part is None:
            part = next(made)
            search.remember(cache, key, part)
            kept.put(("partition", edition.year, department.slug), department, part, key, lasting=kept_as_is)
        yield part
    if pages:
        yield search.index_partition(search.page_docs(pages), cache)
    search.forget_others(cache, {key for _, _, key in departments})


def make_partitions(missing: list[tuple[Edition, Department]], cache: Path, jobs: int) -> Iterator[search.PartitionIndex]:
    """Index departments' search documents into the cache, in order; in forked workers when there are many."""
    def index(pending: tuple[Edition, Department]) -> search.PartitionIndex:
        return search.index_partition(search.docs_for_partition(*pending), cache)

    return forked_map(index, missing, jobs, minimum=2 * jobs, chunksize=4)


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
