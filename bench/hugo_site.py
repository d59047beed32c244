"""Write the synthetic records of bench/make_content.py as a Hugo site, for bench/run.py.

    python bench/hugo_site.py --projects 10000 --seed 1 --out /tmp/hugo-site

The same records as `make_content.write_content` writes for disclose (same
arguments, same order, same slugs, so the same URLs), as Hugo content: one
page per project, a section per department and per edition, each record's
fields as JSON front matter under `record` (amounts as the printed digits,
strings, so Hugo never sees a float). The templates in bench/hugo/ render the
tables disclose prints: the project sheet, the department's project list and
its print-all page (an extra output format of the department section).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_content  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent / "hugo"


def plain(value: Any) -> Any:
    """Return the value with every Decimal as its printed digits, for JSON."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def front_matter(data: dict[str, Any]) -> str:
    """Return a Hugo content file made of JSON front matter alone."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_site(out: Path, projects: int, seed: int, editions: int = 1) -> int:
    """Write hugo.toml, the layouts and the content of a Hugo site; return the number of project pages."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(TEMPLATES / "hugo.toml", out / "hugo.toml")
    shutil.copytree(TEMPLATES / "layouts", out / "layouts", dirs_exist_ok=True)
    content = out / "content"
    count = 0
    for record in make_content.records(projects, seed, editions):
        parts = record.path.split("/")
        data = plain(record.data)
        if record.kind == "site":
            continue
        if record.kind == "edition":
            path = content / parts[0] / "_index.md"
            page = {"title": data.get("title") or f"{data['year']}年", "kind": "edition", "year": data["year"]}
        elif record.kind == "department":
            path = content / parts[0] / parts[1] / "_index.md"
            page = {"title": data["name"], "kind": "department", "outputs": ["HTML", "print"], "record": data}
        else:
            path = content / parts[0] / parts[1] / (parts[2].removesuffix(".yaml") + ".md")
            page = {"title": data["name"], "weight": data["number"], "record": data}
            count += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front_matter(page), encoding="utf-8")
    return count


def rename_project(page: Path, suffix: str) -> None:
    """Edit one Hugo project page as bench/run.py edits its YAML twin: a new name."""
    data = json.loads(page.read_text(encoding="utf-8"))
    data["title"] = data["record"]["name"] = data["record"]["name"].split("（")[0] + suffix
    page.write_text(front_matter(data), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="把合成内容写成 Hugo 网站（性能对比用）")
    parser.add_argument("--projects", type=int, default=10000, help="项目数")
    parser.add_argument("--seed", type=int, default=1, help="随机种子（与 make_content.py 相同）")
    parser.add_argument("--editions", type=int, default=1, help="年度数")
    parser.add_argument("--out", type=Path, required=True, help="Hugo 网站文件夹")
    args = parser.parse_args(argv)
    count = write_site(args.out, args.projects, args.seed, args.editions)
    print(f"{count} 个项目页 → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
