"""Build small content folders for tests: one valid record of each kind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SITE = "name: 测试站点\n"
EDITION = "year: 2024\n"
DEPARTMENT = "name: 测试县司法局\n"
PROJECT = """\
name: 测试项目
unit: 万元
amount: 31.9
indicators:
  - level1: 产出指标
    groups:
      - level2: 数量指标
        indicators:
          - name: 司法协理员数量
            value: 24 人
  - level1: 效益指标
    groups:
      - level2: 社会效益指标
        indicators:
          - name: 稳定发挥司法所职能
            value: 进一步提升
  - level1: 满意度指标
    groups:
      - level2: 服务对象满意度指标
        indicators:
          - name: 群众满意度
            value: ">90%"
"""


def make_content(root: Path, project: str | bytes = PROJECT, name: str = "test-project.yaml") -> Path:
    """Write a minimal valid content folder with one project; return the project file."""
    folder = root / "content" / "2024" / "test-dept"
    folder.mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE, encoding="utf-8")
    (root / "content" / "2024" / "edition.yaml").write_text(EDITION, encoding="utf-8")
    (folder / "department.yaml").write_text(DEPARTMENT, encoding="utf-8")
    path = folder / name
    if isinstance(project, bytes):
        path.write_bytes(project)
    else:
        path.write_text(project, encoding="utf-8")
    return path


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `disclose` in a fresh interpreter, as a publisher would."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, check=False,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PATH": "/usr/bin:/bin"},
    )
