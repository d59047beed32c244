"""Excerpts: the field of a result that shows why it matched, with the words marked."""

from __future__ import annotations

from .text import _WS, normalize


def _fields(doc: dict) -> list[tuple[str, str, str]]:
    """Return a document file's fields as (label, anchor, text), labels carried forward."""
    out, label = [], ""
    for lab, anchor, text in doc["f"]:
        label = lab or label
        out.append((label, anchor, text))
    return out


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

