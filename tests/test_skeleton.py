"""`disclose new`: skeletons that fail until filled and pass once filled."""

import re
from pathlib import Path

from factory import make_content, run_cli

from generator.load import load_content
from generator.model import Project
from generator.schema import iter_fields

ROOT = Path(__file__).resolve().parents[1]


def test_new_project_fails_until_filled_then_passes(tmp_path):
    make_content(tmp_path)
    content = tmp_path / "content"
    result = run_cli("new", "project", "2024/test-dept/new-project", "--content", content)
    assert result.returncode == 0, result.stderr
    path = content / "2024" / "test-dept" / "new-project.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../docs/schema/project.schema.json")
    unfilled = load_content(content).report.errors
    assert unfilled and all("还没有填写" in str(e) and e.line for e in unfilled)
    path.write_text(text.replace("请填写", "已填写"), encoding="utf-8")
    assert run_cli("check", "--content", content).returncode == 0


def test_new_edition_and_department(tmp_path):
    make_content(tmp_path)
    content = tmp_path / "content"
    assert run_cli("new", "edition", "2025", "--content", content).returncode == 0
    assert run_cli("new", "department", "2025/new-dept", "--content", content).returncode == 0
    (content / "2025" / "new-dept" / "department.yaml").write_text(
        (content / "2025" / "new-dept" / "department.yaml").read_text(encoding="utf-8").replace("请填写", "新部门"),
        encoding="utf-8",
    )
    assert run_cli("check", "--content", content).returncode == 0


def test_new_refuses_bad_places(tmp_path):
    make_content(tmp_path)
    content = tmp_path / "content"
    for args in (["project", "2024/No Such/x"], ["project", "2024/missing-dept/x"], ["project", "2024/test-dept"],
                 ["project", "2024/test-dept/test-project"]):
        result = run_cli("new", *args, "--content", content)
        assert result.returncode == 1 and result.stderr.startswith("错误：") and "Traceback" not in result.stderr


def test_project_skeleton_mentions_every_top_level_field():
    text = (ROOT / "generator" / "skeletons" / "project.yaml").read_text(encoding="utf-8")
    written = set(re.findall(r"^#?\s*([a-z_]+):", text, flags=re.M))
    top = {path for path, *_ in iter_fields(Project) if "." not in path and "[" not in path}
    assert top <= written, top - written
