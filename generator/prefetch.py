"""Parse ahead: the records a build must parse, parsed in worker processes before the loader asks.

Parsing, validating and checking a record costs 2.5–3.5 ms, and a cold build
(a new generator version, an emptied cache, a bulk import) parses every
record: 25–37 s at 10,000 projects, in one process. Before `load.py` walks the content,
`parse_ahead` finds the department folders' records the cache cannot answer
by size and mtime, parses them in forked workers, one department folder per
task, and hands the results to the `RecordCache` as if the loader had parsed
them there. The loader then walks as always and finds each record in the
cache, so what it builds, reports and caches is the same with 1 worker or N.
A build from the command line takes each folder's records as the loader comes
to that folder while the workers parse the next ones, so the parsed records
are never all waiting in memory at once (RecordCache.hold).

A worker reads a file only through `walk.read` (no link out, no pipe, no giant
file) and gives up on anything unusual: the loader then meets that file itself
and reports it as it always does.
"""

from __future__ import annotations

import os
import pickle
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import walk
from .forked import can_fork, forked_map
from .load import RECORD_SUFFIXES, YEAR, cache_kind, parse_record, placed, record_model
from .model import Department, Project
from .problems import Problem, Report
from .state import RecordCache, digest_bytes
from .validate import check_project

MIN_FILES = 200  # below this many records to parse, starting workers costs more than it saves

Job = tuple[str, str, str | None]  # (file, the cache's kind for it, its cached digest or None)
Row = tuple[str, int, int, str, str, bytes]  # a RecordCache row: path, size, mtime_ns, digest, kind, payload


def parse_ahead(root: Path, cache: RecordCache, jobs: int) -> None:
    """Parse in `jobs` workers the records of `root` the cache does not hold, and feed them to it.

    A cache that holds what it loads takes them all now. One that does not (a build from the command
    line) takes each folder's as the loader comes to it (`RecordCache.arrive`), while the workers go
    on with the next: the parsed records are never all in memory at once.
    """
    if jobs < 2 or not can_fork():  # parsed here, every record would be unpickled once more for nothing
        return
    folders = [(str(folder), found) for folder in department_folders(root) if (found := jobs_of(folder, cache))]
    if sum(len(found) for _, found in folders) < MIN_FILES:
        return
    cache.feed([name for name, _ in folders], forked_map(lambda item: parse_folder(item[1], root), folders, jobs, chunksize=2))
    if cache.hold:
        cache.drain()


def department_folders(root: Path) -> list[Path]:
    """Return the department folders of every edition folder, as plain folders (links are left to the loader)."""
    found = []
    for year in sorted(scan(root), key=lambda e: e.name):
        if YEAR.match(year.name) and year.is_dir(follow_symlinks=False):
            found += [Path(d.path) for d in sorted(scan(Path(year.path)), key=lambda d: d.name)
                      if not d.name.startswith(".") and d.is_dir(follow_symlinks=False)]
    return found


def scan(folder: Path) -> list[os.DirEntry]:
    """Return a folder's entries, or none when it cannot be listed (the loader reports why)."""
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except OSError:
        return []


def jobs_of(folder: Path, cache: RecordCache) -> list[Job]:
    """Return the records of one department folder that the cache cannot answer by size and mtime.

    The folder's listing is left with the cache for the loader, which would take it again: a
    preview's build after a save lists 500 folders here and finds all but one as it loaded them.
    """
    listing = cache.listings[str(folder)] = cache.listing(folder)
    if listing is None or cache.held_folder(folder, listing) or cache.stored_folder(folder, listing):
        return []
    found = []
    for name, mode, size, mtime_ns, *_ in listing[1:]:
        if name.startswith(".") or not name.endswith(RECORD_SUFFIXES) or not stat.S_ISREG(mode):
            continue
        path = os.path.join(folder, name)
        kind = cache_kind(Department if name == "department.yaml" else record_model, Path(path))
        known, digest = cache.known(path, size, mtime_ns, kind)
        if not known:
            found.append((path, kind, digest))
    return found


def parse_folder(jobs: list[Job], root: Path) -> list[Row]:
    """Parse one folder's records in a worker; a file whose bytes the cache already holds is left out."""
    rows = []
    for name, kind, cached in jobs:
        path = Path(name)
        try:
            data = walk.read(path, root)
            stat = path.stat()
        except (OSError, walk.Unreadable):
            continue  # the loader reports it
        digest = digest_bytes(data)
        if digest == cached or stat.st_size != len(data):  # unchanged bytes, or changing as we read: the loader's
            continue
        report = Report(root=root)
        model: Any = Department if kind.startswith("Department:") else record_model
        record = parse_record(path, data, model, report)
        rows.append((name, stat.st_size, stat.st_mtime_ns, digest, kind, dumps((record, report.problems))))
        if isinstance(record, Project):  # its rules too, as `cached_checks` would run them
            project = placed(record, path)
            rows.append((RecordCache.memo_key(check_path(project), "check"), 0, 0, digest, "check",
                         dumps(check_project(project))))
    return rows


def cached_checks(records: RecordCache) -> Callable[[Project], list[Problem]]:
    """Return the project rules, run once per record content (locating a warning's line costs a parse)."""
    return lambda project: records.memo(check_path(project), "check", lambda: check_project(project))


def check_path(project: Project) -> Path:
    """Return the file a project's cached checks are kept under (`cached_checks`)."""
    return Path(project.path).absolute()


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
