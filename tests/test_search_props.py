"""Search properties over synthetic content (bench/make_content.py), against brute force.

Recall: every document whose normalised text contains every query word is found.
Precision: every result shown contains every word. Also: results come in rank
order and a first page is the start of the full list; filters and sorting by
amount agree with brute force; the index bytes do not depend on how often
postings were spilled to disk or how many shards there are; and search.js,
run in Chromium, returns exactly what the Python twin returns and loads the
same files.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from generator import search
from generator.load import load_content
from generator.search import SearchDoc, query

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import make_content  # noqa: E402
from bench_search import docs_from_records  # noqa: E402

PROJECTS = 200
SEED = 7


@pytest.fixture(scope="module")
def docs() -> list[SearchDoc]:
    return list(docs_from_records(PROJECTS, SEED, 2))


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, docs: list[SearchDoc]) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    search.write_indexes(docs, out)
    return out


def texts_of(doc: SearchDoc) -> list[str]:
    return [search.normalize(text) for _, _, text in doc.fields]


def brute(docs: list[SearchDoc], q: str) -> set[str]:
    words = search.query_words(q)
    return {d.id for d in docs if words and all(any(w in t for t in texts_of(d)) for w in words)}


def random_queries(docs: list[SearchDoc], count: int, seed: int) -> list[str]:
    """Substrings of the documents' own text (1 to 9 characters), pairs of them, and near misses."""
    r = random.Random(seed)
    out: list[str] = []

    def piece() -> str:
        while True:
            text = r.choice(texts_of(r.choice(docs)))
            segment = r.choice(text.split(" "))
            if segment:
                start = r.randrange(len(segment))
                return segment[start : start + r.randint(1, 9)]

    while len(out) < count:
        kind = r.random()
        if kind < 0.6:
            out.append(piece())
        elif kind < 0.8:
            out.append(piece() + " " + piece())
        elif kind < 0.9:
            out.append(piece()[::-1])  # often absent: the index must not invent it
        else:
            out.append(piece().upper() + "\u3000")  # case and full-width space are normalised away
    return out


def test_records_validate_and_look_like_the_real_ones(tmp_path: Path) -> None:
    counts = make_content.write_content(tmp_path / "content", 45, SEED, editions=2)
    assert counts == {"site": 1, "edition": 2, "department": 4, "project": 45}
    loaded = load_content(tmp_path / "content")
    assert not loaded.report.errors, loaded.report.errors[:3]
    projects = [p for e in loaded.site.editions for p in e.projects]
    assert len(projects) == 45
    for p in projects:
        assert 10 <= sum(len(g.indicators) for l1 in p.indicators for g in l1.groups) <= 30
        assert 3 <= len(p.cost_tables[0].lines) <= 12
    files = sorted((tmp_path / "content").glob("*/*/*.yaml"))
    assert all(f.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../../../docs/schema/")
               for f in files)


def test_make_content_is_deterministic(tmp_path: Path) -> None:
    make_content.write_content(tmp_path / "a", 30, 3)
    make_content.write_content(tmp_path / "b", 30, 3)
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.yaml")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.yaml")}
    assert a == b


@pytest.mark.parametrize("seed", range(3))
def test_recall_and_precision_on_random_queries(seed: int, docs: list[SearchDoc], index: Path) -> None:
    for q in random_queries(docs, 30, seed):
        truth = brute(docs, q)
        full = query(index / "search" / "all", q, limit=None)
        assert set(full.urls) == truth, q  # recall and precision
        assert len(full.urls) == len(truth) == full.count and full.exact, q
        keys = [h.key for h in full.hits]
        assert keys == sorted(keys), q  # rank order
        first = query(index / "search" / "all", q)
        assert set(first.urls) <= truth and first.count >= len(truth), q
        if not first.capped:  # (a page cut short by VERIFY_LIMIT shows what it found, in rank order)
            assert first.urls == full.urls[: search.read.PAGE_SIZE], q  # the first page is the start of the list
        if first.exact:
            assert first.count == len(truth), q


def test_ranking_puts_name_matches_and_phrases_first(docs: list[SearchDoc], index: Path) -> None:
    by_id = {d.id: d for d in docs}
    for q in ("调解", "法律援助", "满意度", "经费", "司法 协理员"):
        words = search.query_words(q)
        hits = query(index / "search" / "all", q, limit=None).hits
        in_title = [sum(1 for w in words if not any(w in t for t in texts_of(by_id[h.url])[: by_id[h.url].title_fields]))
                    for h in hits]
        assert in_title == sorted(in_title), q
    hits = query(index / "search" / "all", "司法 协理员", limit=None).hits
    for a, b in zip(hits, hits[1:], strict=False):
        if a.key[0] == b.key[0]:
            assert a.key[1] <= b.key[1]  # "司法协理员" as one phrase before scattered words


@pytest.mark.parametrize("q", ["调解", "满意度", "经费 2024", "31.9", "中心"])
def test_filters_agree_with_brute_force(q: str, docs: list[SearchDoc], index: Path) -> None:
    truth = brute(docs, q)
    by_id = {d.id: d for d in docs}
    department = sorted({d.department for d in docs if d.department})[1]
    level1 = "满意度"
    for edition in (2024, 2023):
        got = query(index / "search" / "all", q, edition=edition, limit=None).urls
        assert set(got) == {i for i in truth if by_id[i].edition == edition}
    got = query(index / "search" / "all", q, department=department, limit=None).urls
    assert set(got) == {i for i in truth if by_id[i].department == department}
    got = query(index / "search" / "all", q, level1=level1, limit=None).urls
    assert set(got) == {i for i in truth if level1 in by_id[i].level1}


@pytest.mark.parametrize("q", ["调解", "满意度", "法律援助", "315", "ug"])
def test_sort_by_amount(q: str, docs: list[SearchDoc], index: Path) -> None:
    by_id = {d.id: d for d in docs}
    truth = brute(docs, q)
    expected = sorted(truth, key=lambda i: (by_id[i].amount_yuan is None, -(by_id[i].amount_yuan or Decimal(0)),
                                            [d.id for d in sorted(docs, key=lambda d: -(d.edition or 0))].index(i)))
    full = query(index / "search" / "all", q, sort="amount", limit=None)
    assert full.urls == expected
    first = query(index / "search" / "all", q, sort="amount")
    assert first.urls == expected[: search.read.PAGE_SIZE]


def test_each_edition_has_its_own_index(docs: list[SearchDoc], index: Path) -> None:
    for year in (2024, 2023):
        scoped = [d for d in docs if d.edition == year]
        for q in random_queries(scoped, 15, year):
            assert set(query(index / "search" / str(year), q, limit=None).urls) == brute(scoped, q), (year, q)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_index_is_deterministic(tmp_path: Path, docs: list[SearchDoc], index: Path) -> None:
    search.write_indexes(iter(docs), tmp_path)  # a one-pass iterator is enough
    assert snapshot(tmp_path / "search") == snapshot(index / "search")


def test_batches_and_sharding_do_not_change_results(tmp_path: Path, docs: list[SearchDoc], index: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Many small batches (runs) instead of one: the merged index is byte-identical.
    monkeypatch.setattr(search.write, "BATCH_DOCS", 7)
    search.write_indexes(docs, tmp_path / "spilled")
    assert snapshot(tmp_path / "spilled" / "search") == snapshot(index / "search")
    # More shards than temporary buckets (the layout of a large site): the same answers.
    monkeypatch.setattr(search.partition, "BUCKETS", 4)
    search.write_indexes(docs, tmp_path / "sharded")
    manifest = (tmp_path / "sharded" / "search" / "all" / "manifest.js").read_text(encoding="utf-8")
    assert json.loads(manifest[manifest.index(",") + 1 : manifest.rindex(")")])["shards"] > search.partition.BUCKETS
    for q in random_queries(docs, 25, 99):
        assert set(query(tmp_path / "sharded" / "search" / "all", q, limit=None).urls) == brute(docs, q), q


def test_worker_processes_write_the_same_bytes(tmp_path: Path, docs: list[SearchDoc], index: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search.write, "BATCH_DOCS", 50)
    monkeypatch.setattr(search.write, "PARALLEL_AFTER", 0)
    search.write_indexes(docs, tmp_path, workers=2)
    assert snapshot(tmp_path / "search") == snapshot(index / "search")


def test_write_index_replaces_an_old_index(tmp_path: Path, docs: list[SearchDoc]) -> None:
    search.write_index(docs, tmp_path, "x")
    files = search.write_index(docs[:5], tmp_path, "x")
    assert len(list((tmp_path / "search" / "x" / "d").rglob("*.js"))) == 5
    assert sorted(files) == sorted((tmp_path / "search" / "x").rglob("*.js"))  # every file it wrote, and only those


# --------------------------------------------------------------------------- search.js in Chromium

PARITY_QUERIES = ["调解", "满意度", "群众满意度", "司法协理员", "呈贡", "枫桥经验", "315-0405-JXN-C1UG", "31.9", "31.90 万元", "３１．９万元",
                  "人民 调解", "法律援助 满意度", "ＪＸＮ", "调", "不存在的词语", "0405-j", "2024 年"]
PARITY_OPTIONS = [{}, {"sort": "amount"}, {"edition": 2023}, {"level1": "满意度"}]


def test_search_js_matches_the_python_twin(page: object, index: Path, docs: list[SearchDoc]) -> None:
    """Run the real client from file:// and compare every answer, excerpt and file loaded."""
    root = index
    shutil.copy(REPO / "site_templates" / "assets" / "search.js", root / "search.js")
    (root / "harness.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>search.js</title>'
        '<script src="search.js" data-root=""></script></html>', encoding="utf-8")
    page.goto((root / "harness.html").as_uri())
    department = sorted({d.department for d in docs if d.department})[0]
    queries = [("all", q, o) for q in PARITY_QUERIES for o in PARITY_OPTIONS]
    queries += [("all", q, {"department": department}) for q in ("调解", "经费")]
    queries += [("all", q, {}) for q in random_queries(docs, 30, 5)]
    # an edition's scope: its range of the site-wide terms (and nothing when asked for another edition)
    queries += [(year, q, o) for year in ("2023", "2024") for q in PARITY_QUERIES[:8] for o in ({}, {"sort": "amount"})]
    queries += [("2024", "调解", {"edition": 2023}), ("2023", "调解", {"edition": 2023})]
    for scope, q, options in queries:
        js = page.evaluate(
            """async ([scope, q, options]) => {
                const S = window.DiscloseSearch;
                S.reset();
                const r = await S.search(scope, q, options, S.PAGE_SIZE);
                return {count: r.count, exact: r.exact, urls: r.hits.map(h => h.doc.u),
                        excerpts: r.hits.map(h => S.excerpt(h.doc, r.words, h.doc.f.map(f => S.normalize(f[2]))).segments),
                        anchors: r.hits.map(h => S.excerpt(h.doc, r.words, h.doc.f.map(f => S.normalize(f[2]))).anchor),
                        loaded: S.loaded.slice()};
            }""", [scope, q, options])
        py = query(index / "search" / scope, q, **options)
        assert (js["count"], js["exact"], js["urls"]) == (py.count, py.exact, py.urls), (scope, q, options)
        assert js["excerpts"] == [[list(s) for s in h.excerpt] for h in py.hits], (scope, q, options)
        assert js["anchors"] == [h.anchor for h in py.hits], (scope, q, options)
        assert sorted(set(js["loaded"])) == sorted(set(py.loaded)), (scope, q, options)
    # the views are not empty: each edition's scope finds its own pages and no other edition's
    assert query(index / "search" / "2023", "调解", limit=None).hits
    assert all(h.edition == 2023 for h in query(index / "search" / "2023", "调解", limit=None).hits)
    normalized = page.evaluate("(texts) => texts.map(t => window.DiscloseSearch.normalize(t))",
                               ["３１．９ 万元", "Straße ΣΊΣΥΦΟΣ", "  人民\u3000调解\n ", "ﬁ①㎡", "调\x00解"])
    assert normalized == [search.normalize(t) for t in ["３１．９ 万元", "Straße ΣΊΣΥΦΟΣ", "  人民\u3000调解\n ", "ﬁ①㎡", "调\x00解"]]


def test_search_js_inflates_every_kind_of_block_zlib_writes(page: object, index: Path) -> None:
    """Documents are zlib streams: stored, fixed and dynamic blocks, long matches and many blocks all inflate."""
    import base64
    import os
    import zlib

    shutil.copy(REPO / "site_templates" / "assets" / "search.js", index / "search.js")
    (index / "harness.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>search.js</title>'
        '<script src="search.js" data-root=""></script></html>', encoding="utf-8")
    page.goto((index / "harness.html").as_uri())
    r = random.Random(3)
    texts = [b"", b"a", "预算绩效目标公开".encode() * 2000, os.urandom(70000),
             bytes(r.choice(b"ab ") for _ in range(200000))]
    streams = []
    for text in texts:
        for level in (0, 1, 9):
            streams.append((zlib.compress(text, level), text))
        for strategy in (zlib.Z_FIXED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE):
            packer = zlib.compressobj(9, zlib.DEFLATED, 15, 9, strategy)
            streams.append((packer.compress(text) + packer.flush(), text))
    got = page.evaluate(
        """(streams) => streams.map(s => {
            const raw = atob(s), bytes = [];
            for (let i = 0; i < raw.length; i++) bytes.push(raw.charCodeAt(i));
            let out;
            try { out = window.DiscloseSearch.inflate(bytes); } catch (e) { return "error"; }
            return btoa(out.map(b => String.fromCharCode(b)).join(""));
        })""", [base64.b64encode(z).decode() for z, _ in streams])
    assert got == [base64.b64encode(text).decode() for _, text in streams]
    # a damaged stream is refused, not read as something else
    damaged = bytearray(zlib.compress(texts[2], 9))
    damaged[len(damaged) // 2] ^= 0xFF
    cut = zlib.compress(texts[2], 9)[:-20]
    refused = page.evaluate(
        """(streams) => streams.map(s => {
            const raw = atob(s), bytes = [];
            for (let i = 0; i < raw.length; i++) bytes.push(raw.charCodeAt(i));
            try { window.DiscloseSearch.inflate(bytes); return "read"; } catch (e) { return "refused"; }
        })""", [base64.b64encode(bytes(b)).decode() for b in (damaged, cut, b"not zlib")])
    assert refused == ["refused"] * 3
    assert search.partition.unpacked(search.partition.packed('{"t":"调解"}')[1:-1]) == {"t": "调解"}
