"""Render pages as pure tasks over partitions, here, in worker processes, or on a Dask cluster.

A partition is one department of one edition (its list, print page and
project pages) or the pages of the site as a whole. A task gets the specs of
one partition's stale pages and a copy of the output's `Writer`, renders each
page, stages the files whose bytes changed, and sends back only their entries,
never the bytes: on a cluster the staging folder is on storage every worker
shares. Every task is a pure function of what it is sent, so one worker or
many give the same files.

The tasks go through a `concurrent.futures.Executor`: none for one job,
forked workers for `--jobs N` (generator/forked.py: they inherit the tasks
and the renderer, so nothing is pickled but the results; a process pool that
is sent each task where there is no fork), and `distributed`'s executor for
`--scheduler tcp://HOST:8786` (the optional `cluster` extra).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import address
from .forked import can_fork, forked_map
from .plan import PageSpec, forget
from .render import Renderer
from .state import Entry
from .write import Writer

# Below this many pages to render, starting worker processes costs more than it saves.
POOL_THRESHOLD = 400


class TemplateFailure(Exception):
    """A template could not render a page."""


@dataclass(frozen=True)
class Task:
    """The stale pages of one partition, with the key each is made from."""

    partition: str
    specs: tuple[PageSpec, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    """What one task staged, and the process that ran it."""

    files: list[tuple[str, Entry, bool]]  # (output path, its entry, whether its bytes changed)
    process: int


def partition_of(spec: PageSpec) -> str:
    """Return the partition a page belongs to: "<year>/<department>" or "" for the site's own pages.

    A department's page of other years (years/<year>/<department>/) is its department's: it reads the
    same records, which its task then has at hand.
    """
    parts = spec.output.split("/")
    if parts[0] == "years" and len(parts) > 3:
        parts = parts[1:]
    return "/".join(parts[:2]) if len(parts) > 2 and parts[0].isdigit() else ""


def tasks(specs: Sequence[PageSpec], keys: Sequence[str]) -> list[Task]:
    """Group pages into one task per partition, in site order."""
    grouped: dict[str, tuple[list[PageSpec], list[str]]] = {}
    for spec, key in zip(specs, keys, strict=True):
        group = grouped.setdefault(partition_of(spec), ([], []))
        group[0].append(spec)
        group[1].append(key)
    return [Task(name, tuple(s), tuple(k)) for name, (s, k) in grouped.items()]


def render_page(renderer: Renderer, spec: PageSpec) -> bytes:
    """Render one page, turning a template's mistake into a message that names the page."""
    try:
        return renderer.render(spec)
    except address.AddressError as exc:  # an address that skipped validation: the second check, at writing
        raise TemplateFailure(f"生成 {spec.output} 时发现不能发布的网址：{exc}") from exc
    except jinja2.TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else "、".join(spec.template_files)
        raise TemplateFailure(f"生成 {spec.output} 时模板出错（{where}）：{exc}") from exc


def run_task(renderer: Renderer, task: Task, writer: Writer) -> Result:
    """Render and stage one partition's pages."""
    files = []
    for spec, key in zip(task.specs, task.keys, strict=True):
        entry, changed = writer.write(spec.output, render_page(renderer, spec), key)
        files.append((spec.output, entry, changed))
    for spec in task.specs:  # the partition's records go back to their shelf: a worker holds one's at a time
        forget(spec)
    return Result(files, os.getpid())


_RENDERERS: dict[tuple[Path, ...], Renderer] = {}


def run_remote(folders: tuple[Path, ...], task: Task, writer: Writer) -> Result:
    """Run a task in a worker, reusing the worker's renderer for the same template folders."""
    if folders not in _RENDERERS:
        _RENDERERS.clear()
        _RENDERERS[folders] = Renderer(folders)
    return run_task(_RENDERERS[folders], task, writer)


@contextmanager
def executor(jobs: int, scheduler: str | None, pages: int) -> Iterator[Executor | Forked | None]:
    """Yield where tasks run: None (this process), forked workers, a process pool, or a Dask cluster's executor."""
    if scheduler:
        try:
            from distributed import Client
        except ImportError as exc:
            raise SchedulerError("使用 --scheduler 需要先安装 distributed：pip install 'disclose[cluster]'") from exc
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(f"无法连接调度器 {scheduler}：{exc}") from exc
        try:
            yield client.get_executor()
        finally:
            client.close()
    elif jobs > 1 and pages >= POOL_THRESHOLD and can_fork():
        yield Forked(jobs)
    elif jobs > 1 and pages >= POOL_THRESHOLD:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            yield pool
    else:
        yield None


@dataclass(frozen=True)
class Forked:
    """Render in this many forked workers, which inherit the tasks: unpickling each department's
    records in the workers cost a 10,000-project build 13 s of their time, pickling them more of this one's."""

    jobs: int


class SchedulerError(Exception):
    """The Dask scheduler cannot be used."""


def render_all(renderer: Renderer, work: list[Task], writer: Writer, pool: Executor | Forked | None,
               done: Callable[[int], None]) -> Iterator[Result]:
    """Run every task and yield each one's result as it finishes; `done` is told how many pages each had."""
    if pool is None or isinstance(pool, Forked):
        jobs = pool.jobs if pool is not None else 1
        with closing(forked_map(lambda task: run_task(renderer, task, writer), work, jobs)) as results:
            for task, result in zip(work, results, strict=True):
                yield result
                done(len(task.specs))
        return
    # Each task carries the last build's entries of its own pages only: the whole output's (63,000 at
    # 10,000 projects) pickled into each of 500 tasks made a template edit 7× slower than a cold build.
    futures = {pool.submit(run_remote, renderer.folders, task, writer.narrowed(s.output for s in task.specs)): task
               for task in work}
    try:
        for future in as_completed(futures):
            yield future.result()
            for spec in futures[future].specs:  # planned here to be sent
                forget(spec)
            done(len(futures[future].specs))
    finally:
        for future in futures:
            future.cancel()


