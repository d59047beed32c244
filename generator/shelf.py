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
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .model import Department
from .state import CacheDamaged, digest_bytes

FREEZE_EVERY = 16  # shelves opened between two gc.freeze() calls (~20 records each)
OPEN_AT_ONCE = 16  # shelves open at once in a build that does not keep them (~20 records each)

CHILDREN = ("projects", "transfers", "evaluations")


class Shelf:
    """The pickled tables of one department, read (from the state, by `read`) and unpickled on first use.

    A shelf that `keep`s its tables holds them once open, for as long as it lives. One that does not
    (a build from the command line: RecordCache.hold in generator/state.py) is one of the OPEN_AT_ONCE
    last opened, and gives its tables back when more are opened: a stage goes through the departments
    one after another, so only a few departments' records are in memory at any time.
    """

    opened = 0  # shelves unpickled by this process (the tests read it)
    recent: OrderedDict[int, Shelf] = OrderedDict()  # open shelves that do not keep their tables, last used last

    def __init__(self, read: Callable[[], bytes | None], digest: str, keep: bool = True,
                 items: tuple[tuple[Any, ...], ...] | None = None) -> None:
        self.read = read
        self.digest = digest
        self.keep = keep
        self.items: tuple[tuple[Any, ...], ...] | None = None
        if items is not None:
            self.opened_with(items)

    def open(self) -> tuple[tuple[Any, ...], ...]:
        """Return the tables (projects, transfers, evaluations), unpickling them when they are not open.

        A blob that is missing or not what was written raises CacheDamaged: the build drops every
        shelf and runs again from the record files (build.py), never trusting it.
        """
        if self.items is not None:
            if not self.keep:
                Shelf.recent.move_to_end(id(self))
            return self.items
        try:
            blob = self.read()
            if blob is None or digest_bytes(blob) != self.digest:
                raise ValueError("missing" if blob is None else "digest")
            items = pickle.loads(blob)
        except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, it is not what was kept
            raise CacheDamaged(str(exc)) from exc
        Shelf.opened += 1
        if self.keep and Shelf.opened % FREEZE_EVERY == 0:  # records live for the build: as RecordCache does
            gc.freeze()
        return self.opened_with(items)

    def opened_with(self, items: tuple[tuple[Any, ...], ...]) -> tuple[tuple[Any, ...], ...]:
        """Hold the tables as open; close the least recently used shelves past OPEN_AT_ONCE."""
        self.items = items
        if not self.keep:
            Shelf.recent[id(self)] = self
            while len(Shelf.recent) > OPEN_AT_ONCE:
                Shelf.recent.popitem(last=False)[1].items = None
        return items


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


def unshelve(head: Head, read: Callable[[], bytes | None], keep: bool = True,
             loaded: Department | None = None) -> Department:
    """Return the department `shelve` kept, its tables read (by `read`: the blob) when used (`Shelf`).

    `loaded`: the department the head was made of, whose tables the shelf then starts with, open.
    """
    own, counts, digest = head
    if not isinstance(own, Department) or not isinstance(digest, str) or len(counts) != len(CHILDREN):
        raise ValueError("not a shelved department")
    tables = tuple(tuple(getattr(loaded, name)) for name in CHILDREN) if loaded is not None else None
    shelf = Shelf(read, digest, keep, tables)
    return own.model_copy(update={name: Deferred(shelf, i, counts[i]) for i, name in enumerate(CHILDREN)})

