"""Writing the index: partitions in, the static files of each scope out, only what changed rewritten.

The merge works bucket by bucket (a bucket is the keys whose hash ends in the
same bits, generator/search/partition.py). A bucket's merged entries depend
only on the document count of the scope and, for each partition with keys in
it, the partition's first document number and the digest of its postings
there; they are cached under that digest, so after an edit to one project only
the buckets its changed keys fall in are made again, and those are patched from
the last build's merge (generator/search/merge.py). The shards are then cut
from the buckets, and a file whose bytes did not change is not written again
(its mtime stays, so an upload stays small). External postings are named by
their shard (p/<shard>/<j>), so a posting that grows past INLINE_MAX changes
its own shard only.

Scopes: one over everything (search/all/: its term shards, over the editions'
document files, newest edition first, then the pages' in search/pages/), and one
per edition (search/<year>/: its documents, and a manifest naming its range of the
site-wide terms, which the client and `query` filter to). The terms are stored
once: a second copy per edition doubled the terms on disk (22 MB of a 92 MB index
at 10,000 projects) and the merge work of every build, while the site's own search
page only ever queried the site-wide scope. A draft edition, left out of the
site-wide scope, keeps terms of its own.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from . import partition
from .docs import CATEGORIES, SearchDoc
from .merge import INLINE_MAX, Entry, entries, merged_buckets
from .partition import FORMAT, PartitionIndex, index_partition, read_docs
from .postings import _varints

SHARD_TARGET = 4096  # bytes of term entries per shard, on average
AMOUNT_CHUNK = 2048  # documents per chunk of the amount order
BATCH_DOCS = 1000  # documents per partition when write_indexes cuts a plain stream of documents
WORKERS = min(2, os.cpu_count() or 1)  # processes for a large site
PARALLEL_AFTER = 2  # partitions inverted in this process before workers start (small sites never start them)
PAGES = "pages"


# --- the files ------------------------------------------------------------------


def doc_path(n: int) -> str:
    """Return the path of document n's file inside its folder (without .js)."""
    return f"d/{n // 1000}/{n % 1000}"


def wrap(name: str, body: str) -> bytes:
    """Return an index file: a classic script handing its JSON body to the client."""
    # U+2028/2029 are legal in JSON but ended a string literal in older JavaScript.
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.__ds&&__ds({json.dumps(name)},{body});\n".encode("utf-8", "replace")


class Written(Sequence[Path]):
    """The files of the index, sorted (Paths made on demand: a site's index has many), and which changed."""

    def __init__(self, names: list[str], changed: list[str], merged: int = 0, patched: int = 0):
        self.names = sorted(names)
        self.changed = sorted(changed)
        self.merged = merged  # buckets merged again (not found in the cache), over all scopes
        self.patched = patched  # buckets patched from the last build's instead (generator/search/merge.py)

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: Any) -> Any:
        return [Path(n) for n in self.names[i]] if isinstance(i, slice) else Path(self.names[i])


class _Out:
    """Write files that differ from what is there; remember every file of the index.

    With a `sink` (the engine's output, whose `write(path, data) -> bool` takes a
    path relative to the site root and returns whether the bytes changed), files go
    there instead.
    """

    def __init__(self, sink: Any = None, root: Path | None = None) -> None:
        self.names: list[str] = []
        self.changed: list[str] = []
        self.merged = 0
        self.patched = 0
        self.sink = sink
        self.root = root
        self._prefix = str(root) + os.sep
        self._fresh = getattr(sink, "fresh", None)  # a sink may not remember keys: then everything is written

    def relative(self, path: Path | str) -> str:
        """Name an index file relative to the output folder (by string: a build asks for ~50,000 at 10k)."""
        name = str(path)
        if self.root is None or not name.startswith(self._prefix):
            return Path(path).relative_to(self.root).as_posix()  # raises, as pathlib does, for a path outside it
        return name[len(self._prefix):].replace(os.sep, "/")

    def keep(self, path: Path | str, key: str) -> bool:
        """Keep a file the sink holds from the same inputs (`key`); tell whether it did.

        A one-edit build asks this of all 28,000 files of the index at 10,000 projects, so
        the hot callers give the path as a string.
        """
        if self._fresh is None or not key or not self._fresh(self.relative(path), key):
            return False
        self.names.append(str(path))
        return True

    def put(self, path: Path, data: bytes, key: str = "") -> None:
        name = str(path)
        self.names.append(name)
        if self.sink is not None:
            relative = self.relative(path)
            keyed = key and hasattr(self.sink, "fresh")
            if self.sink.write(relative, data, key) if keyed else self.sink.write(relative, data):
                self.changed.append(name)
            return
        try:
            if os.stat(name).st_size == len(data) and path.read_bytes() == data:
                return
        except FileNotFoundError:
            pass
        try:
            path.write_bytes(data)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.changed.append(name)

    def extend(self, other: tuple[list[str], list[str], int, int]) -> None:
        self.names.extend(other[0])
        self.changed.extend(other[1])
        self.merged += other[2]
        self.patched += other[3]


def _remove_stale(search_dir: Path, keep: set[str], folders: set[str] | None) -> list[str]:
    """Delete files this build did not write in the given folders (None: every folder of the index), and empty ones.

    Files directly in search/ (the search page) belong to the site, not to the index.
    """
    removed = []
    if folders is None:
        folders = {p.name for p in search_dir.iterdir() if p.is_dir()} if search_dir.is_dir() else set()
    for top in [search_dir / name for name in sorted(folders)]:
        for root, dirs, files in os.walk(top, topdown=False):
            for f in files:
                path = os.path.join(root, f)
                if path not in keep:
                    os.unlink(path)
                    removed.append(path)
            for d in dirs:
                with contextlib.suppress(OSError):
                    os.rmdir(os.path.join(root, d))  # only when empty
        with contextlib.suppress(OSError):
            top.rmdir()
    return removed


# --- the index of a whole site ------------------------------------------------------


def write_site_index(parts: Iterable[PartitionIndex], out_dir: Path, cache_dir: Path | None = None, *,
                     all_scope: str = "all", workers: int | None = None, output: Any = None,
                     leave_out: Iterable[str] = ()) -> Written:
    """Write the index over everything and each edition's view of it, from partitions given in site order.

    The partitions' documents are numbered in the order given within their
    folder, so the same partitions in the same order give the same bytes, however
    they were made. `cache_dir` keeps merged buckets between builds (without it, a
    temporary folder: everything is merged). With `output` (the engine's Output:
    `write(relative_path, data) -> bool`), files go through it and nothing is
    deleted here. Editions in `leave_out` (years, such as drafts) get an index of
    their own and are left out of the "all" one.
    """
    folders: dict[str, list[PartitionIndex]] = {}
    for p in parts:
        folders.setdefault(p.folder, []).append(p)
    years = sorted((name for name in folders if name != PAGES), key=int, reverse=True)
    skipped = {str(y) for y in leave_out}
    scopes = {year: [year] for year in years if year in skipped}
    scopes[all_scope] = [*(y for y in years if y not in skipped), PAGES]
    views = {year: all_scope for year in years if year not in skipped}
    out = _Out(output, Path(out_dir))
    return _write_scopes(Path(out_dir) / "search", cache_dir, folders, scopes, workers, out, whole=True, views=views)


def write_indexes(docs: Iterable[SearchDoc], out_dir: Path, all_scope: str = "all", *,
                  workers: int | None = None, cache_dir: Path | None = None, output: Any = None,
                  leave_out: Iterable[str] = ()) -> Written:
    """Write the site's indexes from a stream of documents in site order (partitions of BATCH_DOCS)."""
    with _cache(cache_dir) as cache, _Inverter(cache, workers) as inverter:
        for folder, docs_of_folder in _by_folder(docs):
            inverter.add(docs_of_folder, folder)
        return write_site_index(inverter.results(), out_dir, cache, all_scope=all_scope, workers=inverter.workers,
                                output=output, leave_out=leave_out)


def write_index(docs: Iterable[SearchDoc], out_dir: Path, scope: str, *,
                workers: int | None = None, cache_dir: Path | None = None) -> Written:
    """Write one self-contained index of `docs` under out_dir/search/<scope>/; return its files."""
    with _cache(cache_dir) as cache, _Inverter(cache, workers) as inverter:
        inverter.add(docs, scope)
        folders = {scope: inverter.results()}
        return _write_scopes(Path(out_dir) / "search", cache, folders, {scope: [scope]}, inverter.workers)


def _by_folder(docs: Iterable[SearchDoc]) -> Iterator[tuple[str, Iterator[SearchDoc]]]:
    """Group a stream of documents into runs of one folder (an edition's year, or pages)."""
    import itertools

    yield from itertools.groupby(docs, key=lambda d: str(d.edition) if d.edition is not None else PAGES)


@contextlib.contextmanager
def _cache(cache_dir: Path | None) -> Iterator[Path]:
    if cache_dir is not None:
        yield Path(cache_dir)
        return
    with tempfile.TemporaryDirectory(prefix="disclose-search-") as tmp:
        yield Path(tmp)


class _Inverter:
    """Invert partitions of BATCH_DOCS documents, in worker processes once a site proves big enough."""

    def __init__(self, cache: Path, workers: int | None):
        self.cache = cache
        self.workers = WORKERS if workers is None else workers
        self.pool: Any = None
        self.jobs: list[Any] = []

    def __enter__(self) -> _Inverter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool:
            self.pool.shutdown(cancel_futures=True)

    def add(self, docs: Iterable[SearchDoc], folder: str) -> None:
        batch: list[SearchDoc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= BATCH_DOCS:
                self.submit(batch, folder)
                batch = []
        if batch:
            self.submit(batch, folder)

    def submit(self, batch: list[SearchDoc], folder: str) -> None:
        if self.pool is None and self.workers > 1 and len(self.jobs) >= PARALLEL_AFTER:
            self.pool = _pool(self.workers)
        if self.pool is None:
            with _no_gc():
                self.jobs.append(index_partition(batch, self.cache, folder))
        else:
            self.jobs.append(self.pool.submit(index_partition, batch, self.cache, folder))

    def results(self) -> list[PartitionIndex]:
        return [j if isinstance(j, PartitionIndex) else j.result() for j in self.jobs if _nonempty(j)]


def _nonempty(job: Any) -> bool:
    return not isinstance(job, PartitionIndex) or job.n > 0


def _pool(workers: int) -> Any:
    """Return a process pool, or None where processes cannot be started."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:  # fork where there is fork: nothing to re-import, and the workers only touch their own data
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
    except (OSError, ValueError, ImportError):  # pragma: no cover - a sandbox without processes
        return None


def _write_scopes(search_dir: Path, cache_dir: Path | None, folders: dict[str, list[PartitionIndex]],
                  scopes: dict[str, list[str]], workers: int | None, out: _Out | None = None,
                  whole: bool = False, views: dict[str, str] | None = None) -> Written:
    """Write the folders' document files, every scope's terms and the views' manifests; remove what is left of older builds.

    `views` maps a folder (an edition) to the scope whose terms it is searched through.
    """
    out = out or _Out()
    with _cache(cache_dir) as cache, _no_gc():
        for folder, parts in folders.items():
            n = 0
            for p in parts:
                # A document's file depends only on its partition and its number: an unchanged
                # partition in the same place keeps its files without reading them.
                key = f"{p.digest}@{n}"
                names = [f"{folder}/{doc_path(n + i)}" for i in range(p.n)]
                kept = [out.keep(f"{search_dir}{os.sep}{name}.js", key) for name in names]
                if not all(kept):
                    for name, body, was_kept in zip(names, read_docs(p), kept, strict=True):
                        if not was_kept:
                            out.put(search_dir / (name + ".js"), wrap(name, body), key)
                n += p.n
        jobs = [(str(search_dir), str(cache), scope, [(name, folders[name]) for name in names if name in folders])
                for scope, names in scopes.items()]
        big = sum(p.n for ps in folders.values() for p in ps) > BATCH_DOCS * PARALLEL_AFTER
        processes = min(WORKERS if workers is None else workers, len(jobs))
        pool = _pool(processes) if big and processes > 1 and out.sink is None else None
        try:
            if pool:
                for result in [pool.submit(_write_scope, *job) for job in jobs]:
                    out.extend(result.result())
            else:
                for job in jobs:  # one scope after another, each merging in worker processes
                    out.extend(_write_scope(*job, out=_Out(out.sink, out.root), workers=WORKERS if workers is None else workers))
        finally:
            if pool:
                pool.shutdown()
        for folder, whole_scope in (views or {}).items():
            _write_view(out, search_dir / folder, folder, whole_scope, folders[folder])
        if out.sink is None:
            _remove_stale(search_dir, set(out.names), None if whole else set(folders) | set(scopes))
        _prune(cache, {p.path for ps in folders.values() for p in ps})
    return Written(out.names, out.changed, out.merged, out.patched)


def _prune(cache: Path, parts: set[str]) -> None:
    """Drop the partitions and merged buckets this build did not use (the cache would otherwise only grow)."""
    for path in (cache / "search" / "parts").glob("*/*.part"):
        if str(path) not in parts:
            path.unlink()
    used = cache / "search" / "merged" / "used"
    if not used.exists():
        return
    keep = set(used.read_text(encoding="utf-8").split())
    used.unlink()
    for path in (cache / "search" / "merged").glob("*/*.b"):
        if path.stem not in keep:
            path.unlink()


# --- one scope ------------------------------------------------------------------------


def _write_scope(search_dir: str, cache_dir: str, scope: str, folders: list[tuple[str, list[PartitionIndex]]],
                 out: _Out | None = None, workers: int = 1) -> tuple[list[str], list[str], int, int]:
    """Write a scope's term shards, external postings, amount order and manifest (merging in `workers` processes)."""
    out = out if out is not None else _Out()
    target = Path(search_dir) / scope
    census = _Census(folders)
    n, members, amounts = census.n, census.members, census.amounts
    with _no_gc():
        buckets, total, out.merged, out.patched = merged_buckets(Path(cache_dir), scope, n, members, workers)
        shards = 1
        while total / shards > SHARD_TARGET:
            shards *= 2
        for s, key, entries in _shards(buckets, shards, scope, out, target):
            _write_shard(out, target, scope, s, entries, key)
        amounts.sort()
        order = [i for _, i in amounts]
        chunks = math.ceil(len(order) / AMOUNT_CHUNK)
        for j in range(chunks):
            part = order[j * AMOUNT_CHUNK : (j + 1) * AMOUNT_CHUNK]
            out.put(target / f"a/{j}.js", wrap(f"{scope}/a/{j}", json.dumps(_varints(part))))
    manifest = {
        "v": FORMAT, "scope": scope, "n": n, "shards": shards,
        "parts": census.layout,
        "editions": census.editions,
        **census.counts(),
        "amounts": [len(order), AMOUNT_CHUNK, chunks],
    }
    out.put(target / "manifest.js", wrap(f"{scope}/manifest", partition.dumps(manifest)))
    return out.names, out.changed, out.merged, out.patched


def _write_view(out: _Out, target: Path, folder: str, whole: str, parts: list[PartitionIndex]) -> None:
    """Write the manifest of an edition searched through the site-wide scope `whole`: its range there, by year."""
    census = _Census([(folder, parts)])
    manifest = {"v": FORMAT, "scope": folder, "view": whole, "edition": int(folder), "n": census.n, **census.counts()}
    out.put(target / "manifest.js", wrap(f"{folder}/manifest", partition.dumps(manifest)))


class _Census:
    """What a scope's manifest says of its folders' partitions: numbering, editions, amounts, filter values."""

    def __init__(self, folders: list[tuple[str, list[PartitionIndex]]]) -> None:
        self.members: list[tuple[int, PartitionIndex]] = []  # (first document number, partition)
        self.layout: list[list[Any]] = []  # [folder, first document, documents]
        self.editions: list[list[int]] = []  # [year, first document, documents]
        self.amounts: list[tuple[int, int]] = []  # (-amount, document)
        self.level1: dict[str, int] = {}
        self.departments: set[str] = set()
        offset = 0
        for name, parts in folders:
            start = offset
            for p in parts:
                self.members.append((offset, p))
                for year, count in p.editions:
                    if year and self.editions and self.editions[-1][0] == year and sum(self.editions[-1][1:]) == offset:
                        self.editions[-1][2] += count
                    elif year:
                        self.editions.append([year, offset, count])
                    offset += count
                self.amounts.extend((-a, self.members[-1][0] + i) for i, a in enumerate(p.amounts) if a is not None)
                for k, v in p.level1:
                    self.level1[k] = self.level1.get(k, 0) + v
                self.departments.update(k for k, _ in p.departments)
            self.layout.append([name, start, offset - start])
        self.n = offset

    def counts(self) -> dict[str, Any]:
        """Return the filter values the search page offers: 一级 titles by documents, and how many departments."""
        return {"level1": sorted(self.level1.items(), key=_category_order), "departments": len(self.departments)}


def _category_order(item: tuple[str, int]) -> tuple[int, int, str]:
    """Order the 一级 filter: the canonical categories in their order, then any other name by count."""
    name, count = item
    return (CATEGORIES.index(name) if name in CATEGORIES else len(CATEGORIES), -count, name)


def _shards(buckets: list[Path], shards: int, scope: str, out: _Out,
            target: Path) -> Iterator[tuple[int, str, list[Entry]]]:
    """Yield every shard that must be written (empty ones too: the client asks for whichever a key hashes to).

    A shard is made of its buckets alone, so its key is theirs: a shard whose key is unchanged
    keeps its files (its terms and its external postings) without its buckets being read.
    """
    count = len(buckets)
    if shards <= count:  # shard s gathers buckets s, s + shards, s + 2·shards, …
        for s in range(shards):
            key = _shard_key(scope, shards, s, [buckets[b] for b in range(s, count, shards)])
            if not _keep_shard(out, target, s, key):
                yield s, key, [e for b in range(s, count, shards) for e in entries(buckets[b])]
    else:  # bucket b holds the shards s with s % count == b
        for b in range(count):
            keys = {s: _shard_key(scope, shards, s, [buckets[b]]) for s in range(b, shards, count)}
            todo = [s for s, key in keys.items() if not _keep_shard(out, target, s, key)]
            if not todo:
                continue
            groups: dict[int, list[Entry]] = {s: [] for s in range(b, shards, count)}
            for e in entries(buckets[b]):
                groups[e[0] & (shards - 1)].append(e)
            for s in todo:
                yield s, keys[s], groups[s]


def _shard_key(scope: str, shards: int, s: int, buckets: list[Path]) -> str:
    """Return what a shard is made of: its place and its buckets (each named by the hash of its contents)."""
    return hashlib.blake2b("|".join([str(FORMAT), scope, str(shards), str(s), *(b.stem for b in buckets)]).encode(),
                           digest_size=16).hexdigest()


def _keep_shard(out: _Out, target: Path, s: int, key: str) -> bool:
    """Keep a shard's files made from the same buckets: its terms, then its external postings p/<s>/0, 1, …"""
    if not out.keep(f"{target}{os.sep}t{os.sep}{s}.js", key):
        return False
    j = 0  # the postings were written with the shard's key: the first one not kept is past the last
    while out.keep(f"{target}{os.sep}p{os.sep}{s}{os.sep}{j}.js", key):
        j += 1
    return True


def _write_shard(out: _Out, target: Path, scope: str, s: int, entries: list[Entry], key: str = "") -> None:
    """Write one term shard, sorted by key, and its external postings (p/<s>/<j>, numbered in key order)."""
    entries.sort(key=lambda e: e[1])
    external = 0
    parts = []

    def ref(posting: str) -> str:
        nonlocal external
        if len(posting) <= INLINE_MAX:
            return '"' + posting + '"'  # posting characters never need escaping
        name = f"p/{s}/{external}"
        data = wrap(f"{scope}/{name}", '"' + posting + '"')
        out.put(target / (name + ".js"), data, key)
        external += 1
        return f"[{external - 1},{len(data)}]"

    for _, k, nb, pb, nt, pt in entries:
        entry = f"{k}:[{nb},{ref(pb)}"
        entry += f",{nt},{ref(pt)}]" if nt else "]"
        parts.append(entry)
    out.put(target / f"t/{s}.js", wrap(f"{scope}/t/{s}", "{" + ",".join(parts) + "}"), key)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cycle collector: the postings are millions of small lists without cycles,
    and scanning them again and again would take most of the build's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
