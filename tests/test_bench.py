"""bench/run.py works: it builds, measures and reports every figure, and says when a comparison was not run.

Nothing here asserts on a time: the figures are read by people, not enforced.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402  (bench/run.py)
from bench_search import QUERIES  # noqa: E402

FIGURE_ROWS = ("| cold build |", "| no-op rebuild |", "| one record edited |", "| base template edited |",
               "| search index (build step) vs Pagefind on our site |", "| search index vs Pagefind's |")


def bench(tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    """Run the benchmark on 20 projects, once; return its output and its JSON figures."""
    out = tmp_path / "figures.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--projects", "20", "--runs", "1",
                           "--work", str(tmp_path / "work"), "--json", str(out),
                           "--markdown", str(tmp_path / "table.md"), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, json.loads(out.read_text(encoding="utf-8"))


def test_every_figure_is_measured_and_reported(tmp_path: Path) -> None:
    proc, [result] = bench(tmp_path)
    text = proc.stdout
    for row in FIGURE_ROWS:
        assert row in text
    assert (tmp_path / "table.md").read_text(encoding="utf-8").count("| cold build |") == 1
    ours = result["runs"]["disclose"]
    for figure in ("cold", "noop", "edit"):
        [one] = ours[figure]
        assert one["returncode"] == 0 and not one["timed_out"]
        # A process tree was sampled, not a zero: a no-op build of 20 projects is over in ~0.2 s and
        # may be sampled while the interpreter starts (7 MiB), so no more is asked than a real process.
        assert one["peak_mib"] > 1
    assert any("搜索" in step for step in ours["cold"][0]["steps"])  # the index step is read from the build
    if ours["template"]:
        assert ours["template"][0]["returncode"] == 0
    else:
        assert "NOT MEASURED: disclose template: this build has no --templates option" in text
    # the sizes are those of the site left behind, and the edited record was put back
    site = tmp_path / "work" / "20" / "public"
    assert result["sizes"]["disclose site"][1] == sum(1 for p in site.rglob("*") if p.is_file())
    assert not any("修订" in p.read_text(encoding="utf-8") for p in (tmp_path / "work" / "20" / "content").rglob("*.yaml"))
    # three edits inside a running `disclose serve`, each seen as a new build by its status
    assert len(result["serve"]) == 3 and all(wall >= rebuild > 0 for wall, rebuild in result["serve"])
    assert "| one record edited, inside a running `serve`" in text
    assert set(result["queries"]) == set(QUERIES)
    assert all(raw > gz > 0 and files > 0 for raw, gz, files in result["queries"].values())
    if shutil.which("hugo"):
        assert all(len(result["runs"]["hugo"][f]) == 1 for f in run.FIGURES)
        assert result["sizes"]["hugo site"][1] == 20 + 2 * 1 + 1 + 1  # projects, department and its print page, edition, home
    else:
        assert "COMPARISON NOT RUN: Hugo not found" in text
    if run.pagefind_binary(None):
        assert len(result["runs"]["pagefind"]["index"]) == 1
        assert result["sizes"]["pagefind index"][0] > 0
    else:
        assert "COMPARISON NOT RUN: Pagefind not found" in text


def test_missing_tools_are_said_not_skipped_silently(tmp_path: Path) -> None:
    proc, [result] = bench(tmp_path, "--no-serve", "--hugo", str(tmp_path / "no-hugo"), "--pagefind", str(tmp_path / "no-pagefind"))
    assert "COMPARISON NOT RUN: Hugo not found" in proc.stdout
    assert "COMPARISON NOT RUN: Pagefind not found" in proc.stdout
    assert "| cold build | " in proc.stdout and "| not run | — |" in proc.stdout
    assert "hugo" not in result["runs"] and result["runs"]["pagefind"]["index"] == []


def test_memory_is_summed_over_the_process_tree() -> None:
    child = "b = bytearray(120 * 2**20); import time; time.sleep(1.5)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    measured = run.measure([sys.executable, "-c", parent])
    assert measured.returncode == 0
    assert measured.peak_mib > 120  # the grandchild's 120 MiB is counted in the tree
    assert measured.peak_pss_mib > 100


@pytest.mark.parametrize("mark", ["（修订1）", "（修订2）"])
def test_edits_change_one_name_and_every_page(mark: str) -> None:
    record = '# header\nname: "人民调解（修订1）"\ncode: "X"\nindicators:\n  - name: "不动"\n'
    edited = run.edited_name(record, mark)
    assert edited.splitlines()[1] == f'name: "人民调解{mark}"' and edited.splitlines()[4] == '  - name: "不动"'
    base = run.marked_template("<html><body>x</body></html>", "（修订1）")
    again = run.marked_template(base, mark)
    assert again.count("<!-- bench:") == 1 and mark in again


def test_the_engine_edit_benchmark_times_each_rebuild_and_puts_the_record_back(tmp_path: Path) -> None:
    content = tmp_path / "content"
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_content.py"), "--projects", "20", "--seed", "1",
                    "--out", str(content)], check=True, capture_output=True, timeout=120)
    before = {p: p.read_bytes() for p in content.rglob("*.yaml")}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_engine_edit.py"), "--content", str(content),
                           "--runs", "2", "--profile", str(tmp_path / "edit.prof"), "--pages-first"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    edits = [line for line in proc.stdout.splitlines() if line.startswith("edit ")]
    assert len(edits) == 2 and all("(pages first)" in line and "生成页面" in line for line in edits)
    assert not any("rendered 0," in line for line in edits)  # each edit re-rendered its pages
    rest = [line for line in proc.stdout.splitlines() if "then the full build" in line]
    assert len(rest) == 2 and all("搜索索引" in line for line in rest)
    assert (tmp_path / "edit.prof").stat().st_size > 0
    assert {p: p.read_bytes() for p in content.rglob("*.yaml")} == before
