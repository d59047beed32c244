"""Leave out of the published style sheets and scripts what only their readers need: comments,
indentation, blank lines.

The sources stay commented (site_templates/assets/); a phone on a slow line should not pay for
that: the project page's budget (HTML + CSS + JS under 40 KB) counts the bytes it loads. Both
passes are conservative, so that they cannot change what a file does:

- CSS: comments and runs of white space outside strings go; the space around `{ } ; , >` and
  after `:` goes too, but never the space before `:` (`tbody :empty` is not `tbody:empty`)
  nor around `+` and `-` (`calc(1em + 2px)`).
- JavaScript: only whole lines change: indentation, blank lines, lines that are a comment
  and nothing else. Line breaks stay (automatic semicolons depend on them), and a file that
  holds a template literal (`) is left alone, since a line inside one is text.
"""

from __future__ import annotations

import re

SPACE = re.compile(r"\s+")
AROUND = re.compile(r" ?([{};,>]) ?")
AFTER_COLON = re.compile(r": ")


_DONE: dict[tuple[str, bytes], bytes] = {}  # a running preview copies the same few assets at every save


def minify(name: str, data: bytes) -> bytes:
    """Return an asset's bytes as published: a .css or .js file minified, anything else as it is."""
    if (name, data) not in _DONE:
        if len(_DONE) > 64:  # templates folders edited over a long session
            _DONE.clear()
        _DONE[name, data] = minified(name, data)
    return _DONE[name, data]


def minified(name: str, data: bytes) -> bytes:
    """Minify one asset (see `minify`)."""
    if name.endswith(".css"):
        return css(data.decode("utf-8")).encode("utf-8")
    if name.endswith(".js"):
        return js(data.decode("utf-8")).encode("utf-8")
    return data


def css(text: str) -> str:
    """Minify a style sheet without touching its strings."""
    out: list[str] = []
    code: list[str] = []  # the current run of code between strings and comments

    def flush() -> None:
        if code:
            squeezed = AFTER_COLON.sub(":", AROUND.sub(r"\1", SPACE.sub(" ", "".join(code))))
            out.append(squeezed)
            code.clear()

    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            flush()
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            code.append(" ")  # a comment separates what is around it
        else:
            code.append(c)
            i += 1
    flush()
    return "".join(out).replace(";}", "}").strip() + "\n"


def js(text: str) -> str:
    """Minify a script line by line: indentation, blank lines and comment-only lines go."""
    if "`" in text:
        return text
    kept: list[str] = []
    in_comment = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("/*") and not in_comment:
            in_comment, line = True, line[2:]
        if in_comment:
            if "*/" not in line:
                continue
            in_comment, line = False, line.split("*/", 1)[1].strip()
        if line and not line.startswith("//"):
            kept.append(line)
    return "\n".join(kept) + "\n"
