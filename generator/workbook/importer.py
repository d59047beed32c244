"""`disclose import`: workbooks become validated records, all or nothing per workbook.

For each workbook: open it safely (cells.py), read it as the template or as
a printed form (template.py, forms.py), turn each project into YAML in the
bundled records' style (a department's table becomes
department.yaml; a transfer's or self-evaluation's its own record), and validate that exact text with the loader that
`disclose check` uses. Only when every project of the workbook passes are
its files written: first to temporary files beside the targets, then renamed
into place. A file that exists is never overwritten without `force`.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .. import yamlio, yamlwrite
from ..load import SLUG, display, validate_data
from ..problems import Problem
from .cells import SUFFIXES, Sheet, WorkbookError, open_sheets
from .printed import read_printed
from .reading import Reading, Unplaced
from .template import MODELS, is_template, read_template

SCHEMA_HINT = "../../../docs/schema/{kind}.schema.json"
DEPARTMENT_FILE = "department.yaml"
MAX_SLUG = 60
MAX_WORDS = 6  # enough to tell projects apart, short enough to read in a URL


@dataclass
class FileReport:
    """What one workbook gave: the records written, or the error that stopped it."""

    source: Path
    written: list[Path] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    error: str | None = None

    def lines(self) -> list[str]:
        """Describe this workbook's import for the publisher, in Chinese."""
        name = display(self.source)
        if self.error:
            return [f"{name}: 错误：{self.error}（未写入任何文件）"]
        sheets = "、".join(f"“{s}”" for s in self.sheets)
        count = "部门整体表" if [p.name for p in self.written] == [DEPARTMENT_FILE] else f"{len(self.written)} 个记录"
        head = f"{name}: 从工作表{sheets}读取 {count}，写入 " + "、".join(display(p) for p in self.written)
        tail = [f"  无法归入记录的单元格（{len(self.unplaced)} 个），请核对是否需要手工补录："] if self.unplaced else []
        return [head, *tail, *(f"    {u}" for u in self.unplaced)]


def workbook_files(source: Path) -> tuple[list[Path], list[Path]]:
    """Return the workbooks under a file or folder, and the other files skipped there."""
    if source.is_file():
        return [source], []
    files = sorted(p for p in source.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.parts))
    books = [p for p in files if p.suffix.lower() in SUFFIXES and not p.name.startswith("~$")]
    return books, [p for p in files if p not in books]


def check_target(into: Path, department: bool = False) -> str | None:
    """Return why records cannot go into a folder, or None when they can.

    A department's own table may start a new department folder inside an edition; other records need
    the folder's department.yaml.
    """
    if (into / DEPARTMENT_FILE).is_file() or (department and (into.parent / "edition.yaml").is_file()):
        return None
    if department:
        return (f"{display(into)} 既不是部门文件夹（缺少 department.yaml），也不在年度文件夹中（上一级缺少 edition.yaml）。"
                f"请用 --into 指定 content/<年度>/<部门>/")
    year, dept = (into.parent.name, into.name) if into.name else ("<年度>", "<部门>")
    return (f"{display(into)} 不是部门文件夹（缺少 department.yaml）。请先导入部门整体表，或运行 "
            f"disclose new department {year}/{dept}，或用 --into 指定 content/<年度>/<部门>/")


def import_workbooks(source: Path, into: Path, *, force: bool = False, progress: bool = True,
                     out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Import a workbook or a folder of workbooks into a department folder; return the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    problem = check_target(into, department=True)
    if problem is None and not source.exists():
        problem = f"找不到 {display(source)}"
    if problem:
        print(f"错误：{problem}", file=err)
        return 1
    books, skipped = workbook_files(source)
    for path in skipped:
        print(f"{display(path)}: 不是 Excel 工作簿（.xlsx / .xls），已跳过", file=out)
    if not books:
        print(f"错误：{display(source)} 中没有 Excel 工作簿（.xlsx / .xls）", file=err)
        return 1
    numbers = existing_numbers(into)
    reports: list[FileReport] = []
    waiting: list[tuple[Path, list[Reading]]] = []  # records read before their department's table was imported
    bar = progress and len(books) > 1
    for path in with_bar(books, bar, err):
        report, readings = read_one(path, into)
        if readings is not None and not any(r.kind == "department" for r in readings) and check_target(into):
            waiting.append((path, readings))
            continue
        reports.append(write_one(report, readings, into, force, numbers))
        clear_bar(bar, err)
        report_lines(reports[-1], out, err)
    for path, readings in waiting:
        reports.append(write_one(FileReport(path), readings, into, force, numbers))
        report_lines(reports[-1], out, err)
    failed = sum(r.error is not None for r in reports)
    records = sum(len(r.written) for r in reports)
    print(f"导入了 {len(reports) - failed} 个工作簿、{records} 个记录；{failed} 个工作簿有错误。"
          "请运行 disclose check 检查，disclose serve 预览。", file=out)
    return 1 if failed else 0


def report_lines(report: FileReport, out: TextIO, err: TextIO) -> None:
    for line in report.lines():
        print(line, file=err if report.error else out)


def read_one(path: Path, into: Path) -> tuple[FileReport, list[Reading] | None]:
    """Read one workbook's records, or report why it cannot be read."""
    report = FileReport(path)
    try:
        return report, read_workbook(path)
    except WorkbookError as exc:
        report.error = str(exc)
        return report, None


def import_one(path: Path, into: Path, force: bool, numbers: list[int]) -> FileReport:
    """Read, validate and write the records of one workbook, or none of them."""
    report, readings = read_one(path, into)
    return write_one(report, readings, into, force, numbers)


def write_one(report: FileReport, readings: list[Reading] | None, into: Path, force: bool,
              numbers: list[int]) -> FileReport:
    """Validate and write the records read from one workbook, or none of them."""
    if readings is None:
        return report
    try:
        problem = None if any(r.kind == "department" for r in readings) else check_target(into)
        if problem:
            raise WorkbookError(problem)
        targets = plan_targets(readings, into, force)
        texts = [record_text(r, t, numbers) for r, t in zip(readings, targets, strict=True)]
    except WorkbookError as exc:
        report.error = str(exc)
        return report
    try:
        into.mkdir(exist_ok=True)
        write_all(list(zip(targets, texts, strict=True)))
    except OSError as exc:
        report.error = f"无法写入：{exc.strerror}"
        return report
    report.written = targets
    report.sheets = list(dict.fromkeys(r.sheet for r in readings))
    report.unplaced = [u for r in readings for u in r.unplaced]
    return report


def read_workbook(path: Path) -> list[Reading]:
    """Read every project of a workbook, whatever its layout."""
    sheets = open_sheets(path)
    if not sheets or all(s.empty for s in sheets):
        names = "、".join(f"“{s.name}”" for s in sheets) or "（无）"
        raise WorkbookError(f"工作簿是空的：工作表{names}没有任何内容")
    readings = [read_template(sheets)] if is_template(sheets) else read_printed(sheets)
    if not readings:
        raise WorkbookError(not_found(sheets))
    return readings


def not_found(sheets: Sequence[Sheet]) -> str:
    empty = [s.name for s in sheets if s.empty]
    hint = f"（工作表{'、'.join(f'“{n}”' for n in empty)}是空的）" if empty else ""
    return (f"没有找到项目{hint}：工作簿既不是 disclose 模板（应有“基本信息”“绩效指标”工作表），"
            "也没有“项目名称”一栏。请用 disclose template 生成模板填写")


def existing_numbers(into: Path) -> list[int]:
    """Return the 序号 of the records already in a department folder."""
    numbers = []
    for path in into.glob("*.yaml"):
        try:
            data = yamlio.parse(yamlio.decode(path.read_bytes()))
        except (OSError, yamlio.YamlError):
            continue
        if isinstance(data, dict) and isinstance(data.get("number"), int):
            numbers.append(data["number"])
    return numbers


def plan_targets(readings: Sequence[Reading], into: Path, force: bool) -> list[Path]:
    """Choose each project's file; refuse to overwrite unless forced."""
    taken: set[str] = set()
    targets = []
    for reading in readings:
        if reading.kind == "department":
            target = into / DEPARTMENT_FILE
            if target.exists() and not force:
                raise WorkbookError(f"{display(target)} 已经存在，不会覆盖。确认要用工作簿的内容替换它，请加 --force")
            targets.append(target)
            continue
        slug = reading.slug
        if slug and not (SLUG.match(slug) and len(slug) <= 80):
            sheet, cell = reading.origins.get(("slug",), (reading.sheet, None))
            raise WorkbookError(f"记录文件名“{slug}”只能用小写英文字母、数字和“-”", sheet, cell)
        chosen = slug
        if not chosen:  # a made-up name gives way to a different project already there
            base, n = make_slug(reading.data), 2
            chosen = base
            while chosen in taken or other_project(into / f"{chosen}.yaml", reading.data.get("name")):
                chosen, n = f"{base}-{n}", n + 1
        if chosen in taken:
            raise WorkbookError(f"工作簿中有两个项目都要写入 {chosen}.yaml，请在“记录文件名”一栏改用不同的名称")
        taken.add(chosen)
        target = into / f"{chosen}.yaml"
        if target.exists() and not force:
            raise WorkbookError(f"{display(target)} 已经存在，不会覆盖。确认要用工作簿的内容替换它，请加 --force")
        targets.append(target)
    return targets


def other_project(path: Path, name: str | None) -> bool:
    """Return whether a record file exists and holds a project of another name."""
    if not path.is_file():
        return False
    try:
        data = yamlio.parse(yamlio.decode(path.read_bytes()))
    except (OSError, yamlio.YamlError):
        return True
    return not isinstance(data, dict) or data.get("name") != name


def make_slug(data: dict) -> str:
    """Name a record after its code, or after the pinyin of its name."""
    code = str(data.get("code") or "").lower()
    if SLUG.match(code) and len(code) <= MAX_SLUG:
        return code
    from pypinyin import lazy_pinyin

    words: list[str] = []
    han: list[str] = []  # syllables paired into words: most Chinese words have two characters
    for piece in lazy_pinyin(str(data.get("name", ""))):
        if re.fullmatch(r"[a-zü]+", piece):
            han.append(piece.replace("ü", "v"))
            if len(han) == 2:
                words.append("".join(han))
                han = []
            continue
        words += ["".join(han)] if han else []
        han = []
        words += [w.lower() for w in re.findall(r"[A-Za-z0-9]+", piece)]
    words += ["".join(han)] if han else []
    words = words[:MAX_WORDS]
    slug = "-".join(w for w in words if w)
    while len(slug) > MAX_SLUG and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:MAX_SLUG] or "xiangmu"


def record_text(reading: Reading, target: Path, numbers: list[int]) -> str:
    """Return a record's YAML text after the loader has accepted exactly that text."""
    data = reading.data
    if reading.kind == "project" and "number" not in data:
        data = {**data, "number": max(numbers, default=0) + 1}
        data = {k: data[k] for k in ("name", "code", "number", *data) if k in data}
    if isinstance(data.get("number"), int):
        numbers.append(data["number"])
    text = yamlwrite.dump(data, SCHEMA_HINT.format(kind=reading.kind))
    _, problems = validate_data(yamlio.parse(text), MODELS[reading.kind], target, text)
    locate_problems(reading, problems)
    return text


def as_record(reading: Reading, target: Path) -> Any:
    """Return a reading as the loader would read its record, or None when it is not valid."""
    text = yamlwrite.dump(reading.data)
    record, _ = validate_data(yamlio.parse(text), MODELS[reading.kind], target, text)
    return record


def locate_problems(reading: Reading, problems: Sequence[Problem]) -> None:
    """Raise the first validation problem of a reading at its sheet and cell."""
    if problems:
        first = problems[0]
        sheet, cell = reading.origin(parse_field(first.field))
        more = f"（另有 {len(problems) - 1} 处问题）" if len(problems) > 1 else ""
        subject = f"字段 {first.field}：" if first.field else ""
        raise WorkbookError(f"{subject}{first.message}{more}", sheet, cell)


def parse_field(path: str) -> tuple[str | int, ...]:
    """Turn "indicators[0].groups[1]" back into ("indicators", 0, "groups", 1)."""
    steps: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]（]+)|\[(\d+)\]", path.split("（")[0]):
        steps.append(int(index) if index else name)
    return tuple(steps)


def write_all(files: Sequence[tuple[Path, str]]) -> None:
    """Write several files so that either all appear or none does."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in files:
            handle, temp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            staged.append((Path(temp), target))
        for temp, target in staged:
            os.replace(temp, target)
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)


def with_bar(items: Sequence[Path], enabled: bool, err: TextIO) -> Iterator[Path]:
    """Yield the items, drawing a progress bar on a terminal."""
    show = enabled and err.isatty()
    for done, item in enumerate(items, start=1):
        if show:
            filled = 30 * done // len(items)
            err.write(f"\r导入 [{'#' * filled}{'.' * (30 - filled)}] {done}/{len(items)} {item.name[:30]}")
            err.flush()
        yield item


def clear_bar(enabled: bool, err: TextIO) -> None:
    if enabled and err.isatty():
        err.write("\r\033[K")
        err.flush()

