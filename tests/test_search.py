"""Search: normalisation, keys, postings, documents, and the bundled site's queries.

The properties over random queries (recall, precision, ranking, filters,
determinism at scale) are in test_search_props.py.
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from generator import search, urls
from generator.load import load_content
from generator.model import iter_indicators
from generator.search import SearchDoc, normalize, plan_word, query, query_words, tokenize

REPO = Path(__file__).resolve().parent.parent
SEARCH_JS = REPO / "site_templates" / "assets" / "search.js"

# The issue's list: on the bundled site each must find exactly the pages that contain it.
ISSUE_QUERIES = ["调解", "满意度", "群众满意度", "司法协理员", "呈贡", "枫桥经验", "315-0405-JXN-C1UG", "31.9"]


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize(("text", "expected"), [
    ("３１．９ 万元", "31.9万元"),  # full-width digits, and no space between a number and its unit
    ("ＪＸＮ-Ｃ1ug", "jxn-c1ug"),  # full-width letters, case
    ("315-0405-JXN-C1UG", "315-0405-jxn-c1ug"),
    ("（满意度）≥９０％", "(满意度)≥90%"),  # full-width brackets and percent
    ("人民，调解：", "人民,调解:"),  # full-width comma and colon become half-width
    ("Straße ΣΊΣΥΦΟΣ", "strasse σίσυφοσ"),  # case folding, not just lower case
    ("  人民\u3000\u3000调解\n\t经费  ", "人民 调解 经费"),  # every kind of space, collapsed, trimmed
    ("调\x00解\x1b", "调解"),  # control characters dropped
    ("ﬁ①㎡", "fi1m2"),  # compatibility forms
    ("", ""),
])
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_normalize_is_idempotent_on_every_character() -> None:
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        once = normalize(chr(cp))
        assert normalize(once) == once, hex(cp)
        assert not re.search("[A-Z]", once), hex(cp)  # "T", "D", "L" keys can never collide with text


def test_whitespace_set_is_pythons() -> None:
    spaces = {chr(cp) for cp in range(0x110000) if chr(cp).isspace()}
    assert {c for c in spaces if re.fullmatch(f"[{search.WHITESPACE}]", c)} == spaces
    assert not any(re.fullmatch(f"[{search.WHITESPACE}]", chr(cp)) for cp in range(0x3100) if not chr(cp).isspace())


def js_fold_table() -> dict[str, str]:
    """Parse the case-folding table out of search.js."""
    spec = re.search(r'var FOLD_SPEC = "([^"]*)"', SEARCH_JS.read_text(encoding="utf-8")).group(1)
    table = {}
    for item in spec.split(","):
        if m := re.fullmatch(r"([0-9a-f]+)-([0-9a-f]+):(-?\d+)", item):
            for cp in range(int(m[1], 16), int(m[2], 16) + 1):
                table[chr(cp)] = chr(cp + int(m[3]))
        else:
            key, value = item.split("=")
            table[chr(int(key, 16))] = "".join(chr(int(h, 16)) for h in value.split("."))
    return table


def test_search_js_case_folding_matches_python() -> None:
    """search.js folds case as toLowerCase() plus a table; together they must equal casefold()."""
    table = js_fold_table()
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        assert "".join(table.get(x, x) for x in c.lower()) == c.casefold(), hex(cp)


def test_search_js_uses_the_same_character_classes() -> None:
    js = SEARCH_JS.read_text(encoding="utf-8")
    ws = re.search(r"var WS = /\[(.*?)\]\+/g;", js).group(1)
    assert ws.encode().decode("unicode_escape") == search.WHITESPACE.replace("\x1c\x1d\x1e\x1f", "\x1c-\x1f")
    control = re.search(r"var CONTROL = /\[(.*?)\]/g;", js).group(1)
    assert control == search.text._CONTROL.pattern[1:-1].encode("unicode_escape").decode("ascii")
    for name in ("PAGE_SIZE", "SMALL", "VERIFY_LIMIT", "MAX_COMPONENTS", "MAX_TOKEN"):
        assert re.search(rf"\b{name} = (\d+)", js).group(1) == str(getattr(search.read, name, None) or getattr(search.text, name)), name


# --------------------------------------------------------------------------- keys


def test_chinese_is_indexed_as_one_two_and_three_characters() -> None:
    keys = set(tokenize("人民调解 经费"))
    assert {"人", "民", "调", "解", "经", "费", "人民", "民调", "调解", "经费", "人民调", "民调解"} <= keys
    assert "解经" not in keys and "调解经" not in keys and not any(" " in k for k in keys)  # nothing across a space


def test_grams_are_every_short_substring_of_every_segment() -> None:
    r = random.Random(4)
    for _ in range(2000):
        text = normalize("".join(r.choice("ab c人民 .-1") for _ in range(r.randint(0, 14))))
        expected = {seg[i : i + k] for seg in text.split(" ") for k in (1, 2, 3) for i in range(len(seg) - k + 1)}
        assert search.text._grams(text) == expected, text


def test_codes_and_numbers_are_whole_tokens_and_components() -> None:
    keys = set(tokenize("代码：315-0405-JXN-C1UG，金额 31.9 万元"))
    for token in ("315-0405-jxn-c1ug", "315", "0405", "jxn", "c1ug", "315-0405", "0405-jxn-c1ug", "31.9", "31", "9"):
        assert "T" + token in keys, token
    assert {"31", "1.", ".9", "c1", "ug"} <= keys  # bigrams too: any part of a code is findable


def test_token_sequences_are_capped() -> None:
    keys = set(tokenize("1.2.3.4.5.6 " + "9" * 40))
    assert "T1.2.3.4" in keys and "T3.4.5.6" in keys and "T1.2.3.4.5" not in keys
    assert "T" + "9" * 40 not in keys and "99" in keys


def test_plan_of_a_code_uses_its_whole_inner_components() -> None:
    plan = plan_word("315-0405-jxn-c1ug")
    assert plan.exact == "T315-0405-jxn-c1ug"
    assert plan.tokens == ("T0405-jxn",)  # 315 and c1ug may be the end of longer runs in a page
    assert plan.required == ("315", "1ug", "T0405-jxn")
    assert plan_word("31.9").tokens == () and plan_word("31.9").exact == "T31.9"
    assert plan_word("≤31.9万").tokens == ("T31.9",)  # bounded on both sides inside the word
    assert plan_word("a.31.9.b").tokens == ("T31.9",)


def test_plan_of_a_long_word_looks_up_four_trigrams() -> None:
    plan = plan_word("全面推进依法治县")
    assert len(plan.grams) == 6 and len(plan.required) == 4
    assert plan.required[0] == "全面推" and plan.required[-1] == "法治县"
    assert plan_word("满意度").grams == ("满意度",)  # up to three characters: one exact key


def test_query_words() -> None:
    assert query_words("  人民  调解 ") == ["人民", "调解"]
    assert query_words("调解 人民调解 调解") == ["人民调解"]  # a word inside another adds nothing
    assert query_words("ＪＸＮ jxn") == ["jxn"]
    assert query_words("   ") == []


def test_key_hash_is_crc32_of_utf8() -> None:
    for key in ("调解", "T315-0405-jxn-c1ug", "D彭阳县司法局", "𠀀a"):
        assert search.key_hash(key) == zlib.crc32(key.encode("utf-8"))


# --------------------------------------------------------------------------- postings


@pytest.mark.parametrize("ids", [
    [0], [5], [0, 1, 2, 3], list(range(0, 1000, 3)), list(range(100, 900)), [0, 99_999],
    sorted({(i * 7919) % 5000 for i in range(2500)}), [i for i in range(5000) if i % 97], list(range(5000)),
    list(range(10, 40)) + list(range(100, 300)) + [4000],
])
def test_postings_round_trip(ids: list[int]) -> None:
    n = 100_000 if ids[-1] > 5000 else 5000
    text = search.encode_posting(ids, n)
    assert search.decode_posting(text, n) == ids
    assert set(text[1:]) <= set(search.postings.ALPHABET)  # safe in JSON without escaping


def test_the_table_of_small_numbers_encodes_each_as_the_general_way_does() -> None:
    table = search.postings._VAR
    assert len(table) == 1 << 15
    assert all(table[n] == search.postings._varint(n) for n in range(1 << 15))
    assert search.postings._read_varints("".join(table)) == list(range(1 << 15))


def test_posting_picks_a_compact_form() -> None:
    assert search.encode_posting(list(range(5000)), 5000) == "C"
    assert search.encode_posting(list(range(100, 900)), 5000).startswith("R")
    assert len(search.encode_posting(list(range(0, 5000, 2)), 5000)) < 5000 // 6 + 10  # a bitmap


# --------------------------------------------------------------------------- documents


@pytest.fixture(scope="module")
def bundled():
    loaded = load_content(REPO / "content")
    assert loaded.site is not None
    return loaded


@pytest.fixture(scope="module")
def bundled_docs(bundled) -> list[SearchDoc]:
    return list(search.site_docs(bundled.site, bundled.pages))


def test_site_docs_cover_every_page(bundled, bundled_docs: list[SearchDoc]) -> None:
    projects = [p for e in bundled.site.editions for p in e.projects]
    departments = [d for e in bundled.site.editions for d in e.departments]
    kinds = [d.kind for d in bundled_docs]
    assert kinds.count("project") == len(projects)
    assert kinds.count("department") == len(departments)
    assert kinds.count("page") == len(bundled.pages)
    assert len({d.id for d in bundled_docs}) == len(bundled_docs)


def test_project_doc(bundled) -> None:
    edition = next(e for e in bundled.site.editions if e.year == 2024)
    department = next(d for d in edition.departments if d.slug == "pengyang-sfj")
    project = next(p for p in department.projects if p.slug == "sifa-xieli-jiceng-fuwu")
    doc = search.project_doc(project, department, edition, urls.project(2024, department.slug, project.slug))
    assert doc.id == "2024/pengyang-sfj/sifa-xieli-jiceng-fuwu/index.html"
    assert (doc.kind, doc.title, doc.edition, doc.department) == ("project", project.name, 2024, "彭阳县司法局")
    assert doc.amount == "31.90 万元" and doc.amount_yuan == Decimal("319000")  # as pages show it (money.display)
    assert doc.fields[0] == ("", "项目名称", project.name) and doc.title_fields == 1  # this one has no code
    assert doc.level1 == ("产出", "效益", "满意度")  # canonical categories, in their order
    # every indicator has a field anchored to its row, numbered as the renderer numbers rows, labelled with its path
    anchored = [f for i, f in enumerate(doc.fields) if f[0] and doc.fields[i - 1][0] != f[0]]
    assert ("满意度指标 › 服务对象满意度", "司法协理员满意度 >90%") in [f[1:] for f in anchored]
    indicators = list(iter_indicators(project.indicators))
    assert [a for a, _, _ in anchored] == [urls.indicator_anchor(i) for i in range(1, len(indicators) + 1)]
    for (_, _, text), (_, _, ind) in zip(anchored, indicators, strict=True):
        assert text.startswith(ind.name) and ind.value in text
    assert "≤31.9万元" in search.doc_text(doc)  # one way of writing numbers: no space before the unit


def test_code_is_part_of_the_title(bundled_docs: list[SearchDoc]) -> None:
    doc = next(d for d in bundled_docs if d.id.endswith("315-0405-jxn-c1ug/index.html"))
    assert doc.title_fields == 2 and doc.fields[1] == ("", "项目代码", "315-0405-JXN-C1UG")


def test_page_doc_strips_markdown() -> None:
    doc = search.page_doc("关于", "about/index.html", "# 标题\n\n1\\. 第一条 **加粗** [链接](http://x)\n\n- 列表项")
    assert [f[2] for f in doc.fields] == ["关于", "标题", "1. 第一条 加粗 链接", "列表项"]


# --------------------------------------------------------------------------- the bundled site


@pytest.fixture(scope="module")
def bundled_index(tmp_path_factory: pytest.TempPathFactory, bundled_docs: list[SearchDoc]) -> Path:
    out = tmp_path_factory.mktemp("search")
    search.write_indexes(bundled_docs, out)
    return out / "search"


@pytest.mark.parametrize("q", ISSUE_QUERIES)
def test_issue_queries_find_exactly_the_pages_that_contain_them(q: str, bundled_docs, bundled_index: Path) -> None:
    truth = {d.id for d in bundled_docs if search.matches(d, q)}
    assert truth, f"the bundled content should contain {q}"
    full = query(bundled_index / "all", q, limit=None)
    assert set(full.urls) == truth
    assert full.count == len(truth) and full.exact
    first = query(bundled_index / "all", q)
    assert first.urls == full.urls[: search.read.PAGE_SIZE]
    assert first.bytes < 100_000


def test_issue_queries_per_edition(bundled_docs, bundled_index: Path) -> None:
    for q in ISSUE_QUERIES:
        for year in (2020, 2022, 2024):
            truth = {d.id for d in bundled_docs if d.edition == year and search.matches(d, q)}
            assert set(query(bundled_index / str(year), q, limit=None).urls) == truth, (q, year)
            assert set(query(bundled_index / "all", q, edition=year, limit=None).urls) == truth, (q, year)


def test_name_matches_come_first(bundled_index: Path) -> None:
    hits = query(bundled_index / "all", "调解").hits
    assert "调解" in hits[0].title
    titles = [("调解" in h.title) for h in hits]
    assert titles == sorted(titles, reverse=True)


def test_whole_number_before_a_longer_one(tmp_path: Path) -> None:
    docs = [SearchDoc(f"{i}.html", "page", f"页{i}", fields=(("", "标题", f"页{i}"), ("", "正文", text)))
            for i, text in enumerate(["金额 131.95 万元", "金额 31.9 万元", "金额 31.90 万元"])]
    search.write_index(docs, tmp_path, "s")
    result = query(tmp_path / "search" / "s", "31.9", limit=None)
    assert result.urls == ["1.html", "2.html", "0.html"]  # whole numbers (31.9 = 31.90) first, then site order


def test_a_hit_in_an_indicator_links_to_its_row(bundled_index: Path) -> None:
    hit = query(bundled_index / "all", "司法协理员满意度").hits[0]
    assert hit.anchor.startswith("zb-")
    assert any(marked and normalize(text) == "司法协理员满意度" for text, marked in hit.excerpt)


def test_excerpt_highlights_the_original_text(tmp_path: Path) -> None:
    doc = SearchDoc("x.html", "page", "标题", fields=(("", "标题", "标题"), ("", "正文", "项目代码：３１５-０４０５-ＪＸＮ，金额 31.9 万元")))
    search.write_index([doc], tmp_path, "s")
    hit = query(tmp_path / "search" / "s", "0405-jxn 31.9").hits[0]
    assert [t for t, marked in hit.excerpt if marked] == ["０４０５-ＪＸＮ", "31.9"]
    assert "".join(t for t, _ in hit.excerpt) == doc.fields[1][2]


def test_no_match_and_empty_query(bundled_index: Path) -> None:
    assert query(bundled_index / "all", "没有这个词语").hits == []
    empty = query(bundled_index / "all", "   ")
    assert empty.hits == [] and empty.count == 0


def test_index_files_are_classic_scripts(bundled_index: Path) -> None:
    for path in bundled_index.rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(bundled_index).with_suffix("").as_posix()
        assert text.startswith(f'window.__ds&&__ds("{name}",') and text.endswith(");\n"), name
        assert "\u2028" not in text and "\u2029" not in text


def test_unicode_tables_are_those_of_this_python() -> None:
    # The browser normalises with its own Unicode version; a newer Python may shift an edge.
    assert unicodedata.unidata_version >= "14.0.0"


@pytest.mark.parametrize("q", ["494.56", "494.560000", "31.9万元", "31.9 万元", "３１．９", "31.90 万元", "1,126,240.00"])
def test_numbers_match_however_they_are_written(bundled_index: Path, bundled_docs: list[SearchDoc], q: str) -> None:
    result = query(bundled_index / "all", q, limit=None)
    assert result.urls and set(result.urls) == {d.id for d in bundled_docs if search.matches(d, q)}, q


def test_an_indicator_hit_shows_its_path_and_target(bundled_index: Path) -> None:
    hits = query(bundled_index / "2024", "满意度", limit=None).hits
    pengyang = [h for h in hits if "pengyang" in h.url]
    assert pengyang and all(h.anchor.startswith("zb-") and h.label == "" for h in pengyang)
    texts = {"".join(t for t, _ in h.excerpt) for h in pengyang}
    assert "满意度指标 › 服务对象满意度 › 司法协理员满意度 >90%" in texts
    assert len(texts) > 1  # each project shows its own indicator, not one shared heading list


def test_a_long_field_is_cut_at_a_boundary_not_mid_word() -> None:
    from generator.search.excerpt import segments

    text = "一" * 30 + "，经济效益 社会效益 " + "二" * 10 + "满意度" + "三" * 200
    cut = segments(text, ["满意度"])
    assert cut[0] == ("…", False) and cut[1][0].startswith("社会效益"), cut
    assert [t for t, marked in cut if marked] == ["满意度"] and cut[-1] == ("…", False)
    astral = "𠀀" * 50 + "满意度" + "𠀀" * 50
    assert all(t for t, _ in segments(astral, ["满意度"]))  # code points, never half a character


def test_filter_categories_map_older_layouts() -> None:
    from generator.search.docs import category

    assert [category(a, b) for a, b in [("产出目标", "数量"), ("1-产出指标", ""), ("效果目标", "满意度"),
                                        ("影响力目标", "长效管理"), ("投入与目标管理", "投入管理"), ("成本指标", "")]] == [
        "产出", "产出", "满意度", "效益", "其他", "成本"]
