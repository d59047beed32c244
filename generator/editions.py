"""`disclose freeze`, `disclose verify` and `disclose bundle`: an edition as an archive.

freeze   build the site, keep the edition's `<year>/` files in content/<year>/archive.zip with
         their SHA-256 in manifest.json, and set `status: frozen` (generator/archive.py)
verify   compare a built or deployed folder with every frozen edition's manifest
bundle   one edition as a zip that works unzipped and opened from disk, search included
"""

from __future__ import annotations

import datetime
import sys
import tempfile
from pathlib import Path

from . import archive
from .build import build
from .load import load_content


def find_edition(content: Path, year: int):
    """Return the loaded site and the edition of `year`, or print why not and return None."""
    loaded = load_content(content)
    if loaded.site is None or loaded.report.errors:
        print(f"内容有错误，请先运行 disclose check --content {content} 并改正。", file=sys.stderr)
        return None
    edition = next((e for e in loaded.site.editions if e.year == year), None)
    if edition is None:
        print(f"错误：{content}/{year}/edition.yaml 不存在，没有 {year} 年度。", file=sys.stderr)
        return None
    return loaded.site, edition


def freeze(content: Path, year: int) -> int:
    """Freeze an edition (or record its corrections once frozen); return the exit code."""
    found = find_edition(content, year)
    if found is None:
        return 1
    _, edition = found
    edition_yaml = content / str(year) / "edition.yaml"
    if edition.status == "draft":
        print(f"错误：{edition_yaml}：{year} 年度还是草稿（status: draft）。发布时把 status 改为 published 并填写"
              "公开日期 published，再冻结。", file=sys.stderr)
        return 1
    if not edition.published:
        print(f"错误：{edition_yaml}：请先填写公开日期 published（YYYY-MM-DD），它显示在本年度每一页上。", file=sys.stderr)
        return 1
    known = [e.key for e in archive.corrections(edition)]
    if edition.status == "frozen":
        manifest = archive.Manifest.read(content / str(year) / archive.MANIFEST)
        pending = [key for key in known if key not in manifest.corrections]
        if not pending and not archive.changed_records(manifest, archive.record_files(content, year)):
            print(f"{year} 年度已冻结，没有新的更正，无需再次冻结。")
            return 0
    with tempfile.TemporaryDirectory(prefix="disclose-freeze-") as temp:
        built = Path(temp) / "site"
        if build(content, built, progress=False) != 0:  # the whole site, exactly as `disclose build` makes it
            print(f"未能生成网站，{year} 年度未冻结。", file=sys.stderr)
            return 1
        if edition.status != "frozen":
            archive.set_status(edition_yaml, "frozen")  # the pages show published and frozen alike
        manifest = archive.freeze_files(content, year, built, datetime.date.today().isoformat(), known)
    size = (content / str(year) / archive.ARCHIVE).stat().st_size
    print(f"已冻结 {year} 年度：{len(manifest.files)} 个文件，存档 {content / str(year) / archive.ARCHIVE}"
          f"（{size / 1024:.0f} KB），清单 {content / str(year) / archive.MANIFEST}。请把这两个文件和 edition.yaml 一同提交。")
    return 0


def verify(folder: Path, content: Path) -> int:
    """Check a built or deployed folder against every frozen edition's manifest; return the exit code."""
    loaded = load_content(content)
    if loaded.site is None:
        print(f"错误：无法读取 {content}。", file=sys.stderr)
        return 1
    years = [e.year for e in loaded.site.editions if (content / str(e.year) / archive.MANIFEST).is_file()]
    if not years:
        print(f"{content} 中没有已冻结的年度，没有可核对的清单。")
        return 0
    if not folder.is_dir():
        print(f"错误：文件夹 {folder} 不存在。", file=sys.stderr)
        return 1
    try:
        differences = archive.verify(folder, content, years)
    except archive.ArchiveError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    for difference in differences:
        print(f"{difference.kind}：{difference.path}")
    checked = "、".join(f"{y} 年度" for y in years)
    if differences:
        print(f"核对 {checked}：{len(differences)} 个文件与清单不符。", file=sys.stderr)
        return 1
    print(f"核对 {checked}：全部文件与清单一致。")
    return 0


def bundle(content: Path, year: int, target: Path | None) -> int:
    """Write one edition as a zip that works opened from disk; return the exit code."""
    found = find_edition(content, year)
    if found is None:
        return 1
    target = target or Path(f"disclose-{year}.zip")
    with tempfile.TemporaryDirectory(prefix="disclose-bundle-") as temp:
        built = Path(temp) / "site"
        if build(content, built, progress=False, only=year, drafts=True) != 0:
            print(f"未能生成 {year} 年度，未打包。", file=sys.stderr)
            return 1
        files = {p.relative_to(built).as_posix(): p.read_bytes() for p in sorted(built.rglob("*"))
                 if p.is_file() and not p.name.startswith(".")}
        manifest = content / str(year) / archive.MANIFEST
        if manifest.is_file():
            files[f"manifest-{year}.json"] = manifest.read_bytes()  # outside {year}/, which it describes
        files["README.txt"] = README.format(year=year).encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(archive.zip_bytes(files, prefix=f"disclose-{year}/"))
    print(f"已打包 {year} 年度：{len(files)} 个文件 → {target}（{target.stat().st_size / 1024:.0f} KB）")
    return 0


README = """{year}年预算绩效目标公开（离线版）

解压后用浏览器打开 index.html 即可阅读、打印和搜索，不需要联网，也不需要安装任何程序。
各部门的数据（CSV、JSON、XLSX）在各部门文件夹中，全年度的在 {year} 文件夹中；
manifest-{year}.json（已冻结的年度才有）列出 {year} 文件夹中每个文件的 SHA-256。
"""
