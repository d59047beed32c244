"""Issue 7: no input may run a script, publish nonsense or crash; each refusal is located and in Chinese.

One test per class of the issue and per example it gives, with more cases of each class. The
file-walk, output-safety and console/server classes are in test_hardening_files.py and
test_hardening_cli.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from factory import PROJECT, SITE, make_content, run_cli
from site_fixture import snapshot

from generator import address, bounds, yamlio
from generator.load import load_content
from generator.problems import Problem


def errors_for(tmp_path: Path, project: str | bytes = PROJECT, *, site: str = SITE, edition: str | None = None) -> list[str]:
    make_content(tmp_path, project)
    (tmp_path / "content" / "site.yaml").write_text(site, encoding="utf-8")
    if edition is not None:
        (tmp_path / "content" / "2024" / "edition.yaml").write_text(edition, encoding="utf-8")
    return [str(p) for p in load_content(tmp_path / "content").report.errors]


def refused_by_build(tmp_path: Path, change) -> str:
    """Build a good site, apply `change` to the content, build again: return the error; the site is unchanged."""
    make_content(tmp_path)
    content, public = tmp_path / "content", tmp_path / "public"
    first = run_cli("build", "--content", content, "--output", public, "--quiet")
    assert first.returncode == 0, first.stderr
    before = snapshot(public)
    change(content)
    checked = run_cli("check", "--content", content)
    built = run_cli("build", "--content", content, "--output", public, "--quiet")
    assert checked.returncode == 1 and built.returncode == 1, (checked.stderr, built.stderr)
    assert "Traceback" not in built.stderr + checked.stderr and "内部错误" not in built.stderr + checked.stderr
    assert snapshot(public) == before
    # `check` reports first whatever `build` refuses, in the same words.
    errors = [line for line in checked.stderr.splitlines() if ": 错误：" in line]
    assert errors and all(line in built.stderr for line in errors), (checked.stderr, built.stderr)
    return checked.stderr


# --- 2. script execution: one URL validator --------------------------------------------------

REFUSED_URLS = [
    "javascript:alert(document.domain)",
    " JaVaScRiPt:alert(1)",
    "JAVASCRIPT:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "http://",
    "https://exa mple.gov.cn/",
    "\x01javascript:alert(1)",
    "javascript\u200b:alert(1)",
    "mailto:a@b.cn",
]
ACCEPTED_URLS = ["https://www.beian.gov.cn/portal/registerSystemInfo?recordcode=123", "http://bszs.conac.cn/sitename?",
                 "/ysgk/jxmb/", "about/", "../2024/", "#main", "?q=1", "https://例子.中国/路径"]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_address_refuses_anything_but_http_or_a_relative_path(url):
    assert address.problem(url) is not None
    with pytest.raises(address.AddressError):
        address.checked(url)


@pytest.mark.parametrize("url", ACCEPTED_URLS)
def test_address_accepts_web_addresses_and_relative_paths(url):
    assert address.problem(url) is None


def test_base_url_must_be_absolute():
    assert address.problem("/ysgk/", absolute=True) is not None
    assert address.problem("https://www.example.gov.cn/ysgk/", absolute=True) is None


@pytest.mark.parametrize("field", ["police_record_url", "dzjg_url", "error_report_url", "base_url"])
@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", " JaVaScRiPt:alert(1)", "data:text/html,x",
                                 "javascript:alert(1)//"])
def test_site_link_fields_are_validated_with_file_line_and_field(tmp_path, field, url):
    site = SITE + "police_record: 京公网安备 1 号\n" + f"{field}: {url!r}\n".replace("'", '"')
    errors = errors_for(tmp_path, site=site)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{tmp_path / 'content' / 'site.yaml'}:3: 错误：字段 {field}"), errors[0]
    assert "http" in errors[0]


def test_base_url_javascript_never_reaches_any_file(tmp_path):
    def change(content: Path) -> None:
        (content / "site.yaml").write_text(SITE + 'base_url: "javascript:alert(1)//"\n', encoding="utf-8")

    message = refused_by_build(tmp_path, change)
    assert "site.yaml:2" in message and "base_url" in message


def test_address_is_checked_again_where_it_is_written(tmp_path):
    """A record built without validation (model_construct) still cannot put a script link in a page."""
    from generator.plan import base_url
    from generator.render import Renderer, link

    with pytest.raises(address.AddressError):
        link("javascript:alert(1)")
    from generator.model import Site

    with pytest.raises(address.AddressError):
        base_url(Site.model_construct(name="x", base_url="javascript:alert(1)//"))
    html = Renderer().env.from_string("{{ x|markdown }}").render(x="[a](javascript:alert(1))")
    assert BeautifulSoup(html, "html.parser").find("a") is None


def test_markdown_links_follow_the_same_rule():
    from generator.render import markdown

    html = str(markdown("[a](javascript:alert(1)) [b](data:text/html,x) [c](https://www.gov.cn/) [d](../about/) "
                        "<javascript:alert(1)> [e](JaVaScRiPt:alert(1))"))
    links = [a["href"] for a in BeautifulSoup(html, "html.parser").find_all("a")]
    assert links == ["https://www.gov.cn/", "../about/"]


# --- 4. nonsense published: amounts, dates, duplicate keys, control characters ------------------

@pytest.mark.parametrize("amount, words", [
    ("1e6", "科学计数法"), ("1e-999999", "科学计数法"), ("1E+3", "科学计数法"), ('"1,000"', "逗号"),
    ("-31.9", "不能是负数"), ("1" + "0" * 16, "超过上限 15 位"), ("0." + "0" * 9 + "1", "超过上限 8 位"),
    (".inf", "应为数字"), ('"NaN"', "应为数字"), ("1" * 5000, "超过上限"),
])
def test_amount_is_a_plain_decimal_within_bounds(tmp_path, amount, words):
    errors = errors_for(tmp_path, PROJECT.replace("amount: 31.9", f"amount: {amount}"))
    assert len(errors) == 1 and ":3: 错误：字段 amount" in errors[0] and words in errors[0], errors


def test_negative_only_where_the_form_allows_it_with_a_warning(tmp_path):
    project = PROJECT + "prior_year:\n  budget: 10\n  spent: 12\n  balance: -2\n"
    make_content(tmp_path, project)
    result = run_cli("check", "--content", tmp_path / "content")
    assert result.returncode == 0, result.stderr
    assert "prior_year.balance" in result.stderr and "负数" in result.stderr
    negative_spent = PROJECT + "prior_year:\n  budget: 10\n  spent: -12\n"
    errors = errors_for(tmp_path / "2", negative_spent)
    assert len(errors) == 1 and "prior_year.spent" in errors[0] and "不能是负数" in errors[0]


def test_plain_amounts_keep_their_printed_digits():
    assert str(bounds.plain_amount("31.900000")) == "31.900000"
    assert str(bounds.plain_amount(yamlio.parse("a: 148.00")["a"])) == "148.00"


@pytest.mark.parametrize("date", ["2024-02-30", "2023-02-29", "2024-13-01", "2024 年 2 月 30 日", "明天", "0024-01-01"])
def test_dates_are_real_dates(tmp_path, date):
    errors = errors_for(tmp_path, edition=f"year: 2024\npublished: {date}\n")
    assert len(errors) == 1 and "edition.yaml:2: 错误：字段 published" in errors[0] and "日期" in errors[0], errors


@pytest.mark.parametrize("date", ["2024-02-29", "2024-2-7", "2024 年 2 月 7 日", "2024年2月", "2024/02/07"])
def test_printed_dates_are_accepted(tmp_path, date):
    assert errors_for(tmp_path, edition=f"year: 2024\npublished: {date}\n") == []


def test_same_label_written_as_number_and_text_is_a_duplicate(tmp_path):
    errors = errors_for(tmp_path, PROJECT + 'info:\n  1: 甲\n  "1": 乙\n')
    assert len(errors) == 1 and ":25: 错误：" in errors[0] and "重复" in errors[0], errors


@pytest.mark.parametrize("escape, name", [("\\0", "NUL"), ("\\a", "BEL"), ("\\e[31m", "ESC"), ("\\x08", "BS"),
                                          ("\\u202e", "U+202E"), ("\\x85", "U+0085")])
def test_control_characters_are_refused_with_their_position(tmp_path, escape, name):
    errors = errors_for(tmp_path, PROJECT.replace("name: 测试项目", f'name: "测试{escape}项目"'))
    assert len(errors) == 1 and ":1: 错误：" in errors[0] and name in errors[0] and "第 3 个字符" in errors[0], errors


def test_raw_control_character_is_refused_with_line_and_column(tmp_path):
    errors = errors_for(tmp_path, PROJECT.replace("unit: 万元", "unit: 万\x07元").encode("utf-8"))
    assert len(errors) == 1 and ":2: 错误：" in errors[0] and "第 2 行第 8 列" in errors[0] and "BEL" in errors[0]


def test_nul_and_bel_never_reach_the_html(tmp_path):
    def change(content: Path) -> None:
        record = content / "2024" / "test-dept" / "test-project.yaml"
        record.write_text(PROJECT.replace("name: 测试项目", 'name: "测试\\0\\a项目"'), encoding="utf-8")

    assert "NUL" in refused_by_build(tmp_path, change)


# --- 5. crashes instead of a located error --------------------------------------------------------

@pytest.mark.parametrize("value, tag", [("!!float .inf", "!!float"), ("!!int abc", "!!int"), ("!!bool maybe", "!!bool"),
                                        ("!!str 12", "!!str"), ("!!timestamp 2024-01-01", "!!timestamp"),
                                        ("!!set {a}", "!!set"), ("!<tag:yaml.org,2002:float> 1", "!!float"),
                                        ("!custom x", "!custom")])
def test_explicit_yaml_tags_are_refused_with_their_location(tmp_path, value, tag):
    errors = errors_for(tmp_path, PROJECT.replace("unit: 万元", f"unit: 万元\ncode: {value}"))
    assert len(errors) == 1 and ":3: 错误：" in errors[0] and f"“{tag}”" in errors[0] and "第 7 列" in errors[0], errors


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a: ", "}")])
def test_deep_flow_nesting_is_a_located_error(tmp_path, opening, closing):
    errors = errors_for(tmp_path, PROJECT + "info: " + opening * 900 + closing * 900 + "\n")
    assert len(errors) == 1 and ":23: 错误：" in errors[0] and "嵌套层次过深" in errors[0], errors


def test_deep_block_nesting_is_a_located_error(tmp_path):
    nested = "".join(f"{'  ' * i}k{i}:\n" for i in range(60)) + "  " * 60 + "x: 1\n"
    errors = errors_for(tmp_path, PROJECT + "info:\n" + "".join("  " + line + "\n" for line in nested.splitlines()))
    assert len(errors) == 1 and "嵌套层次过深" in errors[0], errors


def test_huge_amount_1e309_is_refused_by_check_not_crashing_build(tmp_path):
    def change(content: Path) -> None:
        record = content / "2024" / "test-dept" / "test-project.yaml"
        record.write_text(PROJECT.replace("amount: 31.9", "amount: 1e309"), encoding="utf-8")

    assert "test-project.yaml:3" in refused_by_build(tmp_path, change)


def test_huge_integer_is_not_a_crash(tmp_path):
    errors = errors_for(tmp_path, PROJECT.replace("unit: 万元", "unit: 万元\nnumber: " + "9" * 5000))
    assert len(errors) == 1 and "字段 number" in errors[0], errors


# --- 6. size: every text field has a limit ------------------------------------------------------

def test_650000_character_project_name_is_refused_naming_field_and_limit(tmp_path):
    errors = errors_for(tmp_path, PROJECT.replace("name: 测试项目", "name: " + "长" * 650_000))
    assert len(errors) == 1, errors
    assert ":1: 错误：字段 name（项目名称）" in errors[0]
    assert "650000 个字符" in errors[0] and f"上限 {bounds.TEXT_LIMIT} 个字符" in errors[0]


@pytest.mark.parametrize("path, text", [
    ("info", "info:\n  标签: {}\n"), ("sections[0].body", "sections:\n  - title: 概况\n    body: {}\n"),
])
def test_every_text_field_has_a_limit(tmp_path, path, text):
    errors = errors_for(tmp_path, PROJECT + text.format("字" * (bounds.LONG_TEXT_LIMIT + 1)))
    assert len(errors) == 1 and f"字段 {path}" in errors[0] and "上限" in errors[0], errors


def test_narrative_fields_allow_long_text(tmp_path):
    assert errors_for(tmp_path, PROJECT + "sections:\n  - title: 概况\n    body: " + "字" * 5000 + "\n") == []


# --- 7. misleading messages ------------------------------------------------------------------------

@pytest.mark.parametrize("encoding, name", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                                            ("utf-32", "UTF-32")])
def test_utf16_file_is_named_with_a_hint(tmp_path, encoding, name):
    errors = errors_for(tmp_path, PROJECT.encode(encoding))
    assert len(errors) == 1 and name in errors[0] and "UTF-8" in errors[0] and "NUL" not in errors[0], errors


# --- 8. hygiene: messages never drive the terminal -------------------------------------------------

def test_problem_escapes_terminal_sequences():
    shown = str(Problem("error", "a\x1b]0;x\x07.yaml", "字段“\x1b[2J”", 1, "k\x1b[31m"))
    assert "\x1b" not in shown and "\x07" not in shown and "\\x1b[2J" in shown


def test_check_does_not_echo_escape_sequences_from_keys(tmp_path):
    make_content(tmp_path, PROJECT + '"\\e[2J\\e]0;owned\\a": 1\n')
    result = run_cli("check", "--content", tmp_path / "content")
    assert result.returncode == 1 and "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "test-project.yaml:23" in result.stderr


def test_schema_output_writes_fields_beside_it_not_into_docs(tmp_path):
    result = run_cli("schema", "--output", tmp_path / "out" / "schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "fields.md").is_file() and (tmp_path / "out" / "schema" / "project.schema.json").is_file()
    assert not (tmp_path / "docs").exists()
