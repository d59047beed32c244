"""Writing the index: documents in, the static files of one or more scopes out."""

from __future__ import annotations

import array
import contextlib
import gc
import heapq
import json
import marshal
import math
import os
import re
import shutil
import struct
import tempfile
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

from .docs import SearchDoc
from .postings import _varints, encode_posting
from .text import _keys, key_hash, normalize

FORMAT = 1

INLINE_MAX = 200  # a posting longer than this (characters) gets a file of its own
SHARD_TARGET = 4096  # bytes of term entries per shard, on average
AMOUNT_CHUNK = 2048  # documents per chunk of the amount order
BATCH_DOCS = 1000  # documents inverted together into one temporary run (at most 65535)
RUN_CHUNK = 1 << 16  # bytes per chunk of a run file: a merge holds one chunk of every run,
RUN_CHUNK_KEYS = 256  # and at most this many keys (each is a few Python objects)
WORKERS = min(2, os.cpu_count() or 1)  # processes for a large site
PARALLEL_AFTER = 2  # batches done in this process before workers start (small sites never start them)
BUCKETS = 256  # temporary entry buckets (a power of two)


def _jsonp(name: str, data: Any) -> bytes:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return _wrap(name, body)


def _wrap(name: str, body: str) -> bytes:
    # U+2028/2029 are legal in JSON but ended a string literal in older JavaScript.
    body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.__ds&&__ds({json.dumps(name)},{body});\n".encode("utf-8", "replace")


def _write(path: Path, data: bytes, written: list[str]) -> None:
    try:
        path.write_bytes(data)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    written.append(str(path))


class _Paths(Sequence[Path]):
    """The files written, sorted: a list of Paths made on demand (a site's index has many)."""

    def __init__(self, names: list[str]):
        self.names = sorted(names)

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, i: Any) -> Any:
        return [Path(n) for n in self.names[i]] if isinstance(i, slice) else Path(self.names[i])


def _doc_json(doc: SearchDoc) -> dict[str, Any]:
    data: dict[str, Any] = {"u": doc.id, "k": doc.kind, "t": doc.title}
    if doc.edition is not None:
        data["e"] = doc.edition
    if doc.department:
        data["d"] = doc.department
    if doc.amount:
        data["a"] = doc.amount
    if doc.amount_yuan is not None:
        data["y"] = str(doc.amount_yuan)
    data["h"] = doc.title_fields
    fields, previous = [], None
    for anchor, label, text in doc.fields:
        fields.append([label if label != previous else "", anchor, text])
        previous = label
    data["f"] = fields
    return data


def _doc_path(n: int) -> str:
    return f"d/{n // 1000}/{n % 1000}"


class _Part:
    """The documents of one folder (an edition, the pages, or one whole scope): doc files and runs."""

    def __init__(self, name: str, writer: _IndexWriter):
        self.name = name
        self.writer = writer
        self.dir = writer.search_dir / name
        self.n = 0
        self.base = 0  # first document of the batch being collected
        self.batch: list[tuple[str, str, tuple[str, ...]]] = []
        self.runs: list[tuple[str, int]] = []
        self.amounts: list[float | None] = []
        self.editions: list[list[int]] = []  # [year, start, count]
        self.level1: Counter[str] = Counter()
        self.departments: Counter[str] = Counter()

    def add(self, doc: SearchDoc) -> None:
        n = self.n
        # Fields are joined by a line break: whitespace is never inside a key, so the keys of
        # the whole text are the union of the fields' keys, for one call instead of forty.
        texts = [text for _, _, text in doc.fields]
        extra = []
        if doc.department:
            extra.append("D" + doc.department)
            self.departments[doc.department] += 1
        for title in doc.level1:
            extra.append("L" + title)
            self.level1[title] += 1
        self.batch.append(("\n".join(texts[: doc.title_fields]), "\n".join(texts), tuple(extra)))
        self.amounts.append(float(doc.amount_yuan) if doc.amount_yuan is not None else None)
        year = doc.edition if doc.edition is not None else 0
        if self.editions and self.editions[-1][0] == year and sum(self.editions[-1][1:]) == n:
            self.editions[-1][2] += 1
        else:
            self.editions.append([year, n, 1])
        _write(self.dir / (_doc_path(n) + ".js"), _jsonp(f"{self.name}/{_doc_path(n)}", _doc_json(doc)),
               self.writer.written)
        self.n += 1
        if len(self.batch) >= BATCH_DOCS:
            self.flush()

    def flush(self) -> None:
        """Hand the collected batch over to be inverted into a run file."""
        if self.batch:
            path = str(self.writer.tmp / f"{self.name}-{len(self.runs)}.run")
            self.runs.append((path, self.base))
            self.writer.submit(_invert, path, self.batch)
            self.batch = []
        self.base = self.n

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "n": self.n, "runs": self.runs, "amounts": self.amounts,
                "editions": self.editions, "level1": self.level1, "departments": self.departments}


_APPEND = list.append


def _invert(path: str, batch: list[tuple[str, str, tuple[str, ...]]]) -> None:
    """Turn a batch of documents (title text, whole text, extra keys) into a run file.

    A run holds, for each key in sorted order, the batch's documents with the key
    anywhere and in the title (as 16-bit offsets from the batch's first document).
    """
    body: defaultdict[str, list[int]] = defaultdict(list)
    title: defaultdict[str, list[int]] = defaultdict(list)
    with _no_gc():
        for local, (head, text, extra) in enumerate(batch):
            keys = _keys(normalize(text))
            keys.update(extra)
            deque(map(_APPEND, map(body.__getitem__, keys), repeat(local)), maxlen=0)
            if head:
                deque(map(_APPEND, map(title.__getitem__, _keys(normalize(head))), repeat(local)), maxlen=0)
        with open(path, "wb") as out:
            chunk: list[tuple[str, bytes, bytes]] = []
            size = 0
            for key in sorted(body):
                b = array.array("H", body[key]).tobytes()
                t = array.array("H", title[key]).tobytes() if key in title else b""
                chunk.append((key, b, t))
                size += len(b) + len(t) + len(key) + 16
                if size >= RUN_CHUNK or len(chunk) >= RUN_CHUNK_KEYS:
                    _write_chunk(out, chunk)
                    chunk, size = [], 0
            _write_chunk(out, chunk)


def _write_chunk(out: Any, chunk: list) -> None:
    if chunk:
        data = marshal.dumps(chunk)
        out.write(struct.pack("<I", len(data)))
        out.write(data)


def _read_run(path: str, order: int, base: int) -> Iterator[tuple[str, int, int, bytes, bytes]]:
    with open(path, "rb") as f:
        while header := f.read(4):
            for key, body, title in marshal.loads(f.read(struct.unpack("<I", header)[0])):
                yield key, order, base, body, title


def _merged(runs: list[tuple[str, int]]) -> Iterator[tuple[str, list[int], list[int]]]:
    """Yield (key, documents, title documents) in key order from runs given in document order."""
    streams = [_read_run(path, order, base) for order, (path, base) in enumerate(runs)]
    current, body, title = None, [], []
    for key, _, base, b, t in heapq.merge(*streams):
        if key != current:
            if current is not None:
                yield current, body, title
            current, body, title = key, [], []
        ids = array.array("H")
        ids.frombytes(b)
        body.extend(map(base.__add__, ids) if base else ids)
        if t:
            ids = array.array("H")
            ids.frombytes(t)
            title.extend(map(base.__add__, ids) if base else ids)
    if current is not None:
        yield current, body, title


class _IndexWriter:
    """Stream documents into parts, then write each scope's index from the parts' runs.

    Batches are inverted, and scopes written, in worker processes once a site is big
    enough for that to pay (the output does not depend on it: same bytes either way).
    """

    def __init__(self, out_dir: Path, workers: int | None = None):
        self.search_dir = Path(out_dir) / "search"
        self.tmpdir = tempfile.TemporaryDirectory(prefix="disclose-search-")
        self.tmp = Path(self.tmpdir.name)
        self.written: list[str] = []
        self.parts: dict[str, _Part] = {}
        self.workers = WORKERS if workers is None else workers
        self.pool: Any = None
        self.pending: list[Any] = []
        self.batches = 0

    def part(self, name: str) -> _Part:
        if name not in self.parts:
            shutil.rmtree(self.search_dir / name, ignore_errors=True)
            self.parts[name] = _Part(name, self)
        return self.parts[name]

    def submit(self, fn: Any, *args: Any) -> None:
        """Run a task now, or in a worker process when the site has proved big enough."""
        self.batches += 1
        if self.pool is None and self.workers > 1 and self.batches > PARALLEL_AFTER:
            self.pool = _pool(self.workers)
        if self.pool is None:
            fn(*args)
            return
        self.pending.append(self.pool.submit(fn, *args))
        while len(self.pending) > 2 * self.workers:  # bound the batches waiting in memory
            self.pending.pop(0).result()

    def finish(self, scopes: dict[str, list[str]]) -> Sequence[Path]:
        try:
            for p in self.parts.values():
                p.flush()
            for future in self.pending:
                future.result()
            jobs = []
            for scope, names in scopes.items():
                parts = [self.parts[name].summary() for name in names if name in self.parts]
                if scope not in self.parts:
                    shutil.rmtree(self.search_dir / scope, ignore_errors=True)
                args = (str(self.search_dir), str(self.tmp), scope, parts)
                jobs.append(self.pool.submit(_write_scope, *args) if self.pool else _write_scope(*args))
            for job in jobs:
                self.written.extend(job.result() if self.pool else job)
        finally:
            if self.pool:
                self.pool.shutdown(cancel_futures=True)
            self.tmpdir.cleanup()
        return _Paths(self.written)


def _pool(workers: int) -> Any:
    """Return a process pool, or None where processes cannot be started."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:  # fork where there is fork: nothing to re-import, and the workers only touch their own data
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
    except (OSError, ValueError, ImportError):  # pragma: no cover - a sandbox without processes
        return None


def _write_scope(search_dir: str, tmp_dir: str, scope: str, parts: list[dict[str, Any]]) -> list[str]:
    """Write a scope's term shards, big postings, amount order and manifest; return the files."""
    written: list[str] = []
    out = Path(search_dir) / scope
    tmp = Path(tmp_dir)
    n = sum(p["n"] for p in parts)
    runs, offset, layout, editions = [], 0, [], []
    level1: Counter[str] = Counter()
    departments: Counter[str] = Counter()
    amounts: list[tuple[float, int]] = []
    for p in parts:
        runs.extend((path, offset + base) for path, base in p["runs"])
        layout.append([p["name"], offset, p["n"]])
        for year, start, count in p["editions"]:
            if editions and editions[-1][0] == year and sum(editions[-1][1:]) == offset + start:
                editions[-1][2] += count
            else:
                editions.append([year, offset + start, count])
        level1.update(p["level1"])
        departments.update(p["departments"])
        amounts.extend((-a, offset + i) for i, a in enumerate(p["amounts"]) if a is not None)
        offset += p["n"]
    with _no_gc():
        # 1. merged postings → big ones into files of their own now, shard entries into buckets
        buckets = [(tmp / f"{scope}.b{i}").open("w", encoding="utf-8") for i in range(BUCKETS)]
        total = 0
        external = [0]

        def posting(ids: list[int]) -> str:
            text = encode_posting(ids, n)
            if len(text) <= INLINE_MAX:
                return '"' + text + '"'  # posting characters never need escaping
            number = external[0]
            external[0] += 1
            name = f"p/{number // 1000}/{number % 1000}"
            data = _wrap(f"{scope}/{name}", '"' + text + '"')
            _write(out / (name + ".js"), data, written)
            return f"[{number},{len(data)}]"

        try:
            for key, body, title in _merged(runs):
                h = key_hash(key)
                entry = f"{_json_string(key)}:[{len(body)},{posting(body)}"
                entry += f",{len(title)},{posting(title)}]" if title else "]"
                total += len(entry.encode("utf-8")) + 1
                buckets[h & (BUCKETS - 1)].write(f"{h}\t{entry}\n")
        finally:
            for f in buckets:
                f.close()
        # 2. shards: a power of two, about SHARD_TARGET bytes each; a shard's entries sorted by key.
        # Every shard is written, empty ones too: the client asks for whichever a key hashes to.
        shards = 1
        while total / shards > SHARD_TARGET:
            shards *= 2
        if shards <= BUCKETS:  # shard s gathers buckets s, s + shards, s + 2·shards, …
            for s in range(shards):
                entries = [e for b in range(s, BUCKETS, shards) for _, e in _bucket(tmp, scope, b)]
                _write_shard(out, scope, s, entries, written)
        else:  # bucket b holds the shards s with s % BUCKETS == b
            for b in range(BUCKETS):
                groups: dict[int, list[str]] = {s: [] for s in range(b, shards, BUCKETS)}
                for h, e in _bucket(tmp, scope, b):
                    groups[h & (shards - 1)].append(e)
                for s in sorted(groups):
                    _write_shard(out, scope, s, groups[s], written)
        # 3. the amount order
        amounts.sort()
        order = [i for _, i in amounts]
        chunks = math.ceil(len(order) / AMOUNT_CHUNK)
        for j in range(chunks):
            part = order[j * AMOUNT_CHUNK : (j + 1) * AMOUNT_CHUNK]
            _write(out / f"a/{j}.js", _wrap(f"{scope}/a/{j}", json.dumps(_varints(part))), written)
    manifest = {
        "v": FORMAT, "scope": scope, "n": n, "shards": shards,
        "parts": layout,
        "editions": [e for e in editions if e[0]],
        "level1": sorted(level1.items(), key=lambda kv: (-kv[1], kv[0])),
        "departments": len(departments),
        "amounts": [len(order), AMOUNT_CHUNK, chunks],
    }
    _write(out / "manifest.js", _jsonp(f"{scope}/manifest", manifest), written)
    return written


def _bucket(tmp: Path, scope: str, b: int) -> list[tuple[int, str]]:
    path = tmp / f"{scope}.b{b}"
    with path.open(encoding="utf-8") as f:
        out = [(int(h), e) for h, e in (line.rstrip("\n").split("\t", 1) for line in f)]
    path.unlink()
    return out


def _write_shard(out: Path, scope: str, s: int, entries: list[str], written: list[str]) -> None:
    entries.sort()
    _write(out / f"t/{s}.js", _wrap(f"{scope}/t/{s}", "{" + ",".join(entries) + "}"), written)


_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\u2028\u2029]')


def _json_string(text: str) -> str:
    """Return text as a JSON string (the fast path for keys that need no escaping)."""
    return json.dumps(text, ensure_ascii=False) if _NEEDS_ESCAPE.search(text) else '"' + text + '"'


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


def write_index(docs: Iterable[SearchDoc], out_dir: Path, scope: str, *,
                workers: int | None = None) -> Sequence[Path]:
    """Write a self-contained index of `docs` under out_dir/search/<scope>/; return the files written.

    Documents are numbered in the order given, so the same documents in the same
    order always give the same bytes. Memory stays flat: postings are inverted a
    batch at a time into temporary runs and merged at the end. `workers` processes
    (default: up to 2) share the work on large sites; 0 or 1 keeps it in this process.
    """
    with _no_gc():
        writer = _IndexWriter(out_dir, workers)
        part = writer.part(scope)
        for doc in docs:
            part.add(doc)
        return writer.finish({scope: [scope]})


PAGES = "pages"


def write_indexes(docs: Iterable[SearchDoc], out_dir: Path, all_scope: str = "all", *,
                  workers: int | None = None, leave_out: Iterable[str] = ()) -> Sequence[Path]:
    """Write one index per edition (search/<year>/), and one over everything (search/<all_scope>/).

    Editions named in `leave_out` (drafts) get their own index but stay out of the "all" one.

    The "all" index has its own term shards but no documents of its own: its
    documents are the editions' files (newest edition first, then the pages
    that belong to no edition, in search/pages/), so nothing is stored twice
    and an edition's folder is complete by itself.
    """
    with _no_gc():
        writer = _IndexWriter(out_dir, workers)
        for doc in docs:
            writer.part(str(doc.edition) if doc.edition is not None else PAGES).add(doc)
        years = sorted((name for name in writer.parts if name != PAGES), key=int, reverse=True)
        scopes = {year: [year] for year in years}
        scopes[all_scope] = [*(year for year in years if year not in set(leave_out)), PAGES]
        return writer.finish(scopes)


