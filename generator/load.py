"""Gather content: read every record file and turn it into validated model objects.

The content folder is laid out as

    site.yaml
    pages/<name>.md                       Markdown pages (about …)
    <year>/edition.yaml
    <year>/<department>/department.yaml
    <year>/<department>/<record>.yaml    a project, or with `kind:` a transfer table or self-evaluation

Loading never raises for bad content: every problem becomes a `Problem` with
file, line and field, and the rest of the content is still read, so that one
`disclose check` reports everything at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import shelf, walk, yamlio
from .archive import OWN_FILES as ARCHIVE_FILES
from .model import KIND_TITLES, RECORD_KINDS, RESERVED_FIELDS, Department, Edition, Evaluation, Project, Site, Transfer
from .problems import Problem, Report, field_path, locate
from .schema import describe_field, model_at, short
from .state import RecordCache, listing_digest

PLACEHOLDER = "请填写"  # the marker `disclose new` puts in every value to fill
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
YEAR = re.compile(r"^\d{4}$")
MAX_SLUG = 80
RECORD_SUFFIXES = (".yaml", ".yml")

M = TypeVar("M", bound=BaseModel)
R = TypeVar("R", Project, Transfer, Evaluation)


@dataclass(frozen=True)
class Page:
    """A Markdown page from content/pages (such as the about page)."""

    slug: str
    title: str
    body: str
    path: str


@dataclass(frozen=True)
class Content:
    """Everything read from a content folder, and what was wrong with it."""

    site: Site | None
    pages: tuple[Page, ...]
    report: Report


display = walk.display


def load_content(root: Path, cache: RecordCache | None = None,
                 derive: Callable[[Edition, Department], object] | None = None) -> Content:
    """Read and validate a whole content folder; `cache` skips parsing files that did not change.

    `derive` is called with each department read from its files (not as an earlier build kept it),
    while its records are at hand.
    """
    cache = cache or RecordCache(None)
    report = Report(root=root)
    if not root.is_dir():
        message = "不是文件夹：--content 应指向内容文件夹（其中有 site.yaml）" if root.exists() else "内容文件夹不存在"
        report.add(Problem("error", display(root), message))
        return Content(None, (), report)
    found = walk.children(root, report, own="site.yaml")
    site = read_record(root / "site.yaml", Site, report, cache)
    editions = [load_edition(folder, report, cache, derive) for folder in found
                if walk.is_folder(folder) and YEAR.match(folder.name)]
    for stray in found:
        if stray.name == "pages" or (YEAR.match(stray.name) and walk.is_folder(stray)):
            continue
        if walk.is_folder(stray):
            report.add(Problem("warning", display(stray), "文件夹名不是四位年度（如 2024），已忽略"))
        elif not misnamed(stray, RECORD_SUFFIXES, report):
            report.add(Problem("error", display(stray), "不认识的记录文件：项目文件应放在 <年度>/<部门>/ 文件夹中")
                       if stray.suffix in RECORD_SUFFIXES else not_read(stray))
    pages = load_pages(root / "pages", report) if any(f.name == "pages" for f in found) else ()
    if site is None:
        return Content(None, pages, report)
    editions = sorted((e for e in editions if e is not None), key=lambda e: e.year, reverse=True)
    return Content(site.model_copy(update={"editions": tuple(editions), "path": display(root / "site.yaml")}), pages, report)


def load_edition(folder: Path, report: Report, cache: RecordCache,
                 derive: Callable[[Edition, Department], object] | None = None) -> Edition | None:
    """Read one edition folder: edition.yaml and its department folders (`derive`: see load_content)."""
    edition = read_record(folder / "edition.yaml", Edition, report, cache)
    departments = []
    for child in entries(folder, "edition.yaml", report):
        if walk.is_folder(child):
            if check_slug(child, report):
                department = load_department(child, report, cache)
                if department is not None:
                    departments.append(department)
                    if derive is not None and edition is not None and cache.loaded_now(child):
                        derive(edition, department)
        elif child.suffix in RECORD_SUFFIXES:
            report.add(Problem("error", display(child), "项目文件不在部门文件夹中：应放在 <年度>/<部门>/<项目>.yaml"))
        elif child.name in ARCHIVE_FILES:
            pass  # a frozen edition's archive and manifest (generator/archive.py), read by the build
        elif not misnamed(child, RECORD_SUFFIXES, report):
            report.add(not_read(child))
    if edition is None:
        return None
    if str(edition.year) != folder.name:
        report.add(Problem("error", display(folder / "edition.yaml"), f"年度 {edition.year} 与文件夹名 {folder.name} 不一致",
                           locate(folder / "edition.yaml", ["year"]), "year"))
    return edition.model_copy(update={"departments": tuple(departments), "path": display(folder)})


def load_department(folder: Path, report: Report, cache: RecordCache) -> Department | None:
    """Read one department folder: department.yaml and its project, transfer and self-evaluation records.

    A folder unchanged since an earlier build of this process comes back as the same object.
    """
    def load() -> tuple[Department | None, list[Problem]]:
        own = Report(root=report.root)
        return read_department(folder, own, cache), own.problems

    listing = cache.listed(folder)
    department, problems = cache.folder(folder, listing, load, (shelf.shelve, shelf.unshelve))
    if department is not None and listing is not None and not (cache.held_folder(folder, listing) and department._source):
        # What it is made of, for what is derived from it (kept.Kept): its files, and where they are
        # (a folder moved keeps its inodes, and its records' paths change).
        department._source = listing_digest((str(folder), listing))
    report.extend(problems)
    return department


def read_department(folder: Path, report: Report, cache: RecordCache) -> Department | None:
    """Read a department folder's records into one Department."""
    department = read_record(folder / "department.yaml", Department, report, cache)
    records: list[Project | Transfer | Evaluation] = []
    for child in entries(folder, "department.yaml", report):
        if walk.is_folder(child):
            report.add(Problem("error", display(child), "部门文件夹中不能再有文件夹：项目文件应直接放在部门文件夹中"))
        elif child.suffix not in RECORD_SUFFIXES:
            if not misnamed(child, RECORD_SUFFIXES, report):
                report.add(not_read(child))
        elif check_slug(child, report):
            twin = next((p for p in records if p.slug == child.stem), None)
            if twin is not None:
                report.add(Problem("error", display(child), f"与 {twin.path} 对应同一网址“{child.stem}”，请删除或改名其中一个"))
                continue
            record = read_record(child, record_model, report, cache)
            if record is not None:
                records.append(cache.derived(f"placed:{child}", record, lambda r=record, c=child: placed(r, c)))
    if department is None:
        return None
    projects = sorted((r for r in records if isinstance(r, Project)), key=lambda p: (p.number is None, p.number or 0, p.slug))
    return department.model_copy(update={
        "slug": folder.name, "path": display(folder), "projects": tuple(projects),
        "transfers": tuple(r for r in records if isinstance(r, Transfer)),
        "evaluations": tuple(r for r in records if isinstance(r, Evaluation)),
    })


def cache_kind(model: type | Callable, path: Path) -> str:
    """Return what the record cache files a record's parse under: its model, and the file as the publisher sees it.

    The problems name the file as the publisher sees it, so the working folder is part of the key.
    """
    return f"{model.__name__}:{display(path)}"


def placed(record: R, path: Path) -> R:
    """Return a department folder's record with its place: its slug (the file's name) and its path."""
    return record.model_copy(update={"slug": path.stem, "path": display(path)})


def record_model(data: dict[str, Any]) -> type[BaseModel] | str:
    """Choose the model of a department folder's record by its `kind:`, or say why none fits."""
    kind = data.get("kind", "project")
    if isinstance(kind, str) and kind in RECORD_KINDS:
        return RECORD_KINDS[kind]
    kinds = "、".join(f"{name}（{title}）" for name, title in KIND_TITLES.items())
    return f"找到 {describe_value(kind)}，应为以下之一：{kinds}；不写表示 project"


def entries(folder: Path, own_record: str, report: Report) -> list[Path]:
    """Return a folder's readable children in name order, without hidden files and its own record."""
    return walk.children(folder, report, own=own_record)


def misnamed(path: Path, suffixes: tuple[str, ...], report: Report) -> bool:
    """Report a file whose extension is right but for its letter case (X.YAML, about.MD): it would not be read."""
    if path.suffix in suffixes or path.suffix.lower() not in suffixes:
        return False
    report.add(Problem("error", display(path), f"扩展名“{path.suffix}”要用小写“{path.suffix.lower()}”，否则这个文件不会被读取"))
    return True


def not_read(path: Path) -> Problem:
    """Warn about a file that is not a record: it is left out of the site."""
    return Problem("warning", display(path), "不是记录文件（.yaml）或说明页（pages/*.md），没有读取，也不会发布")


def check_slug(path: Path, report: Report) -> bool:
    """Report a file or folder name that cannot be a stable URL segment."""
    slug = path.name if walk.is_folder(path) else path.stem
    if SLUG.match(slug) and len(slug) <= MAX_SLUG:
        return True
    report.add(Problem(
        "error", display(path),
        f"名称“{slug}”不能用作网址：只能用小写英文字母、数字和连字符“-”（不能有空格、“/”、“..”或中文），"
        f"不超过 {MAX_SLUG} 个字符，例如 315-0405-jxn-c1ug",
    ))
    return False


def read_record(path: Path, model: type[M] | Callable[[dict[str, Any]], type[M] | str], report: Report,
                cache: RecordCache | None = None) -> M | None:
    """Read one YAML record and validate it against its model, or take both from the cache."""
    if cache is None:
        raw = read_raw(path, report)
        return None if raw is None else parse_record(path, raw, model, report)
    try:  # through the walk even when cached: a link out or a FIFO is never opened
        walk.check(path, report.root)
    except FileNotFoundError:
        report.add(Problem("error", display(path), f"缺少文件 {path.name}"))
        return None
    except walk.Unreadable as exc:
        report.add(Problem("error", display(path), str(exc)))
        return None
    kind = cache_kind(model, path)
    try:
        data, cached = cache.get(path, kind)
    except OSError as exc:
        report.add(Problem("error", display(path), f"无法读取文件：{walk.explain(exc)}"))
        return None
    if data is None:
        record, problems = cached
        report.extend(problems)
        return record
    own = Report(root=report.root)
    record = parse_record(path, data, model, own)
    cache.put(path, kind, data, (record, own.problems))
    report.extend(own.problems)
    return record


def parse_record(path: Path, raw: bytes, model: type[M] | Callable[[dict[str, Any]], type[M] | str], report: Report) -> M | None:
    """Parse one record's bytes and validate them against its model."""
    try:
        text = yamlio.decode(raw)
        data = yamlio.parse(text)
    except yamlio.YamlError as exc:
        report.add(Problem("error", display(path), exc.message, exc.line))
        return None
    if not isinstance(data, dict):
        found = "空文件" if data is None else f"{type_name(data)}"
        report.add(Problem("error", display(path), f"记录应是“字段: 内容”的形式，实际是{found}", 1))
        return None
    if not isinstance(model, type):
        model = model(data)  # type: ignore[assignment]
        if isinstance(model, str):
            report.add(Problem("error", display(path), model, yamlio.line_of(text, ["kind"]), "kind（记录种类）"))
            return None
    record, problems = validate_data(data, model, path, text)
    report.extend(problems)
    return record


def read_raw(path: Path, report: Report) -> bytes | None:
    """Read a content file's bytes through the walk (walk.read), reporting why it cannot be."""
    try:
        return walk.read(path, report.root)
    except FileNotFoundError:
        report.add(Problem("error", display(path), f"缺少文件 {path.name}"))
    except walk.Unreadable as exc:
        report.add(Problem("error", display(path), str(exc)))
    return None


def read_text(path: Path, report: Report) -> str | None:
    """Read a content file as text through the walk, reporting why it cannot be."""
    raw = read_raw(path, report)
    if raw is None:
        return None
    try:
        return yamlio.decode(raw)
    except yamlio.YamlError as exc:
        report.add(Problem("error", display(path), exc.message, exc.line))
    return None


def validate_data(data: dict[str, Any], model: type[M], path: Path, text: str) -> tuple[M | None, list[Problem]]:
    """Validate parsed data into a record, or return its problems translated into Chinese."""
    problems = [
        Problem("error", display(path), f"字段“{key}”由文件夹和文件名决定，不能写在记录中",
                yamlio.line_of(text, [key], key=True), str(key))
        for key in data if key in RESERVED_FIELDS
    ]
    if PLACEHOLDER in text:  # cheap test first: only skeletons still hold it
        problems += [
            Problem("error", display(path), f"还没有填写（仍是骨架中的“{PLACEHOLDER}”）",
                    yamlio.line_of(text, loc), field_path(loc))
            for loc in placeholders(data)
        ]
    if problems:
        return None, problems
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        return None, [translate(err, model, path, text) for err in errors if not misspelt(err, errors, model)]


def placeholders(data: Any, loc: tuple[str | int, ...] = ()) -> list[list[str | int]]:
    """Return the locations of skeleton placeholders left in parsed data."""
    if isinstance(data, str):
        return [list(loc)] if PLACEHOLDER in data else []
    if isinstance(data, dict):
        return [found for key, value in data.items() for found in placeholders(value, (*loc, key))]
    if isinstance(data, list):
        return [found for i, value in enumerate(data) for found in placeholders(value, (*loc, i))]
    return []


def misspelt(err: dict[str, Any], errors: list[dict[str, Any]], model: type[BaseModel]) -> bool:
    """Return whether a missing field is explained by a misspelt key beside it."""
    if err["type"] != "missing":
        return False
    parent, name = tuple(err["loc"][:-1]), err["loc"][-1]
    return any(
        other["type"] == "extra_forbidden" and tuple(other["loc"][:-1]) == parent
        and closest(model, list(other["loc"])) == name
        for other in errors
    )


def translate(err: dict[str, Any], model: type[BaseModel], path: Path, text: str) -> Problem:
    """Turn one pydantic error into a located Chinese message."""
    loc = [step for step in err["loc"] if not (isinstance(step, str) and step.startswith(("function-", "[")))]
    kind = err["type"]
    where = field_path(loc)
    label = form_label(text, loc) or describe_field(model, loc)
    subject = f"{where}（{label}）" if label else where
    line = yamlio.line_of(text, loc, key=kind in {"extra_forbidden", "missing"})
    if kind == "extra_forbidden":
        message = f"不认识的字段“{loc[-1]}”" + suggest(model, loc)
        return Problem("error", display(path), message, line, where)
    if kind == "missing":
        message = f"缺少必填字段“{loc[-1]}”（{label}）" if label else f"缺少必填字段“{loc[-1]}”"
        parent = field_path(loc[:-1])
        return Problem("error", display(path), message, yamlio.line_of(text, loc[:-1]), parent)
    found = describe_value(err.get("input"))
    return Problem("error", display(path), f"找到 {found}，{expected(err, model, loc)}", line, subject)


def form_label(text: str, loc: list[str | int]) -> str | None:
    """Return the heading the record's own form prints over an indicator field (its indicator_labels), if any.

    A self-evaluation's weight is printed 分值, a department's target 目标值: the message uses the form's word.
    """
    if "indicators" not in loc or not isinstance(loc[-1], str):
        return None
    try:
        holder = yamlio.parse(text)
        for step in loc[:loc.index("indicators")]:
            holder = holder[step]
    except Exception:  # a record that does not parse is reported elsewhere
        return None
    labels = holder.get("indicator_labels") if isinstance(holder, dict) else None
    printed = labels.get(loc[-1]) if isinstance(labels, dict) else None
    return printed.strip() if isinstance(printed, str) and printed.strip() else None


EXPECTED = {
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数（不能有小数）",
    "decimal_type": "应为数字（金额请写数字，如 148.00，不带逗号和单位）",
    "decimal_parsing": "应为数字（金额请写数字，如 148.00，不带逗号和单位）",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "dict_type": "应为“字段: 内容”的形式",
    "model_type": "应为“字段: 内容”的形式",
    "model_attributes_type": "应为“字段: 内容”的形式",
    "tuple_type": "应为列表（每项以“- ”开头）",
    "list_type": "应为列表（每项以“- ”开头）",
}


# What fits a number field that is not money, by field name: a weight is points, a rate is a percentage.
NUMBER_FIELDS = {
    "weight": "应为分值，写数字，如 10（不写“分”）",
    "score": "应为得分，写数字，如 9（不写“分”）",
    "percent": "应为百分比的数字，如 30 表示 30%（不写“%”）",
    "usage_rate": "应为百分比的数字，如 95.5 表示 95.5%（不写“%”）",
    "progress": "应为百分比的数字，如 100 表示 100%（不写“%”）",
    "quantity": "应为数量，写数字，如 12",
}
NUMBER_ERRORS = frozenset({"decimal_type", "decimal_parsing", "finite_number"})
# What fits a yes/no field, by field name, when the form's own mark was written into it.
FLAG_FIELDS = {
    "core": "应为 true 或 false（是否核心指标）；文件所印的标注（如“★”“★★★”）请写在 core_mark（核心指标的标注）",
}
# Fields next to an amount that hold what is printed beside it.
PRINTED_BESIDE = {"amount": "printed", "total": "total_printed"}


def expected(err: dict[str, Any], model: type[BaseModel] | None = None, loc: Sequence[str | int] = ()) -> str:
    """Say in Chinese what fits the field of a pydantic error (a weight is not money)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    name = str(loc[-1]) if loc else ""
    # bounds.plain_amount says "应为数字…" for any text in a number field: say what fits *this* field instead.
    not_a_number = kind in NUMBER_ERRORS or (kind == "value_error" and str(ctx.get("error", "")).startswith("应为数字"))
    if kind in {"bool_type", "bool_parsing"} and name in FLAG_FIELDS:
        return FLAG_FIELDS[name]
    if not_a_number and name in NUMBER_FIELDS:
        return NUMBER_FIELDS[name]
    if not_a_number and model is not None:
        owner = model_at(model, loc[:-1])
        beside = PRINTED_BESIDE.get(name)
        if owner is not None and beside in owner.model_fields:
            return (f"应为金额数字，如 854 或 148.00（不带逗号和单位）；未填写可照录“—”“/”“无”；"
                    f"金额旁所印的文字（如“854万(…)”）请写在 {beside}（{describe_field(owner, [beside])}）")
    if kind in EXPECTED:
        return EXPECTED[kind]
    if kind == "literal_error":
        return "应为以下之一：" + str(ctx.get("expected", "")).replace("' or '", "、").replace("', '", "、").replace("'", "")
    if kind == "string_too_long":
        found = err.get("input")
        length = f"{len(found)} 个字符，" if isinstance(found, str) else ""
        return f"内容过长（{length}上限 {ctx.get('max_length')} 个字符）：请只填写文件所印内容，长篇内容请分段或分项"
    if kind == "value_error":  # our own validators (bounds.py, address.py) explain themselves
        return str(ctx.get("error", err.get("msg", "")))
    if kind in {"greater_than_equal", "greater_than"}:
        return f"应不小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in {"less_than_equal", "less_than"}:
        return f"应不大于 {ctx.get('le', ctx.get('lt'))}"
    return f"不符合要求（{err.get('msg', kind)}）"


def describe_value(value: Any) -> str:
    """Describe a found value briefly: its text and its kind."""
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"{str(value).lower()}（是/否）"
    if isinstance(value, dict):
        return "“字段: 内容”形式的内容"
    if isinstance(value, list):
        return f"列表（{len(value)} 项）"
    text = str(value)
    text = text if len(text) <= 30 else text[:30] + "…"
    return f"“{text}”（{type_name(value)}）"


def type_name(value: Any) -> str:
    """Name a parsed YAML value's kind in Chinese."""
    if isinstance(value, bool):
        return "是/否"
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return "数字"
    if isinstance(value, str):
        return "文字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "字段表"
    return type(value).__name__


def suggest(model: type[BaseModel], loc: list[str | int]) -> str:
    """Suggest the field an unknown key was probably meant to be."""
    kind = other_kind(model, loc)
    if kind:
        return f"。“{loc[-1]}”是{KIND_TITLES[kind]}的字段：这份记录若是{KIND_TITLES[kind]}，请在文件开头写 kind: {kind}"
    guess = closest(model, loc)
    if guess:
        return f"，您是不是想写“{guess}”？"
    owner = model_at(model, loc[:-1])
    home = nested_home(owner, str(loc[-1])) if owner else None
    if home:
        return f"。这一栏在本记录中写在 {home} 下：{home}.{loc[-1]}"
    return f"。可用的字段：{', '.join(authorable(owner))}" if owner else ""


def other_kind(model: type[BaseModel], loc: list[str | int]) -> str | None:
    """Return the record kind that has an unknown top-level key as a field of its own.

    A 自评表 written without `kind: evaluation` is read as a project, and its `execution` is closer in
    spelling to a project's `sections` than to anything a publisher meant.
    """
    if len(loc) != 1 or model not in RECORD_KINDS.values():
        return None
    unknown = str(loc[0])
    return next((kind for kind, other in RECORD_KINDS.items()
                 if other is not model and unknown in authorable(other) and unknown not in authorable(model)), None)


def nested_home(owner: type[BaseModel], unknown: str) -> str | None:
    """Return the field of `owner` whose own record has the unknown key (a department's indicators live in goals)."""
    for name in authorable(owner):
        inner = model_at(owner, [name])
        if inner is not None and unknown in inner.model_fields and unknown not in RESERVED_FIELDS:
            return name
    return None


def closest(model: type[BaseModel], loc: list[str | int]) -> str | None:
    """Return the field name closest to an unknown key, by spelling or by Chinese name."""
    owner = model_at(model, loc[:-1])
    if owner is None:
        return None
    unknown = str(loc[-1])
    names = authorable(owner)
    close = difflib.get_close_matches(unknown, names, n=1, cutoff=0.6)
    if not close:
        # A Chinese key is matched against the fields' Chinese names.
        close = [n for n in names if unknown in (owner.model_fields[n].description or "")][:1]
    if not close:
        # A printed heading longer than the field's name ("年度指标值" for 指标值): the longest name it contains.
        inside = [n for n in names if len(short(owner.model_fields[n].description or "")) >= 2
                  and short(owner.model_fields[n].description or "") in unknown]
        close = sorted(inside, key=lambda n: -len(short(owner.model_fields[n].description or "")))[:1]
    return close[0] if close else None


def authorable(model: type[BaseModel]) -> list[str]:
    """Return the fields a record of this model may contain."""
    return [name for name in model.model_fields if name not in RESERVED_FIELDS]


# Page names that would take the URL of another page (a year's edition, the search page, the assets).
RESERVED_PAGES = frozenset({"search", "assets"})


def free_page_name(path: Path, report: Report) -> bool:
    """Report a page whose name is the URL of an edition or of the site's own pages."""
    if path.stem not in RESERVED_PAGES and not YEAR.match(path.stem):
        return True
    report.add(Problem("error", display(path), f"说明页不能叫“{path.stem}”：网址 /{path.stem}/ 已用于"
                       f"{'年度页面' if YEAR.match(path.stem) else '网站自身的页面'}，请给说明页换一个名称"))
    return False


def load_pages(folder: Path, report: Report) -> tuple[Page, ...]:
    """Read the Markdown pages; the first heading is the title."""
    if not folder.is_dir():
        report.add(Problem("error", display(folder), "pages 应是放说明页（*.md）的文件夹，不是文件"))
        return ()
    pages = []
    for path in walk.children(folder, report):
        if walk.is_folder(path) or path.suffix != ".md":
            if walk.is_folder(path) or not misnamed(path, (".md",), report):
                report.add(not_read(path))
            continue
        if not check_slug(path, report) or not free_page_name(path, report):
            continue
        body = read_text(path, report)
        if body is None:
            continue
        first = body.lstrip().splitlines()[0] if body.strip() else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem
        pages.append(Page(path.stem, title, body, display(path)))
    return tuple(pages)
