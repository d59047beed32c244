"""Every bundled and example record survives export → import unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.load import load_content
from generator.workbook import layout as L

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


def test_headings_over_columns_and_the_goals_info_block_are_written_as_printed(tmp_path, capsys):
    source = REPO / "examples"
    if not (source / "site.yaml").is_file():
        pytest.skip("examples/ is not in this checkout")
    from openpyxl import load_workbook
    from test_workbook_template import block

    for where in ("2022/yongde-mlzx", "2019/ningde-dsfzb"):
        assert main(["export", where, "--xlsx", "-o", str(tmp_path / where), "--content", str(source)]) == 0
    basic = load_workbook(tmp_path / "2022/yongde-mlzx/yingyang-gaishan-ziping.xlsx")[L.BASIC]
    assert block(basic, L.GROUPS.title)[1] == [("绩效指标", "一级指标、二级指标、三级指标"),
                                                ("年度指标值", "指标性质、指标值、度量单位")]
    basic = load_workbook(tmp_path / "2019/ningde-dsfzb/department.xlsx")[L.BASIC]
    _, info = block(basic, L.DEPARTMENT_INFO.title)
    assert info == [("部门(单位)名称", "中共宁德市委党史和地方志研究室"), ("部门预算编码", "901001033")]
    code = next(r for r in range(1, basic.max_row + 1) if basic.cell(r, 2).value == "901001033")
    assert basic.cell(code, 2).data_type == "s"  # a code stays text, so Excel keeps every digit
    assert block(basic, L.GROUPS.title)[1] == []
