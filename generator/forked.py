"""Map a function over items in forked worker processes, for the build's steps that are pure per item.

Loading (generator/prefetch.py), rendering (generator/parallel.py), the
open-data parts (generator/opendata.py), the search partitions
(pipeline.make_partitions) and the merge of search buckets (search/write.py) each
make one thing per department (or range) from what the build already holds in memory. Forked workers inherit
that memory, so nothing is pickled on the way out but an index.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
U = TypeVar("U")


_FORKED: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # what forked workers call, and on what


def forked_map(function: Callable[[T], U], items: Sequence[T], jobs: int, minimum: int = 2,
               chunksize: int = 1) -> Iterator[U]:
    """Yield `function` of each item, in order: in `jobs` forked workers when there are `minimum` items or more.

    The workers inherit `function` and `items` from this process, so neither is
    pickled (a closure over the whole site is fine): only the indices go out and
    the results come back. Without fork (not on Linux), or with one job or few
    items, everything runs here.
    """
    global _FORKED
    if jobs < 2 or len(items) < max(minimum, 1) or not can_fork():
        yield from map(function, items)
        return
    _FORKED = (function, items)
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            yield from pool.map(_forked_call, range(len(items)), chunksize=chunksize)
    finally:
        _FORKED = None


def can_fork() -> bool:
    """Tell whether worker processes can be forked here (Linux) rather than started afresh."""
    return "fork" in multiprocessing.get_all_start_methods()


def _forked_call(index: int) -> Any:
    """Call the forked function on one item, in a worker."""
    assert _FORKED is not None
    function, items = _FORKED
    return function(items[index])


def default_jobs() -> int:
    """Return the number of worker processes to use by default: every core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
