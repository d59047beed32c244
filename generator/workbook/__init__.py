"""Excel workbooks: the template, import into records, and export of records.

Publishers get their 绩效目标表 from the budget system as Excel workbooks.
This package turns them into records and back:

    layout.py    the template's sheets and columns (one description for all three)
    cells.py     open a workbook safely, and read each cell as it is printed
    export.py    write a project (or the blank template) as a workbook
    template.py  read a workbook in the template's layout
    forms.py     read the budget systems' own printed layouts (项目支出绩效目标表)
    printed.py   the other kinds' printed forms: 自评表, 区域绩效目标表, 部门整体支出绩效目标表
    importer.py  `disclose import`: workbooks → validated records, written all or nothing
"""
