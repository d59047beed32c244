"""Open data: every table of every edition and department as CSV, JSON and XLSX.

For each edition and each department four tables are written beside the
pages: projects (项目), indicators (绩效指标), cost lines (测算明细) and
funding (资金来源). Each is a CSV file (UTF-8 with a byte-order mark, so that
Excel opens the Chinese text correctly) and the same rows as JSON; one XLSX
workbook holds the four as sheets; `datapackage.json` describes the CSV files
and their fields for Frictionless tools.

Amounts are written exactly as the record holds them (`31.900000` stays
`31.900000`), always beside the unit column they are in; indicator values
stay text as printed. Every file is byte-identical from one build to the next
(the XLSX workbook too: its zip entries and document dates are fixed).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import mmap
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import urls, xlsx
from .forked import forked_map
from .kept import NOTHING, Kept, kept_as_is
from .model import Department, Edition, Level1, Project, Site, iter_indicators
from .state import hash_parts
from .tables import PERIOD_LABELS
from .write import Pieces

# --- the tables ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an open-data table: its header (Chinese), Frictionless type and meaning."""

    name: str
    type: str  # Frictionless: string, integer or number
    description: str


@dataclass(frozen=True)
class Table:
    """One open-data table: its file stem, sheet title and columns."""

    stem: str
    title: str
    description: str
    columns: tuple[Column, ...]


TEXT, INTEGER, NUMBER = "string", "integer", "number"
WHERE = (
    Column("年度", INTEGER, "预算年度"),
    Column("部门", TEXT, "部门名称"),
    Column("部门网址名", TEXT, "部门在网址中的名称（文件夹名），如 jiangyin-sfj"),
)
OF_PROJECT = (
    Column("项目网址名", TEXT, "项目在网址中的名称（文件名）；部门整体绩效目标为空"),
    Column("项目名称", TEXT, "项目名称，按文件所印"),
    Column("项目代码", TEXT, "项目代码 / 项目编码，按文件所印"),
)
MONEY_UNIT = Column("金额单位", TEXT, "本行金额的单位：元 或 万元（各部门文件所用单位不同，请按此列阅读）")

PROJECTS = Table("projects", "项目", "每个项目一行：名称、代码、本年度预算及总金额。", (
    *WHERE, *OF_PROJECT,
    Column("序号", INTEGER, "在文件中的序号"),
    MONEY_UNIT,
    Column("本年度预算", NUMBER, "本年度预算金额，按文件所印的精确数字，单位见“金额单位”"),
    Column("项目总金额", NUMBER, "跨年度项目的总金额，单位见“金额单位”；空表示文件未列"),
    Column("项目期限", TEXT, "按文件所印"),
    Column("网页", TEXT, "本项目绩效目标表的网页，相对于网站根目录"),
))
INDICATORS = Table("indicators", "绩效指标", "每个三级指标一行，含部门整体绩效指标；指标值是文字，按文件所印。", (
    *WHERE, *OF_PROJECT,
    Column("范围", TEXT, "项目 或 部门整体"),
    Column("指标序号", INTEGER, "在该项目（或部门整体）指标表中的顺序，从 1 起；网页上该行的锚点为 #zb-序号"),
    Column("期间", TEXT, "年度指标 或 中期指标"),
    Column("一级指标", TEXT, "按文件所印，含编码（如“1-产出指标”）"),
    Column("二级指标", TEXT, "按文件所印"),
    Column("三级指标", TEXT, "指标名称"),
    Column("指标性质", TEXT, "单独一栏所印的 ≥ ≤ = 等；空表示写在指标值中"),
    Column("指标值", TEXT, "目标值，按文件所印（如“≥90%”“进一步提升”）"),
    Column("度量单位", TEXT, "单独一栏所印的单位"),
    Column("指标属性", TEXT, "定量指标 / 定性指标"),
    Column("权重", NUMBER, "权重（分值）"),
    Column("指标内容", TEXT, "指标内容 / 绩效指标描述"),
    Column("设定依据", TEXT, "指标值设定依据 / 目标值来源"),
    Column("评分标准", TEXT, "评（扣）分标准"),
))
COSTS = Table("costs", "测算明细", "测算明细 / 项目概算的每一行。", (
    *WHERE, *OF_PROJECT,
    Column("表名", TEXT, "测算表名称，按文件所印"),
    Column("行号", INTEGER, "在该表中的顺序，从 1 起"),
    Column("明细名称", TEXT, "按文件所印"),
    MONEY_UNIT,
    Column("金额", NUMBER, "测算金额，单位见“金额单位”"),
    Column("单价", NUMBER, "单价，按文件所印"),
    Column("数量", NUMBER, "计量数"),
    Column("计量单位", TEXT, "数量的单位，如“人”“次”"),
    Column("用途", TEXT, "按文件所印"),
    Column("测算依据", TEXT, "测算依据及说明"),
    Column("其他栏目", TEXT, "文件所印的其他栏目，写作“栏目名：内容”，以“；”分隔"),
))
FUNDING = Table("funding", "资金来源", "每个资金来源一行，每张资金表另有一行“合计”。", (
    *WHERE, *OF_PROJECT,
    Column("表名", TEXT, "资金表名称，按文件所印"),
    Column("期间", TEXT, "年度 或 中期"),
    Column("行类别", TEXT, "来源 或 合计"),
    Column("资金来源", TEXT, "来源名称；合计行为文件所印的合计栏名"),
    MONEY_UNIT,
    Column("金额", NUMBER, "单位见“金额单位”；空表示文件中此格为空"),
))
TABLES = (PROJECTS, INDICATORS, COSTS, FUNDING)
WORKBOOK = "data.xlsx"
DATAPACKAGE = "datapackage.json"
PERIOD_NAMES = {"annual": "年度", "midterm": "中期"}

Row = dict[str, Any]


def number(value: Decimal | int | None) -> str:
    """Write an amount exactly as held (no exponent, trailing zeros kept); blank for none."""
    return "" if value is None else format(value, "f") if isinstance(value, Decimal) else str(value)


def text(value: object) -> str:
    """Write a text cell: blank for none."""
    return "" if value is None else str(value)


def where(edition: Edition, department: Department, project: Project | None) -> Row:
    """Return the columns that say whose row it is."""
    return {
        "年度": str(edition.year), "部门": department.name, "部门网址名": department.slug,
        "项目网址名": project.slug if project else "",
        "项目名称": project.name if project else "",
        "项目代码": text(project.code) if project else "",
    }


def project_rows(edition: Edition, department: Department) -> Iterator[Row]:
    """Yield a department's projects, one row each."""
    for project in department.projects:
        yield {
            **where(edition, department, project),
            "序号": text(project.number), "金额单位": project.unit,
            "本年度预算": number(project.amount), "项目总金额": number(project.total_amount),
            "项目期限": text(project.period),
            "网页": urls.directory_url(urls.project(edition.year, department.slug, project.slug)),
        }


def indicator_rows(edition: Edition, department: Department) -> Iterator[Row]:
    """Yield every indicator of a department: its overall goals first, then each project's."""
    trees: list[tuple[Project | None, tuple[Level1, ...]]] = []
    if department.goals and department.goals.indicators:
        trees.append((None, department.goals.indicators))
    trees.extend((project, project.indicators) for project in department.projects)
    for project, tree in trees:
        for position, (level1, level2, indicator) in enumerate(iter_indicators(tree), start=1):
            yield {
                **where(edition, department, project),
                "范围": "项目" if project else "部门整体", "指标序号": str(position),
                "期间": PERIOD_LABELS[indicator.period], "一级指标": level1.level1, "二级指标": level2.level2,
                "三级指标": indicator.name, "指标性质": text(indicator.operator), "指标值": indicator.value,
                "度量单位": text(indicator.unit), "指标属性": text(indicator.kind), "权重": number(indicator.weight),
                "指标内容": text(indicator.description), "设定依据": text(indicator.basis),
                "评分标准": text(indicator.scoring),
            }


def cost_rows(edition: Edition, department: Department) -> Iterator[Row]:
    """Yield every cost line of a department's projects."""
    for project in department.projects:
        for table in project.cost_tables:
            for n, line in enumerate(table.lines, start=1):
                yield {
                    **where(edition, department, project),
                    "表名": table.title, "行号": str(n), "明细名称": line.name, "金额单位": project.unit,
                    "金额": number(line.amount), "单价": number(line.unit_price), "数量": number(line.quantity),
                    "计量单位": text(line.measure), "用途": text(line.purpose), "测算依据": text(line.basis),
                    "其他栏目": "；".join(f"{label}：{value}" for label, value in line.attributes.items()),
                }


def funding_rows(edition: Edition, department: Department) -> Iterator[Row]:
    """Yield every funding source of a department's projects, and each table's total."""
    for project in department.projects:
        for table in project.funding:
            common = {**where(edition, department, project), "表名": table.title,
                      "期间": PERIOD_NAMES[table.period], "金额单位": project.unit}
            for source in table.sources:
                yield {**common, "行类别": "来源", "资金来源": source.name, "金额": number(source.amount)}
            if table.total is not None:
                yield {**common, "行类别": "合计", "资金来源": table.total_label, "金额": number(table.total)}


ROWS: dict[str, Callable[[Edition, Department], Iterator[Row]]] = {
    "projects": project_rows, "indicators": indicator_rows, "costs": cost_rows, "funding": funding_rows,
}


def table_rows(table: Table, edition: Edition, departments: Iterable[Department]) -> list[list[str]]:
    """Return a table's rows as lists of cells in column order."""
    names = [column.name for column in table.columns]
    return [[row.get(name, "") for name in names] for d in departments for row in ROWS[table.stem](edition, d)]


# --- the files ----------------------------------------------------------------


@dataclass(frozen=True)
class DataFile:
    """One output file made by a function rather than a template, and the records it is made from."""

    output: str
    records: tuple[str, ...]
    make: Callable[[], bytes | Pieces]


@dataclass(frozen=True)
class Part:
    """One department's rows of one table, written once in each file format, ready to be laid end to end."""

    # Bytes, or read-only views of a part file read back from the cache (`unpack`).
    csv: bytes | memoryview  # CSV lines, without the header
    json: bytes | memoryview  # JSON objects separated by ",\n", without the brackets
    sheet: xlsx.Chunk  # the workbook rows, compressed on their own
    rows: int
    digest: str = ""  # of all of it: a file laid from parts is named by theirs (write.Pieces)


Parts = dict[str, Part]  # table stem → part


def department_parts(edition: Edition, department: Department) -> Parts:
    """Return a department's part of every table."""
    return {table.stem: make_part(table, table_rows(table, edition, (department,))) for table in TABLES}


def make_part(table: Table, rows: list[list[str]]) -> Part:
    """Write a table's rows in each format."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    names = [column.name for column in table.columns]
    objects = ",\n".join(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) for row in rows)
    # A column's cells repeat (its department, year, unit, 一级 and 二级 names): each is written once.
    cells: dict[tuple[str, str], str] = {}

    def cell(printed: str, kind: str) -> str:
        made = cells.get((printed, kind))
        if made is None:
            made = cells[printed, kind] = xlsx_cell(printed, kind)
        return made

    kinds = [column.type for column in table.columns]
    sheet = xlsx.rows_chunk(xlsx.row(map(cell, row, kinds)) for row in rows)
    lines, objects_bytes = buffer.getvalue().encode("utf-8"), objects.encode("utf-8")
    digest = hashlib.blake2b(digest_size=16)
    for piece in (lines, objects_bytes, sheet.data, f"{sheet.crc} {sheet.size} {len(rows)}".encode()):
        digest.update(len(piece).to_bytes(8, "little") + piece)
    return Part(lines, objects_bytes, sheet, len(rows), digest.hexdigest())


def to_csv(table: Table, parts: Iterable[Part]) -> Pieces:
    """Write a table as CSV: UTF-8 with a byte-order mark, CRLF line ends, every cell as printed."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([column.name for column in table.columns])
    laid = [part for part in parts if part.rows]  # a part without rows adds no byte: nor to the digest
    return Pieces(("\ufeff".encode() + buffer.getvalue().encode("utf-8"), *(part.csv for part in laid)),
                  hash_parts(["csv", table.stem, *(part.digest for part in laid)]))


def to_json(table: Table, parts: Iterable[Part]) -> Pieces:
    """Write a table as a JSON list of objects, one a line, with the same keys and text as the CSV."""
    laid = [part for part in parts if part.rows]
    digest = hash_parts(["json", *(part.digest for part in laid)])
    if not laid:
        return Pieces((b"[]\n",), digest)
    chunks = [b"[\n"]
    for part in laid:
        chunks += (part.json, b",\n")
    chunks[-1] = b"\n]\n"
    return Pieces(tuple(chunks), digest)


def to_xlsx(parts: list[Parts], title: str) -> Pieces:
    """Write the tables as one workbook, one sheet each, numbers as numbers showing their printed decimals."""
    notes = [["金额按各部门文件所印的精确数字和单位（见每行“金额单位”）；指标值为文字，按文件所印。"], [],
             ["表", "栏目", "类型", "说明"],
             *([table.title, column.name, TYPE_NAMES[column.type], column.description]
               for table in TABLES for column in table.columns)]
    guide = xlsx.Sheet("说明", [title], [xlsx.rows_chunk(xlsx.row(xlsx.text_cell(cell) for cell in line) for line in notes)])
    sheets = [xlsx.Sheet(table.title, [column.name for column in table.columns], [p[table.stem].sheet for p in parts])
              for table in TABLES]
    # Every part, with rows or not: an empty one still adds a (compressed, empty) chunk to its sheet.
    digest = hash_parts(["xlsx", title, *(p[table.stem].digest for table in TABLES for p in parts)])
    return Pieces(tuple(xlsx.workbook_pieces([guide, *sheets], title)), digest)


TYPE_NAMES = {TEXT: "文字", INTEGER: "整数", NUMBER: "数字"}
# Spreadsheet numbers are binary fractions with 15 significant digits; a longer figure stays text.
MAX_DIGITS = 15


def xlsx_cell(value: str, kind: str) -> str:
    """Return a workbook cell: an integer, an exact-enough number showing its printed decimals, text, or empty."""
    if value == "":
        return xlsx.text_cell("")
    if kind == INTEGER:
        return xlsx.number_cell(str(int(value)), None)
    if kind == NUMBER and len(Decimal(value).as_tuple().digits) <= MAX_DIGITS:
        return xlsx.number_cell(value, len(value.partition(".")[2]))
    return xlsx.text_cell(value)


class PartStore:
    """Each department's parts, made once per content: kept for the build, and in the cache between builds.

    `key` names a department's parts by everything they are made from; a part
    file that cannot be read back is made again, never trusted.
    """

    def __init__(self, folder: Path | None, key: Callable[[Edition, Department], str],
                 made: dict[str, Parts] | None = None) -> None:
        self.folder, self.key = folder, key
        # Parts by key: a running preview passes the same dict to every build, so an edit reads none from disk.
        self.made: dict[str, Parts] = made if made is not None else {}

    def of(self, edition: Edition, department: Department) -> Parts:
        """Return a department's parts."""
        key = self.key(edition, department)
        if key not in self.made:
            self.made[key] = self.read(key) or department_parts(edition, department)
            self.save(key, self.made[key])
        return self.made[key]

    def make_ahead(self, wanted: Iterable[tuple[Edition, Department]], jobs: int) -> int:
        """Make in `jobs` forked workers the parts of `wanted` departments neither held nor kept; return how many.

        A cold build makes every department's parts (16 ms each, 8 s at 10,000
        projects); each is a pure function of one department, so they are made
        side by side and `of` then finds them all.
        """
        missing = {self.key(e, d): (e, d) for e, d in wanted}
        missing = {key: pair for key, pair in missing.items() if key not in self.made and not self.kept(key)}
        made = forked_map(lambda pair: department_parts(*pair), list(missing.values()), jobs, minimum=MIN_AHEAD,
                          chunksize=4)
        for key, parts in zip(missing, made, strict=True):
            self.save(key, parts)
            # Kept as the file just saved, mapped (the pages the kernel may drop), rather than as the
            # bytes the worker sent: 190 MB of a cold build's memory at 10,000 projects.
            self.made[key] = self.read(key) or parts
        return len(missing)

    def kept(self, key: str) -> bool:
        """Tell whether parts are kept in the cache folder under a key."""
        return self.folder is not None and (self.folder / key).exists()

    def read(self, key: str) -> Parts | None:
        """Return the parts kept under a key, mapped into memory, or None when there are none (or they are unreadable)."""
        if self.folder is None:
            return None
        try:
            with open(self.folder / key, "rb") as f:
                return unpack(mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ))
        except (OSError, ValueError):  # missing, empty or unreadable: make the parts again
            return None

    def save(self, key: str, parts: Parts) -> None:
        """Keep parts in the cache folder (written whole, then renamed, so a reader never sees half)."""
        if self.folder is None or self.kept(key):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            scratch = self.folder / f".{key}.{os.getpid()}"
            with open(scratch, "wb") as f:
                f.writelines(pack(parts))
            os.replace(scratch, self.folder / key)
        except OSError:
            pass  # a cache that cannot be written costs time next build, nothing else

    def prune(self, keep: Iterable[str]) -> None:
        """Remove the parts of content that no longer exists."""
        kept = set(keep)
        for key in set(self.made) - kept:
            del self.made[key]
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in kept:
                path.unlink(missing_ok=True)


STEMS = {table.stem for table in TABLES}
PACKED = b"disclose open-data parts 1\n"


def pack(parts: Parts) -> list[bytes]:
    """Return a department's parts as pieces of one file: a header naming each piece, then the pieces' bytes.

    Not a pickle: a build after one edit lays the edition's downloads from 500 departments' parts
    (260 MiB at 10,000 projects), and unpickling them copied every byte once more (0.17 s of 0.32 s);
    this form is mapped into memory and laid from where it lies (`unpack`).
    """
    stems = sorted(parts)
    head = json.dumps({stem: [parts[stem].rows, parts[stem].digest, len(parts[stem].csv), len(parts[stem].json),
                              len(parts[stem].sheet.data), parts[stem].sheet.crc, parts[stem].sheet.size]
                       for stem in stems}).encode()
    pieces = [PACKED, len(head).to_bytes(4, "little"), head]
    for stem in stems:
        pieces += (parts[stem].csv, parts[stem].json, parts[stem].sheet.data)
    return pieces


def unpack(data: bytes | mmap.mmap) -> Parts | None:
    """Return the parts `pack` wrote (as views into `data`), or None when `data` is not exactly such a file."""
    view = memoryview(data)
    start = len(PACKED) + 4
    if view[:len(PACKED)] != PACKED:
        return None
    at = start + int.from_bytes(view[len(PACKED):start], "little")  # where the first piece begins
    try:
        head = json.loads(bytes(view[start:at]))
    except ValueError:
        return None
    if not isinstance(head, dict) or set(head) != STEMS:
        return None
    parts: Parts = {}
    for stem in sorted(head):
        fields = head[stem]
        if not (isinstance(fields, list) and len(fields) == 7 and isinstance(fields[1], str)
                and all(isinstance(n, int) and n >= 0 for n in fields[:1] + fields[2:])):
            return None
        rows, digest, csv_size, json_size, sheet_size, crc, size = fields
        csv_at, json_at, sheet_at, at = at, at + csv_size, at + csv_size + json_size, at + csv_size + json_size + sheet_size
        parts[stem] = Part(view[csv_at:json_at], view[json_at:sheet_at], xlsx.Chunk(view[sheet_at:at], crc, size),
                           rows, digest)
    return parts if at == len(view) else None


MIN_AHEAD = 8  # departments whose parts are missing: fewer are made in this process (an edit makes one)


def datapackage(name: str, title: str, tables: tuple[Table, ...] = TABLES) -> bytes:
    """Describe the CSV files as a Frictionless tabular data package."""
    package = {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": "预算绩效目标公开数据。金额为文件所印的精确数字，单位见各表“金额单位”一栏（元 或 万元）。",
        "licenses": [{"name": "other-pd", "title": "政府信息公开，可自由使用"}],
        "resources": [{
            "profile": "tabular-data-resource",
            "name": table.stem,
            "title": table.title,
            "description": table.description,
            "path": f"{table.stem}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "schema": {
                "fields": [{"name": c.name, "type": c.type, "description": c.description} for c in table.columns],
                "missingValues": [""],
            },
        } for table in tables],
    }
    return (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def folder_files(folder: str, departments: Callable[[], list[Parts]], records: tuple[str, ...],
                 name: str, title: str) -> list[DataFile]:
    """Plan the data files of one folder (an edition's or a department's) from its departments' parts."""
    files: list[DataFile] = []
    def parts(table: Table) -> list[Part]:
        return [p[table.stem] for p in departments()]

    for table in TABLES:
        files.append(DataFile(f"{folder}/{table.stem}.csv", records, lambda t=table: to_csv(t, parts(t))))
        files.append(DataFile(f"{folder}/{table.stem}.json", records, lambda t=table: to_json(t, parts(t))))
    files.append(DataFile(f"{folder}/{WORKBOOK}", records, lambda: to_xlsx(departments(), title)))
    files.append(DataFile(f"{folder}/{DATAPACKAGE}", records, lambda: datapackage(name, title)))
    return files


def plan_data(site: Site, record_files: Callable[[Edition, Department | None], tuple[str, ...]],
              store: PartStore) -> list[DataFile]:
    """Plan every edition's and department's data files; `record_files` names what each is made from."""
    files: list[DataFile] = []
    for edition in site.editions:
        year = edition.year
        files += folder_files(str(year), lambda e=edition: [store.of(e, d) for d in e.departments],
                              record_files(edition, None), f"disclose-{year}", f"{year}年预算绩效目标公开数据")
        for department in edition.departments:
            files += folder_files(f"{year}/{department.slug}", lambda e=edition, d=department: [store.of(e, d)],
                                  record_files(edition, department), f"disclose-{year}-{department.slug}",
                                  f"{department.name} {year}年预算绩效目标公开数据")
    return files


@dataclass(frozen=True)
class Downloads:
    """The data files of one folder, as a page lists them."""

    tables: tuple[tuple[str, str, str], ...]  # (table title, CSV path, JSON path)
    workbook: str
    package: str


def downloads(folder: str) -> Downloads:
    """Return the output paths of a folder's data files, for the pages' download list."""
    return Downloads(tuple((t.title, f"{folder}/{t.stem}.csv", f"{folder}/{t.stem}.json") for t in TABLES),
                     f"{folder}/{WORKBOOK}", f"{folder}/{DATAPACKAGE}")


# --- original documents -----------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """An original document (PDF, XLS …) a record names, published beside its pages with its SHA-256."""

    name: str
    path: str  # output path, in the department's folder
    record: str  # content-relative path of the file itself
    source: str  # where it is read from
    sha256: str
    size: int


def attachments(edition: Edition, department: Department, projects: Iterable[Project] | None = None) -> list[Attachment]:
    """Return the original documents of a department and of its projects (or of the given ones only)."""
    names = [department.source_file, *(p.source_file for p in (department.projects if projects is None else projects))]
    found = []
    for name in dict.fromkeys(n for n in names if n):
        source = Path(department.path) / name
        if not source.is_file():
            continue  # reported by the check (archive.missing_attachments)
        data = source.read_bytes()
        found.append(Attachment(name, f"{edition.year}/{department.slug}/{name}",
                                f"{edition.year}/{department.slug}/{name}", str(source),
                                hashlib.sha256(data).hexdigest(), len(data)))
    return found


def plan_attachments(site: Site, kept: Kept = NOTHING) -> list[DataFile]:
    """Plan a copy of every original document, beside its department's pages (each department's list kept with it)."""
    return [DataFile(a.path, (a.record,), lambda s=a.source: Path(s).read_bytes())
            for edition in site.editions for department in edition.departments
            for a in attachments_of(edition, department, kept)]


def attachments_of(edition: Edition, department: Department, kept: Kept = NOTHING) -> list[Attachment]:
    """Return the original documents of a department and its projects (`attachments`, kept with it)."""
    return kept.get(("attachments", edition.year, department.slug), department, lambda: attachments(edition, department),
                    lasting=kept_as_is)
