"""Workbooks of every kind: the department-level template, and every field of every record kind in cells."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest
from factory import make_content
from openpyxl import load_workbook
from pydantic import BaseModel
from test_workbook_forms import disclose

from generator import yamlio, yamlwrite
from generator.model import Department, Evaluation, Project, Transfer
from generator.workbook import layout as L
from generator.workbook.cells import open_sheets
from generator.workbook.export import record_workbook
from generator.workbook.template import read_template

# Loader-filled fields (SkipJsonSchema): no record writes them, so no workbook holds them.
LOADER_FIELDS = {"slug", "path", "projects", "transfers", "evaluations"}

SECTION = {"title": "立项依据", "body": "第一段\n\n第二段\n"}
INDICATOR = {
    "name": "培训人次", "value": "≥90", "operator": "≥", "unit": "人次", "kind": "定量指标",
    "description": "指标内容", "basis": "历史标准", "scoring": "每少 1 人扣 1 分", "weight": "10",
    "core": True, "core_mark": "★★★", "actual": "95", "score": "9.5", "deviation": "无偏差", "period": "midterm",
}
TREE = [{"level1": "1-产出指标", "groups": [{"level2": "11-数量指标", "indicators": [INDICATOR]},
                                           {"level2": "12-质量指标"}]},
        {"level1": "满意度指标"}]
LABELS = {k: f"所印{k}" for k in typing.get_args(typing.get_args(Project.model_fields["indicator_labels"].annotation)[0])}
FUNDING = [{
    "title": "项目资金来源（万元）", "period": "midterm", "total": "854", "total_label": "项目资金总额",
    "total_printed": "854万(高标准农田建设400万元)",
    "sources": [{"name": "财政资金", "amount": "800.50", "printed": "800.5万",
                 "children": [{"name": "其中：中央补助", "amount": "—", "children": [{"name": "专项", "amount": "0"}]}]},
                {"name": "其他资金", "amount": None}],
}]
GROUPS = [{"label": "绩效指标", "columns": ["level1", "level2", "name"]},
          {"label": "年度指标值", "columns": ["operator", "value", "unit"]},
          {"label": "完成情况", "columns": ["actual", "score", "deviation"]}]
GOAL = {"period": "overall", "label": "总体目标（2022—2024年）", "text": "第一行\n第二行", "result": "已完成"}
CORRECTION = {"date": "2025-03-01", "what": "满意度指标值由≥80%更正为≥90%", "why": "录入错误"}

FULL: dict[str, dict[str, Any]] = {
    "project": {
        "kind": "project", "name": "人民调解经费", "code": "0123", "number": 3, "unit": "万元", "amount": "31.900000",
        "total_amount": "95.70", "period": "2022-01-01 至 2024-12-31", "form_title": "项目支出绩效目标表",
        "info": {"主管部门": "司法局", "空栏": ""}, "sections": [SECTION], "funding": FUNDING,
        "spending_plan": {"title": "资金支出计划（%）", "steps": [
            {"label": "6月底", "percent": "60", "amount": "10.5", "extra": {"是否结束": "否"}}]},
        "goals_title": "总体目标", "goals": [GOAL],
        "indicators": TREE, "indicator_labels": LABELS, "indicator_groups": GROUPS,
        "notes": [{"title": "", "body": "注：三颗星为核心指标。"}],
        "cost_tables": [{"title": "项目概算", "total": "31.9", "lines": [
            {"name": "培训费", "amount": "1.2", "purpose": "培训", "unit_price": "0.1", "quantity": "12",
             "measure": "人次", "basis": "标准", "attributes": {"支出功能分类科目": "2040601"}}]}],
        "prior_year": {"title": "上年度项目资金使用情况", "budget": "30", "spent": "29.5", "balance": "-0.5",
                       "usage_rate": "98.33", "progress": "100"},
        "same_as": ["2022/dept/renmin-tiaojie", "2020/dept/tiaojie"], "source_file": "yuanwen.pdf",
        "corrections": [CORRECTION],
    },
    "transfer": {
        "kind": "transfer", "name": "生猪调出大县奖励资金", "form_title": "区域绩效目标表", "unit": "元",
        "amount": "1200000.00",
        "notice": {"title": "关于下达资金的通知", "number": "忠财农〔2022〕5号", "issuer": "忠县财政局",
                   "date": "2022年1月5日", "addressee": "县农业农村委", "basis": "渝财农〔2021〕100号",
                   "amount": "1200000", "subject": "农业农村(21301)", "body": "正文一\n\n正文二"},
        "authorities": {"中央主管部门": "财政部", "区县主管部门": "农业农村委"}, "info": {"资金名称": "奖励资金"},
        "funding": FUNDING, "goals_title": "区域绩效目标", "goals": [GOAL],
        "indicators": TREE, "indicator_labels": LABELS, "indicator_groups": GROUPS, "notes": [SECTION],
    },
    "evaluation": {
        "kind": "evaluation", "name": "营养改善计划", "code": "0042", "target": "yingyang", "form_title": "自评表",
        "unit": "元", "info": {"主管部门": "教育体育局"}, "execution_title": "项目资金 (元)",
        "execution": [{"name": "年度资金总额", "initial": "387664.62", "budget": "387664.62", "executed": "—",
                       "weight": "10", "rate": "100%", "score": "10"}],
        "goals_title": "年度总体目标（所印）", "goals": [GOAL], "indicators": TREE, "indicator_labels": LABELS,
        "indicator_groups": GROUPS, "notes": [SECTION], "total": {"label": "总分", "weight": "100", "score": "96.5", "grade": "优"},
    },
    "department": {
        "name": "党史研究室", "code": "901001033", "region": "宁德市", "info": {"地址": "某路 1 号"},
        "publication": {"title": "部门整体支出绩效目标", "issuer": "研究室", "date": "2019-12-31 15:38:36",
                        "preamble": "附件4"},
        "unit": "万元", "funding": FUNDING,
        "goals": {"title": "部门整体支出绩效目标表", "form_title": "部门整体支出绩效目标表(2019年度)",
                  "info": {"部门(单位)名称": "党史研究室", "部门预算编码": "0901", "1.备注": ""},
                  "indicator_groups": GROUPS[:1], "sections": [SECTION], "duties": {"title": "年度履职目标（所印）", "columns": ["部门职能", "年度目标任务", "预算金额(万元)"],
                                                    "rows": [["编纂", "完成年鉴", "49.8"], ["保障", "", "0123"]]},
                  "indicators": TREE, "indicator_labels": LABELS, "notes": [SECTION]},
        "source_file": "yuanwen.xls", "corrections": [CORRECTION],
    },
}
MODELS = {"project": Project, "transfer": Transfer, "evaluation": Evaluation, "department": Department}


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """Return the record-part models an annotation holds (through tuples, unions and Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in models_in(arg)]


def unfilled(model: type[BaseModel], data: Any, where: str = "", chain: tuple[type, ...] = ()) -> list[str]:
    """Return the fields of a model (and of its parts, a nested model once) that the sample data leaves out."""
    missing = []
    items = data if isinstance(data, list) else [data]
    for name, field in model.model_fields.items():
        if name in LOADER_FIELDS:
            continue
        present = [item[name] for item in items if isinstance(item, dict) and item.get(name) not in (None, [], {})]
        if not present:
            missing.append(f"{where}{name}")
        for part in models_in(field.annotation):
            for value in present if part not in (*chain, model) else ():
                missing += unfilled(part, value, f"{where}{name}.", (*chain, model))
    return sorted(set(missing))


@pytest.mark.parametrize("kind", FULL)
def test_every_field_of_every_kind_survives_a_workbook(tmp_path, kind):
    model = MODELS[kind]
    assert unfilled(model, FULL[kind]) == []  # the sample fills every field, so none can be left without a cell
    record = model.model_validate(FULL[kind])
    path = tmp_path / f"{kind}.xlsx"
    record_workbook(record, "" if kind == "department" else "sample").save(path)
    reading = read_template(open_sheets(path))
    assert reading.kind == kind and reading.unplaced == []
    again = model.model_validate(yamlio.parse(yamlwrite.dump(reading.data)))
    assert again.model_dump(mode="json") == record.model_dump(mode="json")


def test_department_template_has_its_own_sheets_columns_and_notes(tmp_path, capsys):
    target = tmp_path / "部门整体绩效目标表.xlsx"
    code, out, _ = disclose(capsys, "template", "--department", "-o", target)
    assert code == 0 and "disclose import" in out
    book = load_workbook(target)
    assert book.sheetnames == list(L.KINDS["department"].sheets)
    basic = {book[L.BASIC].cell(r, 1).value: book[L.BASIC].cell(r, 2).value for r in range(L.FIRST_ROW, 40)}
    assert basic["记录种类"] == "部门整体支出绩效目标表" and basic["金额单位"] == "万元"
    assert {"【部门整体绩效目标】", "【来源文件】", "【指标表栏目名】"} <= set(basic)
    duties = book[L.DUTIES]
    assert [c.value for c in duties[L.HEADER_ROW]] == ["部门职能", "年度目标任务", "支出项目名称", "预算金额（万元）"]
    assert duties.freeze_panes == "A3"
    funding = book[L.FUNDING]
    assert [funding.cell(L.FIRST_ROW, c).value for c in (3, 4)] == ["合计", "资金总额"]
    assert [funding.cell(r, 4).value for r in (L.FIRST_ROW + 1, L.FIRST_ROW + 2)] == ["基本支出", "项目支出"]
    assert basic["指标内容"] == "指标解释"  # the department's own heading for the 指标内容 column
    assert any("部门整体支出绩效目标表" in (c.value or "") for c in book[L.HELP]["A"])
    lists = book[L.INDICATORS].data_validations.dataValidation
    assert any("产出指标" in v.formula1 for v in lists)


def fill(path: Path, replace: dict[str, str]) -> None:
    """Replace the template's placeholders as a publisher would, cell by cell."""
    book = load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "请填写" in cell.value:
                    cell.value = replace.get(f"{ws.title}!{cell.coordinate}", cell.value.replace("请填写", "已填写"))
    book.save(path)


def test_a_filled_department_template_starts_a_new_department_folder(tmp_path, capsys):
    make_content(tmp_path)
    edition = tmp_path / "content" / "2024"
    book = tmp_path / "dept.xlsx"
    assert disclose(capsys, "template", "--department", "-o", book)[0] == 0
    code, _, err = disclose(capsys, "import", book, "--into", edition / "new-dept")
    assert code == 1 and "还没有填写" in err and "工作表“基本信息”" in err
    assert not (edition / "new-dept").exists()
    fill(book, {})
    code, out, err = disclose(capsys, "import", book, "--into", edition / "new-dept")
    assert code == 0, err
    assert "部门整体表" in out
    data = yamlio.parse((edition / "new-dept" / "department.yaml").read_text(encoding="utf-8"))
    assert data["name"] == "已填写部门名称" and data["unit"] == "万元"
    assert data["funding"][0]["total_label"] == "资金总额"
    assert data["goals"]["duties"]["columns"][0] == "部门职能"
    assert data["goals"]["indicator_labels"] == {"description": "指标解释", "value": "目标值"}
    assert data["goals"]["info"] == {"部门(单位)名称": "已填写"}
    assert disclose(capsys, "check", "--content", tmp_path / "content")[0] == 0
    code, _, err = disclose(capsys, "import", book, "--into", edition / "new-dept")
    assert code == 1 and "department.yaml 已经存在，不会覆盖" in err
    assert disclose(capsys, "import", book, "--into", edition / "new-dept", "--force")[0] == 0


def test_records_wait_for_their_department_in_a_folder_import(tmp_path, capsys):
    make_content(tmp_path)
    edition = tmp_path / "content" / "2024"
    books = tmp_path / "books"
    books.mkdir()
    # "a-" sorts before "z-": the project's workbook is read before the department's table.
    record_workbook(Project.model_validate(FULL["project"]), "sample").save(books / "a-project.xlsx")
    record_workbook(Department.model_validate(FULL["department"])).save(books / "z-department.xlsx")
    code, out, err = disclose(capsys, "import", books, "--into", edition / "fresh", "--quiet")
    assert code == 0, err
    assert sorted(p.name for p in (edition / "fresh").iterdir()) == ["department.yaml", "sample.yaml"]
    alone = tmp_path / "alone"
    alone.mkdir()
    record_workbook(Project.model_validate(FULL["project"]), "sample").save(alone / "p.xlsx")
    code, _, err = disclose(capsys, "import", alone, "--into", edition / "other")
    assert code == 1 and "缺少 department.yaml" in err and not (edition / "other").exists()


def test_a_workbook_of_an_unknown_kind_names_the_cell(tmp_path, capsys):
    dept = make_content(tmp_path).parent
    path = tmp_path / "t.xlsx"
    book = record_workbook(Project.model_validate(FULL["project"]), "sample")
    book[L.BASIC]["B3"] = "某某表"
    book.save(path)
    code, _, err = disclose(capsys, "import", path, "--into", dept)
    assert code == 1 and "工作表“基本信息”单元格 B3" in err and "“记录种类”应为" in err


def test_the_field_coverage_check_sees_a_missing_nested_field():
    partial = {**FULL["project"], "prior_year": {"title": "上年度"}}
    assert "prior_year.spent" in unfilled(Project, partial)
