"""Editions as archives: freeze an edition's output, reproduce it verbatim, verify a deployed copy.

A frozen edition keeps two files beside its records in `content/<year>/`:

    archive.zip     every output file under `<year>/` exactly as published
    manifest.json   the SHA-256 of each of those files, of each record file it was made
                    from, and the corrections already published

A build never re-renders a frozen edition: its files come out of the archive
byte for byte, whatever changed in the templates, styles or generator. Only
what lives outside `<year>/` (the home page, search, the cross-year links of
years/, assets) is made afresh. A record of a frozen edition may change only
together with a new correction (更正) on it, its department or its edition:
then the pages made from the changed records are rendered again with a notice,
the archived version of each moves to `<name>.v<N>.html` beside it (a stable
URL the notice links to), and `disclose freeze <year>` records the corrected
edition. Any other change to a frozen record stops the build, naming the files.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from . import urls
from .kept import NOTHING, Kept, kept_as_is
from .model import Correction, Department, Edition, Site, record_file
from .problems import Problem, locate

MANIFEST = "manifest.json"
ARCHIVE = "archive.zip"
OWN_FILES = {MANIFEST, ARCHIVE}
ZIP_TIME = (2000, 1, 1, 0, 0, 0)


class ArchiveError(Exception):
    """A frozen edition's archive cannot be used (missing, damaged, or not matching its manifest)."""


class Output(Protocol):
    """Anything the build writes: a page spec or a data file (a path and the records it is made from)."""

    output: str
    records: tuple[str, ...]


def sha256(data: bytes) -> str:
    """Return the hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


# --- records and corrections ---------------------------------------------------


def record_files(content: Path, year: int) -> dict[str, str]:
    """Return every file an edition is made from (records and attachments), relative path → SHA-256."""
    folder = content / str(year)
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(content).as_posix()
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts) \
                and path.relative_to(folder).as_posix() not in OWN_FILES:
            found[relative] = sha256(path.read_bytes())
    return found


@dataclass(frozen=True)
class Entry:
    """A correction as published: the record it is on, what that record is, and the correction."""

    record: str  # content-relative path of the record file
    subject: str  # 年度 / the department's or the project's name
    page: str  # output path of the page it corrects
    correction: Correction

    @property
    def key(self) -> str:
        """Return what identifies this correction across builds."""
        return f"{self.record}|{self.correction.date}|{self.correction.what}"


def corrections(edition: Edition, kept: Kept = NOTHING) -> list[Entry]:
    """Return every correction of an edition, its own first, then by department and project, oldest first."""
    year = edition.year
    found = [Entry(f"{year}/edition.yaml", f"{year}年度", urls.edition(year), c) for c in edition.corrections]
    for department in edition.departments:
        found += corrections_of(year, department, kept)
    return sorted(found, key=lambda e: e.correction.date)


def corrections_of(year: int, department: Department, kept: Kept = NOTHING) -> list[Entry]:
    """Return the corrections of a department and of its projects (`department_corrections`, kept with it)."""
    return kept.get(("corrections", year, department.slug), department, lambda: department_corrections(year, department),
                    lasting=kept_as_is)


def department_corrections(year: int, department: Department) -> list[Entry]:
    """Return the corrections of a department and of its projects, in file order."""
    found = [Entry(f"{year}/{department.slug}/department.yaml", department.name,
                   urls.department(year, department.slug), c) for c in department.corrections]
    for project in department.projects:
        found += [Entry(record_file(year, department, project), f"{department.name} · {project.name}",
                        urls.project(year, department.slug, project.slug), c) for c in project.corrections]
    return found


def covering(record: str, year: int) -> tuple[str, ...]:
    """Return the records whose new correction allows a change to `record`: itself, its department, its edition."""
    parts = record.split("/")
    edition = f"{year}/edition.yaml"
    if len(parts) == 3:
        return (record, f"{parts[0]}/{parts[1]}/department.yaml", edition)
    return (record, edition)


# --- the manifest ----------------------------------------------------------------


@dataclass
class Manifest:
    """What a frozen edition published: its files, the records they were made from, the corrections shown."""

    year: int
    frozen: str  # the date of the (last) freeze
    files: dict[str, str]  # output path → SHA-256
    records: dict[str, str]  # content-relative path → SHA-256
    corrections: list[str] = field(default_factory=list)  # Entry.key of every published correction

    def to_bytes(self) -> bytes:
        """Serialise the manifest, sorted, so that the same edition gives the same bytes."""
        data = {"year": self.year, "frozen": self.frozen, "files": dict(sorted(self.files.items())),
                "records": dict(sorted(self.records.items())), "corrections": sorted(self.corrections)}
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Read a manifest, or raise ArchiveError naming the file."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(int(data["year"]), str(data["frozen"]), dict(data["files"]), dict(data["records"]),
                       list(data.get("corrections", [])))
        except FileNotFoundError:
            raise ArchiveError(f"缺少 {path}") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArchiveError(f"{path} 无法读取或格式不对：{exc}") from None


def read_archive(content: Path, year: int) -> tuple[Manifest, dict[str, bytes]]:
    """Read a frozen edition's manifest and archive, checking every file against the manifest."""
    folder = content / str(year)
    manifest = Manifest.read(folder / MANIFEST)
    try:
        with zipfile.ZipFile(folder / ARCHIVE) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"{folder / ARCHIVE} 无法读取：{exc}") from None
    damaged = sorted(name for name in set(files) | set(manifest.files)
                     if name not in files or name not in manifest.files or sha256(files[name]) != manifest.files[name])
    if damaged:
        raise ArchiveError(f"{folder / ARCHIVE} 与 {MANIFEST} 不一致（{len(damaged)} 个文件）：{'、'.join(damaged[:10])}")
    return manifest, files


def zip_bytes(files: dict[str, bytes], prefix: str = "") -> bytes:
    """Return a zip of the files in name order with fixed times: the same files give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(prefix + name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return out.getvalue()


# --- checking content ------------------------------------------------------------


def check_editions(site: Site, content: Path, kept: Kept = NOTHING) -> list[Problem]:
    """Report editions whose status, dates, attachments or frozen records are wrong."""
    problems: list[Problem] = []
    for edition in site.editions:
        where = Path(edition.path) / "edition.yaml"
        shown = str(where)
        frozen_files = (content / str(edition.year) / MANIFEST).is_file()
        explicit = "status" in edition.model_fields_set  # a record without `status` is published, date optional
        if edition.status in {"published", "frozen"} and explicit and not edition.published:
            problems.append(Problem("error", shown, f"状态为 {edition.status} 的年度必须写公开日期 published（YYYY-MM-DD），它显示在本年度每一页上",
                                    locate(where, ["status"]), "published"))
        if edition.status == "frozen" and not frozen_files:
            problems.append(Problem("error", shown, f"状态为 frozen，但没有 {edition.year}/{MANIFEST} 和 {ARCHIVE}："
                                    f"请运行 disclose freeze {edition.year} 冻结本年度", locate(where, ["status"]), "status"))
        if frozen_files and edition.status != "frozen":
            problems.append(Problem("error", shown, f"本年度已冻结（有 {edition.year}/{MANIFEST}），status 应为 frozen，"
                                    f"不能改为 {edition.status}", locate(where, ["status"]), "status"))
        problems += missing_attachments(edition, kept)
        if frozen_files and edition.status == "frozen":
            problems += uncorrected_changes(edition, content, kept)
    return problems


def missing_attachments(edition: Edition, kept: Kept = NOTHING) -> Iterator[Problem]:
    """Report a source_file that is not in its record's folder (each department's findings kept with it)."""
    for department in edition.departments:
        yield from missing_of(edition, department, kept)


def missing_of(edition: Edition, department: Department, kept: Kept = NOTHING) -> list[Problem]:
    """Return a department's findings of source files that are not there (kept with it)."""
    return kept.get(("attachments missing", edition.year, department.slug), department,
                    lambda: list(department_attachments_missing(department)), lasting=kept_as_is)


def department_attachments_missing(department: Department) -> Iterator[Problem]:
    """Report a source_file of a department or of its projects that is not in the department's folder."""
    for record in (department, *department.projects):
        name = record.source_file
        if name and not (Path(department.path) / name).is_file():
            path = Path(department.path) / "department.yaml" if record is department else Path(record.path)
            yield Problem("error", str(path), f"原文件 {name} 不存在：应放在 {department.path} 文件夹中，与记录在一起",
                          locate(path, ["source_file"]), "source_file")


def uncorrected_changes(edition: Edition, content: Path, kept: Kept = NOTHING) -> list[Problem]:
    """Report each changed record of a frozen edition that no new correction covers."""
    try:
        manifest = Manifest.read(content / str(edition.year) / MANIFEST)
    except ArchiveError as exc:
        return [Problem("error", str(Path(edition.path) / MANIFEST), str(exc))]
    now = record_files(content, edition.year)
    changed = changed_records(manifest, now)
    new = {e.record for e in corrections(edition, kept) if e.key not in manifest.corrections}
    bad = [record for record in changed if not new.intersection(covering(record, edition.year))]
    if not bad:
        return []
    how = {record: "新增" if record not in manifest.records else "删除" if record not in now else "修改" for record in bad}
    return [Problem(
        "error", str(content / record),
        f"{edition.year} 年度已冻结，本文件被{how[record]}，但没有新的更正记录：已发布的内容不能悄悄改动。"
        f"请在本记录（或其部门、年度记录）的 corrections 中增加一条更正（date 日期、what 更正内容、why 更正原因），"
        f"或者撤销改动",
    ) for record in bad]


def changed_records(manifest: Manifest, now: dict[str, str]) -> list[str]:
    """Return the records added, removed or changed since the edition was frozen, sorted."""
    return sorted(r for r in set(now) | set(manifest.records) if now.get(r) != manifest.records.get(r))


# --- the build step -----------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """What a corrected page shows at its top: the corrections and where the previous version is."""

    corrections: tuple[Entry, ...]
    previous: str | None  # output path of the version this page replaces; None for a page new in the correction


@dataclass
class Frozen:
    """The frozen editions of a build: their manifests and archived files."""

    editions: dict[int, tuple[Manifest, dict[str, bytes], Edition]]
    content: Path
    kept: Kept = NOTHING

    @classmethod
    def load(cls, site: Site, content: Path, kept: Kept = NOTHING) -> Frozen:
        """Read the archive of every frozen edition of the site (raises ArchiveError)."""
        return cls({e.year: (*read_archive(content, e.year), e) for e in site.editions if e.status == "frozen"}, content, kept)

    def split(self, outputs: Iterable[Any]) -> tuple[list[Any], dict[str, bytes]]:
        """Return the outputs still to make (corrected pages get their notice) and the files to copy verbatim."""
        outputs = list(outputs)
        if not self.editions:  # nothing frozen: no need to sort 17,000 outputs by year
            return outputs, {}
        verbatim: dict[str, bytes] = {}
        keep: list[Any] = []
        by_year: dict[int, list[Any]] = {}
        for item in outputs:
            year = year_of(item.output)
            (by_year.setdefault(year, []) if year in self.editions else keep).append(item)
        for year, (manifest, files, edition) in self.editions.items():
            made, copied = self.edition(manifest, files, edition, by_year.get(year, []))
            keep += made
            verbatim.update(copied)
        return keep, verbatim

    def edition(self, manifest: Manifest, files: dict[str, bytes], edition: Edition,
                outputs: list[Any]) -> tuple[list[Any], dict[str, bytes]]:
        """Decide one frozen edition: which outputs a correction re-makes, which files come from the archive."""
        changed = set(changed_records(manifest, record_files(self.content, edition.year)))
        new = [e for e in corrections(edition, self.kept) if e.key not in manifest.corrections]
        copied = dict(files)
        made = []
        for item in outputs:
            if not changed.intersection(item.records):
                continue  # from the archive, byte for byte; an output the archive lacks is not added either
            previous = None
            if item.output in files:
                previous = next_version(item.output, files)
                copied[previous] = copied.pop(item.output)
            if hasattr(item, "context"):  # a page: it says what was corrected and links to what it replaces
                shown = tuple(e for e in new if e.record in item.records) or tuple(new)
                item = replace(item, context={**item.context, "correction": Notice(shown, previous)})
            made.append(item)
        return made, copied


def year_of(output: str) -> int | None:
    """Return the edition an output path belongs to (`2020/...`), or None for a site-wide file."""
    head = output.split("/", 1)[0]
    return int(head) if "/" in output and re.fullmatch(r"\d{4}", head) else None


def next_version(path: str, files: dict[str, bytes]) -> str:
    """Return the name the archived version of `path` moves to: index.html → index.v1.html, v2 …"""
    stem, ext = posixpath.splitext(path)
    n = 1
    while f"{stem}.v{n}{ext}" in files:
        n += 1
    return f"{stem}.v{n}{ext}"


# --- freeze and verify ---------------------------------------------------------------


def freeze_files(content: Path, year: int, built: Path, date: str, known: list[str]) -> Manifest:
    """Write content/<year>/archive.zip and manifest.json from a built site's `<year>/` folder."""
    folder = built / str(year)
    files = {f"{year}/{p.relative_to(folder).as_posix()}": p.read_bytes()
             for p in sorted(folder.rglob("*")) if p.is_file()}
    (content / str(year) / ARCHIVE).write_bytes(zip_bytes(files))
    manifest = Manifest(year, date, {name: sha256(data) for name, data in files.items()},
                        record_files(content, year), known)
    (content / str(year) / MANIFEST).write_bytes(manifest.to_bytes())
    return manifest


def set_status(edition_yaml: Path, status: str) -> None:
    """Set `status:` in edition.yaml, keeping every other line (and comment) as written."""
    text = edition_yaml.read_text(encoding="utf-8")
    line = f"status: {status}"
    if re.search(r"(?m)^status:.*$", text):
        text = re.sub(r"(?m)^status:.*$", line, text, count=1)
    else:
        text = re.sub(r"(?m)^(year:.*)$", lambda m: f"{m[1]}\n{line}", text, count=1)
    edition_yaml.write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Difference:
    """One file of a deployed folder that does not match its manifest."""

    path: str
    kind: str  # 内容不同 / 缺少 / 多出


def verify(folder: Path, content: Path, years: Iterable[int]) -> list[Difference]:
    """Compare each frozen edition's files in `folder` with its manifest: changed, missing and extra files."""
    found: list[Difference] = []
    for year in sorted(years):
        manifest = Manifest.read(content / str(year) / MANIFEST)
        present = {p.relative_to(folder).as_posix(): p for p in sorted((folder / str(year)).rglob("*")) if p.is_file()}
        for name, digest in sorted(manifest.files.items()):
            if name not in present:
                found.append(Difference(name, "缺少"))
            elif sha256(present[name].read_bytes()) != digest:
                found.append(Difference(name, "内容不同"))
        found += [Difference(name, "多出") for name in sorted(set(present) - set(manifest.files))]
    return found
