"""Site search: a character n-gram index in small static files, and its reader.

Why our own index: Chinese has no spaces, and any segmenter that cuts words at
index time and again at query time loses pages where the two cut differently.
Here every sequence of one, two and three characters is a key, so a page that
contains the query always has all the query's keys: recall holds by
construction. Precision comes from checking the phrase itself in the text of
each result before it is shown.

Text model
    A document (`SearchDoc`) is a list of fields (anchor, label, text). Text is
    normalised (`normalize`): NFKC (full-width → half-width), case folded,
    control characters dropped, whitespace collapsed to one space. A query is
    normalised the same way and split at spaces into words; a document matches
    when every word occurs in one of its fields (words never contain a space,
    so joining fields with spaces never invents a match).

Keys (`tokenize`)
    - every character, pair and triple of adjacent characters (unigrams,
      bigrams, trigrams) of each space-separated segment, Chinese, Latin,
      digits and punctuation alike: these make any substring findable, a word
      of up to three characters is one exact key, and a longer word needs all
      its trigrams, which few pages have without having the word;
    - "T" + a token: every run of ASCII letters and digits joined by single
      `- . / _ , :` (315-0405-jxn-c1ug, 31.9, 2020-01-01) is split into its
      components, and every sequence of up to 4 consecutive components is a
      key ("T315-0405-jxn-c1ug", "T0405-jxn", "Tc1ug" …). They make whole codes,
      numbers and their parts exact and cheap to look up, and rank a whole-token
      hit (31.9) before an embedded one (131.9);
    - "D" + department name and "L" + 一级 indicator title, for the filters.
    Normalised text never holds an upper-case ASCII letter, so the prefixes
    cannot collide with text keys.

Files (under <out>/search/<scope>/, loaded by the browser as classic scripts,
which works from file:// and from any static server; each file is
`window.__ds&&__ds("<scope>/<path>",<json>);`)
    manifest.js     doc count, shard count, parts (which folder holds which
                    doc files), edition ranges, 一级 titles, amount chunks
    t/<s>.js        term shards: key → [docs, posting, title docs, title
                    posting]; s = CRC-32(key) & (shards − 1), about 4 KB each
    p/<i/1000>/<i%1000>.js   postings too big to stay inline in a shard
    a/<j>.js        documents with an amount, largest first (sort by amount)
    d/<n/1000>/<n%1000>.js   one document: url, title, department, edition,
                    amount and its fields (original text, for the phrase
                    check, the excerpt and the anchor of the hit)
    A posting is a string: "D" delta varints, "B" bitmap, "R" runs or "C"
    complement, whichever is shortest (varint digits are base64 characters).

Documents are numbered in the order they are given (site order), so a build
of the same content writes the same bytes. An index is built in one streaming
pass: documents are written as they come, their keys are inverted a batch at
a time into sorted temporary runs (in worker processes on a large site) and
the runs are merged at the end, so memory stays flat however many documents
there are. `write_indexes` writes one index per edition and an "all" index
whose documents are the editions' own files (nothing duplicated).

A query (see `query`): each word's most selective key gives candidates that
include every page with the word; they are ranked by what the index knows
(title postings, phrase junctions, whole tokens), and each result is loaded
and checked against its text, lazily in rank order, before it is shown.

`query` is the client's algorithm in Python (search.js implements the same):
tests check recall and precision with it, and the benchmark counts the bytes a
browser would load.
"""

from __future__ import annotations

import array
import base64
import contextlib
import gc
import heapq
import json
import marshal
import math
import operator
import os
import re
import shutil
import struct
import tempfile
import unicodedata
import zlib
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import Any

from .urls import indicator_anchor

__all__ = [
    "SearchDoc", "normalize", "tokenize", "indicator_anchor", "project_doc", "department_doc", "page_doc",
    "site_docs", "write_index", "write_indexes", "query", "doc_text", "matches", "SearchResult", "Hit",
]

FORMAT = 1

# --- normalisation ------------------------------------------------------------

# Python's whitespace (str.isspace), spelled out so that search.js uses exactly the same set.
WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_WS = re.compile(f"[{WHITESPACE}]+")
# Control characters that are not whitespace: invisible, never part of a word.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def normalize(text: str) -> str:
    """Return text as the index sees it: NFKC, case folded, one space between words.

    Full-width letters, digits and punctuation become half-width (３１．９ → 31.9,
    ， → ,), upper case becomes lower case (JXN → jxn), control characters go and
    every run of whitespace becomes one space. Chinese characters are unchanged.
    """
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return _WS.sub(" ", text).strip(" ")


# --- keys ---------------------------------------------------------------------

JOINERS = "-./_,:"
_RUN = re.compile(r"[a-z0-9]+(?:[-./_,:][a-z0-9]+)*")
_COMPONENT = re.compile(r"[a-z0-9]+")
MAX_COMPONENTS = 4  # longest sequence of components indexed as one token
MAX_TOKEN = 32  # longest token indexed (characters)


def _grams(text: str) -> set[str]:
    """Return the 1-, 2- and 3-character sequences of normalised text, none spanning a space."""
    keys = set(text)
    pairs = list(map(operator.add, text, text[1:]))
    keys.update(pairs)
    keys.update(map(operator.add, pairs, text[2:]))
    if " " in keys:
        keys.discard(" ")
        for m in _SPACE.finditer(text):  # drop the pairs and triples across a space, and only those
            i = m.start()
            for a in range(max(0, i - 2), i + 1):
                for gram in (text[a : a + 2], text[a : a + 3]):
                    if " " in gram:
                        keys.discard(gram)
    return keys


_SPACE = re.compile(" ")


def _tokens(text: str, out: set[str]) -> None:
    """Add the "T" keys of every letter/digit run of normalised text to `out`."""
    for run in _RUN.findall(text):
        if len(run) <= MAX_TOKEN and run.isalnum():
            out.add("T" + run)  # the common case: one component
            continue
        spans = [m.span() for m in _COMPONENT.finditer(run)]
        for i, (start, _) in enumerate(spans):
            for j in range(i, min(i + MAX_COMPONENTS, len(spans))):
                end = spans[j][1]
                if end - start > MAX_TOKEN:
                    break
                out.add("T" + run[start:end])


def _keys(text: str) -> set[str]:
    """Return every index key of normalised text."""
    keys = _grams(text)
    if _RUN.search(text):
        _tokens(text, keys)
    return keys


def tokenize(text: str) -> list[str]:
    """Return the sorted index keys of a text (unigrams, bigrams, trigrams and "T" tokens)."""
    return sorted(_keys(normalize(text)))


@dataclass(frozen=True)
class WordPlan:
    """What a query word needs from the index."""

    word: str
    grams: tuple[str, ...]  # the word itself (up to 3 characters) or its trigrams: a page with the word has them all
    tokens: tuple[str, ...]  # "T" keys of its complete components: a page with the word has them all
    exact: str | None  # "T" + the word when it is one whole token: pages with it surely contain the word

    @property
    def required(self) -> tuple[str, ...]:
        """Return the keys looked up to find candidates: every page with the word has all of them.

        Any subset of the word's keys keeps recall, so a long word looks up at most four of
        its trigrams (spread over it) and a word with whole-token keys, which are far more
        selective, only its first and last trigram: each key costs a shard to load.
        """
        grams = self.grams
        if (self.tokens or self.exact) and len(grams) > 2:
            grams = (grams[0], grams[-1])
        elif len(grams) > 4:
            m = len(grams) - 1
            grams = tuple(grams[i] for i in sorted({(2 * i * m + 3) // 6 for i in range(4)}))
        return grams + tuple(t for t in self.tokens if t not in grams)


def plan_word(word: str) -> WordPlan:
    """Return the keys of a normalised query word (no spaces)."""
    if len(word) <= 3:  # a key of its own: the posting is exactly the pages with the word
        grams: tuple[str, ...] = (word,)
    else:
        grams = tuple(dict.fromkeys(map(operator.add, map(operator.add, word, word[1:]), word[2:])))
    exact = None
    if _RUN.fullmatch(word) and len(word) <= MAX_TOKEN and len(_COMPONENT.findall(word)) <= MAX_COMPONENTS:
        exact = "T" + word
    tokens: list[str] = []
    for run in _RUN.finditer(word):
        start, end = run.span()
        spans = [(a + start, b + start) for a, b in (m.span() for m in _COMPONENT.finditer(run.group()))]
        # A component is whole in the page when the word shows both its ends: a joiner or
        # another character next to it inside the word, not the edge of the word.
        whole = [(i > 0 or start > 0) and (i < len(spans) - 1 or end < len(word)) for i in range(len(spans))]
        i = 0
        while i < len(spans):
            if not whole[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(spans) and whole[j + 1]:
                j += 1
            width = min(MAX_COMPONENTS, j - i + 1)
            for k in range(i, j - width + 2):
                a, b = spans[k][0], spans[k + width - 1][1]
                if b - a <= MAX_TOKEN:
                    tokens.append("T" + word[a:b])
            i = j + 1
    return WordPlan(word, grams, tuple(dict.fromkeys(tokens)), exact)


def query_words(q: str) -> list[str]:
    """Split a query into its distinct normalised words, dropping any word inside another."""
    words = list(dict.fromkeys(w for w in normalize(q).split(" ") if w))
    return [w for i, w in enumerate(words) if not any(w in o for j, o in enumerate(words) if j != i and (w != o))]


def key_hash(key: str) -> int:
    """Return the CRC-32 of a key's UTF-8 bytes: it picks the key's shard (search.js computes the same)."""
    return zlib.crc32(key.encode("utf-8"))


# --- documents ----------------------------------------------------------------

Field = tuple[str, str, str]  # (anchor on the page or "", label, text)


@dataclass(frozen=True)
class SearchDoc:
    """One page as the search sees it.

    `id` is the page's output path relative to the site root (the link of a
    result). `fields` are the searchable texts in page order; the first
    `title_fields` of them are the title (name, and code for a project): a hit
    there ranks first.
    """

    id: str
    kind: str  # "project", "department" or "page"
    title: str
    edition: int | None = None
    department: str | None = None
    amount: str | None = None  # as displayed, such as "104.540000 万元"
    amount_yuan: Decimal | None = None  # for sorting by amount
    level1: tuple[str, ...] = ()  # 一级 indicator titles present (filter)
    fields: tuple[Field, ...] = ()
    title_fields: int = 1


def doc_text(doc: SearchDoc) -> str:
    """Return a document's normalised text: its fields, normalised, joined by spaces."""
    return " ".join(normalize(text) for _, _, text in doc.fields)


def matches(doc: SearchDoc, q: str) -> bool:
    """Return whether a document matches a query by brute force (the reference for tests)."""
    words = query_words(q)
    texts = [normalize(text) for _, _, text in doc.fields]
    return bool(words) and all(any(w in t for t in texts) for w in words)


_MD_BLOCK = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,9}[.)]\s+)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(markdown: str | None) -> str:
    """Return the text a reader sees of a Markdown field (markers and escapes removed)."""
    if not markdown:
        return ""
    lines = []
    for line in markdown.splitlines():
        line = _MD_BLOCK.sub("", line)
        line = _MD_LINK.sub(r"\1", line).replace("**", "").replace("`", "")
        lines.append(_MD_ESCAPE.sub(r"\1", line))
    return " ".join(line.strip() for line in lines if line.strip())


def _year(edition: Any) -> int | None:
    return edition if isinstance(edition, int) or edition is None else edition.year


def _indicator_fields(tree: tuple, first: int = 1) -> tuple[list[Field], list[str]]:
    """Return one field per indicator (anchored to its row) plus the level headings."""
    fields: list[Field] = []
    headings: list[str] = []
    position = first
    for level1 in tree:
        headings.append(level1.title)
        for level2 in level1.groups:
            headings.append(level2.title)
            for ind in level2.indicators:
                parts = [ind.name, ind.operator, ind.value, ind.unit, ind.description, ind.basis, ind.scoring]
                fields.append((indicator_anchor(position), level2.title, " ".join(p for p in parts if p)))
                position += 1
    return fields, list(dict.fromkeys(h for h in headings if h))


def _distinct(fields: list[Field]) -> tuple[Field, ...]:
    """Drop empty fields and repeats of a text already indexed (an anchored field always stays)."""
    seen: set[str] = set()
    out = []
    for anchor, label, text in fields:
        text = text.strip() if text else ""
        if text and (anchor or text not in seen):
            seen.add(text)
            out.append((anchor, label, text))
    return tuple(out)


def project_doc(project: Any, department: Any, edition: Any, url: str) -> SearchDoc:
    """Return the search document of a project page.

    Indexed: name and code (the title), department, budget, basic information,
    goals, narrative sections, funding sources, every indicator (name, value,
    description, basis, scoring; anchored to its row) with the level headings,
    and cost lines (name, amount, purpose, basis).
    """
    fields: list[Field] = [("", "项目名称", project.name)]
    if project.code:
        fields.append(("", "项目代码", project.code))
    title_fields = len(fields)
    fields.append(("", "主管部门", department.name))
    fields.append(("", "本年度预算", str(project.budget)))
    if project.total_amount is not None:
        fields.append(("", "项目总金额", str(project.money(project.total_amount))))
    if project.period:
        fields.append(("", "项目期限", project.period))
    fields.extend(("", label, value) for label, value in project.info.items() if value)
    fields.extend(("", goal.label or "绩效目标", plain(goal.text)) for goal in project.goals)
    fields.extend(("", section.title, plain(section.body)) for section in project.sections)
    for table in project.funding:
        names = " ".join(s.name for s in table.sources)
        if names:
            fields.append(("", table.title, names))
    indicators, headings = _indicator_fields(project.indicators)
    if headings:
        fields.append(("", "绩效指标", " ".join(headings)))
    fields.extend(indicators)
    for table in project.cost_tables:
        for line in table.lines:
            amount = format_plain(line.amount)
            parts = [line.name, amount, line.purpose, line.basis]
            fields.append(("", table.title, " ".join(p for p in parts if p)))
    return SearchDoc(
        id=url, kind="project", title=project.name, edition=_year(edition), department=department.name,
        amount=str(project.budget), amount_yuan=project.budget.to("元").amount,
        level1=tuple(dict.fromkeys(level1.title for level1 in project.indicators)),
        fields=_distinct(fields), title_fields=title_fields,
    )


def format_plain(amount: Decimal | None) -> str:
    """Return an amount as the page prints it (thousands separators, printed decimals)."""
    if amount is None:
        return ""
    from .money import format_amount

    return format_amount(amount)


def department_doc(department: Any, edition: Any, url: str) -> SearchDoc:
    """Return the search document of a department page (its goals and project list)."""
    fields: list[Field] = [("", "部门名称", department.name)]
    for label, value in (("部门编码", department.code), ("财政区划", department.region)):
        if value:
            fields.append(("", label, value))
    fields.extend(("", label, value) for label, value in department.info.items() if value)
    pub = department.publication
    if pub:
        fields.extend(("", label, value) for label, value in (("来源文件", pub.title), ("发布单位", pub.issuer),
                                                                ("发布日期", pub.date), ("前言", plain(pub.preamble))) if value)
    level1: tuple[str, ...] = ()
    if department.goals:
        fields.extend(("", s.title, plain(s.body)) for s in department.goals.sections)
        indicators, headings = _indicator_fields(department.goals.indicators)
        if headings:
            fields.append(("", "绩效指标", " ".join(headings)))
        fields.extend(indicators)
        level1 = tuple(dict.fromkeys(level1.title for level1 in department.goals.indicators))
    for p in department.projects:
        fields.append(("", "项目", " ".join(x for x in (p.name, p.code, str(p.budget)) if x)))
    total = department.total
    return SearchDoc(
        id=url, kind="department", title=department.name, edition=_year(edition), department=department.name,
        amount=str(total) if department.projects else None,
        amount_yuan=total.to("元").amount if department.projects else None,
        level1=level1, fields=_distinct(fields), title_fields=1,
    )


def page_doc(title: str, url: str, markdown: str = "", edition: int | None = None) -> SearchDoc:
    """Return the search document of a Markdown page: its title and one field per paragraph."""
    fields: list[Field] = [("", "标题", title)]
    for paragraph in re.split(r"\n\s*\n", markdown or ""):
        text = plain(paragraph)
        if text:
            fields.append(("", "正文", text))
    return SearchDoc(id=url, kind="page", title=title, edition=edition, fields=tuple(fields), title_fields=1)


def site_docs(site: Any, pages: Iterable[Any] = ()) -> Iterator[SearchDoc]:
    """Yield the documents of a loaded site in site order: each edition's departments and projects, then pages."""
    from . import urls

    for edition in site.editions:
        for department in edition.departments:
            yield department_doc(department, edition, urls.department(edition.year, department.slug))
            for project in department.projects:
                yield project_doc(project, department, edition,
                                  urls.project(edition.year, department.slug, project.slug))
    for page in pages:
        yield page_doc(page.title, urls.page(page.slug), page.body)


# --- postings -----------------------------------------------------------------

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_DIGIT = {c: i for i, c in enumerate(ALPHABET)}


def _varint(n: int) -> str:
    """Encode a non-negative integer: base-32 digits, least significant first; the last is 32-63."""
    out = []
    while n >= 32:
        out.append(ALPHABET[n & 31])
        n >>= 5
    out.append(ALPHABET[32 + n])
    return "".join(out)


_VAR = [_varint(n) for n in range(1 << 15)]  # fast path for the common small numbers


def _varints(numbers: Iterable[int]) -> str:
    numbers = numbers if isinstance(numbers, list) else list(numbers)
    try:
        return "".join(map(_VAR.__getitem__, numbers))
    except IndexError:  # a number past the table: encode them all the slow way
        return "".join(_VAR[n] if n < len(_VAR) else _varint(n) for n in numbers)


def _read_varints(text: str, start: int = 0) -> list[int]:
    out, value, shift = [], 0, 0
    for ch in text[start:]:
        d = _DIGIT[ch]
        if d >= 32:
            out.append(value + ((d - 32) << shift))
            value, shift = 0, 0
        else:
            value += d << shift
            shift += 5
    return out


def encode_posting(ids: list[int], n: int) -> str:
    """Encode sorted distinct document numbers (< n) in the shortest of four forms."""
    if not ids:
        return "D"
    gaps = list(map(operator.sub, ids[1:], ids))
    best = "D" + (_VAR[ids[0]] if ids[0] < len(_VAR) else _varint(ids[0])) + _varints(map((-1).__add__, gaps))
    if len(ids) <= 16:
        return best
    span = ids[-1] - ids[0] + 1
    if span // 6 + 8 < len(best):  # a bitmap over [first, last], 6 documents per character
        first = ids[0]
        bits = bytearray(span)
        deque(map(bits.__setitem__, map((-first).__add__, ids), repeat(1)), maxlen=0)
        pad = -span % 24
        value = int(bits.translate(_BIT_CHARS) + b"0" * pad, 2)
        raw = base64.b64encode(value.to_bytes((span + pad) // 8, "big")).decode("ascii")
        bitmap = "B" + _varint(first) + raw[: (span + 5) // 6]
        if len(bitmap) < len(best):
            best = bitmap
    runs = len(gaps) - gaps.count(1) + 1
    if 2 * runs < len(best):  # runs: (start gap, length - 1) pairs
        out, prev_end, start = [], -1, ids[0]
        for a, b in zip(ids, ids[1:] + [-2], strict=True):
            if b != a + 1:
                out.append(_varint(start - prev_end - 1) + _varint(a - start))
                prev_end, start = a, b
        text = "R" + "".join(out)
        if len(text) < len(best):
            best = text
    if n - len(ids) < len(best):  # complement: the few documents without the key
        missing = sorted(set(range(n)).difference(ids))
        text = "C" + ((_varint(missing[0]) + _varints(map((-1).__add__, map(operator.sub, missing[1:], missing))))
                      if missing else "")
        if len(text) < len(best):
            best = text
    return best


_BIT_CHARS = bytes.maketrans(b"\x00\x01", b"01")


def decode_posting(text: str, n: int) -> list[int]:
    """Decode a posting string into sorted document numbers."""
    kind = text[:1]
    if kind == "D":
        out, prev = [], -1
        for i, v in enumerate(_read_varints(text, 1)):
            prev = v if i == 0 else prev + v + 1
            out.append(prev)
        return out
    if kind == "B":
        # the start varint ends at the first final digit
        k = 1
        while _DIGIT[text[k]] < 32:
            k += 1
        first = _read_varints(text[1 : k + 1])[0]
        out = []
        for j, ch in enumerate(text[k + 1 :]):
            v = _DIGIT[ch]
            for b in range(6):
                if v & (32 >> b):
                    out.append(first + 6 * j + b)
        return out
    if kind == "R":
        values = _read_varints(text, 1)
        out, prev_end = [], -1
        for gap, length in zip(values[::2], values[1::2], strict=True):
            start = prev_end + 1 + gap
            out.extend(range(start, start + length + 1))
            prev_end = start + length
        return out
    if kind == "C":
        missing = set(decode_posting("D" + text[1:], n)) if len(text) > 1 else set()
        return [i for i in range(n) if i not in missing]
    raise ValueError(f"unknown posting {text[:8]!r}")


# --- writing ------------------------------------------------------------------

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
                  workers: int | None = None) -> Sequence[Path]:
    """Write one index per edition (search/<year>/), and one over everything (search/<all_scope>/).

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
        scopes[all_scope] = [*years, PAGES]
        return writer.finish(scopes)


# --- reading: the client's algorithm in Python ----------------------------------

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
        self.scope = scope
        self.m = reader.load(f"{scope}/manifest")
        self.n = self.m["n"]

    def entry(self, key: str) -> list | None:
        shard = self.reader.load(f"{self.scope}/t/{key_hash(key) & (self.m['shards'] - 1)}")
        return shard.get(key)

    def posting(self, entry: list, slot: int) -> list[int]:
        value = entry[slot]
        if isinstance(value, list):
            value = self.reader.load(f"{self.scope}/p/{value[0] // 1000}/{value[0] % 1000}")
        return decode_posting(value, self.n)

    def doc(self, n: int) -> dict:
        for name, start, count in self.m["parts"]:
            if start <= n < start + count:
                return self.reader.load(f"{name}/{_doc_path(n - start)}")
        raise IndexError(n)


def _size(entry: list, slot: int) -> int:
    value = entry[slot]
    return value[1] if isinstance(value, list) else 0


def _fields(doc: dict) -> list[tuple[str, str, str]]:
    out, label = [], ""
    for lab, anchor, text in doc["f"]:
        label = lab or label
        out.append((label, anchor, text))
    return out


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


EXCERPT_BEFORE = 20
EXCERPT_LENGTH = 90


def _normalized_map(text: str) -> tuple[str, list[int]]:
    """Normalise text character by character; return it and, per character, its start in the original."""
    out: list[str] = []
    where: list[int] = []
    space = True
    for i, ch in enumerate(text):
        piece = normalize(ch) if not _WS.fullmatch(ch) else " "
        if piece == " ":
            if space:
                continue
            space = True
        elif piece:
            space = False
        for c in piece:
            out.append(c)
            where.append(i)
    return "".join(out), where


def excerpt_of(doc: dict, words: list[str]) -> tuple[str, str, list[tuple[str, bool]]]:
    """Return (label, anchor, segments) of the best field: the most words, the phrase, not the title."""
    fields = _fields(doc)
    best, best_score = None, None
    for i, (_, _, text) in enumerate(fields):
        t = normalize(text)
        found = sum(1 for w in words if w in t)
        if not found:
            continue
        score = (i < doc["h"] and len(fields) > doc["h"], -found, 0 if "".join(words) in t else 1, i)
        if best_score is None or score < best_score:
            best, best_score = i, score
    if best is None:
        best = min(doc["h"], len(fields) - 1)
    label, anchor, text = fields[best]
    norm, where = _normalized_map(text)
    marks: list[tuple[int, int]] = []
    for w in words:
        start = norm.find(w)
        while start >= 0:
            marks.append((where[start], where[start + len(w) - 1] + 1))
            start = norm.find(w, start + len(w))
    marks.sort()
    first = marks[0][0] if marks else 0
    lo = max(0, first - EXCERPT_BEFORE)
    hi = min(len(text), lo + EXCERPT_LENGTH)
    segments: list[tuple[str, bool]] = []
    pos = lo
    for a, b in marks:
        a, b = max(a, pos), min(b, hi)
        if a >= hi:
            break
        if b <= a:
            continue
        if a > pos:
            segments.append((text[pos:a], False))
        segments.append((text[a:b], True))
        pos = b
    if pos < hi:
        segments.append((text[pos:hi], False))
    if lo > 0:
        segments.insert(0, ("…", False))
    if hi < len(text):
        segments.append(("…", False))
    return label, anchor, segments
