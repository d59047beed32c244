"""Describe the model: JSON Schema for editors, and field names for messages and docs."""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel

from .model import RESERVED_FIELDS, Department, Edition, Evaluation, NotGiven, Project, Site, Transfer

RECORDS: dict[str, type[BaseModel]] = {
    "site": Site, "edition": Edition, "department": Department, "project": Project,
    "transfer": Transfer, "evaluation": Evaluation,
}
SCHEMA_BASE = "https://disclose.invalid/schema/"


def _unwrap(annotation: object) -> object:
    """Strip Annotated, Optional and tuple[...] down to the element type."""
    while True:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [a for a in args if a is not type(None)]
            annotation = rest[0] if len(rest) == 1 else annotation
            if len(rest) != 1:
                return annotation
        elif origin in (tuple, list):
            annotation = args[0]
        else:
            return annotation


def model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """Return the model class that holds the field at `loc` (None past a leaf)."""
    current: object = model
    for step in loc:
        if isinstance(step, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or step not in current.model_fields:
            return None
        current = _unwrap(current.model_fields[step].annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def describe_field(model: type[BaseModel], loc: Sequence[str | int]) -> str:
    """Return the short Chinese name of the field at `loc`, or ""."""
    names = [s for s in loc if isinstance(s, str)]
    if not names:
        return ""
    owner = model_at(model, [s for s in loc if isinstance(s, str)][:-1])
    if owner is None or names[-1] not in owner.model_fields:
        return ""
    return short(owner.model_fields[names[-1]].description or "")


def short(description: str) -> str:
    """Cut a field description to its name: the text before the first comma or bracket."""
    for mark in ("，", "（", "：", "("):
        description = description.split(mark)[0]
    return description.strip()


def json_schema(kind: str) -> dict:
    """Return the JSON Schema of one kind of record."""
    schema = RECORDS[kind].model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{SCHEMA_BASE}{kind}.schema.json"
    return schema


def write_schemas(folder: Path) -> list[Path]:
    """Write the JSON Schema of every kind of record into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in RECORDS:
        path = folder / f"{kind}.schema.json"
        path.write_text(json.dumps(json_schema(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written


def iter_fields(model: type[BaseModel], prefix: str = "", within: tuple[type, ...] = ()) -> Iterator[tuple[str, str, str, bool]]:
    """Yield (path, type, description, required) for every authorable field, depth first (a nested model once)."""
    within = (*within, model)
    for name, info in model.model_fields.items():
        if name in RESERVED_FIELDS:
            continue
        path = f"{prefix}{name}"
        inner = _unwrap(info.annotation)
        nested = isinstance(inner, type) and issubclass(inner, BaseModel)
        yield path, type_label(info.annotation), info.description or "", info.is_required()
        if nested and inner not in within:  # FundingSource.children repeats its parent's fields
            many = typing.get_origin(_strip_optional(info.annotation)) in (tuple, list)
            yield from iter_fields(inner, f"{path}[]." if many else f"{path}.", within)


def _strip_optional(annotation: object) -> object:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return _strip_optional(rest[0])
    return annotation


def type_label(annotation: object) -> str:
    """Name a field's type in Chinese for the field reference."""
    base = _strip_optional(annotation)
    origin = typing.get_origin(base)
    if origin in (tuple, list):
        inner = _unwrap(base)
        return f"列表（{type_label(inner)}）"
    if origin is dict:
        return "字段表（栏目名: 内容）"
    if origin is typing.Literal:
        return "取值：" + " / ".join(str(a) for a in typing.get_args(base))
    if origin in (typing.Union, types.UnionType):  # a money cell: a number, or a printed "—" / "/" / "无"
        return "或".join(dict.fromkeys(type_label(arm) for arm in typing.get_args(base)))
    if base is NotGiven:
        return "照录“—”“/”“无”"
    if isinstance(base, type) and issubclass(base, BaseModel):
        return base.__name__
    name = getattr(base, "__name__", str(base))
    return {"str": "文字", "int": "整数", "Decimal": "数字", "bool": "是/否"}.get(name, name)
