"""Excerpts: the field of a result that shows why it matched, with the words marked.

The excerpt is the matched field itself. An indicator shows its path and its
target ("满意度指标 › 服务对象满意度 › 司法协理员满意度 >90%") whole, and a
match in its description, basis or scoring after it; other fields show a
window around the first match, cut at code points and, where one is near, at a
space or a punctuation mark rather than mid-word. search.js builds the same
excerpts (a test compares them).
"""

from __future__ import annotations

import re

from .docs import PATH_SEPARATOR
from .text import _WS, NUMBER_RULES, normalize, number_deletions

EXCERPT_BEFORE = 20  # characters shown before the first match
EXCERPT_LENGTH = 90  # characters in the window around it
# Where a window may start or end: after a space or a punctuation mark (not "." or ",", which are inside numbers).
BOUNDARY = re.compile("[ ，。；：、！？（）【】《》“”;:!?()\\[\\]]")

Segments = list[tuple[str, bool]]  # (text, highlighted)


def _fields(doc: dict) -> list[tuple[str, str, str]]:
    """Return a document file's fields as (label, anchor, text), labels carried forward."""
    out, label = [], ""
    for lab, anchor, text in doc["f"]:
        label = lab or label
        out.append((label, anchor, text))
    return out


def normalized_map(text: str) -> tuple[str, list[int], list[int]]:
    """Normalise text character by character; return it and, per character, the span it came from."""
    out: list[str] = []
    start: list[int] = []
    end: list[int] = []
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
            start.append(i)
            end.append(i + 1)
    norm = "".join(out)
    for rule in NUMBER_RULES:
        gone = number_deletions(rule, norm)
        if gone:
            keep = [i for i in range(len(norm)) if i not in gone]
            norm = "".join(norm[i] for i in keep)
            start, end = [start[i] for i in keep], [end[i] for i in keep]
    return norm, start, end


def _shown(fields: list[tuple[str, str, str]], i: int) -> tuple[str, int]:
    """Return what field i shows and how many of its first characters are always shown.

    An indicator's first field (name and target) is shown whole after its path; a
    second field of the same row (description, basis, scoring) after that head.
    """
    label, anchor, text = fields[i]
    if not anchor:
        return text, 0
    if i > 0 and fields[i - 1][1] == anchor:
        head = label + PATH_SEPARATOR + fields[i - 1][2] + " "
        return head + text, len(head)
    shown = label + PATH_SEPARATOR + text if label else text
    return shown, len(shown)


def excerpt_of(doc: dict, words: list[str]) -> tuple[str, str, Segments]:
    """Return (label, anchor, segments) of the best field: the most words, the phrase, an indicator, not the title.

    The label is "" for an indicator: its path is part of the segments.
    """
    fields = _fields(doc)
    titles = doc["h"]
    joined = "".join(words)
    best, best_score = None, None
    for i in range(len(fields)):
        t = normalize(_shown(fields, i)[0])
        found = sum(1 for w in words if w in t)
        if not found:
            continue
        score = (i < titles and len(fields) > titles, -found, 0 if joined in t else 1, 0 if fields[i][1] else 1, i)
        if best_score is None or score < best_score:
            best, best_score = i, score
    if best is None:
        best = min(titles, len(fields) - 1)
    label, anchor, _ = fields[best]
    text, keep = _shown(fields, best)
    return ("" if anchor else label), anchor, segments(text, words, keep)


def segments(text: str, words: list[str], keep: int = 0) -> Segments:
    """Cut text to its first `keep` characters and a window around the first match after them; mark the words."""
    norm, start, end = normalized_map(text)
    marks: list[tuple[int, int]] = []
    for w in words:
        at = norm.find(w)
        while at >= 0:
            marks.append((start[at], end[at + len(w) - 1]))
            at = norm.find(w, at + len(w))
    marks.sort()
    first = next((a for a, _ in marks if a >= keep), keep)
    lo = max(keep, first - EXCERPT_BEFORE)
    if lo > keep:
        cut = BOUNDARY.search(text, lo, first)
        if cut:
            lo = cut.end()
    hi = min(len(text), lo + EXCERPT_LENGTH)
    if hi < len(text):
        cut = None
        for m in BOUNDARY.finditer(text, max(first + 1, hi - 15), hi):
            cut = m
        if cut:
            hi = cut.start() + 1
    ranges = [(0, keep)] if keep else []
    if hi > lo:
        if ranges and lo <= keep:
            ranges = [(0, hi)]
        else:
            ranges.append((lo, hi))
    out: Segments = []
    previous = 0
    for a, b in ranges:
        if a > previous:
            out.append(("…", False))
        out.extend(_marked(text, marks, a, b))
        previous = b
    if previous < len(text):
        out.append(("…", False))
    return out


def _marked(text: str, marks: list[tuple[int, int]], lo: int, hi: int) -> Segments:
    """Return text[lo:hi] as segments, the marked spans highlighted."""
    out: Segments = []
    pos = lo
    for a, b in marks:
        a, b = max(a, pos), min(b, hi)
        if a >= hi:
            break
        if b <= a:
            continue
        if a > pos:
            out.append((text[pos:a], False))
        out.append((text[a:b], True))
        pos = b
    if pos < hi:
        out.append((text[pos:hi], False))
    return out
