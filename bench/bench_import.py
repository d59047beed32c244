"""Benchmark `disclose import` on a folder of 1,000 workbooks (prints figures, asserts nothing).

    python bench/bench_import.py [--count 1000] [--keep DIR]

The workbooks are the bundled projects exported in the template layout
(`disclose export`), copied until there are `count` of them; each copy gets its
own record file name by rewriting the 记录文件名 cell in the workbook's XML, so the folder imports into `count` different records.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.load import load_content  # noqa: E402
from generator.workbook.export import project_workbook  # noqa: E402
from generator.workbook.importer import import_workbooks  # noqa: E402


def renamed(book: bytes, slug: str, new: str) -> bytes:
    """Return a workbook whose 记录文件名 cell says `new` instead of `slug`."""
    out = io.BytesIO()
    old, done = f"<t>{slug}</t>".encode(), False
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if not done and old in data:  # the first occurrence is the 记录文件名 cell of 基本信息
                data, done = data.replace(old, f"<t>{new}</t>".encode(), 1), True
            target.writestr(item, data)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="keep the workbooks and records in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    books, content = work / "books", work / "content"
    books.mkdir(parents=True, exist_ok=True)
    site = load_content(REPO / "content").site
    projects = [p for e in site.editions for p in e.projects]

    started = time.perf_counter()
    originals = {}
    for project in projects:
        buffer = io.BytesIO()
        project_workbook(project, project.slug).save(buffer)
        originals[project.slug] = buffer.getvalue()
    export_seconds = time.perf_counter() - started
    for i in range(args.count):
        project = projects[i % len(projects)]
        slug = f"{project.slug}-{i:04d}"
        (books / f"{slug}.xlsx").write_bytes(renamed(originals[project.slug], project.slug, slug))
    size = sum(p.stat().st_size for p in books.iterdir())

    department = content / "2024" / "bench"
    department.mkdir(parents=True, exist_ok=True)
    (department / "department.yaml").write_text("name: 基准测试部门\n", encoding="utf-8")
    started = time.perf_counter()
    sink = io.StringIO()
    status = import_workbooks(books, department, progress=False, out=sink, err=sink)
    seconds = time.perf_counter() - started
    records = len(list(department.glob("*.yaml"))) - 1

    print(f"workbooks: {args.count} ({size / args.count / 1024:.1f} KB each), from {len(projects)} bundled projects")
    print(f"export: {export_seconds / len(projects) * 1000:.0f} ms per workbook")
    print(f"import: {seconds:.1f} s for {args.count} workbooks, {seconds / args.count * 1000:.0f} ms per workbook, "
          f"{records} records written, exit status {status}")
    if args.keep is None:
        shutil.rmtree(work)
    return 0 if status == 0 and records == args.count else 1


if __name__ == "__main__":
    raise SystemExit(main())
