"""Measure the preview: from saving one record to the open browser tab showing it.

    python bench/bench_serve.py --projects 10000 [--runs 10] [--content DIR] [--pause SECONDS]

Writes synthetic content (bench/make_content.py) unless --content is given,
starts `disclose serve` on a free port, opens one project page in Debian's
Chromium, then --runs times: edits one visible word of that project's record,
and times from the file's write to the moment the reloaded page shows the new
word, then waits --pause seconds (1 by default: a save then comes while the
preview still makes the downloads and the search index, and cancels that).
Prints every run, the median and the machine load. Figures, not asserts:
the goal (issue 11: ≤ 1.5 s at 10,000 projects) lives here, not in the tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from make_content import write_content  # noqa: E402
from previewing import free_port, start_serve  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pick_record(content: Path) -> tuple[Path, str]:
    """Return a project record and the URL path of its page."""
    record = next(path for path in sorted(content.glob("*/*/*.yaml")) if path.name != "department.yaml")
    year, department = record.parts[-3], record.parts[-2]
    return record, f"{year}/{department}/{record.stem}/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="预览的刷新速度：保存文件到浏览器显示新内容")
    parser.add_argument("--projects", type=int, default=10000, help="合成内容的项目数")
    parser.add_argument("--runs", type=int, default=10, help="修改次数（取中位数）")
    parser.add_argument("--content", type=Path, help="使用已有的内容文件夹（不生成合成内容）")
    parser.add_argument("--pause", type=float, default=1.0, help="两次修改之间等待的秒数")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-serve-") as scratch:
        content = args.content or Path(scratch) / "content"
        if args.content is None:
            write_content(content, args.projects, seed=1)
        record, page_path = pick_record(content)
        original = record.read_text(encoding="utf-8")
        started = time.perf_counter()
        preview = start_serve(content, "--port", str(free_port()), "--cache", str(Path(scratch) / "cache"),
                              timeout=1800)
        print(f"first build and start: {time.perf_counter() - started:.1f} s")
        times: list[float] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(preview.url + page_path)
                page.wait_for_selector("main")
                for run in range(args.runs):
                    marker = f"基准标记{run:02d}"
                    text = original.replace("name: ", f"name: {marker}", 1)
                    time.sleep(args.pause)  # let the previous reload settle
                    saved = time.perf_counter()
                    record.write_text(text, encoding="utf-8")
                    page.wait_for_function(f"document.body && document.body.innerText.includes({marker!r})",
                                           timeout=600_000, polling=20)
                    times.append(time.perf_counter() - saved)
                    print(f"run {run + 1}: {times[-1] * 1000:.0f} ms")
                browser.close()
        finally:
            record.write_text(original, encoding="utf-8")
            preview.stop()
    print(f"projects: {args.projects if args.content is None else 'given content'}; runs: {len(times)}")
    print(f"save → reloaded page: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    print(f"machine: {os.cpu_count()} cores, load {Path('/proc/loadavg').read_text().split()[:3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
