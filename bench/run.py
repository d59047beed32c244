"""The benchmark: disclose against Hugo and Pagefind on the same records.

    python bench/run.py --projects 1000 10000 [100000] [--runs 3] [--timeout 900]
                        [--work DIR] [--jobs N] [--markdown FILE] [--json FILE]
                        [--hugo PATH] [--pagefind PATH] [--no-compare] [--no-serve]

For each N: writes N synthetic projects (bench/make_content.py) as disclose
content and the same records as a Hugo site (bench/hugo_site.py, templates in
bench/hugo/), then, in alternating order run after run (disclose first in odd
runs, Hugo first in even ones, so that a noisy neighbour hurts both alike):

- cold build (empty output, no cache), no-op rebuild, one record edited, base
  template edited — for `python -m generator build` and for `hugo`;
- Pagefind (`pagefind-bin`) indexing disclose's own built site, against
  disclose's search index step (the build prints each step's time);
- peak memory of each command: the resident set (RSS) and proportional set
  (PSS) of its whole process tree (workers included), sampled from /proc
  every 100 ms and summed;
- output size and file count, search index size, and the bytes a browser
  loads for the first page of results of each typical query (the Python twin
  of search.js counts them, as bench/bench_search.py does).

Then, once per N, one record is edited three times inside a running
`disclose serve`: the rebuild as /__disclose/status.json reports it, and the
time from the save to that new status.

It prints the medians over the runs and our figure ÷ theirs, with the machine
and /proc/loadavg before and after every command (the machine is shared; read
the load with the times). The engine's options are used when the build has
them (`--clean`, `--jobs`, `--templates`, read from `build --help`): without
`--templates` the base-template edit is not measured, and says so. Without
Hugo or Pagefind the comparison is not run, and the output says so.

Prints figures; asserts nothing: speed goals are read here, never enforced by
timed tests.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import hugo_site  # noqa: E402
import make_content  # noqa: E402
from bench_search import QUERIES, tree_size  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.1
# A build line such as "搜索索引：45018 个文件（34.20 秒）": one step and its seconds.
STEP = re.compile(r"^(?P<name>[^：\n]+)：.*（(?P<seconds>\d+(?:\.\d+)?) 秒）\s*$", re.MULTILINE)
FIGURES = ("cold", "noop", "edit", "template")
FIGURE_NAMES = {"cold": "cold build", "noop": "no-op rebuild", "edit": "one record edited",
                "template": "base template edited"}


# --- measuring one command ------------------------------------------------------


@dataclass
class Run:
    """One command's wall time, summed peak memory and the machine's load around it."""

    seconds: float
    peak_mib: float  # RSS summed over the process tree
    returncode: int
    timed_out: bool
    load_before: float
    load_after: float
    steps: dict[str, float] = field(default_factory=dict)
    peak_pss_mib: float = 0.0  # PSS summed over the process tree
    tail: str = ""  # the end of its output, for a failure message


def load_average() -> float:
    """Return the one-minute load average of the machine."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def tree_memory(root: int) -> tuple[int, int]:
    """Return the summed resident set and proportional set, in bytes, of a process and its descendants.

    RSS counts pages a forked worker shares with its parent once per process (the issue's
    "summed over its processes"); PSS divides shared pages among their users, so its sum is the
    memory the tree really holds.
    """
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # the process ended between the listing and the read
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        with contextlib.suppress(OSError, ValueError):  # ended since the listing
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
    return rss, pss


def measure(command: Sequence[str], *, cwd: Path | None = None, timeout: float = 900.0,
            env: dict[str, str] | None = None) -> Run:
    """Run a command to its end (or its timeout); return its time, peak tree memory and output."""
    before = load_average()
    peak = peak_pss = 0
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            rss, pss = tree_memory(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)  # our own child's session: the build and its workers
        out, _ = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    text = out.decode("utf-8", "replace")
    steps: dict[str, float] = {}
    for match in STEP.finditer(text):
        steps[match["name"]] = steps.get(match["name"], 0.0) + float(match["seconds"])
    return Run(seconds, peak / 2**20, proc.returncode, timed_out, before, load_average(), steps, peak_pss / 2**20,
               text[-2000:])


# --- the two sites ----------------------------------------------------------------


def edited_name(text: str, mark: str) -> str:
    """Return a project's YAML with a new name: the first `name:` line, marked."""
    def rename(match: re.Match[str]) -> str:
        name = json.loads(match[1]).split("（")[0]
        return "name: " + json.dumps(name + mark, ensure_ascii=False)
    return re.sub(r'^name: (".*")$', rename, text, count=1, flags=re.MULTILINE)


def marked_template(text: str, mark: str) -> str:
    """Return a base template with a visible change before </body>, so that every page changes."""
    text = re.sub(r"<!-- bench: [^>]* -->\n", "", text)
    return text.replace("</body>", f"<!-- bench: {mark} -->\n</body>", 1)


class Disclose:
    """`python -m generator build` on the synthetic content, with the engine's options it has."""

    name = "disclose"

    def __init__(self, work: Path, jobs: int | None, timeout: float) -> None:
        self.content = work / "content"
        self.output = work / "public"
        self.cache = work / "cache"
        self.templates = work / "site_templates"
        self.timeout = timeout
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        help_text = subprocess.run([sys.executable, "-m", "generator", "build", "--help"], cwd=ROOT, env=self.env,
                                   capture_output=True, text=True, check=True).stdout
        self.options = {opt for opt in ("--clean", "--jobs", "--templates", "--cache") if opt in help_text}
        self.jobs = jobs
        projects = sorted(p for p in self.content.glob("*/*/*.yaml") if p.name != "department.yaml")
        self.edited = projects[len(projects) // 2]
        self.original = self.edited.read_text(encoding="utf-8")

    def command(self, *extra: str) -> list[str]:
        """Return the build command with the options this engine understands."""
        cmd = [sys.executable, "-m", "generator", "build", "--content", str(self.content),
               "--output", str(self.output), "--quiet", *extra]
        if self.jobs is not None and "--jobs" in self.options:
            cmd += ["--jobs", str(self.jobs)]
        if "--templates" in self.options:
            cmd += ["--templates", str(self.templates)]
        if "--cache" in self.options:
            cmd += ["--cache", str(self.cache)]
        return cmd

    def unsupported(self, figure: str) -> str | None:
        """Say why a figure cannot be measured with this engine, or None."""
        if figure == "template" and "--templates" not in self.options:
            return "this build has no --templates option (a site's own templates), so its base template cannot be edited"
        return None

    def reset(self) -> None:
        """Put back the edited record and the pristine templates."""
        self.edited.write_text(self.original, encoding="utf-8")
        shutil.rmtree(self.templates, ignore_errors=True)
        if "--templates" in self.options:
            shutil.copytree(ROOT / "site_templates", self.templates)

    def run(self, figure: str, mark: str) -> Run:
        """Run one figure's build: prepare its change, then time the command."""
        if figure == "cold":
            shutil.rmtree(self.output, ignore_errors=True)
            shutil.rmtree(self.cache, ignore_errors=True)
            return measure(self.command(*(["--clean"] if "--clean" in self.options else [])), cwd=ROOT,
                           env=self.env, timeout=self.timeout)
        if figure == "edit":
            self.edited.write_text(edited_name(self.original, mark), encoding="utf-8")
        elif figure == "template":
            base = self.templates / "base.html"
            base.write_text(marked_template(base.read_text(encoding="utf-8"), mark), encoding="utf-8")
        return measure(self.command(), cwd=ROOT, env=self.env, timeout=self.timeout)


    def serve_edits(self, edits: int, timeout: float, say: Callable[[str], None]) -> list[tuple[float, float]] | str:
        """Edit one record `edits` times inside a running `serve`; return (seconds to its "rebuilt" line, rebuild seconds).

        The first is what a publisher waits from saving to a fresh preview (the watcher's debounce
        included); the second is the rebuild as the server reports it (/__disclose/status.json).
        """
        help_text = subprocess.run([sys.executable, "-m", "generator", "serve", "--help"], cwd=ROOT, env=self.env,
                                   capture_output=True, text=True).stdout
        if "--port" not in help_text:
            return "not measured: this version has no `serve --port`"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        cmd = [sys.executable, "-m", "generator", "serve", "--content", str(self.content), "--port", str(port)]
        if "--cache" in help_text:
            cmd += ["--cache", str(self.cache.with_name("serve-cache"))]
        if "--templates" in help_text and "--templates" in self.options:
            cmd += ["--templates", str(self.templates)]
        self.reset()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        lines: list[str] = []
        address: list[str] = []
        updated = threading.Condition()  # told of each line saying a save's rebuild finished
        rebuilds = [0]

        def read() -> None:
            for raw in proc.stdout:  # type: ignore[union-attr]
                line = raw.decode("utf-8", "replace")
                lines.append(line)
                found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
                if found and not address:
                    address.append(found[1])
                if re.search(r"修改了 .*（[0-9.]+ 秒）", line):
                    with updated:
                        rebuilds[0] += 1
                        updated.notify_all()

        threading.Thread(target=read, daemon=True).start()
        figures: list[tuple[float, float]] = []
        try:
            deadline = time.perf_counter() + timeout
            while not address:
                if proc.poll() is not None or time.perf_counter() > deadline:
                    return f"not measured: serve did not start ({''.join(lines)[-400:]})"
                time.sleep(0.1)
            def status() -> dict:
                with urllib.request.urlopen(f"{address[0]}/__disclose/status.json", timeout=30) as response:
                    return json.loads(response.read())

            for number in range(edits):
                before = status()["build"]
                with updated:
                    seen = rebuilds[0]
                self.edited.write_text(edited_name(self.original, f"（预览{number + 1}）"), encoding="utf-8")
                saved = time.perf_counter()
                # The line serve prints when the save's rebuild is done (just before the browser is told to
                # reload): waited for without asking the server anything meanwhile. Polling its status every
                # 20 ms, as this did, took the rebuild's own time from it (the same interpreter answers).
                with updated:
                    if not updated.wait_for(lambda seen=seen: rebuilds[0] > seen, timeout=timeout):
                        return "not measured: serve did not rebuild after an edit"
                wall = time.perf_counter() - saved
                now = status()
                if now["build"] == before:
                    return "not measured: serve said it rebuilt, but its status did not move"
                figures.append((wall, float(now["seconds"])))
                say(f"  serve edit {number + 1}: fresh preview {wall:.3f} s after the save, rebuild "
                    f"{now['seconds']:.3f} s (status ok: {now['ok']})  load {load_average():.1f}")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)  # our own serve's session
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            self.reset()
        return figures


class Hugo:
    """`hugo` on the same records, with templates that print the same tables."""

    name = "hugo"

    def __init__(self, work: Path, binary: str, timeout: float) -> None:
        self.site = work / "hugo"
        self.output = work / "hugo-public"
        self.binary = binary
        self.timeout = timeout
        pages = sorted((self.site / "content").glob("*/*/*.md"))
        projects = sorted(p for p in pages if p.name != "_index.md")
        self.edited = projects[len(projects) // 2]
        self.original = self.edited.read_text(encoding="utf-8")
        self.base = self.site / "layouts" / "_default" / "baseof.html"

    def unsupported(self, figure: str) -> str | None:
        return None

    def reset(self) -> None:
        self.edited.write_text(self.original, encoding="utf-8")
        shutil.copy(hugo_site.TEMPLATES / "layouts" / "_default" / "baseof.html", self.base)

    def run(self, figure: str, mark: str) -> Run:
        if figure == "cold":
            shutil.rmtree(self.output, ignore_errors=True)
            shutil.rmtree(self.site / "resources", ignore_errors=True)
        elif figure == "edit":
            hugo_site.rename_project(self.edited, mark)
        elif figure == "template":
            self.base.write_text(marked_template(self.base.read_text(encoding="utf-8"), mark), encoding="utf-8")
        return measure([self.binary, "--source", str(self.site), "--destination", str(self.output), "--quiet"],
                       timeout=self.timeout)


def pagefind_binary(given: str | None) -> str | None:
    """Return the Pagefind executable: the one given, else the one PyPI's pagefind-bin ships."""
    if given:
        return given if Path(given).exists() or shutil.which(given) else None
    try:
        import pagefind_bin  # type: ignore[import-not-found]
    except ImportError:
        return shutil.which("pagefind")
    binary = Path(pagefind_bin.__file__).parent / "pagefind"
    return str(binary) if binary.exists() else None


def version(command: Sequence[str]) -> str:
    """Return the first line a tool prints for its version."""
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
    except OSError:
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


# --- the bytes of a query ---------------------------------------------------------


def query_bytes(search_dir: Path) -> dict[str, tuple[int, int, int]] | str:
    """Return per query (raw bytes, gzip bytes, files) for the first page of results, or why not."""
    try:
        from generator import search
        query = search.query
    except (ImportError, AttributeError) as exc:
        return f"not measured: generator.search has no query() ({exc})"
    if not (search_dir / "all").exists():
        return f"not measured: no index at {search_dir / 'all'}"
    figures = {}
    for q in QUERIES:
        result = query(search_dir / "all", q)
        raw = gz = 0
        for name in result.loaded:
            data = (search_dir / (name + ".js")).read_bytes()
            raw += len(data)
            gz += len(gzip.compress(data, 6))
        figures[q] = (raw, gz, len(result.loaded))
    return figures


# --- one size N ---------------------------------------------------------------------


@dataclass
class Result:
    """Everything measured at one size."""

    projects: int
    runs: dict[str, dict[str, list[Run]]] = field(default_factory=dict)  # tool → figure → runs
    skipped: dict[str, str] = field(default_factory=dict)  # "tool figure" → why
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # what → (bytes, files)
    queries: dict[str, tuple[int, int, int]] | str = ""
    options: list[str] = field(default_factory=list)
    serve: list[tuple[float, float]] | str = "not measured (--no-serve)"


def prepare(work: Path, projects: int, seed: int, hugo: bool) -> None:
    """Write the content (and the Hugo site) once per size and seed; later runs reuse them."""
    stamp = work / "made.json"
    wanted = {"projects": projects, "seed": seed, "generator": (BENCH / "make_content.py").stat().st_size,
              "hugo": hugo}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return
    shutil.rmtree(work, ignore_errors=True)
    start = time.perf_counter()
    make_content.write_content(work / "content", projects, seed)
    if hugo:
        hugo_site.write_site(work / "hugo", projects, seed)
    stamp.write_text(json.dumps(wanted))
    print(f"  content written in {time.perf_counter() - start:.1f} s")


def bench_size(projects: int, args: argparse.Namespace, hugo_bin: str | None, pagefind_bin: str | None,
               say: Callable[[str], None]) -> Result:
    """Measure every figure at one size, alternating disclose and Hugo run after run."""
    work = args.work / str(projects)
    prepare(work, projects, args.seed, hugo_bin is not None)
    ours = Disclose(work, args.jobs, args.timeout)
    tools: list[Disclose | Hugo] = [ours]
    if hugo_bin:
        tools.append(Hugo(work, hugo_bin, args.timeout))
    result = Result(projects, {tool.name: {f: [] for f in FIGURES} for tool in tools}, options=sorted(ours.options))
    result.runs["pagefind"] = {"index": []}
    failed: set[str] = set()
    for number in range(args.runs):
        order = tools if number % 2 == 0 else tools[::-1]
        for tool in order:
            if tool.name in failed:
                continue
            tool.reset()
            try:
                for figure in FIGURES:
                    why = tool.unsupported(figure)
                    if why:
                        result.skipped[f"{tool.name} {figure}"] = why
                        continue
                    run = tool.run(figure, f"（修订{number + 1}）")
                    say(f"  run {number + 1} {tool.name:<8} {FIGURE_NAMES[figure]:<21} {describe(run)}")
                    if run.returncode != 0:
                        failed.add(tool.name)
                        result.skipped[f"{tool.name} {figure}"] = (
                            "timed out" if run.timed_out else f"exit {run.returncode}: {run.tail[-400:]}")
                        break
                    result.runs[tool.name][figure].append(run)
                    if figure == "cold" and tool is ours and pagefind_bin:
                        # Pagefind indexes the site disclose just built, with disclose's index beside it.
                        if number == 0:
                            result.sizes["disclose site"] = tree_size(ours.output)
                            result.sizes["disclose index"] = tree_size(ours.output / "search")
                        shutil.rmtree(work / "pagefind", ignore_errors=True)
                        pf = measure([pagefind_bin, "--site", str(ours.output), "--output-path",
                                      str(work / "pagefind"), "--silent"], timeout=args.timeout)
                        say(f"  run {number + 1} pagefind index of disclose's site {describe(pf)}")
                        if pf.returncode == 0:
                            result.runs["pagefind"]["index"].append(pf)
                            result.sizes["pagefind index"] = tree_size(work / "pagefind")
                        else:
                            result.skipped["pagefind index"] = f"exit {pf.returncode}: {pf.tail[-400:]}"
            finally:
                tool.reset()
    if not args.no_serve:
        result.serve = ours.serve_edits(max(args.runs, 3), args.timeout, say)
    if ours.output.exists():
        result.sizes["disclose site"] = tree_size(ours.output)
        result.sizes["disclose index"] = tree_size(ours.output / "search")
        result.queries = query_bytes(ours.output / "search")
    if hugo_bin and (work / "hugo-public").exists():
        result.sizes["hugo site"] = tree_size(work / "hugo-public")
    return result


def describe(run: Run) -> str:
    """Return one run as a line: seconds, memory, load."""
    steps = "; ".join(f"{k} {v:.2f} s" for k, v in run.steps.items())
    return (f"{run.seconds:8.2f} s {run.peak_mib:7.0f} MiB RSS {run.peak_pss_mib:7.0f} MiB PSS  load {run.load_before:.1f}→{run.load_after:.1f}"
            + (f"  [{steps}]" if steps else ""))


# --- the report -------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def index_seconds(run: Run) -> float:
    """Return the seconds of the build's search-index step (0 when it printed none)."""
    return sum(seconds for name, seconds in run.steps.items() if "搜索" in name or "索引" in name)


def table(result: Result) -> list[str]:
    """Return the Markdown table of one size: medians of ours, theirs, and the ratio."""
    ours, hugo, pf = result.runs["disclose"], result.runs.get("hugo"), result.runs["pagefind"]["index"]

    def fmt(value: float | None, unit: str) -> str:
        if value is None:
            return "not run"
        return f"{value:,.2f} s" if unit == "s" else f"{value:,.0f} MiB"

    def ratio(a: float | None, b: float | None) -> str:
        return f"{a / b:.2f}" if a is not None and b else "—"

    rows = [f"| {result.projects:,} projects (medians of {max(len(v) for v in ours.values())} runs) "
            "| disclose | Hugo / Pagefind | disclose ÷ theirs |", "| --- | --- | --- | --- |"]
    for figure in FIGURES:
        mine = median([r.seconds for r in ours[figure]])
        theirs = median([r.seconds for r in hugo[figure]]) if hugo else None
        note = result.skipped.get(f"disclose {figure}")
        rows.append(f"| {FIGURE_NAMES[figure]} | {fmt(mine, 's') if not note else 'not measured'} "
                    f"| {fmt(theirs, 's')} | {ratio(mine, theirs)} |")
    if isinstance(result.serve, str):
        rows.append(f"| one record edited, inside a running `serve` | {result.serve} | | |")
    else:
        wall = median([w for w, _ in result.serve])
        inside = median([i for _, i in result.serve])
        rows.append(f"| one record edited, inside a running `serve`: rebuild (save → fresh preview) "
                    f"| {fmt(inside, 's')} ({fmt(wall, 's')}) | | |")
    cold = ours["cold"]
    pages = median([r.seconds - index_seconds(r) for r in cold])
    index = median([index_seconds(r) for r in cold])
    theirs_cold = median([r.seconds for r in hugo["cold"]]) if hugo else None
    pf_time = median([r.seconds for r in pf])
    rows.append(f"| cold build without the search index vs Hugo | {fmt(pages, 's')} | {fmt(theirs_cold, 's')} "
                f"| {ratio(pages, theirs_cold)} |")
    rows.append(f"| search index (build step) vs Pagefind on our site | {fmt(index, 's')} | {fmt(pf_time, 's')} "
                f"| {ratio(index, pf_time)} |")
    mem = median([r.peak_mib for r in cold])
    rows.append(f"| peak memory, cold, all processes (RSS sum) vs Hugo | {fmt(mem, 'MiB')} "
                f"| {fmt(median([r.peak_mib for r in hugo['cold']]) if hugo else None, 'MiB')} "
                f"| {ratio(mem, median([r.peak_mib for r in hugo['cold']]) if hugo else None)} |")
    pss = median([r.peak_pss_mib for r in cold])
    rows.append(f"| peak memory, cold, all processes (PSS sum) vs Hugo | {fmt(pss, 'MiB')} "
                f"| {fmt(median([r.peak_pss_mib for r in hugo['cold']]) if hugo else None, 'MiB')} "
                f"| {ratio(pss, median([r.peak_pss_mib for r in hugo['cold']]) if hugo else None)} |")
    rows.append(f"| peak memory (RSS sum) vs Pagefind indexing our site | {fmt(mem, 'MiB')} "
                f"| {fmt(median([r.peak_mib for r in pf]), 'MiB')} | {ratio(mem, median([r.peak_mib for r in pf]))} |")

    def size(key: str) -> str:
        if key not in result.sizes:
            return "not run"
        total, files = result.sizes[key]
        return f"{total / 2**20:,.1f} MiB, {files:,} files"

    def size_ratio(a: str, b: str) -> str:
        return ratio(result.sizes[a][0], result.sizes[b][0]) if a in result.sizes and b in result.sizes else "—"

    rows.append(f"| output (whole site) vs Hugo's | {size('disclose site')} | {size('hugo site')} "
                f"| {size_ratio('disclose site', 'hugo site')} |")
    rows.append(f"| search index vs Pagefind's | {size('disclose index')} | {size('pagefind index')} "
                f"| {size_ratio('disclose index', 'pagefind index')} |")
    loads = [x for runs in result.runs.values() for rs in runs.values() for r in rs for x in (r.load_before, r.load_after)]
    if loads:
        rows.append(f"| load average (1 min) around the commands | {min(loads):.1f}–{max(loads):.1f} | | |")
    return rows


def query_table(result: Result) -> list[str]:
    """Return the bytes a browser loads for the first page of each typical query."""
    if isinstance(result.queries, str):
        return [f"Bytes per query: {result.queries}"]
    rows = ["| query | KB raw | KB gzip | files |", "| --- | --- | --- | --- |"]
    for q, (raw, gz, files) in result.queries.items():
        rows.append(f"| {q} | {raw / 1000:.1f} | {gz / 1000:.1f} | {files} |")
    return rows


def machine() -> str:
    """Return a line about the machine: CPU, cores, memory, Python, kernel."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal")) / 2**20
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}, "
            f"Linux {platform.release()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="性能基准：与 Hugo 和 Pagefind 在同样的记录上对比")
    parser.add_argument("--projects", type=int, nargs="+", default=[1000, 10000],
                        help="项目数，可给多个（如 1000 10000 100000）")
    parser.add_argument("--runs", type=int, default=3, help="每项测量交替运行的次数，取中位数")
    parser.add_argument("--seed", type=int, default=1, help="合成内容的随机种子")
    parser.add_argument("--work", type=Path, default=Path("/tmp/disclose-bench"), help="工作文件夹（内容和输出）")
    parser.add_argument("--jobs", type=int, help="传给 build --jobs（生成器支持时）")
    parser.add_argument("--timeout", type=float, default=900, help="每条命令最多运行的秒数（超时即停止该工具在此规模的测量）")
    parser.add_argument("--hugo", help="hugo 程序（默认在 PATH 中找）")
    parser.add_argument("--pagefind", help="pagefind 程序（默认用 PyPI 包 pagefind-bin 自带的）")
    parser.add_argument("--no-compare", action="store_true", help="只测 disclose，不运行 Hugo 和 Pagefind")
    parser.add_argument("--no-serve", action="store_true", help="不测量 serve 中修改一个记录后的重新生成")
    parser.add_argument("--markdown", type=Path, help="把结果表（Markdown）写到此文件")
    parser.add_argument("--json", type=Path, help="把全部测量值（JSON）写到此文件")
    args = parser.parse_args(argv)

    hugo_bin = None if args.no_compare else (shutil.which(args.hugo or "hugo"))
    pagefind_bin = None if args.no_compare else pagefind_binary(args.pagefind)
    lines = [f"Machine: {machine()}; load average before: {Path('/proc/loadavg').read_text().strip()}",
             f"Command: python bench/run.py {' '.join(argv if argv is not None else sys.argv[1:])}"]
    if hugo_bin:
        lines.append(f"Hugo: {version([hugo_bin, 'version'])}")
    else:
        lines.append("COMPARISON NOT RUN: Hugo " + ("skipped (--no-compare)" if args.no_compare else
                     f"not found ({args.hugo or 'hugo'}; install Debian's package: apt-get install -y hugo)"))
    if pagefind_bin:
        lines.append(f"Pagefind: {version([pagefind_bin, '--version'])}")
    else:
        lines.append("COMPARISON NOT RUN: Pagefind " + ("skipped (--no-compare)" if args.no_compare else
                     "not found (pip install pagefind-bin==1.5.2)"))
    for line in lines:
        print(line, flush=True)

    report: list[str] = [*lines, ""]
    results = []
    for projects in args.projects:
        print(f"\n{projects:,} projects", flush=True)
        result = bench_size(projects, args, hugo_bin, pagefind_bin, lambda text: print(text, flush=True))
        results.append(result)
        block = [*table(result), ""]
        if result.options:
            block.append(f"Engine options used: {', '.join(result.options)}")
        for what, why in result.skipped.items():
            block.append(f"NOT MEASURED: {what}: {why}")
        block += ["", f"Bytes a browser loads for the first page of results, {projects:,} projects:", "",
                  *query_table(result), ""]
        print("\n" + "\n".join(block), flush=True)
        report += block
    report.append(f"Load average after: {Path('/proc/loadavg').read_text().strip()}")
    print(report[-1])
    if args.markdown:
        args.markdown.write_text("\n".join(report) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if all(not any(k.startswith("disclose") and "no --templates" not in v for k, v in r.skipped.items())
                    for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
