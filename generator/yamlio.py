"""Read YAML records safely and exactly.

The fast path is libyaml's C parser with a resolver of our own: numbers with a
decimal point become Decimal (never float), dates and YAML 1.1 oddities
(yes/no, octal, sexagesimal) stay text, only the standard tags are known, and
duplicate keys are errors. Line numbers are recovered only when an error is
reported (`line_of`), by composing the file again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import yaml

try:  # libyaml's C parser: the fast path; PyYAML's own parser is the fallback
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

MAX_BYTES = 2 * 1024 * 1024  # a record is a few KB; 2 MiB is absurd already
MAX_NODES = 200_000  # expanded node count: stops alias ("billion laughs") bombs
MAX_DEPTH = 40  # a project nests about 8 levels deep; 900 levels of brackets is an attack or an accident

# Control characters have no place in a record: they are invisible, and ESC sequences would restyle the
# publisher's terminal. Tab, line feed and carriage return are layout. Bidirectional overrides reorder
# what a reader sees ("Trojan source"), so they are refused as well.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL_NAMES = {0x00: "NUL", 0x07: "响铃 BEL", 0x08: "退格 BS", 0x1B: "转义 ESC", 0x7F: "DEL"}


class YamlError(Exception):
    """A problem in a YAML file, with the 1-based line where it was found."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


class _Resolver(yaml.resolver.BaseResolver):
    """Resolve only null, true/false, plain integers and decimals; all else is text."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    # At most 30 digits: a longer run of digits is a code or a slip, kept as text for the model to judge
    # (Python refuses to turn more than 4300 digits into an int at all).
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]{0,29})$"), list("-+0123456789")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)$"),
    list("-+0123456789."),
)


class _Constructor(yaml.constructor.SafeConstructor):
    """Build plain Python data; refuse duplicate keys and non-standard tags."""

    yaml_constructors = {
        tag: fn
        for tag, fn in yaml.constructor.SafeConstructor.yaml_constructors.items()
        if tag is not None and not tag.endswith(("timestamp", "binary", "set", "omap", "pairs"))
    }

    def construct_yaml_decimal(self, node: yaml.ScalarNode) -> Decimal:
        return Decimal(self.construct_scalar(node))

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("不支持合并键“<<”，请直接写出各字段", key_node.start_mark.line + 1)
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | Decimal | bool) or key is None:
                raise YamlError("字段名必须是文字", key_node.start_mark.line + 1)
            # Compared as written: `1:` and `"1":` are the same label once the model reads it as text.
            key = key_node.value
            if key in seen:
                raise YamlError(
                    f"字段“{key}”重复出现（第 {seen[key]} 行已有），请删除或合并其中一个",
                    key_node.start_mark.line + 1,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_scalar(self, node: yaml.Node) -> Any:
        value = super().construct_scalar(node)
        if isinstance(value, str):
            bad = CONTROL.search(value)
            if bad:  # only a quoted escape such as "\a" or "\x1b" can get here; raw ones stop in `decode`
                raise YamlError(
                    f"内容中有控制字符 {describe_char(bad[0])}（此项内容第 {bad.start() + 1} 个字符，"
                    f"第 {node.start_mark.column + 1} 列起），请删除",
                    node.start_mark.line + 1,
                )
        return value

    def construct_undefined(self, node: yaml.Node) -> None:
        raise YamlError(
            f"不允许使用标签 {node.tag}：记录只能包含文字、数字、列表和字段，不能包含程序对象",
            node.start_mark.line + 1,
        )


_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_decimal)
_Constructor.add_constructor(None, _Constructor.construct_undefined)


def _loader_class() -> type:
    """Combine libyaml's parser (or PyYAML's own, without libyaml) with our resolver and constructor."""
    parser = _CParser
    if parser is None:
        bases = (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer)

        class _PyLoader(*bases, _Constructor, _Resolver):  # type: ignore[misc]
            def __init__(self, stream: str):
                yaml.reader.Reader.__init__(self, stream)
                yaml.scanner.Scanner.__init__(self)
                yaml.parser.Parser.__init__(self)
                yaml.composer.Composer.__init__(self)
                _Constructor.__init__(self)
                _Resolver.__init__(self)

        return _PyLoader

    class _CLoader(parser, _Constructor, _Resolver):  # type: ignore[misc,valid-type]
        def __init__(self, stream: str):
            parser.__init__(self, stream)
            _Constructor.__init__(self)
            _Resolver.__init__(self)

    return _CLoader


_FAST = _loader_class()


def decode(raw: bytes) -> str:
    """Decode a record file as UTF-8 (a BOM is accepted) or explain what it is."""
    if len(raw) > MAX_BYTES:
        raise YamlError(f"文件过大（{len(raw) // 1024} KB，上限 {MAX_BYTES // 1024} KB），请检查是否放错了文件")
    utf = _wide_encoding(raw)
    if utf:
        raise YamlError(
            f"文件是 {utf} 编码（Windows“Unicode”），不是 UTF-8。请用编辑器“另存为”并选择 UTF-8 编码，"
            f"或运行：iconv -f {utf} -t UTF-8 原文件 > 新文件"
        )
    if b"\x00" in raw:
        raise YamlError("文件含有二进制内容（NUL 字节），不是文本文件，请检查是否放错了文件",
                        raw[: raw.index(b"\x00")].count(b"\n") + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            raise YamlError("文件不是 UTF-8 编码，请用编辑器另存为“UTF-8”", line) from None
        raise YamlError(
            "文件不是 UTF-8 编码，看起来是 GBK（GB2312/GB18030）编码。"
            "请用编辑器“另存为”并选择 UTF-8 编码，或运行：iconv -f GBK -t UTF-8 原文件 > 新文件",
            line,
        ) from None
    text = text.removeprefix("\ufeff")
    bad = CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise YamlError(f"第 {line} 行第 {column} 列有控制字符 {describe_char(bad[0])}，请删除", line)
    return text


def _wide_encoding(raw: bytes) -> str | None:
    """Name UTF-16 or UTF-32 when the bytes are in one of them (by BOM, or by NUL bytes in every other place)."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = raw[:4000]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    # Each ASCII character (keys, digits, spaces) of UTF-16 text has a NUL high byte, always on the same
    # side; a binary file's NULs fall on both sides.
    if even + odd >= 4 and min(even, odd) <= 0.02 * (even + odd):
        return "UTF-16"
    return None


def describe_char(char: str) -> str:
    """Name a control character for a message: U+0007（响铃 BEL）."""
    name = CONTROL_NAMES.get(ord(char))
    return f"U+{ord(char):04X}（{name}）" if name else f"U+{ord(char):04X}"


def _check_tabs(text: str) -> None:
    for number, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            raise YamlError("缩进中有制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格", number)


def _inspect_nodes(loader: Any, root: yaml.Node, tags: bool = True) -> int:
    """Refuse explicit tags and deep nesting; count nodes as construction would see them, aliases expanded.

    With `tags` False (the text has no "!", which every written tag starts with) tags are not looked at.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise YamlError("别名（*）引用了自身，形成循环", node.start_mark.line + 1)
        if depth > MAX_DEPTH:
            raise YamlError(f"嵌套层次过深（超过 {MAX_DEPTH} 层），请检查括号“[ ]”“{{ }}”或缩进", node.start_mark.line + 1)
        if tags:
            _refuse_explicit_tag(loader, node)
        active.add(key)
        if isinstance(node, yaml.MappingNode):
            n = 1 + sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            n = 1 + sum(size(v, depth + 1) for v in node.value)
        else:
            n = 1
        active.discard(key)
        sizes[key] = n
        if n > MAX_NODES:
            raise YamlError(
                f"内容展开后过大（超过 {MAX_NODES} 项），可能是别名（&/*）层层引用造成的", node.start_mark.line + 1
            )
        return n

    return size(root, 0)


def _refuse_explicit_tag(loader: Any, node: yaml.Node) -> None:
    """Refuse a node whose tag was written (`!!float .inf`, `!!int abc`) rather than read from its text."""
    if isinstance(node, yaml.ScalarNode):
        plain = node.style in (None, "")
        implicit = loader.resolve(yaml.ScalarNode, node.value, (plain, not plain))
    else:
        implicit = loader.resolve(type(node), None, (True, False))
    if node.tag != implicit:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlError(
            f"不允许使用标签“{tag}”（第 {node.start_mark.column + 1} 列）：记录只能包含文字、数字、列表和字段，"
            "请直接写内容，数字照原文写，文字需要时用引号括起来",
            node.start_mark.line + 1,
        )


class Irregular(Exception):
    """A node `construct_plain` leaves to the constructor proper."""


_TAG = "tag:yaml.org,2002:"
SCALARS: dict[str, Callable[[str], Any]] = {
    _TAG + "str": str,
    _TAG + "int": int,  # the resolver lets through only [-+]?(0|[1-9][0-9]{0,29})
    _TAG + "float": Decimal,  # and only plain decimal fractions here
    _TAG + "bool": lambda text: text.lower() == "true",
    _TAG + "null": lambda text: None,
}


def construct_plain(root: yaml.Node) -> Any:
    """Build what `_Constructor` builds from a node tree of plain records, or raise Irregular.

    A record is text, numbers, lists and fields; PyYAML's constructor, made for
    every kind of YAML, took as long as libyaml's parsing. Anything it would
    refuse or treat specially (a duplicate or non-text key, a merge key, a
    control character, another tag) is Irregular, so it still gives the message.
    Aliases are built once and shared, as PyYAML does (`_inspect_nodes` has
    refused cycles, and counted the expansion, before this runs).
    """
    made: dict[int, Any] = {}

    def build(node: yaml.Node) -> Any:
        if id(node) in made:
            return made[id(node)]
        if isinstance(node, yaml.ScalarNode):
            make = SCALARS.get(node.tag)
            if make is None or CONTROL.search(node.value):
                raise Irregular
            value = make(node.value)
        elif isinstance(node, yaml.SequenceNode) and node.tag == _TAG + "seq":
            value = [build(item) for item in node.value]
        elif isinstance(node, yaml.MappingNode) and node.tag == _TAG + "map":
            value, written = {}, set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag in (_TAG + "null", _TAG + "merge") \
                        or key_node.value in written:
                    raise Irregular
                written.add(key_node.value)
                key = build(key_node)
                value[key] = build(value_node)
        else:
            raise Irregular
        made[id(node)] = value
        return value

    return build(root)


def parse(text: str) -> Any:
    """Parse one YAML document into plain data (dict, list, str, int, Decimal, bool, None)."""
    _check_tabs(text)
    loader = _FAST(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:  # PyYAML's own composer (without libyaml) recurses per level
            raise YamlError(f"嵌套层次过深（超过 {MAX_DEPTH} 层）") from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise YamlError(_explain(exc), mark.line + 1 if mark else None) from None
        except yaml.YAMLError as exc:
            raise YamlError(f"YAML 格式错误：{exc}") from None
        if node is None:
            return None
        _inspect_nodes(loader, node, tags="!" in text)  # resolving every tag again was a tenth of parsing
        try:
            return construct_plain(node)
        except Irregular:  # the constructor proper says what is wrong, as it always has
            pass
        try:
            return loader.construct_document(node)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise YamlError(_explain(exc), mark.line + 1 if mark else None) from None
        except RecursionError:
            raise YamlError("嵌套层次过深") from None
    finally:
        loader.dispose()


_PROBLEMS = [
    ("expected a single document", "一个文件只能有一条记录（去掉多余的“---”）"),
    ("mapping values are not allowed", "此处不能出现冒号“:”。如果内容里有冒号，请用引号把整段内容括起来"),
    ("found character that cannot start any token", "含有不能出现在开头的字符（如 @ ` % 或 Tab），请用引号把内容括起来"),
    ("did not find expected node content", "缺少内容，或者括号、引号没有闭合"),
    ("could not find expected ':'", "缺少冒号“:”，或者缩进不对齐"),
    ("did not find expected key", "缩进不对齐，或者上一行缺少内容"),
    ("did not find expected '-' indicator", "列表项的缩进不对齐"),
    ("found undefined alias", "引用了未定义的别名（*）"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有闭合"),
    ("found character '\\t'", "含有制表符（Tab），请改用空格"),
    ("found unknown escape character", "双引号内有无效的转义符“\\”，可改用单引号"),
    ("found unexpected ':'", "此处不能出现冒号“:”，请用引号把内容括起来"),
    ("while scanning a quoted scalar", "引号没有闭合"),
    ("while parsing a flow", "方括号 [ ] 或花括号 { } 没有闭合"),
    ("found duplicate anchor", "锚点（&）名称重复"),
    ("expected <block end>", "缩进不对齐"),
]


def _explain(exc: yaml.MarkedYAMLError) -> str:
    """Translate a PyYAML message into Chinese, keeping the original as a hint."""
    original = " ".join(filter(None, [exc.context, exc.problem]))
    for needle, chinese in _PROBLEMS:
        if needle in original:
            return f"YAML 格式错误：{chinese}（{original}）"
    return f"YAML 格式错误（{original}）"


def line_of(text: str, path: Sequence[str | int], key: bool = False) -> int | None:
    """Return the 1-based line of the node at `path`, or of its nearest parent.

    With `key`, point at the key of the last step rather than its value.
    """
    try:
        node = _FAST(text).get_single_node()
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node else None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(step)), None)
            if match is None:
                return line
            line = (match[0] if key else match[1]).start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line
