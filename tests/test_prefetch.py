"""Parsing records ahead in worker processes changes nothing the loader builds, reports or caches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from site_fixture import copy_content, snapshot

from generator import prefetch
from generator.build import Engine
from generator.load import Content, load_content
from generator.state import BuildState, RecordCache


@pytest.fixture(autouse=True)
def always_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled content is small: parse it ahead anyway."""
    monkeypatch.setattr(prefetch, "MIN_FILES", 0)


def load(content: Path, cache: Path, jobs: int, hold: bool = True) -> tuple[Content, RecordCache, int]:
    """Parse ahead with `jobs` workers into a cache kept in `cache`, then load as a build does."""
    records = RecordCache(BuildState(cache, "test"), hold=hold)
    prefetch.parse_ahead(content, records, jobs)
    loaded = load_content(content, records)
    records.drain()
    return loaded, records, records.parsed_ahead


def records_of(content: Path) -> int:
    """Count the YAML files of the department folders."""
    return sum(1 for path in content.glob("[0-9][0-9][0-9][0-9]/*/*.y*ml") if path.is_file())


def hostile(content: Path, tmp_path: Path) -> None:
    """Add a broken record, a link out of the content, and a pipe to one department."""
    folder = next(path for path in sorted((content / "2024").iterdir()) if (path / "department.yaml").exists())
    (folder / "broken.yaml").write_text("name: [未闭合\n", encoding="utf-8")
    (folder / "gbk.yaml").write_bytes("name: 测试\n".encode("gbk"))
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: 外部文件\n", encoding="utf-8")
    (folder / "stolen.yaml").symlink_to(outside)
    os.mkfifo(folder / "pipe.yaml")


def test_workers_parse_every_record_and_the_loader_none(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    loaded, records, ahead = load(content, tmp_path / "cache", jobs=2)
    assert ahead == records_of(content) > 0
    others = len([content / "site.yaml", *content.glob("*/edition.yaml")])
    assert records.misses == ahead + others  # the loader parsed only what lies outside department folders
    assert not loaded.report.errors


def test_the_same_records_problems_and_cache_with_one_worker_or_two(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    hostile(content, tmp_path)
    one, one_cache, none = load(content, tmp_path / "one", jobs=1)
    two, two_cache, ahead = load(content, tmp_path / "two", jobs=2)
    assert none == 0 and ahead > 0
    assert two.site is not None and one.site is not None
    assert two.site.model_dump() == one.site.model_dump()
    assert two.report.problems == one.report.problems
    named = " ".join(f"{problem.file} {problem.message}" for problem in two.report.errors)
    for name in ("broken.yaml", "gbk.yaml", "stolen.yaml", "pipe.yaml"):
        assert name in named
    assert one_cache.misses == two_cache.misses
    assert rows(one_cache) == rows(two_cache)


def rows(records: RecordCache) -> dict[str, tuple]:
    """Return what a cache holds for each file, its pickled payload left out (pickles of equal values may differ)."""
    return {key: held[:4] for key, held in records.memory.items() if not key.endswith("#check")}


def test_a_warm_cache_sends_nothing_to_the_workers(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    _, first, _ = load(content, tmp_path / "cache", jobs=2)
    first.flush()
    _, _, ahead = load(content, tmp_path / "cache", jobs=2)
    assert ahead == 0
    project = next(content.glob("2024/*/[!d]*.yaml"))
    project.touch()  # a new mtime, the same bytes: read again, parsed not
    _, touched, ahead = load(content, tmp_path / "cache", jobs=2)
    assert ahead == 0 and touched.misses == 0
    project.write_text(project.read_text(encoding="utf-8").replace("name: ", "name: 改", 1), encoding="utf-8")
    _, _, ahead = load(content, tmp_path / "cache", jobs=2)
    assert ahead == 1


def test_one_worker_or_too_few_records_parse_nothing_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = copy_content(tmp_path)
    assert load(content, tmp_path / "one", jobs=1)[2] == 0
    monkeypatch.setattr(prefetch, "MIN_FILES", records_of(content) + 1)
    assert load(content, tmp_path / "few", jobs=2)[2] == 0


def test_a_build_with_two_jobs_writes_the_same_bytes_and_warnings(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    built = {}
    for jobs in (1, 2):
        report = Engine(content, tmp_path / f"public{jobs}", cache=tmp_path / f"cache{jobs}", jobs=jobs).build(
            clean=True, progress=False)
        assert report.status == 0
        built[jobs] = (snapshot(tmp_path / f"public{jobs}"), report.problems)
    assert built[1] == built[2]


def test_a_cache_that_does_not_hold_records_loads_the_same_and_keeps_each_record_once(tmp_path: Path) -> None:
    # A build from the command line: the records parsed ahead are taken folder by folder as the loader
    # comes to them, and none is kept beside its department, as parsed or pickled.
    content = copy_content(tmp_path)
    hostile(content, tmp_path)
    held, held_cache, _ = load(content, tmp_path / "held", jobs=2)
    arrived: list[int] = []
    folder = RecordCache.folder

    def counted(self: RecordCache, *args, **kwargs):
        arrived.append(len(self.arrived))
        return folder(self, *args, **kwargs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RecordCache, "folder", counted)
        streamed, cache, ahead = load(content, tmp_path / "streamed", jobs=2, hold=False)
    assert ahead == held_cache.parsed_ahead > 0
    assert streamed.site is not None and held.site is not None
    assert streamed.site.model_dump() == held.site.model_dump()
    assert streamed.report.problems == held.report.problems
    # Each folder's records arrive when the loader comes to it, not before: as it starts the n-th folder,
    # the records of the n - 1 before it have arrived.
    assert arrived == list(range(len(arrived))) and len(arrived) > 2
    check = prefetch.cached_checks(cache)  # as the build's checks take them: once, then they are gone too
    for project in (p for e in streamed.site.editions for d in e.departments for p in d.projects):
        check(project)
    assert not cache.raw
    assert all(key.startswith("folder:") for key in cache.memory)
    assert any(not key.startswith("folder:") for key in held_cache.memory)
    held_cache.flush()
    cache.flush()
    stored = {}
    for name, records in (("held", held_cache), ("streamed", cache)):
        stored[name] = set(records.state.db.execute("SELECT path, size, mtime_ns, digest, kind FROM records"))
    assert stored["streamed"] == stored["held"] and stored["held"]


def test_a_folder_with_nothing_parsed_ahead_does_not_make_the_feed_run_ahead(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    records = RecordCache(BuildState(tmp_path / "cache", "test"), hold=False)
    prefetch.parse_ahead(content, records, 2)
    assert records.awaited and not records.arrived
    records.arrive(str(content / "2024" / "a-folder-the-workers-never-had"))
    assert not records.arrived  # the loader meets such a folder (its records all known): nothing is taken
    first = sorted(records.awaited)[0]
    records.arrive(first)
    assert records.arrived == {first}
    records.drain()
    assert records.arrived == records.awaited and records.ahead is None
