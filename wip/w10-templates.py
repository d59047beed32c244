from pathlib import Path
T = Path("site_templates")
def edit(name, old, new):
    p = T / name; s = p.read_text()
    assert s.count(old) == 1, (name, old)
    p.write_text(s.replace(old, new))
m = (T / "partials/macros.html").read_text()
start = m.index("{% macro indicator_table(table, id, caption, prefix=\"\") %}")
head_start = m.index("<thead>", start); head_end = m.index("</thead>", start) + len("</thead>")
m = m[:head_start] + '''<thead>
{% for row in table.header %}
<tr>
{% for cell in row %}
<th scope="{{ cell.scope }}"{% if cell.colspan > 1 %} colspan="{{ cell.colspan }}"{% endif %}{% if cell.rowspan > 1 %} rowspan="{{ cell.rowspan }}"{% endif %}{% if cell.level %} class="level"{% endif %}>{{ cell.label }}</th>
{% endfor %}
</tr>
{% endfor %}
</thead>''' + m[head_end:]
(T / "partials/macros.html").write_text(m)
edit("partials/department_goals.html", "tables.indicator_table(goals.indicators, goals.indicator_labels)", "tables.indicators_of(goals)")
edit("partials/department_goals.html", '''{% if department.funding %}
{{ m.funding_tables(''', '''{% if goals and goals.info %}
{{ m.labelled_table(goals.info, "department-goals-info", "基本信息") }}
{% endif %}
{% if department.funding %}
{{ m.funding_tables(''')
edit("partials/evaluation_sheet.html", "tables.indicator_table(evaluation.indicators, evaluation.indicator_labels)", "tables.indicators_of(evaluation)")
p = T / "partials/transfer_sheet.html"; s = p.read_text()
assert s.count("tables.indicator_table(transfer.indicators, transfer.indicator_labels)") == 2
p.write_text(s.replace("tables.indicator_table(transfer.indicators, transfer.indicator_labels)", "tables.indicators_of(transfer)"))
edit("print.html", '''本页按文件顺序收录本部门的部门整体绩效目标、全部 {{ department.projects|length }} 个项目的绩效目标表{% if department.transfers %}、{{ department.transfers|length }} 张转移支付区域绩效目标表{% endif %}{% if department.evaluations %}、{{ department.evaluations|length }} 张绩效自评表{% endif %}，''',
'''{% set listed = [("部门整体绩效目标" if department.funding or department.goals else ""), (("全部 " ~ department.projects|length ~ " 个项目的绩效目标表") if department.projects else ""), ((department.transfers|length ~ " 张转移支付区域绩效目标表") if department.transfers else ""), ((department.evaluations|length ~ " 张绩效自评表") if department.evaluations else "")]|select|join("、") %}本页按文件顺序收录本部门的{{ " " if listed[:1].isdigit() }}{{ listed }}，''')
print("applied")
