"""Generate the publisher's field reference (docs/fields.md) from the model."""

from __future__ import annotations

from pathlib import Path

from .schema import RECORDS, iter_fields

TITLES = {
    "site": "网站设置 content/site.yaml",
    "edition": "年度 content/<年度>/edition.yaml",
    "department": "部门 content/<年度>/<部门>/department.yaml",
    "project": "项目（项目支出绩效目标表） content/<年度>/<部门>/<项目>.yaml",
    "transfer": "转移支付区域绩效目标表 content/<年度>/<部门>/<名称>.yaml（kind: transfer）",
    "evaluation": "项目支出绩效自评表 content/<年度>/<部门>/<名称>.yaml（kind: evaluation）",
}


def field_reference() -> str:
    """Return the field reference as Markdown, one table per kind of record."""
    out = [
        "# 字段说明",
        "",
        "本文件由 `disclose schema` 根据数据模型自动生成，请勿手工修改。",
        "“[]”表示列表中的每一项；“必填”的字段必须填写，其余没有就不写。",
        "",
    ]
    for kind, model in RECORDS.items():
        out += [f"## {TITLES[kind]}", "", "| 字段 | 类型 | 说明 | 必填 |", "| --- | --- | --- | --- |"]
        for path, type_label, description, required in iter_fields(model):
            cell = description.replace("|", "\\|")
            out.append(f"| `{path}` | {type_label} | {cell} | {'必填' if required else ''} |")
        out.append("")
    return "\n".join(out)


def write_field_reference(path: Path) -> Path:
    """Write the field reference to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(field_reference(), encoding="utf-8")
    return path
