"""Measure one edit as a running preview rebuilds it: the engine alone, without browser or server.

    python bench/bench_engine_edit.py --content DIR [--runs 5] [--output DIR] [--cache DIR] [--profile FILE]
                                      [--pages-first]

`disclose serve` keeps one `Engine` for the whole session; this does the same:
one build (cold unless --output and --cache hold an earlier one), then --runs
times: edit the first project record's name, rebuild, print the wall time and
each step's. The record is put back at the end. With --profile the last
rebuild runs under cProfile and its statistics are written to FILE. With
--pages-first each edit is rebuilt as `disclose serve` does: the pages first,
told which file changed as the watcher tells it (what the browser reloads
after; the figure that counts), then the full build.
Figures, not asserts (bench/bench_serve.py times the same through Chromium).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.build import Engine  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="预览中改一个记录：引擎重新生成的用时")
    parser.add_argument("--content", type=Path, required=True, help="内容文件夹（如 bench/make_content.py 生成的）")
    parser.add_argument("--runs", type=int, default=5, help="修改次数")
    parser.add_argument("--output", type=Path, help="输出文件夹（默认临时文件夹）")
    parser.add_argument("--cache", type=Path, help="缓存文件夹（默认输出文件夹旁）")
    parser.add_argument("--profile", type=Path, help="把最后一次的 cProfile 结果写入此文件")
    parser.add_argument("--pages-first", action="store_true", help="像预览那样先生成页面，再完整生成")
    args = parser.parse_args(argv)

    record = next(p for p in sorted(args.content.glob("*/*/*.yaml")) if p.name != "department.yaml")
    original = record.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="bench-edit-") as scratch:
        output = args.output or Path(scratch) / "preview"
        cache = args.cache or output.with_name(output.name + "-cache")
        engine = Engine(args.content, output, cache=cache, drafts=True, resident=True)  # as serve keeps it
        started = time.perf_counter()
        quietly(engine)
        print(f"first build: {time.perf_counter() - started:.2f} s")
        times: list[float] = []
        try:
            for run in range(args.runs):
                record.write_text(original.replace("name: ", f"name: 基准标记{run:02d}", 1), encoding="utf-8")
                profile = cProfile.Profile() if args.profile and run == args.runs - 1 else None
                started = time.perf_counter()
                report = quietly(engine, profile, pages_only=args.pages_first,
                                 changed={str(record.resolve())} if args.pages_first else None)
                times.append(time.perf_counter() - started)
                print(f"edit {run + 1}{' (pages first)' if args.pages_first else ''}: {times[-1]:.2f} s ({steps(report)}); "
                      f"rendered {len(report.rendered)}, written {len(report.written)}")
                if args.pages_first:
                    started = time.perf_counter()
                    report = quietly(engine)
                    print(f"  then the full build: {time.perf_counter() - started:.2f} s ({steps(report)}); "
                          f"rendered {len(report.rendered)}, written {len(report.written)}")
                if profile is not None:
                    profile.dump_stats(args.profile)
        finally:
            record.write_text(original, encoding="utf-8")
    if times:
        print(f"median of {len(times)} edits: {statistics.median(times):.2f} s")
    return 0


def steps(report) -> str:  # noqa: ANN001 - a BuildReport
    """Return a build's step times as one line."""
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in report.timings.items())


def quietly(engine: Engine, profile: cProfile.Profile | None = None, pages_only: bool = False,
            changed: set[str] | None = None):
    """Build once, with the build's own lines (and its thousands of warnings) kept off the screen."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        if profile is not None:
            profile.enable()
        try:
            report = engine.build(progress=False, pages_only=pages_only, changed=changed)
        finally:
            if profile is not None:
                profile.disable()
    if report.status != 0:
        raise SystemExit("生成失败：请先用 disclose check 检查内容")
    return report


if __name__ == "__main__":
    raise SystemExit(main())
