"""Write records as YAML in the style of the hand-written ones.

Used where the program, not a person, writes a record (`disclose import`).
The output reads like the bundled records: fields in the model's order,
block text (`|`) for several lines, quotes only where YAML needs them, exact
decimals as printed. `dump` checks its own output by reading it back with
the project's reader, so a value that would change meaning is quoted.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from . import yamlio

# Text that YAML could read as something else, or that needs care, is quoted.
_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n\t\r]*$")
_RISKY = (": ", " #", "\\")
_NUMBER_LIKE = re.compile(r"^[\d+\-.=<>~]")  # quoted for readers that would take them as numbers or syntax


def dump(data: dict[str, Any], schema: str | None = None) -> str:
    """Return the YAML text of one record; `schema` is the path for the editor hint comment."""
    head = f"# yaml-language-server: $schema={schema}\n" if schema else ""
    return head + "".join(_mapping(data, 0))


def _mapping(data: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for key, value in data.items():
        lines.extend(_entry(f"{pad}{_scalar(str(key))}:", value, indent))
    return lines


def _entry(prefix: str, value: Any, indent: int) -> list[str]:
    """Render `prefix` followed by a value, nested values on the next lines."""
    if isinstance(value, dict):
        return [f"{prefix} {{}}\n"] if not value else [f"{prefix}\n", *_mapping(value, indent + 2)]
    if isinstance(value, list | tuple):
        return [f"{prefix} []\n"] if not value else [f"{prefix}\n", *_sequence(value, indent + 2)]
    if isinstance(value, str) and "\n" in value and _literal_ok(value):
        return [f"{prefix} {_chomp(value)}\n", *_block(value, indent + 2)]
    return [f"{prefix} {_scalar(value)}\n"]


def _sequence(items: list[Any] | tuple[Any, ...], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, dict) and item:
            nested = _mapping(item, indent + 2)
            lines.append(f"{pad}- {nested[0][indent + 2:]}")
            lines.extend(nested[1:])
        else:
            lines.extend(_entry(f"{pad}-", item, indent))
    return lines


def _literal_ok(text: str) -> bool:
    """Return whether a multi-line text survives a literal block unchanged."""
    body = text.rstrip("\n")
    if not body or body[0] in " \t" or "\r" in text or "\t" in text:
        return False
    return all(line == line.rstrip(" ") for line in body.split("\n"))


def _chomp(text: str) -> str:
    trailing = len(text) - len(text.rstrip("\n"))
    return {0: "|-", 1: "|"}.get(trailing, "|+")


def _block(text: str, indent: int) -> list[str]:
    pad = " " * indent
    body = text[:-1] if text.endswith("\n") else text
    return [f"{pad}{line}\n" if line else "\n" for line in body.split("\n")]


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    if _PLAIN.match(text) and not _NUMBER_LIKE.match(text) and not any(r in text for r in _RISKY) and text == text.strip() and _reads_back(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _reads_back(text: str) -> bool:
    """Return whether `text` written plainly is read back as the same text."""
    try:
        return yamlio.parse(f"k: {text}\n") == {"k": text}
    except yamlio.YamlError:
        return False
