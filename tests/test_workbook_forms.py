"""Import of the budget systems' printed layouts, built in code by tests/workbooks.py."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
import workbooks as W
from factory import make_content, run_cli

from generator import yamlio
from generator.cli import main
from generator.workbook.cells import printed_number
from generator.workbook.importer import import_workbooks


def department(tmp_path: Path) -> Path:
    """Return an empty department folder of a valid content folder."""
    project = make_content(tmp_path)
    project.unlink()
    return project.parent


def records(folder: Path) -> dict[str, dict]:
    return {p.stem: yamlio.parse(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))
            if p.name != "department.yaml"}


def disclose(capsys, *args: str | Path) -> tuple[int, str, str]:
    """Run the command line in this process; return (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def imported(tmp_path: Path, capsys, *builders) -> tuple[dict[str, dict], str]:
    """Import a workbook built in code, check the content, and return the records and the report."""
    dept = department(tmp_path)
    book = W.save(tmp_path / "book.xlsx", *builders)
    code, out, err = disclose(capsys, "import", book, "--into", dept)
    assert code == 0, err
    code, _, err = disclose(capsys, "check", "--content", tmp_path / "content")
    assert code == 0, err
    return records(dept), out


def test_several_projects_in_one_sheet_with_merged_coded_headings(tmp_path, capsys):
    found, out = imported(tmp_path, capsys, W.pengyang_sheet)
    assert len(found) == 2, found.keys()
    first, second = sorted(found.values(), key=lambda d: d["number"])
    assert first["name"] == "2024 年“司法协理”基层服务专项计划资金"
    assert (first["unit"], str(first["amount"])) == ("万元", "31.900000")  # a number cell formatted 0.000000
    assert str(second["amount"]) == "35.000000"  # a number stored as text
    assert first["info"]["项目年度金额"] == "31.900000"
    assert list(first["info"]) == ["主管部门", "实施单位", "项目属性", "项目期限", "项目主管处室", "项目年度金额"]
    tree = first["indicators"]
    assert [t["level1"] for t in tree] == ["1-产出指标", "2-效益指标", "3-满意度指标"]
    assert [g["level2"] for g in tree[1]["groups"]] == ["21-经济效益", "22-社会效益"]
    assert tree[1]["groups"][0]["indicators"] == []  # an empty second-level row is kept, as printed
    assert [i["name"] for i in second["indicators"][0]["groups"][0]["indicators"]] == ["人民调解案件数量", "法律援助案件数量"]
    assert first["goals"] == [{"period": "annual", "label": "年度总体绩效目标", "text": W.PENGYANG[0]["goal"]}]
    assert "读取 2 个记录" in out


def test_midterm_and_annual_columns_blank_marks_and_printed_digits(tmp_path, capsys):
    found, _ = imported(tmp_path, capsys, W.midterm_sheet)
    (record,) = found.values()
    assert record["unit"] == "元"
    assert str(record["amount"]) == "300000.00" and str(record["total_amount"]) == "900000.00"
    assert record["code"] == "0123"  # a number cell formatted 0000
    assert record["info"]["年度资金总额"] == "300,000.00" and record["info"]["备用栏"] == "—"
    assert [g["period"] for g in record["goals"]] == ["midterm", "annual"]
    indicators = record["indicators"][0]["groups"][0]["indicators"]
    assert [(i["name"], i["value"], i.get("period", "annual")) for i in indicators] == [
        ("社区矫正工作人员培训", "每年2次以上", "midterm"), ("社区矫正工作人员培训", "2次以上", "annual"),
        ("社区矫正工作人员培训覆盖率", "90%", "midterm"), ("社区矫正工作人员培训覆盖率", "90%", "annual"),
    ]
    quality = record["indicators"][0]["groups"][1]["indicators"]
    assert quality[1]["value"] == "—"  # printed dash kept: not given is not 0
    assert record["indicators"][1]["groups"][0]["level2"] == "群众满意率"


def test_detailed_layout_keeps_every_column_and_drops_empty_marks(tmp_path, capsys):
    found, _ = imported(tmp_path, capsys, W.detailed_sheet)
    (record,) = found.values()
    assert record["code"] == "530121210000000001706"
    assert str(record["total_amount"]) == "550000.00"
    first = record["indicators"][0]["groups"][0]["indicators"][0]
    assert first == {"name": "设备配备", "value": "100%", "operator": "=", "unit": "%", "kind": "定量指标",
                     "scoring": "设备配备率达100%", "basis": "设备配备率达100%"}
    assert record["indicator_labels"]["basis"] == "绩效指标值设定依据及数据来源"
    # "空" in the 一级 column continues the group above
    assert [g["level2"] for g in record["indicators"][0]["groups"]] == ["数量指标", "成本指标"]


def test_xls_workbooks_are_read_like_xlsx(tmp_path):
    import xlwt  # the test extra's writer of .xls files (the importer reads them with xlrd)

    book = xlwt.Workbook()
    ws = book.add_sheet("Sheet1")
    rows = [["2024 年部门项目支出预算绩效目标表"], ["单位：万元"], ["项目名称", "人民调解工作经费"],
            ["项目年度金额", "104.540000"], ["一级指标", "二级指标", "三级指标", "绩效值"],
            ["1-产出指标", "11-数量指标", "专职人民调解员人数", "28 人"], [None, None, "人民调解员到岗率", "100%"],
            ["3-满意度指标", "31-服务对象满意度", "人民调解员满意度", "≥98%"]]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value is not None and not (r == 5 and c < 2):
                ws.write(r, c, value)
    ws.write_merge(5, 6, 0, 0, "1-产出指标")
    ws.write_merge(5, 6, 1, 1, "11-数量指标")
    ws.write(8, 0, "合计")
    ws.write(8, 1, 31.9, xlwt.easyxf(num_format_str="0.000000"))
    path = tmp_path / "old.xls"
    book.save(str(path))
    dept = department(tmp_path)
    result = run_cli("import", path, "--into", dept)
    assert result.returncode == 0, result.stderr
    (record,) = records(dept).values()
    assert str(record["amount"]) == "104.540000"
    assert [i["name"] for i in record["indicators"][0]["groups"][0]["indicators"]] == ["专职人民调解员人数", "人民调解员到岗率"]
    assert record["info"]["合计"] == "31.900000"  # the .xls number format gives the printed digits


def test_cells_that_cannot_be_placed_are_reported(tmp_path, capsys):
    def with_stray(ws):
        W.pengyang_sheet(ws, W.PENGYANG[:1])
        ws["F3"] = "审核人：张三"
    _, out = imported(tmp_path, capsys, with_stray)
    assert "无法归入记录的单元格（1 个）" in out
    assert "工作表“Sheet1”单元格 F3：“审核人：张三”" in out


def test_never_overwrites_without_force(tmp_path, capsys):
    dept = department(tmp_path)
    book = W.save(tmp_path / "a.xlsx", W.midterm_sheet)
    assert disclose(capsys, "import", book, "--into", dept)[0] == 0
    (target,) = [p for p in dept.glob("*.yaml") if p.name != "department.yaml"]
    target.write_text(target.read_text(encoding="utf-8").replace("年中至少1次", "改过的目标", 1), encoding="utf-8")
    code, _, err = disclose(capsys, "import", book, "--into", dept)
    assert code == 1 and "已经存在，不会覆盖" in err and "--force" in err
    assert "改过的目标" in target.read_text(encoding="utf-8")
    assert disclose(capsys, "import", book, "--into", dept, "--force")[0] == 0
    assert "改过的目标" not in target.read_text(encoding="utf-8")


def test_folder_import_draws_a_progress_bar_on_a_terminal(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    dept = department(tmp_path)
    folder = tmp_path / "books"
    folder.mkdir()
    W.save(folder / "a.xlsx", W.midterm_sheet)
    W.save(folder / "b.xlsx", W.detailed_sheet)
    (folder / "readme.txt").write_text("not a workbook", encoding="utf-8")
    (folder / "~$a.xlsx").write_bytes(b"lock")  # Excel's lock file is not a workbook to import
    out, err = io.StringIO(), Terminal()
    assert import_workbooks(folder, dept, out=out, err=err) == 0
    assert "导入 [###############...............] 1/2" in err.getvalue()
    assert "2/2" in err.getvalue()
    assert "readme.txt: 不是 Excel 工作簿" in out.getvalue()
    assert "导入了 2 个工作簿、2 个记录" in out.getvalue()
    numbers = sorted(d["number"] for d in records(dept).values())
    assert numbers == [1, 2]  # numbered in import order


@pytest.mark.parametrize(("value", "fmt", "printed"), [
    (31.9, "0.000000", "31.900000"),
    (123, "0000", "0123"),
    (0.125, "0.00%", "12.50%"),
    (1234, "#,##0.00", "1,234.00"),
    (0.1 + 0.2, "General", "0.3"),  # Excel shows 15 significant digits
    (104.54, "General", "104.54"),
    (2.5, "0", "3"),  # half away from zero, as Excel rounds
    (-1234.5, "#,##0.0", "-1,234.5"),
    (100000, "General", "100000"),
    (31.9, '0.00"万元"', "31.90万元"),
])
def test_numbers_are_read_as_printed(value, fmt, printed):
    assert printed_number(value, fmt) == printed
    assert Decimal(printed.replace(",", "").rstrip("%万元"))  # and stay exact decimals
