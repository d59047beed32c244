"""Reading the index: `query()`, the client's algorithm (search.js) in Python.

Tests check recall and precision with it, and the benchmark counts the bytes a
browser would load.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .excerpt import excerpt_of
from .partition import unpacked
from .postings import _read_varints, decode_posting
from .text import key_hash, normalize, plan_word, query_words
from .write import doc_path

PAGE_SIZE = 10
SMALL = 2048  # a posting file this small is worth loading to narrow the candidates
VERIFY_LIMIT = 60  # documents checked for one page before showing what was found (bounds the bytes)


@dataclass
class Hit:
    """One result as the client shows it."""

    n: int
    url: str
    anchor: str
    kind: str
    title: str
    department: str | None
    edition: int | None
    amount: str | None
    excerpt: list[tuple[str, bool]]  # (text, highlighted)
    label: str
    key: tuple


@dataclass
class SearchResult:
    """What a query returns: the results shown, the total, and what it cost to load."""

    words: list[str]
    count: int  # candidates (exact when `exact`)
    exact: bool
    hits: list[Hit] = field(default_factory=list)
    capped: bool = False  # the page stopped after VERIFY_LIMIT checks: more results may rank higher
    bytes: int = 0
    files: int = 0
    loaded: list[str] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [h.url for h in self.hits]


class _Reader:
    """Load index files like the browser does (each once), counting bytes."""

    def __init__(self, search_dir: Path):
        self.dir = search_dir
        self.cache: dict[str, Any] = {}
        self.docs: dict[str, dict] = {}  # documents as inflated from their files
        self.bytes = 0
        self.loaded: list[str] = []

    def load(self, name: str) -> Any:
        if name not in self.cache:
            raw = (self.dir / (name + ".js")).read_bytes()
            self.bytes += len(raw)
            self.loaded.append(name)
            text = raw.decode("utf-8")
            prefix = f"window.__ds&&__ds({json.dumps(name)},"
            if not text.startswith(prefix):
                raise ValueError(f"{name}: not an index file")
            self.cache[name] = json.loads(text[len(prefix) : text.rindex(");")])
        return self.cache[name]


def _intersect(a: list[int], b: list[int]) -> list[int]:
    if len(a) > len(b):
        a, b = b, a
    s = set(b)
    return [x for x in a if x in s]


class _Scope:
    def __init__(self, reader: _Reader, scope: str):
        self.reader = reader
        self.m = reader.load(f"{scope}/manifest")
        self.only: int | None = None  # an edition's view: its range of the site-wide scope (write.py)
        if "view" in self.m:
            self.only, scope = self.m["edition"], self.m["view"]
            self.m = reader.load(f"{scope}/manifest")
        self.scope = scope
        self.n = self.m["n"]

    def entry(self, key: str) -> list | None:
        """Return a key's entry; an external posting [j, size] becomes [shard, j, size]."""
        s = key_hash(key) & (self.m["shards"] - 1)
        entry = self.reader.load(f"{self.scope}/t/{s}").get(key)
        return entry and [[s, *v] if isinstance(v, list) else v for v in entry]

    def posting(self, entry: list, slot: int) -> list[int]:
        value = entry[slot]
        if isinstance(value, list):
            value = self.reader.load(f"{self.scope}/p/{value[0]}/{value[1]}")
        return decode_posting(value, self.n)

    def doc(self, n: int) -> dict:
        for name, start, count in self.m["parts"]:
            if start <= n < start + count:
                path = f"{name}/{doc_path(n - start)}"
                if path not in self.reader.docs:
                    self.reader.docs[path] = unpacked(self.reader.load(path))
                return self.reader.docs[path]
        raise IndexError(n)


def _size(entry: list, slot: int) -> int:
    value = entry[slot]
    return value[2] if isinstance(value, list) else 0


def query(index_dir: Path, q: str, *, edition: int | None = None, department: str | None = None,
          level1: str | None = None, sort: str = "relevance", limit: int | None = PAGE_SIZE) -> SearchResult:
    """Search one scope (index_dir = <out>/search/<scope>) as the browser does.

    Returns the first `limit` results in order (all of them with limit=None),
    the number of candidates and whether that number is exact, and the bytes
    and files loaded. Every result contains every word (checked in its text);
    every document that contains every word is a candidate.
    """
    index_dir = Path(index_dir)
    reader = _Reader(index_dir.parent)
    scope = _Scope(reader, index_dir.name)
    words = query_words(q)
    result = SearchResult(words, 0, True)
    if scope.only is not None:
        if edition is not None and edition != scope.only:
            return _finish(result, reader)
        edition = scope.only
    if not words:
        return _finish(result, reader)
    plans = [plan_word(w) for w in words]
    keys = {k for p in plans for k in (*p.required, *([p.exact] if p.exact else []))}
    junctions = [a[-1] + b[0] for a, b in zip(words, words[1:], strict=False)]
    keys.update(junctions)
    for extra, prefix in ((department, "D"), (level1, "L")):
        if extra:
            keys.add(prefix + extra)
    entries = {k: scope.entry(k) for k in sorted(keys)}
    if any(entries[k] is None for p in plans for k in p.required):
        return _finish(result, reader)
    # candidates: each word's most selective key, and any other of its keys that costs little.
    # (Keys of one phrase are often found together, so a second big posting seldom cuts much.)
    chosen: list[tuple[str, list]] = []
    for p in plans:
        ranked = sorted(p.required, key=lambda k: (entries[k][0], _size(entries[k], 1), k))
        chosen.append((ranked[0], entries[ranked[0]]))
    optional = sorted({k for p in plans for k in p.required} - {k for k, _ in chosen})
    chosen += [(k, entries[k]) for k in optional if _size(entries[k], 1) <= SMALL]
    candidates: list[int] | None = None
    for _, e in sorted(chosen, key=lambda ke: (ke[1][0], ke[0])):
        posting = scope.posting(e, 1)
        candidates = posting if candidates is None else _intersect(candidates, posting)
    assert candidates is not None
    # filters
    if edition is not None:
        ranges = [(s, s + c) for y, s, c in scope.m["editions"] if y == edition]
        candidates = [d for d in candidates if any(a <= d < b for a, b in ranges)]
    for extra, prefix in ((department, "D"), (level1, "L")):
        if extra:
            e = entries[prefix + extra]
            candidates = _intersect(candidates, scope.posting(e, 1)) if e else []
    # what the index knows for sure, per candidate: whole-token hits; and bounds for the title and phrase
    exact_sets = []
    for p in plans:
        e = entries.get(p.exact) if p.exact else None
        exact_sets.append(set(scope.posting(e, 1)) if e else set())
    title_sets: list[set[int] | None] = []
    for p in plans:
        ranked = sorted(p.required, key=lambda k: (entries[k][2] if len(entries[k]) > 2 else 0, k))
        e = entries[ranked[0]]
        title_sets.append(set(scope.posting(e, 3)) if len(e) > 2 else set())
    phrase: set[int] | None = None  # a bound on the pages with the words as one phrase
    if len(words) > 1:
        phrase = set()
        if all(entries[k] is not None for k in junctions):
            phrase = set(scope.posting(entries[junctions[0]], 1))
            for k in junctions[1:]:
                phrase &= set(scope.posting(entries[k], 1))

    def estimate(d: int) -> tuple:
        t = sum(1 for s in title_sets if s is not None and d not in s)
        ph = 0 if phrase is None or d in phrase else 1
        x = sum(1 for p, s in zip(plans, exact_sets, strict=True) if p.exact and d not in s)
        return (t, ph, x, d)

    def sure(d: int) -> bool:
        return all(len(p.word) <= 3 or d in s for p, s in zip(plans, exact_sets, strict=True))

    result.count = len(candidates)
    result.exact = all(sure(d) for d in candidates)

    def check(d: int) -> tuple | None:
        """Load a candidate and return its true rank key, or None when it lacks a word."""
        doc = scope.doc(d)
        texts = [normalize(text) for _, _, text in doc["f"]]
        if not all(any(w in t for t in texts) for w in words):
            return None
        title = texts[: doc["h"]]
        t = sum(1 for w in words if not any(w in x for x in title))
        ph = 0 if len(words) == 1 or any("".join(words) in x for x in texts) else 1
        x = sum(1 for p, s in zip(plans, exact_sets, strict=True) if p.exact and d not in s)
        return (t, ph, x, d)

    capped = [False]  # set when ranking stopped at VERIFY_LIMIT with candidates unchecked
    if sort == "amount":
        hits = _by_amount(scope, candidates, check, limit)
    else:
        hits = _by_relevance(candidates, estimate, check, limit, capped)
    if limit is None or len(hits) < limit and not capped[0]:  # every candidate was checked
        result.count, result.exact = len(hits), True
    result.capped = capped[0]
    result.hits = [_hit(scope, d, key, words) for key, d in hits]
    return _finish(result, reader)


def _finish(result: SearchResult, reader: _Reader) -> SearchResult:
    result.bytes, result.files, result.loaded = reader.bytes, len(reader.loaded), list(reader.loaded)
    return result


def _by_relevance(candidates: list[int], estimate: Any, check: Any, limit: int | None,
                  capped: list[bool]) -> list[tuple[tuple, int]]:
    """Return (key, doc) in true rank order, checking candidates lazily in order of their estimate.

    An estimate never ranks a document lower than its true key, so a checked
    document can be shown once no unchecked one could still come before it.
    """
    order = sorted((estimate(d), d) for d in candidates)
    done: list[tuple[tuple, int]] = []
    ready: list[tuple[tuple, int]] = []
    i = 0
    checked = 0
    while limit is None or len(done) < limit:
        if ready and (i >= len(order) or ready[0][0] <= order[i][0]):
            done.append(heapq.heappop(ready))
            continue
        if i >= len(order):
            break
        if limit is not None and checked >= VERIFY_LIMIT:  # rank the rest by what is known
            capped[0] = True
            while ready and len(done) < limit:
                done.append(heapq.heappop(ready))
            break
        want = len(order) - i if limit is None else max(1, limit - len(done))
        for _, d in order[i : i + want]:
            key = check(d)
            checked += 1
            if key is not None:
                heapq.heappush(ready, (key, d))
        i += want
    return done


def _by_amount(scope: _Scope, candidates: list[int], check: Any, limit: int | None) -> list[tuple[tuple, int]]:
    """Return (key, doc) largest amount first (documents without an amount last, in site order).

    A few candidates are all loaded and sorted; many are met in the amount order
    (a/<j>.js, largest first) and checked in batches until the page is full.
    """
    total, size, chunks = scope.m["amounts"]
    want = limit if limit is not None else len(candidates)
    if limit is None or len(candidates) <= 3 * limit:
        keyed = []
        for d in candidates:
            if check(d) is not None:
                y = scope.doc(d).get("y")
                keyed.append(((0, -float(y), d) if y is not None else (1, 0.0, d), d))
        keyed.sort()
        return keyed[:want]
    members = set(candidates)
    done: list[tuple[tuple, int]] = []

    def take(queue: list[int], rank: int) -> bool:
        """Check queued documents in batches; return whether the page is full."""
        i = 0
        while i < len(queue):
            batch = queue[i : i + max(1, want - len(done))]
            done.extend(((rank, d), d) for d in batch if check(d) is not None)
            i += len(batch)
            if len(done) >= want:
                del done[want:]
                return True
        return False

    seen: set[int] = set()
    for j in range(chunks):
        queue = [d for d in _read_varints(scope.reader.load(f"{scope.scope}/a/{j}")) if d in members]
        seen.update(queue)
        if take(queue, 0):
            return done
    take([d for d in candidates if d not in seen], 1)
    return done


def _hit(scope: _Scope, n: int, key: tuple, words: list[str]) -> Hit:
    doc = scope.doc(n)
    label, anchor, excerpt = excerpt_of(doc, words)
    return Hit(n, doc["u"], anchor, doc["k"], doc["t"], doc.get("d"), doc.get("e"), doc.get("a"), excerpt, label, key)


