"""Parsing records safely and exactly (generator/yamlio.py)."""

from decimal import Decimal

import pytest

from generator import yamlio
from generator.yamlio import YamlError, parse


def test_decimals_stay_exact_and_keep_printed_places():
    data = parse("a: 31.900000\nb: 148.00\nc: 0.1\n")
    assert data == {"a": Decimal("31.900000"), "b": Decimal("148.00"), "c": Decimal("0.1")}
    assert str(data["a"]) == "31.900000"


def test_yaml11_oddities_stay_text():
    data = parse("date: 2020-01-01\ncode: 0101\nanswer: yes\nno: no\ntime: 1:30\n")
    assert data == {"date": "2020-01-01", "code": "0101", "answer": "yes", "no": "no", "time": "1:30"}


def test_bom_is_accepted():
    assert parse(yamlio.decode("\ufeffname: 甲\n".encode())) == {"name": "甲"}


def error_of(text: str) -> YamlError:
    with pytest.raises(YamlError) as caught:
        parse(text)
    return caught.value


def test_duplicate_key_names_both_lines():
    err = error_of("name: 甲\nunit: 元\nname: 乙\n")
    assert err.line == 3 and "“name”重复" in err.message and "第 1 行" in err.message


def test_python_tag_is_refused():
    err = error_of("name: !!python/object/apply:os.system ['echo pwned']\n")
    assert err.line == 1 and "不允许使用标签" in err.message


def test_local_tag_is_refused():
    assert "不允许使用标签" in error_of("name: !custom 甲\n").message


def test_tab_indentation_is_explained():
    err = error_of("info:\n\t项目属性: 单位专项\n")
    assert err.line == 2 and "制表符" in err.message


def test_malformed_yaml_is_explained_in_chinese():
    err = error_of("name: 甲\nunit: [元\n")
    assert err.line is not None and err.message.startswith("YAML 格式错误")


def test_colon_in_value_is_explained():
    err = error_of("name: 标题: 副标题\n")
    assert err.line == 1 and "冒号" in err.message


def test_alias_bomb_is_refused():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        previous = name
    err = error_of("\n".join(lines) + "\n")
    assert "过大" in err.message


def test_recursive_alias_is_refused():
    assert "循环" in error_of("a: &a [*a]\n").message


def test_small_aliases_are_allowed():
    assert parse("a: &x 甲\nb: *x\n") == {"a": "甲", "b": "甲"}


def test_gbk_file_is_recognised():
    with pytest.raises(YamlError) as caught:
        yamlio.decode("name: 人民调解\n".encode("gbk"))
    assert "GBK" in caught.value.message and "iconv" in caught.value.message and caught.value.line == 1


def test_binary_file_is_refused():
    with pytest.raises(YamlError):
        yamlio.decode(b"\x00\x01\x02")


def test_huge_file_is_refused():
    with pytest.raises(YamlError) as caught:
        yamlio.decode(b"a: 1\n" * (yamlio.MAX_BYTES // 5 + 1))
    assert "过大" in caught.value.message


def test_line_of_finds_nested_fields():
    text = "name: 甲\nindicators:\n  - level1: 产出\n    groups:\n      - level2: 数量\n"
    assert yamlio.line_of(text, ["indicators", 0, "groups", 0, "level2"]) == 5
    assert yamlio.line_of(text, ["indicators", 0, "missing"]) == 3


# --- the plain constructor gives what PyYAML's constructor gives ----------------------------------

REPO = __import__("pathlib").Path(__file__).resolve().parent.parent
PLAIN_CASES = [
    "a: 1\nb: -0\nc: +7\nd: 123456789012345678901234567890\ne: 1234567890123456789012345678901\n",
    "a: 31.900000\nb: .5\nc: -1.\nd: 1e5\ne: 0.1\n",
    "a: true\nb: False\nc: TRUE\nd: yes\ne: ~\nf: null\ng:\nh: ''\n",
    "1: one\n1.0: decimal\ntrue: bool\n'2': text\n1.00: again\nTrue: twice\n",
    "base: &b {x: 1, y: [1, 2]}\nfirst: *b\nsecond: *b\nlist: &l [a, b]\nagain: *l\n",
    "- [1, [2, [3, [4]]]]\n- {a: {b: {c: d}}}\n- []\n- {}\n- '<<'\n",
    "'<<': not a merge\nquoted: \"tab\\there\"\nmulti: |\n  一\n  二\nfolded: >\n  a\n  b\n",
    "!!str 12: x\nn: !!int 12\ns: !!str 3.5\n",
    "<<: {a: 1}\nb: 2\n", "[1, 2, 3]", "just text", "", "--- 5\n",
]


def typed(value: object) -> object:
    """Return a value with the type of everything in it, so that 1, True and Decimal(1) differ."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, value)


def both_constructors(text: str) -> tuple[object, object]:
    """Build a text's node tree with construct_plain and with the loader's constructor."""
    plain_loader, loader = yamlio._FAST(text), yamlio._FAST(text)
    try:
        plain_node, node = plain_loader.get_single_node(), loader.get_single_node()
        if node is None:
            return None, None
        return yamlio.construct_plain(plain_node), loader.construct_document(node)
    finally:
        plain_loader.dispose()
        loader.dispose()


@pytest.mark.parametrize("text", PLAIN_CASES)
def test_the_plain_constructor_builds_what_pyyaml_builds(text):
    plain, proper = both_constructors(text)
    assert typed(plain) == typed(proper)


def test_the_plain_constructor_builds_every_bundled_record_as_pyyaml_does():
    files = sorted(REPO.glob("content/**/*.yaml")) + sorted(REPO.glob("docs/**/*.yaml"))
    assert len(files) > 20
    for path in files:
        plain, proper = both_constructors(path.read_text(encoding="utf-8"))
        assert typed(plain) == typed(proper), path


def test_aliases_are_shared_as_pyyaml_shares_them():
    plain, _ = both_constructors("base: &b [1]\nfirst: *b\n")
    assert plain["base"] is plain["first"]


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "1: x\n'1': y\n", "? [1]\n: x\n", "~: x\n", "a: !!binary aGVsbG8=\n",
    "a: \"\\x1b[31m\"\n", "a: !!set {x}\n", "a: !!timestamp 2020-01-01\n",
])
def test_what_the_plain_constructor_leaves_to_pyyaml(text):
    loader = yamlio._FAST(text)
    try:
        with pytest.raises(yamlio.Irregular):
            yamlio.construct_plain(loader.get_single_node())
    finally:
        loader.dispose()
    with pytest.raises(YamlError):  # and parse() still refuses it, with the constructor's message
        parse(text)
