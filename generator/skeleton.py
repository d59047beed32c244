"""Write commented record skeletons for `disclose new`."""

from __future__ import annotations

import os
from pathlib import Path

SKELETONS = Path(__file__).parent / "skeletons"
# Each kind of record and how deep in the content folder it lives: <year>, <year>/<dept>, <year>/<dept>/<name>.
DEPTH = {"edition": 1, "department": 2, "project": 3, "transfer": 3, "evaluation": 3}


def create(content: Path, kind: str, where: str) -> Path:
    """Create the skeleton of an edition, department, project, transfer table or self-evaluation; return its path."""
    from .load import SLUG, YEAR  # here: the command line names DEPTH without loading the record model

    parts = where.strip("/").split("/")
    expected = DEPTH[kind]
    if len(parts) != expected:
        shapes = {1: "<年度>", 2: "<年度>/<部门>", 3: "<年度>/<部门>/<名称>"}
        raise ValueError(f"位置应写成 {shapes[expected]}，例如 {example(kind)}")
    if not YEAR.match(parts[0]):
        raise ValueError(f"“{parts[0]}”不是四位年度")
    for slug in parts[1:]:
        if not SLUG.match(slug):
            raise ValueError(f"“{slug}”不能用作网址：只能用小写英文字母、数字和连字符“-”")
    folder = content.joinpath(*parts[: min(len(parts), 2)])
    target = {1: folder / "edition.yaml", 2: folder / "department.yaml", 3: folder / f"{parts[-1]}.yaml"}[expected]
    if expected == 3 and not (folder / "department.yaml").is_file():
        raise ValueError(f"部门 {folder} 还没有 department.yaml，请先运行 disclose new department {parts[0]}/{parts[1]}")
    if kind == "department" and not (folder.parent / "edition.yaml").is_file():
        raise ValueError(f"年度 {parts[0]} 还没有 edition.yaml，请先运行 disclose new edition {parts[0]}")
    if target.exists():
        raise ValueError(f"{target} 已经存在，不会覆盖")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(kind, target, content, parts[0]), encoding="utf-8")
    return target


def render(kind: str, target: Path, content: Path, year: str) -> str:
    """Fill a skeleton's schema path and year."""
    schema_dir = Path(os.path.relpath(content.parent / "docs" / "schema", target.parent)).as_posix() + "/"
    text = (SKELETONS / f"{kind}.yaml").read_text(encoding="utf-8")
    return text.replace("{schema}", schema_dir).replace("{year}", year)


def example(kind: str) -> str:
    """Return an example location for a kind of record."""
    return {1: "2025", 2: "2025/pengyang-sfj", 3: f"2025/pengyang-sfj/{'sifa-xieli' if kind == 'project' else kind}"}[DEPTH[kind]]
