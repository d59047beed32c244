"""Merging partitions into a scope's buckets: cached by what they are made of, patched after a small edit.

A bucket's merged entries (one line per key: hash, key, postings over the
whole scope) depend only on the scope's document count and, for each partition
with keys in the bucket, its first document number and the digest of its
postings there. They are cached in `<cache>/search/merged/` under the hash of
exactly that, so an unchanged bucket is never merged again.

A bucket that did change is usually changed by one edited department whose
documents kept their numbers. Merging it again means reading that bucket from
every partition of the scope (500 files at 10,000 projects) and encoding every
posting in it, about 50 ms a bucket and 1.5 s for the 30 buckets a renamed
project touches. Instead the bucket is patched: the previous build's merged file
is copied, and only the keys whose postings differ between the department's old
and new partition are decoded, have the department's range of document numbers
replaced, and are encoded again. The result is the bytes a merge would give
(tested); whatever the patch needs and cannot vouch for (a missing file, a
digest that does not match, documents renumbered) means a merge instead.

What the patch starts from is the scope's recipe (`merged/last/<scope>`): the
document count and, per partition in order, its first document and file, as the
last build merged them. That build's partition files are still there: the cache
is pruned only after the merge.
"""

from __future__ import annotations

import array
import hashlib
import json
import marshal
import os
import re
from collections import deque
from pathlib import Path

from ..forked import forked_map
from . import partition
from .partition import FORMAT, PartitionIndex
from .postings import decode_posting, encode_posting

INLINE_MAX = 200  # a posting longer than this (characters) gets a file of its own
EXTERNAL_SIZE = 12  # what an external posting's reference counts towards a shard's size
RANGE = 32  # buckets merged together: one read per partition file for each range
PARALLEL_MERGE = 2000  # documents in a scope from which its buckets are merged in worker processes

Entry = tuple[int, str, int, str, int, str]  # (key hash, key as JSON, docs, posting, title docs, title posting)
Where = list[list[tuple[int, int, int, int, str]]]  # per bucket: (member, first document, offset, length, digest)


def merged_buckets(cache: Path, scope: str, n: int, members: list[tuple[int, PartitionIndex]],
                   workers: int = 1) -> tuple[list[Path], int, int, int]:
    """Return the file of every bucket's merged entries, their total size, and how many were merged and patched.

    Each range of buckets is merged on its own into its own files, so with
    `workers` and a scope of PARALLEL_MERGE documents or more, ranges are merged
    side by side in forked workers (at 10,000 projects these merges were 21 of the
    31 s the main process spent writing a cold build's index, both scopes together).
    """
    count = partition.BUCKETS
    where: Where = [[] for _ in range(count)]
    named: list[list[str]] = [[] for _ in range(count)]  # each bucket's pieces as its file's name is made of them
    for m, (first, p) in enumerate(members):
        if p.buckets_count != count:
            raise partition.CacheError(p.path)
        for b, at, length, digest in p.buckets:
            where[b].append((m, first, at, length, digest))
            named[b].append(f"{first}:{digest}")
    root = cache / "search" / "merged"
    paths, todo = [], []
    for b in range(count):
        path = _bucket_path(root, n, b, named[b])
        paths.append(path)
        if not path.exists():
            todo.append(b)
    patched = _patch_buckets(root, scope, n, members, where, paths, todo) if todo else set()
    todo = [b for b in todo if b not in patched]
    ranges = [wanted for lo in range(0, count, RANGE) if (wanted := [b for b in todo if lo <= b < lo + RANGE])]
    deque(forked_map(lambda wanted: _merge_range(wanted, where, members, n, paths), ranges,
                     workers if n >= PARALLEL_MERGE else 1), maxlen=0)
    total = 0
    for path in paths:
        with path.open("rb") as f:
            total += int(f.readline())
    root.mkdir(parents=True, exist_ok=True)
    with (root / "used").open("a", encoding="utf-8") as f:
        f.write("".join(p.stem + "\n" for p in paths))
    _write_atomically(root / "last" / scope, marshal.dumps((FORMAT, n, [(first, p.path) for first, p in members])))
    return paths, total, len(todo), len(patched)


def _bucket_path(root: Path, n: int, b: int, pieces: list[str]) -> Path:
    """Return the file of a bucket merged from these pieces: "first document:digest" of each partition with keys in it.

    The pieces come named (up to 128,000 at 10,000 projects): made as tuples and named here, they
    took 89 ms of CPU per scope against 63–75 ms (500 partitions × 256 buckets).
    """
    key = hashlib.blake2b(f"{FORMAT}|{n}|{b}|".encode() + ";".join(pieces).encode(), digest_size=16).hexdigest()
    return root / key[:2] / f"{key}.b"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- merging -------------------------------------------------------------------------


def _merge_range(wanted: list[int], where: Where, members: list[tuple[int, PartitionIndex]], n: int,
                 paths: list[Path]) -> None:
    """Merge some buckets, reading each partition file once (the span of its wanted buckets)."""
    spans: dict[int, tuple[int, int]] = {}
    for b in wanted:
        for m, _, at, length, _ in where[b]:
            lo, hi = spans.get(m, (at, at + length))
            spans[m] = (min(lo, at), max(hi, at + length))
    data: dict[int, tuple[int, bytes]] = {}
    for m, (lo, hi) in spans.items():
        with open(members[m][1].path, "rb") as f:
            f.seek(lo)
            data[m] = (lo, f.read(hi - lo))
    for b in wanted:
        merged: dict[str, tuple[list[int], list[int]]] = {}
        for m, first, at, length, digest in where[b]:
            lo, blob = data[m]
            for key, body, title in _checked(blob[at - lo : at - lo + length], digest, members[m][1].path):
                got = merged.get(key)
                if got is None:
                    got = merged[key] = ([], [])
                got[0].extend(_ids(body, first))
                if title:
                    got[1].extend(_ids(title, first))
        lines, size = [], 0
        for key in sorted(merged):
            line, line_size = _line(key, *merged[key], n)
            lines.append(line)
            size += line_size
        _write_atomically(paths[b], (f"{size}\n" + "".join(lines)).encode("utf-8"))


def _line(key: str, body: list[int], title: list[int], n: int) -> tuple[str, int]:
    """Return a key's line of a merged bucket and what it adds to the shards' size."""
    k = _json_string(key)
    pb = encode_posting(body, n)
    pt = encode_posting(title, n) if title else ""
    fields = (k, str(len(body)), pb, str(len(title)), pt)
    return f"{partition.key_hash(key)}\t" + "\t".join(fields) + "\n", _entry_size(*fields)


def _entry_size(k: str, nb: str, pb: str, nt: str, pt: str) -> int:
    """Return what a key's entry adds to its shard's size (inline postings by length, external ones by reference)."""
    size = len(k.encode("utf-8")) + len(nb) + 5 + _ref_size(pb)
    if nt != "0":
        size += len(nt) + 2 + _ref_size(pt)
    return size


def _ids(raw: bytes, first: int) -> list[int]:
    ids = array.array("H")
    ids.frombytes(raw)
    return list(map(first.__add__, ids)) if first else ids.tolist()


def _ref_size(posting: str) -> int:
    return len(posting) + 2 if len(posting) <= INLINE_MAX else EXTERNAL_SIZE


def _json_string(text: str) -> str:
    """Return text as a JSON string (the fast path for keys that need no escaping)."""
    return json.dumps(text, ensure_ascii=False) if _NEEDS_ESCAPE.search(text) else '"' + text + '"'


_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\u2028\u2029]')


def entries(path: Path) -> list[Entry]:
    """Return a merged bucket's entries, in key order."""
    with path.open(encoding="utf-8") as f:
        f.readline()
        out = []
        for line in f:
            h, k, nb, pb, nt, pt = line.rstrip("\n").split("\t")
            out.append((int(h), k, int(nb), pb, int(nt), pt))
    return out


# --- patching ------------------------------------------------------------------------


def _patch_buckets(root: Path, scope: str, n: int, members: list[tuple[int, PartitionIndex]], where: Where,
                   paths: list[Path], todo: list[int]) -> set[int]:
    """Patch the buckets in `todo` from the last build's merge where that is sound; return the ones patched."""
    try:
        version, last_n, last = marshal.loads((root / "last" / scope).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return set()
    if version != FORMAT or last_n != n or [first for first, _ in last] != [first for first, _ in members]:
        return set()  # documents renumbered (added, removed, moved): every posting after them changed
    changed = [m for m, ((_, old), (_, new)) in enumerate(zip(last, members, strict=True)) if old != new.path]
    ends = [first for first, _ in members[1:]] + [n]
    old_heads: dict[int, dict[int, tuple[int, int, str]]] = {}
    for m in changed:
        try:
            head = partition.read_head(Path(last[m][1]), whole=False)
        except partition.CacheError:
            return set()
        old_heads[m] = {b: (at, length, digest) for b, at, length, digest in partition.bucket_layout(head)}
    done = set()
    for b in todo:
        # what the last build merged bucket b from: the same pieces, but the changed partitions' old ones
        pieces = {m: f"{first}:{digest}" for m, first, _, _, digest in where[b] if m not in old_heads}
        pieces.update((m, f"{members[m][0]}:{blobs[b][2]}") for m, blobs in old_heads.items() if b in blobs)
        base = _bucket_path(root, n, b, [pieces[m] for m in sorted(pieces)])
        now = {m: (at, length, digest) for m, _, at, length, digest in where[b] if m in old_heads}
        moved = [m for m in changed if old_heads[m].get(b, (0, 0, ""))[2] != now.get(m, (0, 0, ""))[2]]
        try:
            changes = [(members[m][0], ends[m], _read_piece(last[m][1], old_heads[m].get(b)),
                        _read_piece(members[m][1].path, now.get(m))) for m in moved]
            _patch(base, paths[b], n, changes)
        except (OSError, partition.CacheError, ValueError):
            continue
        done.add(b)
    return done


def _read_piece(path: str, where: tuple[int, int, str] | None) -> dict[str, tuple[bytes, bytes]]:
    """Return one partition's entries in one bucket (none when it has no keys there), checked against their digest."""
    if where is None:
        return {}
    at, length, digest = where
    with open(path, "rb") as f:
        f.seek(at)
        piece = f.read(length)
    return {key: (body, title) for key, body, title in _checked(piece, digest, path)}


def _checked(piece: bytes, digest: str, path: str) -> list[tuple[str, bytes, bytes]]:
    """Return a partition's entries in one bucket from their bytes, if they are the bytes its head names."""
    if hashlib.blake2b(piece, digest_size=8).hexdigest() != digest:
        raise partition.damaged(path)
    return marshal.loads(piece)


def _patch(base: Path, target: Path, n: int, changes: list[tuple[int, int, dict, dict]]) -> None:
    """Write bucket `target` from merged bucket `base` and, per changed partition, (first, end, old entries, new entries)."""
    keys = {key for _, _, old, new in changes for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
    with base.open(encoding="utf-8") as f:
        size = int(f.readline())
        lines = f.readlines()
    raw = [_raw_key(line[line.index("\t") + 1 : line.index("\t", line.index("\t") + 1)]) for line in lines]
    at = {key: i for i, key in enumerate(raw)}
    replaced: dict[str, str | None] = {}
    for key in keys:
        body: list[int] = []
        title: list[int] = []
        if key in at:
            fields = lines[at[key]].rstrip("\n").split("\t")[1:]
            body, title = decode_posting(fields[2], n), decode_posting(fields[4], n) if fields[4] else []
            size -= _entry_size(*fields)
        for first, end, _, new in changes:
            body = [d for d in body if not first <= d < end]
            title = [d for d in title if not first <= d < end]
            if key in new:
                body.extend(_ids(new[key][0], first))
                title.extend(_ids(new[key][1], first) if new[key][1] else ())
        if body:
            body.sort()
            title.sort()
            line, line_size = _line(key, body, title, n)
            replaced[key] = line
            size += line_size
        else:
            replaced[key] = None
    out = [replaced.get(key, line) for key, line in zip(raw, lines, strict=True)]
    added = sorted(key for key in replaced if key not in at and replaced[key] is not None)
    if added:
        kept = list(zip(raw, out, strict=True))
        kept.extend((key, replaced[key]) for key in added)
        kept.sort(key=lambda item: item[0])
        out = [line for _, line in kept]
    _write_atomically(target, (f"{size}\n" + "".join(line for line in out if line is not None)).encode("utf-8"))


def _raw_key(k: str) -> str:
    """Return a key from its JSON string (as a merged line holds it)."""
    return k[1:-1] if "\\" not in k else json.loads(k)

