"""Import of the other kinds' printed forms: a self-evaluation, a transfer's regional table, a department's table.

Each workbook is laid out in code (tests/workbooks.py) as the source document prints it (永德, 忠县, 宁德 in
/work/shared/examples/), filled from the example record transcribed from that document; importing it must
give that record back, every field the form prints, and report each printed cell the record has no place for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import workbooks as W
from factory import make_content
from test_workbook_forms import disclose

from generator import yamlio
from generator.model import Department, Evaluation, Transfer
from generator.workbook.cells import open_sheets
from generator.workbook.printed import read_printed, sheet_kind

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# (example record, model, builder, fields the form does not print, cells the record has no place for)
CASES = {
    "evaluation": ("2022/yongde-mlzx/yingyang-gaishan-ziping.yaml", Evaluation, W.yongde_sheet, set(),
                   ["单元格 A1：“公开14表”", "单元格 A3：“部门:临沧市永德县明朗中学”"]),
    "transfer": ("2022/zhongxian-nyw/shengzhu-diaochu-dax-jiangli.yaml", Transfer, W.zhongxian_sheet, {"notice"},
                 ["单元格 A12：“绩效指标”"]),
    "department": ("2019/ningde-dsfzb/department.yaml", Department, W.ningde_sheet,
                   {"region", "publication", "goals.title"}, []),
}

pytestmark = pytest.mark.skipif(not (EXAMPLES / "site.yaml").is_file(), reason="examples/ is not in this checkout")


def example(kind: str) -> Any:
    path, model, *_ = CASES[kind]
    return model.model_validate(yamlio.parse((EXAMPLES / path).read_text(encoding="utf-8")))


def printed_fields(dump: dict[str, Any], left_out: set[str]) -> dict[str, Any]:
    """Return a record's dump without the fields its form does not print ("goals.title" for a nested one)."""
    kept = {k: v for k, v in dump.items() if k not in left_out}
    for nested in {f.split(".")[0] for f in left_out if "." in f}:
        inner = {f.split(".", 1)[1] for f in left_out if f.startswith(nested + ".")}
        kept[nested] = {k: v for k, v in kept[nested].items() if k not in inner}
    return kept


@pytest.mark.parametrize("kind", CASES)
def test_a_printed_form_of_another_kind_imports_as_its_record(tmp_path, capsys, kind):
    _, model, build, left_out, unplaced = CASES[kind]
    record = example(kind)
    book = W.save(tmp_path / f"{kind}.xlsx", lambda ws: build(ws, record))
    assert [sheet_kind(s) for s in open_sheets(book)] == [kind]
    dept = make_content(tmp_path).parent
    into = dept.parent / "printed-dept" if kind == "department" else dept
    code, out, err = disclose(capsys, "import", book, "--into", into)
    assert code == 0, err
    assert [line.split("”", 1)[1].strip() for line in out.splitlines() if line.startswith("    工作表")] == unplaced
    written = into / "department.yaml" if kind == "department" else next(
        p for p in dept.glob("*.yaml") if yamlio.parse(p.read_text(encoding="utf-8")).get("kind") == kind)
    again = model.model_validate(yamlio.parse(written.read_text(encoding="utf-8")))
    assert printed_fields(again.model_dump(mode="json"), left_out) == printed_fields(record.model_dump(mode="json"), left_out)
    assert disclose(capsys, "check", "--content", tmp_path / "content")[0] == 0


def test_the_self_evaluations_two_row_head_becomes_its_column_groups(tmp_path):
    book = W.save(tmp_path / "ziping.xlsx", lambda ws: W.yongde_sheet(ws, example("evaluation")))
    (reading,) = read_printed(open_sheets(book))
    assert reading.data["indicator_groups"] == [{"label": "绩效指标", "columns": ["level1", "level2", "name"]},
                                                {"label": "年度指标值", "columns": ["operator", "value", "unit"]}]
    # The headings that reach down both head rows are the columns' own.
    assert {k: reading.data["indicator_labels"][k] for k in ("actual", "weight", "score")} == {
        "actual": "实际完成值", "weight": "分值", "score": "得分"}
    assert reading.origin(("indicator_groups", 1)) == (reading.sheet, "D13")


@pytest.mark.parametrize(("where", "value", "message", "named"), [
    ("F8", "很多", "“全年预算数”应为数字", "F8"),  # a line of 项目资金 with words for an amount
    ("B4", None, "“项目名称”右边的单元格是空的", "A4"),
])
def test_a_broken_printed_self_evaluation_names_the_cell(tmp_path, capsys, where, value, message, named):
    def broken(ws):
        W.yongde_sheet(ws, example("evaluation"))
        ws[where] = value
    book = W.save(tmp_path / "ziping.xlsx", broken)
    dept = make_content(tmp_path).parent
    before = sorted(p.name for p in dept.iterdir())
    code, out, err = disclose(capsys, "import", book, "--into", dept)
    assert code == 1 and message in err and f"单元格 {named}" in err and "Traceback" not in out + err, err
    assert sorted(p.name for p in dept.iterdir()) == before
