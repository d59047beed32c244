"""Benchmark the search index: build time, memory, size, and bytes per query.

    python bench/bench_search.py --projects 10000 [--seed 1] [--editions 1] [--out DIR]
                                 [--via-yaml] [--verify] [--keep] [--workers N] [--docs-cache FILE]

1. Makes N synthetic projects (bench/make_content.py) and turns them into
   search documents: directly from the records through the model (default), or
   with --via-yaml by writing the content folder and reading it back with the
   project's loader, as `disclose build` does.
2. Writes the documents once to a temporary pickle stream, then builds the
   index from that stream in a child process, so that the figures are the
   index build alone: seconds and peak memory above the process's baseline.
3. Prints the index size and file count, and for each typical query the bytes
   and files a browser loads for the first page of results (the Python twin of
   search.js counts them), raw and gzip-compressed as a server would send them.
   With --verify, also checks every query's complete result set against a
   brute-force scan of all documents (slow at 100k: it reads every candidate).

Prints figures; asserts nothing except --verify's recall and precision.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

QUERIES = ["调解", "满意度", "群众满意度", "司法协理员", "呈贡", "枫桥经验", "315-0405-JXN-C1UG", "31.9",
           "人民 调解", "法律援助 满意度"]


def docs_from_records(projects: int, seed: int, editions: int) -> Iterator:
    """Yield search documents straight from generated records (through the model, no YAML)."""
    import make_content

    from generator import search, urls
    from generator.model import Department, Edition, Project

    edition = None
    pending: list = []

    def flush():
        if not pending:
            return
        (slug, dept_data), projects_ = pending[0], pending[1:]
        models = tuple(Project.model_validate(d).model_copy(update={"slug": s}) for s, d in projects_)
        dept = Department.model_validate(dept_data).model_copy(update={"slug": slug, "projects": models})
        yield search.department_doc(dept, edition, urls.department(edition.year, slug))
        for p in models:
            yield search.project_doc(p, dept, edition, urls.project(edition.year, slug, p.slug))
        pending.clear()

    for record in make_content.records(projects, seed, editions):
        parts = record.path.split("/")
        if record.kind == "edition":
            yield from flush()
            edition = Edition.model_validate(record.data)
        elif record.kind == "department":
            yield from flush()
            pending.append((parts[1], record.data))
        elif record.kind == "project":
            pending.append((parts[2].removesuffix(".yaml"), record.data))
    yield from flush()


def docs_from_yaml(projects: int, seed: int, editions: int, folder: Path) -> Iterator:
    """Write the content folder, load it with the project's loader, and yield its documents."""
    import make_content

    from generator import search
    from generator.load import load_content

    start = time.perf_counter()
    make_content.write_content(folder, projects, seed, editions)
    print(f"content written: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    loaded = load_content(folder)
    print(f"content loaded: {time.perf_counter() - start:.1f} s, {len(loaded.report.errors)} errors")
    yield from search.site_docs(loaded.site, loaded.pages)


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def build_child(stream: Path, out: Path, workers: int | None) -> None:
    """Build the index from a pickle stream of documents; print seconds and memory."""
    from generator import search

    def docs():
        with stream.open("rb") as f:
            while True:
                try:
                    yield pickle.load(f)
                except EOFError:
                    return

    base = rss_mib()
    start = time.perf_counter()
    cpu = time.process_time()
    files = search.write_indexes(docs(), out, workers=workers)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu + sum(getattr(resource.getrusage(resource.RUSAGE_CHILDREN), f) for f in ("ru_utime", "ru_stime"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"RESULT seconds={seconds:.2f} cpu={cpu:.1f} baseline_mib={base:.1f} peak_mib={peak:.1f} "
          f"worker_mib={worker:.1f} files={len(files)}")


def tree_size(folder: Path) -> tuple[int, int]:
    total = count = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            total += os.path.getsize(os.path.join(dirpath, name))
            count += 1
    return total, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--editions", type=int, default=1)
    parser.add_argument("--out", type=Path, help="output folder (default: a temporary one)")
    parser.add_argument("--via-yaml", action="store_true", help="write YAML and read it with generator.load")
    parser.add_argument("--verify", action="store_true", help="check complete results against brute force")
    parser.add_argument("--keep", action="store_true", help="keep the output folder")
    parser.add_argument("--workers", type=int, help="index worker processes (default: the module's choice)")
    parser.add_argument("--docs-cache", type=Path, help="keep the generated documents in this file and reuse them")
    parser.add_argument("--child", nargs=2, metavar=("STREAM", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        build_child(Path(args.child[0]), Path(args.child[1]), args.workers)
        return 0

    from generator import search

    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    out = args.out or work / "public"
    stream = work / "docs.pickle"
    print(f"{args.projects} projects, seed {args.seed}, {args.editions} edition(s) → {out}")

    # 1. documents, with brute-force truth for the queries on the way
    start = time.perf_counter()
    words = {q: search.query_words(q) for q in QUERIES}
    truth: dict[str, set[str]] = {q: set() for q in QUERIES}
    n = chars = 0
    cache = args.docs_cache
    if cache and cache.exists():  # the documents of an earlier run with the same arguments
        stream = cache
        meta = json.loads(cache.with_suffix(".json").read_text(encoding="utf-8"))
        assert meta["args"] == [args.projects, args.seed, args.editions, args.via_yaml], "cache made with other arguments"
        n, chars, truth = meta["n"], meta["chars"], {q: set(ids) for q, ids in meta["truth"].items()}
    else:
        stream = cache or stream
        docs = (docs_from_yaml(args.projects, args.seed, args.editions, work / "content") if args.via_yaml
                else docs_from_records(args.projects, args.seed, args.editions))
        with stream.open("wb") as f:
            for doc in docs:
                pickle.dump(doc, f, protocol=pickle.HIGHEST_PROTOCOL)
                n += 1
                texts = [search.normalize(t) for _, _, t in doc.fields]
                chars += sum(map(len, texts))
                for q, ws in words.items():
                    if all(any(w in t for t in texts) for w in ws):
                        truth[q].add(doc.id)
        if cache:
            cache.with_suffix(".json").write_text(json.dumps({
                "args": [args.projects, args.seed, args.editions, args.via_yaml], "n": n, "chars": chars,
                "truth": {q: sorted(ids) for q, ids in truth.items()}}, ensure_ascii=False), encoding="utf-8")
    print(f"documents: {n} ({chars / max(n, 1):.0f} normalised characters each on average), "
          f"made in {time.perf_counter() - start:.1f} s")

    # 2. the index, in a child process
    shutil.rmtree(out / "search", ignore_errors=True)
    command = [sys.executable, __file__, "--child", str(stream), str(out)]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    proc = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT"))
    figures = dict(item.split("=") for item in line.split()[1:])
    extra = float(figures["peak_mib"]) - float(figures["baseline_mib"])
    worker = float(figures["worker_mib"])
    workers = args.workers if args.workers is not None else search.write.WORKERS
    print(f"index build: {figures['seconds']} s wall, {figures['cpu']} s CPU; memory: main process "
          f"{figures['peak_mib']} MiB peak ({extra:.1f} MiB above its {figures['baseline_mib']} MiB baseline)"
          + (f", each of {workers} workers at most {worker:.1f} MiB; all together at most "
             f"{extra + workers * worker:.1f} MiB extra" if worker else ""))
    search_dir = out / "search"
    total, count = tree_size(search_dir)
    print(f"index: {total / 2**20:.1f} MiB in {count} files")
    for scope in sorted(os.listdir(search_dir)):
        size, files = tree_size(search_dir / scope)
        docs_size, doc_files = tree_size(search_dir / scope / "d") if (search_dir / scope / "d").exists() else (0, 0)
        print(f"  search/{scope}/: {size / 2**20:.1f} MiB, {files} files "
              f"(documents {docs_size / 2**20:.1f} MiB in {doc_files}; terms {(size - docs_size) / 2**20:.1f} MiB)")
    if not cache:
        stream.unlink()

    # 3. queries
    print(f"\n{'query':<20}{'pages':>8}{'count':>10}{'KB raw':>9}{'KB gzip':>9}{'files':>7}  first results")
    failures = 0
    for q in QUERIES:
        r = search.query(search_dir / "all", q)
        raw = gz = 0
        for name in r.loaded:
            data = (search_dir / (name + ".js")).read_bytes()
            raw += len(data)
            gz += len(gzip.compress(data, 6))
        shown = "约" if not r.exact else ""
        titles = "；".join(h.title[:14] for h in r.hits[:3])
        print(f"{q:<20}{len(truth[q]):>8}{shown + str(r.count):>10}{raw / 1000:>9.1f}{gz / 1000:>9.1f}{r.files:>7}  {titles}")
        if any(h.url not in truth[q] for h in r.hits):
            print("  PRECISION FAILURE: a result shown does not contain the query")
            failures += 1
        if args.verify:
            full = search.query(search_dir / "all", q, limit=None)
            if set(full.urls) != truth[q]:
                print(f"  RECALL/PRECISION FAILURE: {len(set(full.urls) ^ truth[q])} differ")
                failures += 1
    if not args.keep and not args.out:
        shutil.rmtree(work, ignore_errors=True)
    elif args.keep:
        print(f"\nkept {out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
