"""The index is built incrementally: partitions cached by content, buckets merged again only when they change.

An edit to one project re-tokenizes only its partition, merges again only the
buckets its changed keys fall in, rewrites only the files whose bytes changed,
and gives exactly the bytes of a clean build. A damaged cache is rebuilt.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from generator import search
from generator.search import SearchDoc, partition, query

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from bench_search import docs_from_records  # noqa: E402


@pytest.fixture(scope="module")
def docs() -> list[SearchDoc]:
    return list(docs_from_records(120, 11, 2))


def partitions(docs: list[SearchDoc]) -> list[list[SearchDoc]]:
    """Cut documents into departments as the engine does: a department page starts a partition."""
    out: list[list[SearchDoc]] = []
    for doc in docs:
        if doc.kind == "department" or not out or out[-1][0].edition != doc.edition:
            out.append([])
        out[-1].append(doc)
    return out


def build(docs: list[SearchDoc], out: Path, cache: Path) -> search.Written:
    parts = [search.index_partition(group, cache) for group in partitions(docs)]
    return search.write_site_index(parts, out, cache)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_index(docs: list[SearchDoc], tmp_path: Path) -> dict[str, bytes]:
    """Return the index files a clean build of `docs` writes (with no cache)."""
    search.write_indexes(docs, tmp_path / "clean")
    return snapshot(tmp_path / "clean" / "search")


def edit_one(docs: list[SearchDoc]) -> tuple[list[SearchDoc], SearchDoc]:
    """Change one indicator's target in one project."""
    i = next(i for i, d in enumerate(docs) if d.kind == "project" and any(a for a, _, _ in d.fields))
    doc = docs[i]
    fields = list(doc.fields)
    j = next(k for k, f in enumerate(fields) if f[0])
    anchor, label, text = fields[j]
    fields[j] = (anchor, label, text + " 目标值改为≥97.35%")
    edited = dataclasses.replace(doc, fields=tuple(fields))
    return [*docs[:i], edited, *docs[i + 1 :]], edited


def test_partitions_give_the_bytes_of_the_stream_writer(tmp_path: Path, docs: list[SearchDoc]) -> None:
    build(docs, tmp_path / "parts", tmp_path / "cache")
    search.write_indexes(docs, tmp_path / "stream")
    assert snapshot(tmp_path / "parts" / "search") == snapshot(tmp_path / "stream" / "search")


def test_an_edit_rebuilds_only_what_it_touches(tmp_path: Path, docs: list[SearchDoc],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out, cache = tmp_path / "public", tmp_path / "cache"
    first = build(docs, out, cache)
    assert first.merged == partition.BUCKETS  # every bucket of the one term index ("all") merged
    mtimes = {p: p.stat().st_mtime_ns for p in (out / "search").rglob("*.js")}

    # nothing changed: nothing tokenized, nothing merged, nothing written
    inverted = []
    real = partition._invert
    monkeypatch.setattr(partition, "_invert", lambda *a: inverted.append(a[1]) or real(*a))
    again = build(docs, out, cache)
    assert (inverted, again.merged, again.changed) == ([], 0, [])

    # one indicator of one project edited: one partition tokenized, a few buckets patched, a few files written
    edited_docs, edited = edit_one(docs)
    after = build(edited_docs, out, cache)
    assert len(inverted) == 1
    assert after.merged == 0 and 0 < after.patched < partition.BUCKETS // 2  # of the 256 buckets of "all"
    changed = {str(Path(p).relative_to(out / "search")) for p in after.changed}
    assert len(changed) < len(after) // 10, sorted(changed)  # a few dozen shards of 644 files
    year = str(edited.edition)
    assert all(c.split("/")[0] in (year, "all") for c in changed), sorted(changed)
    assert sum("/d/" in c for c in changed) == 1  # only the edited document's file
    assert {p for p, t in mtimes.items() if p.exists() and p.stat().st_mtime_ns != t} == {
        out / "search" / c for c in changed}

    # and the result is exactly a clean build of the edited documents
    assert snapshot(out / "search") == clean_index(edited_docs, tmp_path)
    hit = query(out / "search" / year, "97.35")
    assert [h.url for h in hit.hits] == [edited.id]


def renamed(doc: SearchDoc, name: str) -> SearchDoc:
    """Return a document with another title (its first field)."""
    anchor, label, _ = doc.fields[0]
    return dataclasses.replace(doc, title=name, fields=((anchor, label, name), *doc.fields[1:]))


def stripped(doc: SearchDoc) -> SearchDoc:
    """Return a document with its title only: every key of its other fields gone from it."""
    return dataclasses.replace(doc, fields=doc.fields[:1])


@pytest.mark.parametrize("edit", ["rename", "strip", "two departments", "new words only"])
def test_a_patched_bucket_is_the_bucket_a_merge_gives(tmp_path: Path, docs: list[SearchDoc], edit: str) -> None:
    """Edits that keep every document's number patch the last merge; the index is a clean build's, byte for byte."""
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(docs, out, cache)
    projects = [i for i, d in enumerate(docs) if d.kind == "project"]
    edited = list(docs)
    if edit == "rename":  # title keys and title postings change, and keys no other page has appear
        edited[projects[3]] = renamed(docs[projects[3]], "枫桥式公共法律服务站点建设 Ωx-9931")
    elif edit == "strip":  # keys leave the page, some leave the whole index
        edited[projects[5]] = stripped(docs[projects[5]])
    elif edit == "two departments":
        edited[projects[0]] = stripped(docs[projects[0]])
        edited[projects[-1]] = renamed(docs[projects[-1]], docs[projects[0]].title)
    else:  # the same words again elsewhere, and a word of its own
        edited[projects[7]] = renamed(docs[projects[7]], docs[projects[7]].title + " 彭阳县 ζ7")
    written = build(edited, out, cache)
    assert written.merged == 0 and written.patched > 0
    assert snapshot(out / "search") == clean_index(edited, tmp_path)


def test_what_a_patch_cannot_vouch_for_is_merged(tmp_path: Path, docs: list[SearchDoc]) -> None:
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(docs, out, cache)
    projects = [i for i, d in enumerate(docs) if d.kind == "project"]
    # the last merge gone: merged again
    for path in (cache / "search" / "merged").rglob("*.b"):
        path.unlink()
    edited = list(docs)
    edited[projects[2]] = renamed(docs[projects[2]], "一个新的名称 θ42")
    written = build(edited, out, cache)
    assert written.merged == partition.BUCKETS and written.patched == 0
    # a document added: the numbers after it moved, every posting there changed
    more = [*edited[: projects[4]], renamed(docs[projects[4]], "新增项目"), *edited[projects[4]:]]
    more[projects[4]] = dataclasses.replace(more[projects[4]], id=more[projects[4]].id.replace(".html", "-new.html"))
    written = build(more, out, cache)
    assert written.patched == 0 and written.merged > 0
    assert snapshot(out / "search") == clean_index(more, tmp_path)


def test_removed_documents_leave_no_files(tmp_path: Path, docs: list[SearchDoc]) -> None:
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(docs, out, cache)
    (out / "search" / "index.html").write_text("the search page", encoding="utf-8")
    fewer = [d for d in docs if d.edition == docs[0].edition]
    build(fewer, out, cache)
    assert (out / "search" / "index.html").read_text(encoding="utf-8") == "the search page"  # the site's, not the index's
    (out / "search" / "index.html").unlink()
    assert snapshot(out / "search") == clean_index(fewer, tmp_path)
    # the cache keeps only what this build used
    assert len(list((cache / "search" / "parts").rglob("*.part"))) == len(partitions(fewer))


def test_a_damaged_cache_is_rebuilt_not_trusted(tmp_path: Path, docs: list[SearchDoc]) -> None:
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(docs, out, cache)
    for path in (cache / "search" / "parts").rglob("*.part"):
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        path.write_bytes(bytes(raw))
    build(docs, tmp_path / "again", cache)
    assert snapshot(tmp_path / "again" / "search") == snapshot(out / "search")


def test_a_stale_summary_is_refused(tmp_path: Path, docs: list[SearchDoc]) -> None:
    # The engine may keep PartitionIndex objects between builds: if the file behind one changed, the
    # merge says so (CacheError) instead of writing postings it cannot vouch for.
    cache = tmp_path / "cache"
    parts = [search.index_partition(group, cache) for group in partitions(docs)]
    path = Path(parts[0].path)
    raw = bytearray(path.read_bytes())
    b, at, length, _ = parts[0].buckets[0]
    raw[at + length // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(search.CacheError):
        search.write_site_index(parts, tmp_path / "out", tmp_path / "other-cache")
    assert not path.exists()  # removed: the next build makes the partition again instead of failing on it


def test_a_partition_found_by_its_inputs_is_checked_by_its_head_and_size(tmp_path: Path, docs: list[SearchDoc]) -> None:
    # known_partition reads only the head (500 partitions per build at 10,000 projects); the blobs are
    # checked by their own digests when merged (test above), so a cut or a damaged head is what it must see.
    cache = tmp_path / "cache"
    part = search.index_partition(partitions(docs)[0], cache)
    search.remember(cache, "inputs", part)
    assert search.known_partition(cache, "inputs") == part
    path = Path(part.path)
    raw = path.read_bytes()
    for damaged in (raw[:-1], raw + b"\0", raw[: partition.HEAD_AT + 2],
                    raw[: partition.HEAD_AT + 9] + bytes([raw[partition.HEAD_AT + 9] ^ 0xFF]) + raw[partition.HEAD_AT + 10 :],
                    b"DSPART02" + raw[len(partition.MAGIC) :]):
        path.write_bytes(damaged)
        assert search.known_partition(cache, "inputs") is None
    path.write_bytes(raw)
    assert search.known_partition(cache, "inputs") == part


class Sink:
    """The engine's Output, as the index sees it: write(relative path, bytes) -> whether the bytes changed."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, path: str, data: bytes) -> bool:
        changed = self.files.get(path) != data
        self.files[path] = data
        return changed


def test_files_can_go_through_the_engines_output(tmp_path: Path, docs: list[SearchDoc]) -> None:
    cache, sink = tmp_path / "cache", Sink()
    parts = [search.index_partition(group, cache) for group in partitions(docs)]
    written = search.write_site_index(parts, tmp_path / "public", cache, output=sink)
    assert not (tmp_path / "public").exists()
    search.write_indexes(docs, tmp_path / "clean")
    assert {f"search/{k}": v for k, v in snapshot(tmp_path / "clean" / "search").items()} == sink.files
    assert len(written.changed) == len(sink.files)
    again = search.write_site_index(parts, tmp_path / "public", cache, output=sink)
    assert again.changed == [] and again.merged == 0


class KeyedSink(Sink):
    """A sink that remembers what each file was made from, as the engine's Output does."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, str] = {}
        self.asked: list[str] = []  # files handed over (not kept by their key)

    def fresh(self, path: str, key: str) -> bool:
        return path in self.files and self.keys.get(path) == key

    def write(self, path: str, data: bytes, key: str = "") -> bool:  # type: ignore[override]
        self.asked.append(path)
        self.keys[path] = key
        return super().write(path, data)


def test_an_edit_hands_over_only_the_shards_it_touches(tmp_path: Path, docs: list[SearchDoc]) -> None:
    """A term shard made of unchanged buckets is kept by its key: its files are neither made nor compared."""
    cache, sink = tmp_path / "cache", KeyedSink()
    search.write_site_index([search.index_partition(g, cache) for g in partitions(docs)], tmp_path / "p", cache,
                            output=sink)
    shards = [p for p in sink.files if "/t/" in p]
    sink.asked.clear()
    edited_docs, _ = edit_one(docs)
    search.write_site_index([search.index_partition(g, cache) for g in partitions(edited_docs)], tmp_path / "p",
                            cache, output=sink)
    asked = [p for p in sink.asked if "/t/" in p]
    assert 0 < len(asked) < len(shards) // 4, (len(asked), len(shards))
    search.write_indexes(edited_docs, tmp_path / "clean")  # and what the sink holds is a clean build's index
    assert {f"search/{k}": v for k, v in snapshot(tmp_path / "clean" / "search").items()} == sink.files


def test_an_edition_can_be_left_out_of_the_all_index(tmp_path: Path, docs: list[SearchDoc]) -> None:
    draft = str(docs[0].edition)
    search.write_indexes(docs, tmp_path, leave_out={draft})
    everything = query(tmp_path / "search" / "all", "司法", limit=None)
    own = query(tmp_path / "search" / draft, "司法", limit=None)
    assert own.hits and not {h.url for h in own.hits} & {h.url for h in everything.hits}
    assert (tmp_path / "search" / draft / "manifest.js").exists()


def test_buckets_merged_in_worker_processes_give_the_same_bytes(tmp_path: Path, docs: list[SearchDoc],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.search import merge

    monkeypatch.setattr(merge, "PARALLEL_MERGE", 0)  # these few documents would be merged here
    asked: list[int] = []
    real = merge.forked_map
    monkeypatch.setattr(merge, "forked_map", lambda f, items, jobs, **kw: asked.append(jobs) or real(f, items, jobs, **kw))
    sinks = {}
    for workers in (1, 2):
        cache, sinks[workers] = tmp_path / f"cache{workers}", Sink()
        parts = [search.index_partition(group, cache) for group in partitions(docs)]
        written = search.write_site_index(parts, tmp_path / "public", cache, output=sinks[workers], workers=workers)
        assert written.merged == partition.BUCKETS
    assert asked == [1, 2]  # the one term index, merged with the workers asked for
    assert sinks[1].files == sinks[2].files
