"""Loading content: every bad input gives a located Chinese error, never a traceback."""

from pathlib import Path

import pytest
from factory import PROJECT, make_content, run_cli

from generator.load import load_content


def errors_for(tmp_path: Path, project: str | bytes, name: str = "test-project.yaml") -> list[str]:
    make_content(tmp_path, project, name)
    content = load_content(tmp_path / "content")
    return [str(p) for p in content.report.errors]


def only_error(tmp_path: Path, project: str | bytes, name: str = "test-project.yaml") -> str:
    errors = errors_for(tmp_path, project, name)
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_content_loads(tmp_path):
    make_content(tmp_path)
    content = load_content(tmp_path / "content")
    assert not content.report.problems
    project = content.site.editions[0].departments[0].projects[0]
    assert (project.slug, project.name, str(project.amount)) == ("test-project", "测试项目", "31.9")


# Each case: the project file's text, the line the error must name, and words it must say.
BAD_INPUTS = {
    "malformed": (PROJECT.replace("unit: 万元", "unit: [万元"), 3, "YAML 格式错误"),
    "tab": (PROJECT.replace("  - level1: 产出指标", "\t- level1: 产出指标"), 5, "制表符"),
    "wrong type": (PROJECT.replace("amount: 31.9", "amount: 三十一点九"), 3, "应为数字"),
    "wrong type in list": (PROJECT.replace("value: 24 人", "value: [24]"), 10, "应为文字"),
    "missing required": (PROJECT.replace("unit: 万元\n", ""), 1, "缺少必填字段“unit”"),
    "missing nested": (PROJECT.replace("          - name: 司法协理员数量\n", "          - nmae: 司法协理员数量\n"), 9, "不认识的字段“nmae”，您是不是想写“name”"),
    "unknown field": (PROJECT + "ammount: 1\n", 23, "您是不是想写“amount”"),
    "unknown chinese field": (PROJECT + "项目代码: 315-0405\n", 23, "您是不是想写“code”"),
    "duplicate key": (PROJECT + "name: 另一个名称\n", 23, "重复"),
    "unsafe tag": (PROJECT.replace("name: 测试项目", "name: !!python/object/apply:os.system ['id']"), 1, "不允许使用标签"),
    "literal": (PROJECT.replace("unit: 万元", "unit: 美元"), 2, "应为以下之一"),
    "reserved field": (PROJECT + "slug: other\n", 23, "由文件夹和文件名决定"),
    "not a mapping": ("- 甲\n- 乙\n", 1, "记录应是"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_names_file_and_line(tmp_path, case):
    text, line, words = BAD_INPUTS[case]
    message = only_error(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'content/2024/test-dept/test-project.yaml'}:{line}:"), message
    assert words in message, message


def test_gbk_file_names_file_and_line(tmp_path):
    message = only_error(tmp_path, PROJECT.encode("gbk"))
    assert "test-project.yaml:1:" in message and "GBK" in message


def test_bom_is_accepted(tmp_path):
    assert errors_for(tmp_path, "\ufeff" + PROJECT) == []


def test_alias_bomb_names_file_and_line(tmp_path):
    bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        bomb.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    message = only_error(tmp_path, "\n".join(bomb) + "\n")
    assert "test-project.yaml:" in message.split(": ")[0] and message.split(": ")[0].rsplit(":", 1)[1].isdigit()
    assert "过大" in message


def test_absurd_size_is_refused(tmp_path):
    message = only_error(tmp_path, PROJECT + "# " + "很长" * 1_200_000 + "\n")
    assert "test-project.yaml" in message and "过大" in message


@pytest.mark.parametrize("name", ["Bad Name.yaml", "中文.yaml", "UPPER.yaml", "a..b.yaml", "-lead.yaml"])
def test_unsafe_slug_is_refused(tmp_path, name):
    message = only_error(tmp_path, PROJECT, name)
    assert name.removesuffix(".yaml") in message and "不能用作网址" in message


def test_department_folder_with_space_is_refused(tmp_path):
    make_content(tmp_path)
    (tmp_path / "content" / "2024" / "test-dept").rename(tmp_path / "content" / "2024" / "test dept")
    errors = [str(p) for p in load_content(tmp_path / "content").report.errors]
    assert len(errors) == 1 and "test dept" in errors[0] and "不能用作网址" in errors[0]


def test_project_outside_department_folder(tmp_path):
    make_content(tmp_path)
    (tmp_path / "content" / "2024" / "stray.yaml").write_text(PROJECT, encoding="utf-8")
    errors = [str(p) for p in load_content(tmp_path / "content").report.errors]
    assert len(errors) == 1 and "stray.yaml" in errors[0] and "不在部门文件夹中" in errors[0]


def test_edition_year_must_match_folder(tmp_path):
    make_content(tmp_path)
    (tmp_path / "content" / "2024" / "edition.yaml").write_text("year: 2023\n", encoding="utf-8")
    errors = [str(p) for p in load_content(tmp_path / "content").report.errors]
    assert len(errors) == 1 and "edition.yaml:1:" in errors[0] and "2023" in errors[0]


def test_missing_department_record(tmp_path):
    make_content(tmp_path)
    (tmp_path / "content" / "2024" / "test-dept" / "department.yaml").unlink()
    errors = [str(p) for p in load_content(tmp_path / "content").report.errors]
    assert any("department.yaml" in e and "缺少文件" in e for e in errors)


def test_all_errors_are_reported_at_once(tmp_path):
    make_content(tmp_path, PROJECT.replace("unit: 万元", "unit: 美元"))
    folder = tmp_path / "content" / "2024" / "test-dept"
    (folder / "second.yaml").write_text(PROJECT.replace("amount: 31.9", "amount: 很多"), encoding="utf-8")
    errors = load_content(tmp_path / "content").report.errors
    assert {Path(e.file).name for e in errors} == {"test-project.yaml", "second.yaml"}


def test_check_exits_1_without_traceback_on_bad_input(tmp_path):
    make_content(tmp_path, "name: [未闭合\n")
    result = run_cli("check", "--content", tmp_path / "content")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "test-project.yaml:2:" in result.stderr


def test_check_exits_0_on_clean_content(tmp_path):
    make_content(tmp_path)
    # Clean: the site's own facts filled in too (an empty 主办单位, 网站标识码, ICP or base_url is warned about).
    (tmp_path / "content" / "site.yaml").write_text(
        "name: 测试站点\norganizer: 测试县财政局\nsite_code: \"6400000001\"\nicp: 宁ICP备00000001号\n"
        "base_url: https://www.example.gov.cn/\n", encoding="utf-8")
    result = run_cli("check", "--content", tmp_path / "content")
    assert result.returncode == 0, result.stderr
    assert "0 个错误，0 个警告" in result.stdout


def test_two_files_for_one_url_are_refused(tmp_path):
    make_content(tmp_path)
    (tmp_path / "content" / "2024" / "test-dept" / "test-project.yml").write_text(PROJECT, encoding="utf-8")
    errors = [str(p) for p in load_content(tmp_path / "content").report.errors]
    assert len(errors) == 1 and "test-project.yml" in errors[0] and "同一网址" in errors[0]


def test_a_frozen_editions_archive_is_not_a_stray_file(tmp_path):
    """archive.zip and manifest.json beside edition.yaml are the frozen edition, not files left out of the site."""
    make_content(tmp_path)
    edition = tmp_path / "content" / "2024"
    for name in ("archive.zip", "manifest.json", "notes.txt"):
        (edition / name).write_bytes(b"")
    stray = [p.file for p in load_content(tmp_path / "content").report.problems]
    assert [Path(name).name for name in stray] == ["notes.txt"], stray
