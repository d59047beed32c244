"""Postings: sorted document numbers as short strings of base64 digits (search.js decodes them).

Four forms, whichever is shortest: "D" delta varints, "B" a bitmap over the
span of the documents, "R" runs, "C" the complement.
"""

from __future__ import annotations

import base64
import operator
from collections import deque
from collections.abc import Iterable
from itertools import repeat

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


# Fast path for the common small numbers: _varint(n) for n < 2¹⁵, laid out digit by digit (a loop of
# _varint calls was 14 ms of every build's start).
_LOW, _LAST = ALPHABET[:32], ALPHABET[32:]
_VAR = [*_LAST, *(lo + hi for hi in _LAST[1:] for lo in _LOW),
        *(lo + mid + hi for hi in _LAST[1:] for mid in _LOW for lo in _LOW)]


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


