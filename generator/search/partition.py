"""Partitions: the documents of one department (or any group), inverted once and cached by content.

`index_partition` is a pure task for a worker process: it tokenizes a
partition's documents and inverts them into local postings (document numbers
counted from the partition's first document), grouped by key hash into
`BUCKETS` buckets, and stores them in one file of the cache folder named by
the digest of the partition's content. A partition whose documents did not
change is found there and not tokenized again. What it returns
(`PartitionIndex`) is small and picklable: the digest, the document count, the
metadata the manifest needs and, per bucket, where its postings lie in the
file and their digest, so the merge (generator/search/write.py) can tell which
buckets of the index changed without reading them.

The file: MAGIC, the SHA-256 of the rest, the SHA-256 of the head, then a
marshalled head (metadata and the digest of each blob after it), the
documents' files (`packed` JSON) as one marshalled blob, and one marshalled blob per non-empty
bucket, a sorted list of (key, body posting, title posting) with postings as
16-bit offsets. A file whose magic, size or
checksum does not match is rebuilt, never trusted. A build that finds a
department's partition by its inputs (`known_partition`, 500 times at 10,000
projects) checks the head alone: the blobs are checked by their own digests
as the merge reads them, and reading and hashing every whole file took 0.5 s
of a one-edit build (226 MB).
"""

from __future__ import annotations

import array
import base64
import hashlib
import json
import marshal
import os
import struct
import zlib
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

from .docs import SearchDoc
from .text import _keys, key_hash, normalize

FORMAT = 3  # of the index files and of the cache; part of every digest
MAGIC = b"DSPART03"
HEAD_AT = len(MAGIC) + 32 + 32  # the head's length and the head follow the two checksums
BUCKETS = 256  # key-hash buckets of a partition (a power of two); the merge caches one result per bucket
MAX_DOCS = 65535  # postings are 16-bit offsets within a partition

_APPEND = list.append


class CacheError(Exception):
    """A cached partition file is missing or damaged: build again from the documents."""


def damaged(path: str) -> CacheError:
    """Remove a partition file found damaged, so that the next build makes it again; return the error to raise."""
    Path(path).unlink(missing_ok=True)
    return CacheError(path)


@dataclass(frozen=True)
class PartitionIndex:
    """A partition as the merge needs it; its postings stay in the cache file `path`."""

    folder: str  # the index folder of its documents: an edition's year, or "pages"
    digest: str
    path: str
    n: int
    editions: tuple[tuple[int, int], ...]  # (year or 0, count) in document order
    amounts: tuple[float | None, ...]  # per document, in 元, for sorting by amount
    level1: tuple[tuple[str, int], ...]  # 一级 filter values and how many documents have each
    departments: tuple[tuple[str, int], ...]
    buckets: tuple[tuple[int, int, int, str], ...]  # (bucket, offset, length, digest) of non-empty buckets
    buckets_count: int  # BUCKETS when it was made (the merge refuses a mix)


def doc_json(doc: SearchDoc) -> dict[str, Any]:
    """Return the data of a document's file (d/…): what the client shows, checks and excerpts."""
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


def packed(body: str) -> str:
    """Return a document's JSON as its file holds it: a JSON string of the zlib stream, in base64.

    Documents are two thirds of an index and their text compresses to a third;
    base64 gives back a third of that, and keeps the file a classic script that
    loads from file:// (search.js inflates it). Served with gzip, a query's bytes
    on the wire are 2–6 % more than with plain JSON (measured at 10,000 projects).
    """
    return '"' + base64.b64encode(zlib.compress(body.encode("utf-8"), 9)).decode("ascii") + '"'


def unpacked(data: Any) -> Any:
    """Return a document's data from what its file holds (see `packed`)."""
    if not isinstance(data, str):
        raise ValueError("a document file holds a packed document")
    return json.loads(zlib.decompress(base64.b64decode(data, validate=True)).decode("utf-8"))


def dumps(data: Any) -> str:
    """Return compact JSON, as every index file holds it."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def index_partition(docs: Sequence[SearchDoc], cache_dir: Path, folder: str | None = None) -> PartitionIndex:
    """Invert a partition's documents into the cache (or find them there); return its summary.

    `folder` defaults to the documents' edition ("pages" for documents of none);
    all documents of a partition belong to one folder.
    """
    if len(docs) > MAX_DOCS:
        raise ValueError(f"a partition holds at most {MAX_DOCS} documents, not {len(docs)}")
    if folder is None:
        folder = str(docs[0].edition) if docs and docs[0].edition is not None else "pages"
    bodies = [dumps(doc_json(doc)) for doc in docs]
    # zlib's version too: another zlib may compress the same documents to other bytes
    digest = hashlib.sha256(dumps([FORMAT, BUCKETS, zlib.ZLIB_RUNTIME_VERSION, folder, bodies,
                                   [d.level1 for d in docs]]).encode()).hexdigest()
    path = Path(cache_dir) / "search" / "parts" / digest[:2] / f"{digest}.part"
    try:
        return _summary(path, read_head(path), digest)
    except CacheError:
        pass
    head, documents, blobs = _invert(docs, folder, bodies)
    _store(path, head, documents, blobs)
    return _summary(path, head, digest)


def known_partition(cache_dir: Path, key: str) -> PartitionIndex | None:
    """Return the partition last made from inputs named by `key` (see `remember`), if its file is sound."""
    alias = Path(cache_dir) / "search" / "inputs" / key
    try:
        digest = alias.read_text(encoding="ascii")
    except OSError:
        return None
    path = Path(cache_dir) / "search" / "parts" / digest[:2] / f"{digest}.part"
    try:
        return _summary(path, read_head(path, whole=False), digest)
    except CacheError:
        return None


def present(part: PartitionIndex) -> bool:
    """Tell whether a partition's file is still there at the size its summary says (its blobs are checked as read)."""
    try:
        size = os.stat(part.path).st_size
    except OSError:
        return False
    if not part.buckets:
        return True
    _, offset, length, _ = part.buckets[-1]  # empty buckets after it have no bytes: it ends the file
    return size == offset + length


def remember(cache_dir: Path, key: str, part: PartitionIndex) -> None:
    """Note which partition `key`'s inputs made, so that the next build need not make its documents again."""
    alias = Path(cache_dir) / "search" / "inputs" / key
    alias.parent.mkdir(parents=True, exist_ok=True)
    tmp = alias.with_name(f".{key}.{os.getpid()}")
    tmp.write_text(part.digest, encoding="ascii")
    os.replace(tmp, alias)


def forget_others(cache_dir: Path, keys: set[str]) -> None:
    """Drop the notes of inputs this build did not have."""
    folder = Path(cache_dir) / "search" / "inputs"
    if folder.is_dir():
        for alias in folder.iterdir():
            if alias.name not in keys:
                alias.unlink(missing_ok=True)


def _invert(docs: Sequence[SearchDoc], folder: str, bodies: list[str]) -> tuple[dict[str, Any], bytes, list[bytes]]:
    """Tokenize the documents; return the file's head, its documents' blob and its bucket blobs."""
    body: defaultdict[str, list[int]] = defaultdict(list)
    title: defaultdict[str, list[int]] = defaultdict(list)
    editions: list[list[int]] = []
    level1: Counter[str] = Counter()
    departments: Counter[str] = Counter()
    for local, doc in enumerate(docs):
        texts = [text for _, _, text in doc.fields]
        # Fields are joined by a line break: whitespace is never inside a key, so the keys of the
        # whole text are the union of the fields' keys, for one call instead of forty.
        keys = _keys(normalize("\n".join(texts)))
        if doc.department:
            keys.add("D" + doc.department)
            departments[doc.department] += 1
        for name in doc.level1:
            keys.add("L" + name)
            level1[name] += 1
        deque(map(_APPEND, map(body.__getitem__, keys), repeat(local)), maxlen=0)
        if doc.title_fields and texts[: doc.title_fields]:
            head_keys = _keys(normalize("\n".join(texts[: doc.title_fields])))
            deque(map(_APPEND, map(title.__getitem__, head_keys), repeat(local)), maxlen=0)
        year = doc.edition or 0
        if editions and editions[-1][0] == year:
            editions[-1][1] += 1
        else:
            editions.append([year, 1])
    grouped: list[list[tuple[str, bytes, bytes]]] = [[] for _ in range(BUCKETS)]
    for key in sorted(body):
        t = array.array("H", title[key]).tobytes() if key in title else b""
        grouped[key_hash(key) & (BUCKETS - 1)].append((key, array.array("H", body[key]).tobytes(), t))
    blobs = [marshal.dumps(g) if g else b"" for g in grouped]
    documents = marshal.dumps([packed(b) for b in bodies])
    head = {
        "folder": folder, "n": len(docs), "editions": editions,
        "docs": (len(documents), hashlib.blake2b(documents, digest_size=8).hexdigest()),
        "amounts": [float(d.amount_yuan) if d.amount_yuan is not None else None for d in docs],
        "level1": sorted(level1.items()), "departments": sorted(departments.items()),
        "blobs": [(len(b), hashlib.blake2b(b, digest_size=8).hexdigest() if b else "") for b in blobs],
    }
    return head, documents, blobs


def _store(path: Path, head: dict[str, Any], documents: bytes, blobs: list[bytes]) -> None:
    """Write a partition file atomically (a crash or a parallel writer never leaves half a file)."""
    encoded = marshal.dumps(head)
    head_bytes = struct.pack("<I", len(encoded)) + encoded
    rest = hashlib.sha256(head_bytes).digest() + head_bytes + documents + b"".join(blobs)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(MAGIC + hashlib.sha256(rest).digest() + rest)
    os.replace(tmp, path)
    head["docs_at"] = HEAD_AT + len(head_bytes)
    head["start"] = head["docs_at"] + len(documents)


def read_head(path: Path, whole: bool = True) -> dict[str, Any]:
    """Return a partition file's head, checking the whole file (or its head and size); raise CacheError if unsound."""
    try:
        with path.open("rb") as f:
            raw = f.read() if whole else f.read(HEAD_AT + 4)
            (size,) = struct.unpack("<I", raw[HEAD_AT : HEAD_AT + 4])
            head_bytes = raw[HEAD_AT : HEAD_AT + 4 + size] if whole else raw[HEAD_AT:] + f.read(size)
            file_size = os.fstat(f.fileno()).st_size
    except (OSError, struct.error) as exc:
        raise CacheError(str(path)) from exc
    sound = raw[: len(MAGIC)] == MAGIC and len(head_bytes) == 4 + size \
        and hashlib.sha256(head_bytes).digest() == raw[len(MAGIC) + 32 : HEAD_AT]
    if whole:
        sound = sound and hashlib.sha256(raw[len(MAGIC) + 32 :]).digest() == raw[len(MAGIC) : len(MAGIC) + 32]
    if not sound:
        raise CacheError(str(path))
    try:
        head = marshal.loads(head_bytes[4:])
        head["docs_at"] = HEAD_AT + 4 + size
        head["start"] = head["docs_at"] + head["docs"][0]
        blobs = sum(n for n, _ in head["blobs"])
    except (ValueError, EOFError, TypeError, KeyError) as exc:
        raise CacheError(str(path)) from exc
    if file_size != head["start"] + blobs:  # cut short (or grown): its blobs cannot be where the head says
        raise CacheError(str(path))
    return head


def bucket_layout(head: dict[str, Any]) -> tuple[tuple[int, int, int, str], ...]:
    """Return where a partition file's non-empty buckets lie: (bucket, offset, length, digest) each."""
    buckets, offset = [], head["start"]
    for b, (length, blob_digest) in enumerate(head["blobs"]):
        if length:
            buckets.append((b, offset, length, blob_digest))
        offset += length
    return tuple(buckets)


def _summary(path: Path, head: dict[str, Any], digest: str) -> PartitionIndex:
    if len(head.get("blobs", ())) != BUCKETS:
        raise CacheError(str(path))
    buckets = bucket_layout(head)
    return PartitionIndex(
        folder=head["folder"], digest=digest, path=str(path), n=head["n"],
        editions=tuple((y, c) for y, c in head["editions"]), amounts=tuple(head["amounts"]),
        level1=tuple((k, v) for k, v in head["level1"]), departments=tuple((k, v) for k, v in head["departments"]),
        buckets=buckets, buckets_count=len(head["blobs"]),
    )


def read_docs(part: PartitionIndex) -> list[str]:
    """Return the bodies of a partition's document files (`packed` JSON), in order."""
    path = Path(part.path)
    head = read_head(path, whole=False)
    length, digest = head["docs"]
    try:
        with path.open("rb") as f:
            f.seek(head["docs_at"])
            documents = f.read(length)
    except OSError as exc:
        raise CacheError(str(path)) from exc
    if hashlib.blake2b(documents, digest_size=8).hexdigest() != digest:
        raise damaged(str(path))
    return marshal.loads(documents)
