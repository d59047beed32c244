"""Every bundled and example record survives export → import unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.load import load_content

REPO = Path(__file__).resolve().parent.parent
SOURCES = [REPO / "content", *([REPO / "examples"] if (REPO / "examples" / "site.yaml").is_file() else [])]


def departments() -> list[tuple[Path, str]]:
    """Return (content folder, "<year>/<department>") for every bundled and example department."""
    found = []
    for root in SOURCES:
        site = load_content(root).site
        assert site is not None
        found += [(root, f"{e.year}/{d.slug}") for e in site.editions for d in e.departments]
    return found


def records(root: Path, where: str) -> dict[str, dict]:
    """Return a department's own record and each of its records (projects, transfers, evaluations), dumped."""
    year, slug = where.split("/")
    loaded = load_content(root)
    assert not loaded.report.errors, loaded.report.errors
    edition = next(e for e in loaded.site.editions if str(e.year) == year)
    department = next(d for d in edition.departments if d.slug == slug)
    found = {"department.yaml": department.model_dump(mode="json")}
    for record in (*department.projects, *department.transfers, *department.evaluations):
        found[f"{record.slug}.yaml"] = record.model_dump(mode="json")
    return found


@pytest.mark.parametrize(("root", "where"), departments(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_export_then_import_gives_the_same_records(tmp_path, capsys, root, where):
    books = tmp_path / "books"
    assert main(["export", where, "--xlsx", "-o", str(books), "--content", str(root)]) == 0
    original = records(root, where)
    assert sorted(p.name for p in books.iterdir()) == sorted(n.replace(".yaml", ".xlsx") for n in original)
    assert "不完全一致" not in capsys.readouterr().err
    copy = tmp_path / "content"
    shutil.copytree(root, copy)
    target = copy / where
    for record in target.glob("*.yaml"):  # the department's own record too: its workbook brings it back
        record.unlink()
    assert main(["import", str(books), "--into", str(target), "--quiet"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "无法归入" not in out
    again = records(copy, where)
    assert original.keys() == again.keys()
    for name, record in original.items():
        assert again[name] == record, name
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


def test_imported_example_departments_build_into_the_same_pages(tmp_path, capsys):
    """Done when: a department's workbooks import into records that build into the same pages as the hand-written ones."""
    source = REPO / "examples"
    if not (source / "site.yaml").is_file():
        pytest.skip("examples/ is not in this checkout")
    copy = tmp_path / "examples"
    shutil.copytree(source, copy)
    wheres = [w for root, w in departments() if root == source]
    for where in wheres:
        books = tmp_path / "books" / where
        assert main(["export", where, "--xlsx", "-o", str(books), "--content", str(source)]) == 0
        for record in (copy / where).glob("*.yaml"):
            record.unlink()
        assert main(["import", str(books), "--into", str(copy / where), "--quiet"]) == 0, capsys.readouterr().err
    for name, content in (("hand", source), ("imported", copy)):
        assert main(["build", "--content", str(content), "--output", str(tmp_path / name),
                     "--cache", str(tmp_path / f"cache-{name}"), "--quiet"]) == 0
    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    hand, imported = files(tmp_path / "hand"), files(tmp_path / "imported")
    assert hand.keys() == imported.keys()
    assert [name for name in hand if hand[name] != imported[name]] == []
    assert any(name.startswith(wheres[0]) for name in hand)
