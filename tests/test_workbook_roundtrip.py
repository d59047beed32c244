"""Every bundled and example record survives export → import unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.load import load_content
from generator.model import Project

REPO = Path(__file__).resolve().parent.parent
SOURCES = [REPO / "content", *([REPO / "examples"] if (REPO / "examples" / "site.yaml").is_file() else [])]


# Form-shape fields of issue 10 that the workbook layout has no cells for yet: export warns
# ("不完全一致") and everything else must come back unchanged. Known gap, see the BOARD.
NOT_IN_WORKBOOK = frozenset({"goals_title", "notes", "printed", "total_printed"})


def without(data: object) -> object:
    """Return dumped record data without the fields the workbook cannot carry yet."""
    if isinstance(data, dict):
        return {k: without(v) for k, v in data.items() if k not in NOT_IN_WORKBOOK}
    if isinstance(data, list):
        return [without(v) for v in data]
    return data


def uses_form_shape(project: Project) -> bool:
    """Return whether a record fills a field the workbook cannot carry yet."""
    def filled(data: object) -> bool:
        if isinstance(data, dict):
            return any((k in NOT_IN_WORKBOOK and v not in (None, [], "绩效目标")) or filled(v) for k, v in data.items())
        return isinstance(data, list) and any(filled(v) for v in data)
    return filled(project.model_dump(mode="json"))


def departments() -> list[tuple[Path, str]]:
    """Return (content folder, "<year>/<department>") for every department with projects."""
    found = []
    for root in SOURCES:
        site = load_content(root).site
        assert site is not None
        found += [(root, f"{e.year}/{d.slug}") for e in site.editions for d in e.departments if d.projects]
    return found


def projects(root: Path, where: str) -> dict[str, Project]:
    year, slug = where.split("/")
    loaded = load_content(root)
    assert not loaded.report.errors, loaded.report.errors
    edition = next(e for e in loaded.site.editions if str(e.year) == year)
    department = next(d for d in edition.departments if d.slug == slug)
    return {p.slug: p for p in department.projects}


@pytest.mark.parametrize(("root", "where"), departments(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_export_then_import_gives_the_same_records(tmp_path, capsys, root, where):
    books = tmp_path / "books"
    assert main(["export", where, "--xlsx", "-o", str(books), "--content", str(root)]) == 0
    lossy = any(uses_form_shape(p) for p in projects(root, where).values())
    assert ("不完全一致" in capsys.readouterr().err) == lossy
    copy = tmp_path / "content"
    shutil.copytree(root, copy)
    target = copy / where
    for record in target.glob("*.yaml"):
        if record.name != "department.yaml":
            record.unlink()
    assert main(["import", str(books), "--into", str(target), "--quiet"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "无法归入" not in out
    original, again = projects(root, where), projects(copy, where)
    assert original.keys() == again.keys()
    for slug, project in original.items():
        assert without(again[slug].model_dump(mode="json")) == without(project.model_dump(mode="json")), slug
    unfreeze(copy / where.split("/")[0])
    assert main(["check", "--content", str(copy)]) == 0


def unfreeze(edition: Path) -> None:
    """Turn a frozen edition of a copy back into a published one.

    Records written by import are equal to the frozen ones but not byte for byte (comments and layout
    differ), and a frozen edition rightly refuses any changed file without a correction; what this test
    checks is that the imported records pass every other rule.
    """
    record = edition / "edition.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("status: frozen", "status: published"),
                      encoding="utf-8")
    for archived in ("archive.zip", "manifest.json"):
        (edition / archived).unlink(missing_ok=True)


def test_export_refuses_to_overwrite_and_names_a_missing_department(tmp_path, capsys):
    books = tmp_path / "books"
    where = departments()[0][1]
    content = ["--content", str(REPO / "content")]
    assert main(["export", where, "--xlsx", "-o", str(books), *content]) == 0
    assert main(["export", where, "--xlsx", "-o", str(books), *content]) == 1
    assert "已经存在，不会覆盖" in capsys.readouterr().err
    assert main(["export", "2024/no-such-dept", "--xlsx", "-o", str(books), *content]) == 1
    assert "找不到部门 2024/no-such-dept" in capsys.readouterr().err
