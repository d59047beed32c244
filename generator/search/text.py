"""The text model: how the index and the client see text, and the keys of a text.

Normalised text (`normalize`) is NFKC, case folded, without control characters,
with one space between words. Its keys (`tokenize`) are every 1-, 2- and
3-character sequence of each space-separated segment, plus "T" tokens (runs of
letters and digits joined by `- . / _ , :` and their component sequences). A
query word's keys (`plan_word`) are a subset of the keys of any text that
contains it, which is what makes recall exact.
"""

from __future__ import annotations

import operator
import re
import unicodedata
import zlib
from dataclasses import dataclass

# --- normalisation ------------------------------------------------------------

# Python's whitespace (str.isspace), spelled out so that search.js uses exactly the same set.
WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_WS = re.compile(f"[{WHITESPACE}]+")
# Control characters that are not whitespace: invisible, never part of a word.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def normalize(text: str) -> str:
    """Return text as the index sees it: NFKC, case folded, one space between words, numbers in one form.

    Full-width letters, digits and punctuation become half-width (３１．９ → 31.9,
    ， → ,), upper case becomes lower case (JXN → jxn), control characters go and
    every run of whitespace becomes one space. Chinese characters are unchanged.
    Numbers are written one way (`number_deletions`): 494.560000 → 494.56,
    1,126,240.00 → 1126240, 31.9 万元 → 31.9万元, ≥ 90 % → ≥90%.
    """
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    text = _WS.sub(" ", text).strip(" ")
    if _HAS_DIGIT.search(text):
        for rule in NUMBER_RULES:
            gone = number_deletions(rule, text)
            if gone:  # cut around the deleted positions (character by character was a sixth of indexing)
                kept = [i + 1 for i in sorted(gone)]
                text = "".join(text[start:end - 1] for start, end in zip([0, *kept], [*kept, len(text) + 1], strict=True))
    return text


# How numbers are written does not matter: each rule names characters to delete, applied in
# order (search.js has the same rules). A thousands separator; the zeros ending a decimal
# fraction (and its point when nothing is left); a space between a number and its unit, or
# between a comparison and its number.
_HAS_DIGIT = re.compile("[0-9]")
NUMBER_RULES = (
    re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9]|,[0-9])"),
    re.compile(r"(?<![0-9.])[0-9]+\.[0-9]*?(0+)(?![0-9.])"),
    re.compile(r"(?<=[0-9%]) (?=[%‰\u3400-\u4dbf\u4e00-\u9fff])|(?<=[<>≤≥=≠]) (?=[0-9])"),
)


def number_deletions(rule: re.Pattern[str], text: str) -> set[int]:
    """Return the positions in normalised text that a number rule deletes."""
    gone: set[int] = set()
    for m in rule.finditer(text):
        if rule is NUMBER_RULES[0]:
            gone.update(i for i in range(m.start(), m.end()) if text[i] == ",")
        elif rule is NUMBER_RULES[1]:
            start = m.start(1)
            gone.update(range(start, m.end(1)))
            if text[start - 1] == ".":
                gone.add(start - 1)
        else:
            gone.add(m.start())
    return gone


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


