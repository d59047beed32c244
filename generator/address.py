"""The one rule for every web address a record or setting can carry.

A link in the published site may only lead to a web page: an `http://` or
`https://` address with a host, or a path relative to the site. Anything else
(`javascript:`, `data:`, `vbscript:`, `file:`, a mail or phone scheme, a
protocol-relative `//host`) is refused, because a browser would run it, open a
local file or leave the site without the reader seeing where to.

Browsers forgive a lot before they read the scheme: they drop leading spaces
and control characters and ignore tabs and line breaks anywhere in an address,
and treat "\\" like "/". So " JaVaScRiPt:", "java\\tscript:" and "/\\evil.example"
would all slip past a check that looks only at the start; this module refuses
every space, control character and backslash outright instead of cleaning them.

The same function is used twice: when a record is validated (model.py, so that
`disclose check` reports it with file, line and field) and again where an
address is written into HTML, robots.txt or sitemap.xml (render.py, plan.py),
so that no code path can publish an address that skipped validation.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SCHEMES = ("http", "https")
RULE = "只能用 http:// 或 https:// 开头的网址，或站内相对路径（如 about/）"
MAX_LENGTH = 2000  # the longest address browsers and crawlers handle reliably

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# Space and control characters of any script (C0, DEL, C1, Unicode spaces, invisible format marks).
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\\]")


class AddressError(ValueError):
    """An address that may not be published; the message says why, in Chinese."""


def problem(text: str, *, absolute: bool = False) -> str | None:
    """Return why `text` may not be published as a link, or None when it may."""
    if len(text) > MAX_LENGTH:
        return f"网址过长（{len(text)} 个字符，上限 {MAX_LENGTH}）"
    bad = _UNSAFE.search(text)
    if bad:
        what = "反斜杠“\\”" if bad[0] == "\\" else f"空格或控制字符（U+{ord(bad[0]):04X}）"
        return f"网址第 {bad.start() + 1} 个字符是{what}，网址中不能有这样的字符；{RULE}"
    scheme = _SCHEME.match(text)
    if scheme is None:
        if absolute:
            return "应为完整网址，以 http:// 或 https:// 开头，如 https://www.example.gov.cn/ysgk/"
        if text.startswith("//"):
            return f"不能以“//”开头（会链接到其他网站）：{RULE}"
        return None
    if scheme[1].lower() not in SCHEMES:
        return f"不允许“{scheme[1]}:”网址：{RULE}"
    try:
        host = urlsplit(text).hostname
    except ValueError:
        host = None
    if not text[len(scheme[0]):].startswith("//") or not host:
        return "网址缺少网站域名，应写成 https://www.example.gov.cn/… 的形式"
    return None


def checked(text: str, *, absolute: bool = False) -> str:
    """Return `text` unchanged when it may be published as a link; raise AddressError otherwise."""
    reason = problem(text, absolute=absolute)
    if reason is not None:
        raise AddressError(reason)
    return text


def validate(text: str | None) -> str | None:
    """Validate a link field of a record (a pydantic validator); blank means no link."""
    if text is None or not text.strip():
        return text
    return checked(text)


def validate_absolute(text: str | None) -> str | None:
    """Validate a field that must hold a full http(s) address, such as base_url."""
    if text is None or not text.strip():
        return text
    return checked(text, absolute=True)
