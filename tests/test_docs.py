"""Documentation stays true: generated references are current, nothing is undocumented."""

import argparse
import json
import re
from pathlib import Path

from generator import yamlio
from generator.cli import build_parser
from generator.docs import field_reference
from generator.model import Project
from generator.schema import RECORDS, iter_fields, json_schema

ROOT = Path(__file__).resolve().parents[1]


def test_every_field_has_a_chinese_description():
    for kind, model in RECORDS.items():
        for path, _, description, _ in iter_fields(model):
            assert re.search(r"[\u4e00-\u9fff]", description), f"{kind}.{path} has no Chinese description"


def test_field_reference_is_current():
    written = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    assert written == field_reference(), "docs/fields.md is stale: run `disclose schema`"


def test_field_reference_lists_every_field():
    written = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    for model in RECORDS.values():
        for path, *_ in iter_fields(model):
            assert f"`{path}`" in written, path


def test_field_reference_rows_have_four_cells_and_name_types_in_chinese():
    # A money cell of a form (a number, or "—" kept as printed) once read "decimal.Decimal | generator.model.NotGiven":
    # a Python name, and a bare "|" that split the row into five cells.
    for line in field_reference().splitlines():
        if line.startswith("| `"):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            assert len(cells) == 4, line
            assert not re.search(r"decimal\.|generator\.|NotGiven", cells[1]), line
    assert "| `execution[].weight` | 数字或照录“—”“/”“无” |" in field_reference()


def test_json_schemas_are_current():
    for kind in RECORDS:
        written = json.loads((ROOT / "docs" / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        assert written == json_schema(kind), f"docs/schema/{kind}.schema.json is stale: run `disclose schema`"


def commands_and_options() -> list[tuple[str, str]]:
    parser = build_parser()
    found = [("", option) for action in parser._actions for option in action.option_strings]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((name, ""))
                found += [(name, option) for a in sub._actions for option in a.option_strings]
    return found


def test_readme_documents_every_command_and_option():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command, option in commands_and_options():
        if option in ("-h", "--help") and command:
            continue
        line = next((ln for ln in readme.splitlines() if f"disclose {command}" in ln and option in ln), None)
        assert line, f"README does not document `disclose {command} {option}`"


def test_guide_example_is_a_valid_record():
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```yaml\n(.*?)```", guide, flags=re.S) if "indicators:" in block)
    project = Project.model_validate(yamlio.parse(example))
    assert project.indicators[1].groups[0].indicators == ()


def test_guide_sections_are_numbered_once_and_in_order():
    # Adding the record kinds' sections renumbered 六 to 十 in one place and left a second "六、预览和发布" after it.
    numerals = "一二三四五六七八九十"
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    numbered = re.findall(r"^## ([一二三四五六七八九十]+)、(.*)$", guide, flags=re.M)
    assert [numerals.index(n) + 1 for n, _ in numbered] == list(range(1, len(numbered) + 1)), numbered


def test_guide_has_a_valid_complete_example_of_every_record_kind():
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    examples = {}
    for block in re.findall(r"```yaml\n(.*?)```", guide, flags=re.S):
        schema = re.match(r"# yaml-language-server: \$schema=\S*/(\w+)\.schema\.json", block)
        if schema:
            examples[schema[1]] = RECORDS[schema[1]].model_validate(yamlio.parse(block))
    assert set(examples) >= {"project", "department", "transfer", "evaluation"}
    assert examples["department"].own_total is not None and examples["department"].goals.duties.rows
    assert examples["transfer"].authorities["中央主管部门"] == "财政部、农业农村部"
    evaluation = examples["evaluation"]
    from generator.validate import EVALUATION_RULES, TRANSFER_RULES

    assert [m for rule in EVALUATION_RULES for _, m in rule(evaluation)] == []
    assert [m for rule in TRANSFER_RULES for _, m in rule(examples["transfer"])] == []
