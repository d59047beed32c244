"""Benchmark: load and validate N project records (default 10,000).

    python bench/bench_load.py [--records 10000] [--content DIR]

Without --content, the bundled projects are copied round-robin into a
temporary content folder (20 per department) until N records exist. Prints
figures; asserts nothing: speed goals are read, not enforced by tests.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator import yamlio  # noqa: E402
from generator.load import load_content  # noqa: E402
from generator.validate import check_site  # noqa: E402


def replicate(target: Path, records: int) -> Path:
    """Write a content folder of `records` projects copied from the bundled ones."""
    source = ROOT / "content"
    projects = sorted(p for p in source.glob("*/*/*.yaml") if p.name != "department.yaml")
    content = target / "content"
    (content / "2024").mkdir(parents=True)
    shutil.copy(source / "site.yaml", content / "site.yaml")
    (content / "2024" / "edition.yaml").write_text("year: 2024\n", encoding="utf-8")
    for i in range(records):
        folder = content / "2024" / f"dept-{i // 20:05d}"
        if i % 20 == 0:
            folder.mkdir()
            (folder / "department.yaml").write_text(f"name: 部门{i // 20}\n", encoding="utf-8")
        shutil.copy(projects[i % len(projects)], folder / f"project-{i:06d}.yaml")
    return content


def time_parsers(files: list[Path]) -> tuple[float, float]:
    """Return seconds to parse the files with the C fast path and with pure-Python PyYAML."""
    texts = [f.read_text(encoding="utf-8") for f in files]
    start = time.perf_counter()
    for text in texts:
        yamlio.parse(text)
    fast = time.perf_counter() - start
    start = time.perf_counter()
    for text in texts:
        yaml.load(text, Loader=yaml.SafeLoader)
    slow = time.perf_counter() - start
    return fast, slow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--content", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        content = args.content or replicate(Path(tmp), args.records)
        files = [p for p in content.glob("*/*/*.yaml") if p.name != "department.yaml"]
        size = sum(f.stat().st_size for f in files)
        start = time.perf_counter()
        loaded = load_content(content)
        load_seconds = time.perf_counter() - start
        assert not loaded.report.errors, loaded.report.errors[:3]
        start = time.perf_counter()
        warnings = check_site(loaded.site)
        check_seconds = time.perf_counter() - start
        sample = files[: min(len(files), 2000)]
        fast, slow = time_parsers(sample)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"records:            {len(files)} ({size / len(files) / 1024:.1f} KB average)")
    print(f"load + validate:    {load_seconds:.2f} s ({load_seconds / len(files) * 1000:.2f} ms per record)")
    print(f"check (warnings):   {check_seconds:.2f} s ({len(warnings)} warnings)")
    print(f"parse, C loader:    {fast / len(sample) * 1000:.2f} ms per record ({len(sample)} sampled)")
    print(f"parse, pure Python: {slow / len(sample) * 1000:.2f} ms per record")
    print(f"peak memory:        {peak:.0f} MiB")


if __name__ == "__main__":
    main()
