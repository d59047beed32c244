"""forked_map: the same results in the same order as map, computed in forked workers when there are enough items."""

from __future__ import annotations

import os
import threading

import pytest

from generator.forked import forked_map


def test_results_come_in_order_from_other_processes() -> None:
    lock = threading.Lock()  # a closure over something no pickle can carry: the workers inherit it instead
    items = list(range(40))

    def work(n: int) -> tuple[int, int]:
        with lock:
            return n * n, os.getpid()

    results = list(forked_map(work, items, jobs=2, chunksize=3))
    assert [square for square, _ in results] == [n * n for n in items]
    assert os.getpid() not in {pid for _, pid in results}


def test_one_job_or_too_few_items_run_here() -> None:
    assert {pid for pid in forked_map(lambda _: os.getpid(), range(5), jobs=1)} == {os.getpid()}
    assert {pid for pid in forked_map(lambda _: os.getpid(), range(5), jobs=2, minimum=6)} == {os.getpid()}
    assert list(forked_map(lambda n: n, [], jobs=2, minimum=0)) == []


def test_an_error_in_a_worker_reaches_the_caller() -> None:
    def fail(n: int) -> int:
        if n == 7:
            raise ValueError("seven")
        return n

    with pytest.raises(ValueError, match="seven"):
        list(forked_map(fail, range(10), jobs=2))
