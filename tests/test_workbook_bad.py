"""Bad workbooks: a clear Chinese error naming sheet and cell, exit 1, nothing written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import workbooks as W
from openpyxl import Workbook, load_workbook
from test_workbook_forms import department, disclose

from generator import yamlio
from generator.workbook import layout as L
from generator.workbook.export import template_workbook


def basic(field: str) -> str:
    """Return the cell of a fixed row of the project template's 基本信息 sheet (after the 记录种类 row)."""
    return f"B{L.FIRST_ROW + 1 + [r.field for r in L.BASIC_ROWS].index(field)}"


def group_row() -> int:
    """Return the first row under the project template's 【指标表跨栏标题】 block title."""
    ws = template_workbook()[L.BASIC]
    return next(r for r in range(L.FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value == L.GROUPS.title) + 1


def with_groups(tmp_path: Path, *rows: tuple[str, str | None]) -> Path:
    """Return the filled template with (heading, columns) rows added under its 【指标表跨栏标题】 title."""
    path = filled_template(tmp_path)
    book = load_workbook(path)
    ws = book[L.BASIC]
    ws.insert_rows(group_row(), len(rows))
    for r, (label, columns) in enumerate(rows, start=group_row()):
        ws.cell(r, 1, label)
        ws.cell(r, 2, columns)
    book.save(path)
    return path


def plain(tmp_path: Path) -> Path:
    return W.save(tmp_path / "good.xlsx", W.midterm_sheet)


def filled_template(tmp_path: Path, **cells: object) -> Path:
    """Return the template with its placeholders filled, then `cells` ("Sheet!A1": value) applied."""
    book = template_workbook()
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "请填写" in cell.value:
                    cell.value = cell.value.replace("请填写", "已填写")
    for where, value in cells.items():
        sheet, ref = where.split("!")
        book[sheet][ref].value = value
    path = tmp_path / "filled.xlsx"
    book.save(path)
    return path


def not_a_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("项目名称,金额\n人民调解,31.9\n", encoding="utf-8")
    return path


def word_document(tmp_path):
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def encrypted(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    source = plain(tmp_path)
    path = tmp_path / "locked.xlsx"
    with source.open("rb") as handle, path.open("wb") as out:
        OOXMLFile(handle).encrypt("123456", out)
    return path


def empty_sheet(tmp_path):
    path = tmp_path / "empty.xlsx"
    book = Workbook()
    book.active.title = "项目表"
    book.save(path)
    return path


def number_for_text(tmp_path):
    return filled_template(tmp_path, **{"基本信息!" + basic("name"): 12345})


def formula(tmp_path):
    path = plain(tmp_path)
    book = load_workbook(path)
    book.active["B6"] = "=SUM(D6:E6)"
    book.save(path)
    return path


def macro_enabled(tmp_path):
    path = plain(tmp_path).rename(tmp_path / "macro.xlsm")
    return path


def hidden_macros(tmp_path):
    path = plain(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return path


def fifty_megabytes(tmp_path):
    path = plain(tmp_path)
    with path.open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)
    return path


def zip_bomb(tmp_path):
    path = plain(tmp_path)
    block = b" " * (1024 * 1024)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/media/padding.xml", "w", force_zip64=True) as member:
        for _ in range(260):
            member.write(block)
    assert path.stat().st_size < 2 * 1024 * 1024  # small on disk, 260 MB unpacked
    return path


def text_where_amount(tmp_path):
    return filled_template(tmp_path, **{"基本信息!" + basic("amount"): "三十一万"})


def wrong_period(tmp_path):
    return filled_template(tmp_path, **{"绩效指标!M3": "明年"})


def long_code_as_number(tmp_path):
    return filled_template(tmp_path, **{"基本信息!" + basic("code"): 530121210000000001706})


def group_over_an_unknown_column(tmp_path):
    return with_groups(tmp_path, ("绩效指标", "一级指标、二级指标、三级指标"), ("年度指标值", "指标性质、指标数值、度量单位"))


def group_without_columns(tmp_path):
    return with_groups(tmp_path, ("年度指标值", None))


CASES = [
    (not_a_workbook, "不是 Excel 工作簿", None),
    (word_document, "这是一个Word 文档", None),
    (encrypted, "设置了打开密码", None),
    (empty_sheet, "工作表“项目表”没有任何内容", None),
    (number_for_text, "“项目名称”应为文字，找到数字“12345”", "工作表“基本信息”单元格 " + basic("name")),
    (formula, "单元格是公式（=SUM(D6:E6)）", "工作表“Sheet1”单元格 B6"),
    (macro_enabled, "启用宏的工作簿", None),
    (hidden_macros, "含有宏", None),
    (fifty_megabytes, "文件过大（50.0 MB", None),
    (zip_bomb, "zip 炸弹", None),
    (text_where_amount, "“本年度预算金额”应为数字", "工作表“基本信息”单元格 " + basic("amount")),
    (wrong_period, "期间应为 年度 或 中期，找到“明年”", "工作表“绩效指标”单元格 M3"),
    (long_code_as_number, "超过 15 位的数字", "工作表“基本信息”单元格 " + basic("code")),
    (group_over_an_unknown_column, "跨栏标题“年度指标值”所跨的“指标数值”不是“绩效指标”工作表的栏名",
     f"工作表“基本信息”单元格 B{group_row() + 1}"),
    (group_without_columns, "跨栏标题“年度指标值”右边应写它所跨的各栏的栏名", f"工作表“基本信息”单元格 B{group_row()}"),
]


@pytest.mark.parametrize(("make", "message", "where"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_workbook_is_refused_clearly_and_writes_nothing(tmp_path, capsys, make, message, where):
    dept = department(tmp_path)
    before = sorted(p.name for p in dept.iterdir())
    code, out, err = disclose(capsys, "import", make(tmp_path), "--into", dept)
    assert code == 1
    assert message in err, err
    if where:
        assert where in err, err
    assert "Traceback" not in err + out
    assert sorted(p.name for p in dept.iterdir()) == before


def test_a_workbook_is_written_whole_or_not_at_all(tmp_path, capsys):
    def second_broken(ws):
        W.pengyang_sheet(ws)
        ws["D22"] = "很多"  # the second project's 项目年度金额 is not a number
    dept = department(tmp_path)
    book = W.save(tmp_path / "two.xlsx", second_broken)
    code, _, err = disclose(capsys, "import", book, "--into", dept)
    assert code == 1
    assert "找不到本年度预算金额" in err and "单元格 D22" in err
    assert sorted(p.name for p in dept.iterdir()) == ["department.yaml"]


def test_the_untouched_template_asks_to_be_filled(tmp_path, capsys):
    dept = department(tmp_path)
    path = tmp_path / "t.xlsx"
    template_workbook().save(path)
    code, _, err = disclose(capsys, "import", path, "--into", dept)
    assert code == 1 and "还没有填写" in err and "工作表“基本信息”单元格 " + basic("name") in err


def test_a_filled_template_imports_and_passes_check(tmp_path, capsys):
    dept = department(tmp_path)
    code, out, err = disclose(capsys, "import", filled_template(tmp_path), "--into", dept)
    assert code == 0, err
    assert disclose(capsys, "check", "--content", tmp_path / "content")[0] == 0


def test_headings_over_several_columns_filled_in_the_template_become_indicator_groups(tmp_path, capsys):
    """Column names as the template prints them or as field names, separated by 、 ， or spaces."""
    dept = department(tmp_path)
    path = with_groups(tmp_path, ("绩效指标", "一级指标、二级指标，name"), ("年度指标值", " 指标值 "))
    code, _, err = disclose(capsys, "import", path, "--into", dept)
    assert code == 0, err
    (record,) = [p for p in dept.glob("*.yaml") if p.name != "department.yaml"]
    data = yamlio.parse(record.read_text(encoding="utf-8"))
    assert data["indicator_groups"] == [{"label": "绩效指标", "columns": ["level1", "level2", "name"]},
                                        {"label": "年度指标值", "columns": ["value"]}]
    code, out, err = disclose(capsys, "check", "--content", tmp_path / "content")
    assert code == 0 and "跨栏标题" not in out + err
    path = with_groups(tmp_path, ("年度指标值", "指标值、度量单位"))  # a column no indicator of the template fills
    assert disclose(capsys, "import", path, "--into", dept, "--force")[0] == 0
    code, out, err = disclose(capsys, "check", "--content", tmp_path / "content")
    assert "跨栏标题“年度指标值”所跨的 unit（度量单位） 不是本表的栏目" in out + err
