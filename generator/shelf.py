"""Shelved departments: a department folder kept between builds, its tables unpickled only when read.

A build after one edit from the command line is a new process: it used to unpickle all
10,000 cached records (450,000 pydantic objects, 2.3–2.8 s) although only one department
changed, because every stage walked every project. The loader now keeps each department
folder as one row of the record cache (`RecordCache.folder`), found by the folder's
listing: the department's own fields and totals as objects, its projects, transfer
tables and self-evaluations as one pickled blob, kept in a row of its own beside the
folder's and read and unpickled the first time a stage reads them (`Deferred`). What
the stages derive from an unchanged department is kept by the department's `_source`
(kept.Kept), so a one-edit build reads the tables of the changed department only.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .model import Department
from .state import CacheDamaged, digest_bytes

FREEZE_EVERY = 16  # shelves opened between two gc.freeze() calls (~20 records each)

CHILDREN = ("projects", "transfers", "evaluations")


class Shelf:
    """The pickled tables of one department, read (from the state, by `read`) and unpickled once, on first use."""

    opened = 0  # shelves unpickled by this process (the tests read it)

    def __init__(self, read: Callable[[], bytes | None], digest: str) -> None:
        self.read: Callable[[], bytes | None] | None = read
        self.digest = digest
        self.items: tuple[tuple[Any, ...], ...] | None = None

    def open(self) -> tuple[tuple[Any, ...], ...]:
        """Return the tables (projects, transfers, evaluations), unpickling them the first time.

        A blob that is missing or not what was written raises CacheDamaged: the build drops every
        shelf and runs again from the record files (build.py), never trusting it.
        """
        if self.items is None:
            assert self.read is not None
            try:
                blob = self.read()
                if blob is None or digest_bytes(blob) != self.digest:
                    raise ValueError("missing" if blob is None else "digest")
                self.items = pickle.loads(blob)
            except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, it is not what was kept
                raise CacheDamaged(str(exc)) from exc
            self.read = None
            Shelf.opened += 1
            if Shelf.opened % FREEZE_EVERY == 0:  # records live for the build: as RecordCache does (state.py)
                gc.freeze()
        return self.items


class Deferred(Sequence):
    """One kind of a department's tables, read from its shelf when first used; its length is known before."""

    __slots__ = ("shelf", "index", "count")

    def __init__(self, shelf: Shelf, index: int, count: int) -> None:
        self.shelf, self.index, self.count = shelf, index, count

    def items(self) -> tuple[Any, ...]:
        return self.shelf.open()[self.index]

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __getitem__(self, index: Any) -> Any:
        return self.items()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return self.items() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.items())

    def __repr__(self) -> str:
        return f"Deferred({self.count} {CHILDREN[self.index]})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (self.items(),))  # to a worker process, or into a cache: the plain tuple


Head = tuple[Department, tuple[int, ...], str]  # a department's own fields, how many tables of each kind, the blob's hash


def shelve(department: Department) -> tuple[Head, bytes]:
    """Return a department's head (own fields, totals computed; its counts of tables) and its tables as one blob."""
    department.total  # noqa: B018 - computed here, the totals travel with the head (cached properties)
    own = department.model_copy(update=dict.fromkeys(CHILDREN, ()))
    tables = tuple(tuple(getattr(department, name)) for name in CHILDREN)
    blob = pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)
    return (own, tuple(map(len, tables)), digest_bytes(blob)), blob


def unshelve(head: Head, read: Callable[[], bytes | None]) -> Department:
    """Return the department `shelve` kept, its tables read (by `read`: the blob) when first used."""
    own, counts, digest = head
    if not isinstance(own, Department) or not isinstance(digest, str) or len(counts) != len(CHILDREN):
        raise ValueError("not a shelved department")
    shelf = Shelf(read, digest)
    return own.model_copy(update={name: Deferred(shelf, i, counts[i]) for i, name in enumerate(CHILDREN)})

