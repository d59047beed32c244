"""Rendering in worker processes and on a Dask cluster gives the same bytes as in one process."""

from __future__ import annotations

import os
from pathlib import Path

import distributed
import pytest
from site_fixture import CONTENT, snapshot

from generator import parallel
from generator.build import BuildReport, Engine
from generator.parallel import partition_of, tasks
from generator.state import Entry
from generator.write import Writer


def build(output: Path, cache: Path, **options: object) -> BuildReport:
    """Build the bundled content from scratch, asserting success."""
    report = Engine(CONTENT, output, cache=cache, **options).build(clean=True, progress=False)  # type: ignore[arg-type]
    assert report.status == 0
    return report


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The bundled site rendered in this process."""
    folder = tmp_path_factory.mktemp("one")
    report = build(folder / "public", folder / "cache", jobs=1)
    assert report.processes == {os.getpid()}
    return snapshot(folder / "public")


def test_pages_are_grouped_by_department() -> None:
    assert partition_of_path("2024/pengyang-sfj/renmin-tiaojie/index.html") == "2024/pengyang-sfj"
    assert partition_of_path("2024/pengyang-sfj/index.html") == "2024/pengyang-sfj"
    assert partition_of_path("2024/index.html") == ""
    assert partition_of_path("years/2024/pengyang-sfj/index.html") == "2024/pengyang-sfj"
    assert partition_of_path("years/2024.js") == ""
    assert partition_of_path("about/index.html") == ""


def partition_of_path(output: str) -> str:
    from generator.plan import PageSpec

    return partition_of(PageSpec(output, ("x.html",), {}, ()))


def test_one_task_per_partition_in_site_order() -> None:
    from generator.plan import PageSpec

    specs = [PageSpec(path, ("x.html",), {}, ()) for path in
             ("index.html", "2024/a/index.html", "2024/a/p/index.html", "2024/b/index.html", "2024/index.html")]
    work = tasks(specs, [str(n) for n in range(len(specs))])
    assert [(t.partition, t.keys) for t in work] == [("", ("0", "4")), ("2024/a", ("1", "2")), ("2024/b", ("3",))]


@pytest.mark.parametrize("fork", [True, False], ids=["forked workers", "a pool sent each task"])
def test_worker_processes_give_the_same_bytes(one_process: dict[str, bytes], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, fork: bool) -> None:
    monkeypatch.setattr(parallel, "POOL_THRESHOLD", 0)  # the bundled site is small: use the pool anyway
    monkeypatch.setattr(parallel, "can_fork", lambda: fork)  # without fork (not on Linux), tasks are pickled
    report = build(tmp_path / "public", tmp_path / "cache", jobs=2)
    assert report.processes and os.getpid() not in report.processes
    assert snapshot(tmp_path / "public") == one_process


def test_a_dask_cluster_gives_the_same_bytes(one_process: dict[str, bytes], tmp_path: Path) -> None:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        report = build(tmp_path / "public", tmp_path / "cache", scheduler=address)
        worker_pids = set(cluster.scheduler_info["workers"])
    assert len(worker_pids) == 2
    assert report.processes and os.getpid() not in report.processes
    assert snapshot(tmp_path / "public") == one_process


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = Engine(CONTENT, tmp_path / "public", cache=tmp_path / "cache", scheduler="tcp://127.0.0.1:9").build(progress=False)
    assert report.status == 1
    err = capsys.readouterr().err
    assert "无法连接调度器 tcp://127.0.0.1:9" in err and "保持不变" in err
    assert not (tmp_path / "public").exists()


def test_a_task_carries_only_its_own_pages_entries(tmp_path: Path) -> None:
    """What a worker is sent does not grow with the output: each task knows the last build's entries of its pages."""
    previous = {f"2024/d{n}/p/index.html": Entry(f"k{n}", f"h{n}", n, n) for n in range(10_000)}
    writer = Writer(tmp_path, tmp_path / "staging", previous, trusted=True)
    narrowed = writer.narrowed(["2024/d7/p/index.html", "2024/new/index.html"])
    assert narrowed.previous == {"2024/d7/p/index.html": previous["2024/d7/p/index.html"]}
    assert (narrowed.root, narrowed.staging, narrowed.trusted) == (writer.root, writer.staging, True)
    assert len(writer.previous) == 10_000  # the output's own writer is left as it was
