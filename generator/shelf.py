"""Shelved departments: a department folder kept between builds, its tables unpickled only when read.

A build after one edit from the command line is a new process: it used to unpickle all
10,000 cached records (450,000 pydantic objects, 2.3–2.8 s) although only one department
changed, because every stage walked every project. The loader now keeps each department
folder as one row of the record cache (`RecordCache.folder`), found by the folder's
listing: the department's own fields and totals as objects, its projects, transfer
tables and self-evaluations as one pickled blob (`Deferred`) that is unpickled the first
time a stage reads them. What the stages derive from an unchanged department is kept by
the department's `_source` (kept.Kept), so a one-edit build reads the tables of the
changed department only.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Iterator, Sequence
from typing import Any

from .model import Department
from .state import CacheDamaged, digest_bytes

FREEZE_EVERY = 16  # shelves opened between two gc.freeze() calls (~20 records each)

CHILDREN = ("projects", "transfers", "evaluations")


class Shelf:
    """The pickled tables of one department, unpickled once, on first use."""

    opened = 0  # shelves unpickled by this process (the tests read it)

    def __init__(self, blob: bytes, digest: str) -> None:
        self.blob: bytes | None = blob
        self.digest = digest
        self.items: tuple[tuple[Any, ...], ...] | None = None

    def open(self) -> tuple[tuple[Any, ...], ...]:
        """Return the tables (projects, transfers, evaluations), unpickling them the first time.

        A blob that is not what was written raises CacheDamaged: the build drops every shelf and
        runs again from the record files (build.py), never trusting it.
        """
        if self.items is None:
            assert self.blob is not None
            try:
                if digest_bytes(self.blob) != self.digest:
                    raise ValueError("digest")
                self.items = pickle.loads(self.blob)
            except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, it is not what was kept
                raise CacheDamaged(str(exc)) from exc
            self.blob = None
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


def shelve(department: Department) -> tuple[Department, bytes, tuple[int, ...], str]:
    """Return a department's own fields (totals computed), its tables as one blob, how many of each, the blob's hash."""
    department.total  # noqa: B018 - computed here, the totals travel with the head (cached properties)
    own = department.model_copy(update=dict.fromkeys(CHILDREN, ()))
    tables = tuple(tuple(getattr(department, name)) for name in CHILDREN)
    blob = pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)
    return own, blob, tuple(map(len, tables)), digest_bytes(blob)


def unshelve(shelved: tuple[Department, bytes, tuple[int, ...], str]) -> Department:
    """Return the department `shelve` kept, its tables read when first used."""
    own, blob, counts, digest = shelved
    if not isinstance(own, Department) or not isinstance(blob, bytes) or len(counts) != len(CHILDREN):
        raise ValueError("not a shelved department")
    shelf = Shelf(blob, digest)
    return own.model_copy(update={name: Deferred(shelf, i, counts[i]) for i, name in enumerate(CHILDREN)})

