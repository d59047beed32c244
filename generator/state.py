"""Build state: what every output file was made from, kept between builds.

The state lives in one SQLite file in a cache folder outside the output
(`.disclose-cache/state.sqlite` beside the content folder, or `--cache DIR`).
It holds, for every output folder built from this cache:

- each output file: the key of its inputs (a hash over the records it read,
  every template it loaded or could have loaded, the site's settings and the
  generator itself), the hash of its bytes, and its size and mtime when written,
  so that a file changed or deleted by hand is noticed and written again;
- the parsed and validated records, by content hash (`RecordCache`), so that
  a build does not parse again a file that did not change.

A cache that is not ours, from another schema or another generator, or that
SQLite finds damaged, is thrown away and rebuilt: the state only ever saves
work, it never decides what a page shows.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__, walk

SCHEMA = 1
APPLICATION_ID = 0x44534331  # "DSC1": marks the file as ours, so a foreign SQLite file is not trusted
CACHE_FOLDER = ".disclose-cache"
STATE_FILE = "state.sqlite"

TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE outputs (
    root TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL, digest TEXT NOT NULL,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, origin TEXT NOT NULL,
    PRIMARY KEY (root, path));
CREATE TABLE records (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, digest TEXT NOT NULL,
    kind TEXT NOT NULL, payload BLOB NOT NULL);
CREATE TABLE templates (digest TEXT PRIMARY KEY, refs TEXT NOT NULL);
"""


class Entry(NamedTuple):
    """One output file as the last build left it (a named tuple: a build reads 45,000–63,000 of them back)."""

    key: str  # hash of everything it was made from
    digest: str  # hash of its bytes
    size: int
    mtime_ns: int
    origin: str = "page"  # page, asset, search, archive …


class CacheDamaged(Exception):
    """Something read back from the state is not what was written (generator/shelf.py): drop it, build again."""


def fingerprint() -> str:
    """Return a hash of the generator's version and code: another generator's state is not ours."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


def digest_bytes(data: bytes) -> str:
    """Return the hash that identifies a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


CHECKED_SUFFIX = ".checked"  # beside the state file: how the last build left it (see `BuildState.distrust`)


def identity(path: Path) -> tuple[int, ...] | None:
    """Return what tells a file apart from its own later versions: inode, size, mtime, ctime (None when missing).

    The ctime too, as no one can set it back: a file damaged and given its old mtime again is told apart.
    """
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def settled(path: Path) -> tuple[int, ...] | None:
    """Return a state file's identity when no write-ahead log is beside it (none open, none cut short), else None."""
    return None if identity(Path(f"{path}-wal")) is not None else identity(path)


def as_left(path: Path) -> bool:
    """Tell whether a state file is as a build closed it last, in this process or another (`BuildState.close`).

    That build checked or made it, and SQLite kept it whole while writing. A build that stopped
    before closing leaves a write-ahead log or an older record behind: then the store is checked.
    """
    now = settled(path)
    try:
        return now is not None and Path(f"{path}{CHECKED_SUFFIX}").read_text(encoding="ascii") == repr(now)
    except (OSError, UnicodeDecodeError):
        return False


def default_cache(content: Path) -> Path:
    """Return the cache folder used when none is given: beside the content folder."""
    return Path(os.path.realpath(content)).parent / CACHE_FOLDER


class BuildState:
    """The SQLite store of one cache folder; `reset` says why an existing one was thrown away."""

    def __init__(self, folder: Path, generator: str) -> None:
        self.folder = folder
        self.generator = generator
        self.reset: str | None = None
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / STATE_FILE
        try:
            self.db = self.open()
        except sqlite3.DatabaseError as exc:
            self.reset = f"缓存文件损坏（{exc}）"
            self.db = self.recreate()

    def open(self) -> sqlite3.Connection:
        """Open the store; recreate it when it is foreign, from another version, or damaged."""
        if not self.path.exists():
            return self.recreate()
        left = as_left(self.path)  # before connecting, which starts a write-ahead log beside it
        db = sqlite3.connect(self.path, isolation_level=None)
        reason = self.distrust(db, left)
        if reason is None:
            return durable_enough(db)
        db.close()
        self.reset = reason
        return self.recreate()

    def distrust(self, db: sqlite3.Connection, left: bool = False) -> str | None:
        """Return why an existing store cannot be trusted, or None."""
        if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            return "缓存文件不是 disclose 的"
        # A store left by a build as it stands now is not checked again: the check reads the whole
        # file (70 ms of every build at 10k projects, a preview opens it twice per save).
        if not left and db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            return "缓存文件损坏"
        # By name: the other rows of meta hold what builds keep (`keep`), megabytes at 10k projects.
        meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('schema', 'generator')"))
        if meta.get("schema") != str(SCHEMA) or meta.get("generator") != self.generator:
            return "缓存来自另一版本的 disclose"
        return None

    def recreate(self) -> sqlite3.Connection:
        """Start an empty store."""
        for stale in self.folder.glob(STATE_FILE + "*"):  # the file and any journal beside it
            stale.unlink()
        db = durable_enough(sqlite3.connect(self.path, isolation_level=None))
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.executescript(TABLES)
        db.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", str(SCHEMA)), ("generator", self.generator)])
        return db

    def outputs(self, root: Path) -> dict[str, Entry]:
        """Return the files the last build of `root` wrote."""
        rows = self.db.execute("SELECT path, key, digest, size, mtime_ns, origin FROM outputs WHERE root = ?", (str(root),))
        make = Entry._make  # 0.09 s for 45,000 rows; a frozen dataclass's constructor took 0.34 s
        return {row[0]: make(row[1:]) for row in rows}

    def output_stats(self, root: Path) -> list[tuple[str, int, int]]:
        """Return (path, size, mtime_ns) of each file the last build of `root` wrote: all a no-op build checks."""
        return self.db.execute("SELECT path, size, mtime_ns FROM outputs WHERE root = ?", (str(root),)).fetchall()

    def save_outputs(self, root: Path, entries: dict[str, Entry], previous: dict[str, Entry] | None = None,
                     touched: Iterable[str] | None = None) -> None:
        """Replace what is recorded for `root`, and forget output folders that no longer exist.

        `previous` is what `outputs(root)` returned at the start of this build: then only the
        differences are written (an edit changes a few dozen of 63,000 rows at 10,000 projects).
        `touched` names the entries that may differ from `previous` (the others are its own objects).
        """
        with self.transaction():
            if previous is None:
                self.db.execute("DELETE FROM outputs WHERE root = ?", (str(root),))
                previous = {}
            else:
                self.db.executemany("DELETE FROM outputs WHERE root = ? AND path = ?",
                                    [(str(root), path) for path in sorted(previous.keys() - entries.keys())])
            # Most entries are the very objects the last build left (kept as fresh): `is` before `!=`.
            candidates = entries.keys() if touched is None else set(touched)
            changed = sorted(path for path in candidates if (old := previous.get(path)) is not (e := entries[path]) and old != e)
            self.db.executemany(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(str(root), path, e.key, e.digest, e.size, e.mtime_ns, e.origin)
                 for path, e in ((path, entries[path]) for path in changed)])
            for (other,) in self.db.execute("SELECT DISTINCT root FROM outputs").fetchall():
                if not os.path.isdir(other):
                    self.db.execute("DELETE FROM outputs WHERE root = ?", (other,))

    def recall(self, key: str) -> bytes | None:
        """Return a value kept under `key` by `keep`, or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (f"kept:{key}",)).fetchone()
        return row[0] if row is not None and isinstance(row[0], bytes) else None

    def keep(self, key: str, value: bytes) -> None:
        """Keep a value (bytes) under `key` until the next build replaces it."""
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"kept:{key}", value))

    def forget_shelves(self) -> None:
        """Drop the department folders kept whole and what was derived from them (`CacheDamaged`)."""
        with self.transaction() as db:
            db.execute("DELETE FROM records WHERE kind IN (?, ?)", (FOLDER, SHELF))
            db.execute("DELETE FROM meta WHERE key IN ('kept:kept', 'kept:kept delta')")

    def template_references(self) -> dict[str, tuple[str, ...]]:
        """Return the templates each template names, by the digest of its source."""
        return {digest: tuple(filter(None, refs.split("\n"))) for digest, refs in self.db.execute("SELECT * FROM templates")}

    def save_template_references(self, found: dict[str, tuple[str, ...]]) -> None:
        """Remember the templates each template names."""
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO templates VALUES (?, ?)", [(d, "\n".join(r)) for d, r in found.items()])

    def transaction(self) -> sqlite3.Connection:
        """Return the connection as a context manager that commits or rolls back one transaction."""
        self.db.execute("BEGIN")
        return _Transaction(self.db)  # type: ignore[return-value]

    def close(self) -> None:
        """Close the store, remembering how it was left (see `distrust`), for this process and the next."""
        close_readers()  # first: the last connection to close takes the write-ahead log away
        self.db.close()
        left = settled(self.path)
        record = Path(f"{self.path}{CHECKED_SUFFIX}")
        try:
            if left is None:
                record.unlink(missing_ok=True)
            else:
                scratch = record.with_name(f"{record.name}.{os.getpid()}")
                scratch.write_text(repr(left), encoding="ascii")
                os.replace(scratch, record)
        except OSError:  # the next build then checks the store: slower, never wrong
            pass


def durable_enough(db: sqlite3.Connection) -> sqlite3.Connection:
    """Write ahead, syncing at checkpoints only: a commit costs no fsync (three commits were 50 ms of a save).

    A crash of the machine may lose the last commits, never the store's consistency; and a state
    behind its output only makes the next build check and render more (what it records is never
    trusted beyond the files' own sizes and mtimes).
    """
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


class _Transaction:
    """COMMIT on success, ROLLBACK on failure (the connection runs in autocommit mode otherwise)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, kind: object, *_: object) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")


FREEZE_EVERY = 256  # files loaded between two gc.freeze() calls (see RecordCache)
FREEZE_AFTER = 1 << 20  # bytes of a cached value read back after which it is set aside at once
FEW_ROWS = 200  # rows `RecordCache.row_stat` asks for one by one before it reads them all
FLUSH_AFTER = 32 << 20  # bytes of new rows a RecordCache that does not hold what it loads writes at once
RAW = object()  # in RecordCache.memory: a record parsed ahead, still pickled (RecordCache.raw)
FOLDER = "folder"  # the kind of a record-cache row that keeps a whole folder (RecordCache.folder)
SHELF = "shelf"  # the kind (and name prefix) of the row that keeps a folder's tables beside it


def listing_digest(listing: tuple) -> str:
    """Return the hash of a folder's walk.listing (names, types, sizes, mtimes, inodes, working folder)."""
    return digest_bytes(repr(listing).encode("utf-8", "surrogatepass"))


class RecordCache:
    """Parsed records by content hash: a file whose size and mtime are unchanged is not even read.

    The stat fast path (size + mtime_ns) answers for an untouched file; a touched
    file is read and hashed, and a file whose bytes are unchanged still skips
    parsing and validation. What is cached is whatever the loader returns for the
    file (its record and its problems), pickled; anything unreadable is a miss.

    What it hands out is set aside from the cyclic garbage collector as it goes
    (`gc.freeze` every FREEZE_EVERY files; the build gives it back at its end):
    records live for the whole build, hold no cycles, and every full collection
    walked all of them again — at 10,000 projects those collections cost more than
    loading from the cache itself (loading step 12.8 s with them, 5.0 s without).
    """

    def __init__(self, state: BuildState | None, memory: dict[str, tuple] | None = None,
                 untouched: Callable[[str], bool] | None = None, taken: dict[str, tuple] | None = None,
                 hold: bool = True) -> None:
        self.state = state
        # Whether what is loaded is held as loaded (and, with `memory`, for the next builds of this
        # process: `disclose serve`). Without it (a build from the command line) a department folder,
        # once loaded, is on its shelf as the next build finds it (generator/shelf.py), open only while
        # stages use it: a record is not held as parsed, nor (past FLUSH_AFTER bytes) pickled for the
        # state, and only a few departments' records are in memory at once.
        self.hold = hold or state is None
        self.ahead: Iterator[tuple[str, list[tuple]]] | None = None  # prefetch.parse_ahead's feed, folder by folder
        self.awaited: set[str] = set()  # the folders it has
        self.arrived: set[str] = set()  # folders the feed delivered
        self.raw: dict[str, bytes] = {}  # path → a record parsed ahead, pickled, until the loader takes it
        self.blobs: dict[str, bytes] = {}  # shelves not yet in the state, by their row's name
        self.fresh: set[str] = set()  # folders loaded from their files this build
        self.pending_bytes = 0
        self.taken = taken or {}  # folder → walk.listing, as the build's input signature listed it
        # Which folders a file watcher vouches for (`disclose serve`'s pages-first build): a folder it
        # reported nothing in is taken as this process last listed it, without listing it again.
        self.untouched = untouched
        # What earlier builds of this process loaded (`disclose serve`): (size, mtime_ns, digest, kind, value).
        self.memory = memory if memory is not None else {}
        self.digests: dict[str, str] = {}  # absolute path → content hash, for every file looked at
        self.pending: list[tuple[Any, ...]] = []
        self.misses = 0  # files parsed this build (here, or ahead in workers: generator/prefetch.py)
        self.parsed_ahead = 0  # of which ahead
        self.looked = 0
        self.stats: dict[str, list] | None = None  # path → [size, mtime_ns, digest, kind] of every row, for `known`
        self.folder_stats: dict[str, list] | None = None  # the same of the folders' rows ("folder:…")
        self.looked_up = 0  # rows asked for one by one (`row_stat`)
        self.listings: dict[str, tuple | None] = {}  # folder → walk.listing taken this build (by prefetch.py)
        self.folders: set[str] = set()  # folder rows asked for this build
        self.reloaded: dict[str, tuple] = {}  # folder → listing, of the folders loaded from their files this build

    def get(self, path: Path, kind: str) -> tuple[bytes | None, Any]:
        """Return (bytes, None) to parse, or (None, cached value); bytes are None too when nothing is cached."""
        self.looked += 1
        if self.looked % FREEZE_EVERY == 0:
            gc.freeze()
        key = str(path)
        stat = path.stat()
        held = self.memory.get(key)
        if held is not None and held[:2] == (stat.st_size, stat.st_mtime_ns) and held[3] == kind:
            self.digests[key] = held[2]
            if held[4] is not RAW:
                return None, held[4]
            value = self.unpickle_ahead(key)
            if value is not None:
                return None, value
        row = None
        if self.state is not None:
            row = self.state.db.execute("SELECT size, mtime_ns, digest, kind, payload FROM records WHERE path = ?",
                                        (key,)).fetchone()
        if row is not None and row[0] == stat.st_size and row[1] == stat.st_mtime_ns and row[3] == kind:
            value = self.unpickle(row[4])
            if value is not None:
                self.digests[key] = row[2]
                if self.hold:
                    self.memory[key] = (stat.st_size, stat.st_mtime_ns, row[2], kind, value)
                return None, value
        data = path.read_bytes()
        digest = digest_bytes(data)
        self.digests[key] = digest
        if row is not None and row[2] == digest and row[3] == kind:
            value = self.unpickle(row[4])
            if value is not None:
                self.pending.append((key, stat.st_size, stat.st_mtime_ns, digest, kind, row[4]))
                return None, value
        self.misses += 1
        return data, None

    def put(self, path: Path, kind: str, data: bytes, value: Any) -> None:
        """Remember what the loader made of a file's bytes."""
        stat = path.stat()
        if stat.st_size != len(data):  # changed while being read: do not cache a mix
            return
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.pending.append((str(path), stat.st_size, stat.st_mtime_ns, self.digests[str(path)], kind, payload))
        self.pending_bytes += len(payload)
        if self.hold:
            self.memory[str(path)] = (stat.st_size, stat.st_mtime_ns, self.digests[str(path)], kind, value)

    def known(self, path: str, size: int, mtime_ns: int, kind: str) -> tuple[bool, str | None]:
        """Tell whether `get` would answer for a file without reading it; else the digest held for it, if any."""
        held = self.memory.get(path)
        if held is not None and held[3] == kind:  # loaded by this process: no need to read every row's stat
            return held[:2] == (size, mtime_ns), held[2]
        row = self.row_stat(path)
        if row is not None and row[3] == kind:
            return (row[0], row[1]) == (size, mtime_ns), row[2]
        return False, None

    def row_stat(self, path: str) -> list | tuple | None:
        """Return a row's [size, mtime_ns, digest, kind]: by a query each for the first few, then every row at once.

        A query per file cost 0.7 s at 10,000 records; reading every row (11,000 at 10,000 projects)
        cost a preview 0.1 s per save, for the 20 files of the one folder that changed. The folders'
        rows are read at once, apart from the files' (500 rows of 21,000; every build asks for all of them).
        """
        folder = path.startswith("folder:")
        if not folder and self.stats is None and self.looked_up < FEW_ROWS:
            self.looked_up += 1
            return self.state.db.execute("SELECT size, mtime_ns, digest, kind FROM records WHERE path = ?",
                                         (path,)).fetchone() if self.state else None
        if folder and self.folder_stats is None:
            rows = self.state.db.execute("SELECT path, size, mtime_ns, digest, kind FROM records WHERE path > ? AND path < ?",
                                         _bounds("folder:")) if self.state else ()
            self.folder_stats = {path: rest for path, *rest in rows}
        if not folder and self.stats is None:
            rows = self.state.db.execute("SELECT path, size, mtime_ns, digest, kind FROM records") if self.state else ()
            self.stats = {path: rest for path, *rest in rows}
        return (self.folder_stats if folder else self.stats).get(path)  # type: ignore[union-attr]

    def adopt(self, row: tuple[str, int, int, str, str, bytes], parsed: bool = True) -> bool:
        """Take a file parsed elsewhere (path, size, mtime_ns, digest, kind, pickled value), as `put` would.

        A `memo` made elsewhere is taken the same way, with `parsed` False.
        """
        path, size, mtime_ns, digest, kind, payload = row
        if self.hold:
            value = self.unpickle(payload)
            if value is None:
                return False
        else:  # unpickled when the loader takes it, once (`get`, `memo`)
            value, self.raw[path] = RAW, payload
        self.pending.append(row)
        self.pending_bytes += len(payload)
        self.memory[path] = (size, mtime_ns, digest, kind, value)
        self.misses += parsed
        self.parsed_ahead += parsed
        if parsed and self.hold and self.parsed_ahead % FREEZE_EVERY == 0:  # as `get` does: records live for the build
            gc.freeze()
        return True

    def feed(self, folders: list[str], parsed: Iterator[list[tuple]]) -> None:
        """Take, as the loader comes to each folder (`arrive`), the rows parsed ahead for it, in this order."""
        self.ahead, self.awaited = zip(folders, parsed, strict=True), set(folders)

    def arrive(self, folder: str) -> None:
        """Take what the feed of records parsed ahead has, up to and including a folder's (if it has one)."""
        if folder not in self.awaited:  # nothing parsed ahead for it: the feed waits for the folders it has
            return
        while folder not in self.arrived and self.take_next():
            pass

    def drain(self) -> None:
        """Take the rest of the feed of records parsed ahead, to its end (its workers then stop)."""
        while self.take_next():
            pass

    def take_next(self) -> bool:
        """Take the next folder's rows from the feed; False when it has ended."""
        if self.ahead is None:
            return False
        try:
            name, rows = next(self.ahead)
        except StopIteration:
            self.ahead = None
            return False
        self.arrived.add(name)
        for row in rows:
            self.adopt(row, parsed=row[4] != "check")
        return True

    def memo(self, path: Path, kind: str, compute: Callable[[], Any]) -> Any:
        """Return what `compute` makes of a file's record (its checks), cached by the file's content hash."""
        key, digest = self.memo_key(path, kind), self.digest(path)
        held = self.memory.get(key)
        if held is not None and held[2] == digest:
            value = held[4] if held[4] is not RAW else self.unpickle_ahead(key)
            if value is not None:
                return value
        row = None
        if self.state is not None:
            row = self.state.db.execute("SELECT digest, payload FROM records WHERE path = ?", (key,)).fetchone()
        if row is not None and row[0] == digest:
            value = self.unpickle(row[1])
            if value is not None:
                if self.hold:
                    self.memory[key] = (0, 0, digest, kind, value)
                return value
        value = compute()
        self.pending.append((key, 0, 0, digest, kind, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
        if self.hold:
            self.memory[key] = (0, 0, digest, kind, value)
        return value

    def unpickle_ahead(self, key: str) -> Any:
        """Return a row parsed ahead and not yet unpickled (RAW), dropped from memory: None if it cannot be read."""
        del self.memory[key]
        return self.unpickle(self.raw.pop(key))

    @staticmethod
    def memo_key(path: Path, kind: str) -> str:
        """Return the row a memo of a file's record is kept in."""
        return f"{path}#{kind}"

    def listed(self, folder: Path) -> tuple | None:
        """Return a folder's walk.listing: the one taken earlier this build, if any (each is used once)."""
        key = str(folder)
        return self.listings.pop(key) if key in self.listings else self.listing(folder)

    def listing(self, folder: Path) -> tuple | None:
        """Take a folder's walk.listing: the one this process last loaded it with, when the watcher vouches for it."""
        if self.untouched is not None and self.untouched(str(folder)):
            held = self.memory.get(f"folder:{folder}")
            if held is not None:
                return held[0]
        taken = self.taken.get(str(folder))
        return taken if taken is not None else walk.listing(folder)

    def held_folder(self, folder: Path, listing: tuple | None) -> bool:
        """Tell whether an earlier build of this process loaded a folder whose entries were as in `listing`."""
        held = self.memory.get(f"folder:{folder}")
        return listing is not None and held is not None and held[0] == listing

    def stored_folder(self, folder: Path, listing: tuple | None) -> bool:
        """Tell whether the state holds a folder as `listing` names it (an earlier process loaded it so)."""
        if listing is None or self.state is None:
            return False
        row = self.row_stat(f"folder:{folder}")
        return row is not None and row[3] == FOLDER and row[2] == listing_digest(listing)

    def folder(self, folder: Path, listing: tuple | None, load: Callable[[], tuple[Any, list]],
               shelf: tuple[Callable[..., Any], Callable[..., Any]] | None = None) -> tuple[Any, list]:
        """Return what `load` made of a folder (value, problems) when its entries are as an earlier build saw them.

        `listing` (walk.listing) names every entry with its size and mtime; None (a folder that
        cannot be listed) never matches. Within one process (`disclose serve`) the value is the very
        object loaded then, so what was derived from it can be kept too (`Kept`). With `shelf`
        (pack, unpack) the folder is also kept in the state for the next process: `pack` turns the
        value into a head that is pickled and a blob kept in a row of its own ("shelf:…"), `unpack`
        turns the head back, with a way to read the blob when it is needed (generator/shelf.py),
        whether to keep the tables once read (`hold`), and the value it was made of, if at hand.
        Every build reads the heads; the blobs were 90 MB of 500 folder rows at 10,000 projects.
        """
        key = f"folder:{folder}"
        self.folders.add(key)
        if self.held_folder(folder, listing):
            held = self.memory[key]
            self.digests.update(held[3])
            return held[1], held[2]
        if shelf is not None and listing is not None and self.state is not None:
            digest = listing_digest(listing)
            row = self.state.db.execute("SELECT digest, kind, payload FROM records WHERE path = ?", (key,)).fetchone()
            stored = self.unpickle(row[2]) if row is not None and row[:2] == (digest, FOLDER) else None
            try:
                packed, problems, digests = stored  # type: ignore[misc]
                value = shelf[1](packed, partial(stored_payload, str(self.state.path), f"{SHELF}:{folder}"), self.hold)
            except (TypeError, ValueError):  # nothing kept, or not what was kept: load the folder
                pass
            else:
                self.digests.update(digests)
                self.memory[key] = (listing, value, problems, digests)
                return value, problems
        self.arrive(str(folder))
        value, problems = load()
        if listing is not None:
            self.reloaded[str(folder)] = listing
            prefix = os.path.join(folder, "")
            digests = {path: self.digests[path] for path in (prefix + entry[0] for entry in listing[1:])
                       if path in self.digests}
            self.memory[key] = (listing, value, problems, digests)
            if shelf is not None and self.state is not None and value is not None:
                head, blob = shelf[0](value)
                packed = pickle.dumps((head, problems, digests), protocol=pickle.HIGHEST_PROTOCOL)
                # The blob's row is found by its name; what it must hold, the head says (not hashed twice).
                self.pending += [(key, 0, 0, listing_digest(listing), FOLDER, packed),
                                 (f"{SHELF}:{folder}", 0, 0, "-", SHELF, blob)]
                self.pending_bytes += len(packed) + len(blob)
                if not self.hold:  # from now on as the next build finds it: on its shelf, open for now
                    self.blobs[f"{SHELF}:{folder}"] = blob
                    value = shelf[1](head, partial(self.blob, f"{SHELF}:{folder}"), False, value)
                    self.memory[key] = (listing, value, problems, digests)
            self.fresh.add(str(folder))
        if not self.hold and self.pending_bytes > FLUSH_AFTER:  # the rows, not every record pickled, wait
            self.flush()
        return value, problems

    def blob(self, name: str) -> bytes | None:
        """Return a shelf's blob: kept here until it is in the state, then read from there."""
        held = self.blobs.get(name)
        if held is not None:
            return held
        return stored_payload(str(self.state.path), name) if self.state is not None else None

    def loaded_now(self, folder: Path) -> bool:
        """Tell whether this build loaded a folder from its files (not as an earlier build kept it)."""
        return str(folder) in self.fresh

    def derived(self, key: str, source: object, make: Callable[[], Any]) -> Any:
        """Return what `make` made of `source`, the very object an earlier build of this process made it of.

        A department folder read again after one of its files changed then holds its other records
        as the same objects as before (what was derived from them by identity still holds).
        """
        held = self.memory.get(key)
        if held is not None and held[0] is source:
            return held[1]
        value = make()
        if self.hold:
            self.memory[key] = (source, value)
        return value

    def digest(self, path: Path | str) -> str:
        """Return a file's content hash (reading it unless the loader already did)."""
        key = str(path)
        if key not in self.digests:
            self.digests[key] = digest_bytes(Path(path).read_bytes())
        return self.digests[key]

    def flush(self) -> None:
        """Write what was parsed this build into the store, and drop the rows of files and folders now gone."""
        if self.state is not None and self.pending:
            with self.state.transaction() as db:
                db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)", self.pending)
                self.prune(db)
        self.pending, self.reloaded, self.blobs, self.pending_bytes = [], {}, {}, 0

    def prune(self, db: sqlite3.Connection) -> None:
        """Delete the rows of what was renamed or removed: they would never be read again, and a folder's is large.

        Only where this build looked: in each folder loaded from its files, the rows of entries its
        listing no longer has (and their memos, `path#kind`); and a folder row not asked for whose
        folder is gone, with every row under it. Runs only when a build wrote rows (something changed).
        """
        gone: list[str] = []
        for folder, listing in self.reloaded.items():
            names = {entry[0] for entry in listing[1:]}
            prefix = os.path.join(folder, "")
            for path in _paths_under(db, prefix):
                child = path[len(prefix):]
                if os.sep not in child and child.partition("#")[0] not in names:
                    gone.append(path)
        # Folder rows by the range of their names ("folder:…", only theirs), which the primary key orders:
        # a scan of every row for its kind was 10 ms of each save in a preview at 10,000 projects.
        for key in _paths_under(db, "folder:"):
            folder = key[len("folder:"):]
            if key not in self.folders and not os.path.isdir(folder):
                gone.extend([key, f"{SHELF}:{folder}", *_paths_under(db, os.path.join(folder, ""))])
        db.executemany("DELETE FROM records WHERE path = ?", ((path,) for path in gone))
        for path in gone:
            self.memory.pop(path, None)

    @staticmethod
    def unpickle(payload: bytes) -> Any:
        """Return a cached value, or None when it cannot be read back (a damaged row is a miss).

        The cycle collector waits, and what was read is set aside (`gc.freeze`, given back when the
        build ends): a cached value is hundreds of thousands of new objects, and collections
        triggered while they were made took 0.12–0.36 s of the 0.47 s it took to read the kept
        store of 10,000 projects (14 MB).
        """
        enabled = gc.isenabled()
        gc.disable()
        try:
            value = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - any failure to read a cached row only means parsing again
            return None
        finally:
            if enabled:
                gc.enable()
        if len(payload) > FREEZE_AFTER:
            gc.freeze()
        return value


_READERS: dict[tuple[int, str], sqlite3.Connection] = {}  # (process, state file) → a connection to read rows


def stored_payload(state: str, path: str) -> bytes | None:
    """Return the payload of a row of a state file, or None: a shelf's blob, read when first needed.

    By a connection of this process's own, as a forked worker may be the one asking (a connection
    must not cross a fork), made on first use and closed when a build closes the store.
    """
    reader = _READERS.get((os.getpid(), state))
    if reader is None:
        reader = _READERS[(os.getpid(), state)] = sqlite3.connect(state, isolation_level=None, check_same_thread=False)
    try:
        row = reader.execute("SELECT payload FROM records WHERE path = ?", (path,)).fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row is not None and isinstance(row[0], bytes) else None


def close_readers() -> None:
    """Close this process's connections of `stored_payload`."""
    for owner in [owner for owner in _READERS if owner[0] == os.getpid()]:
        _READERS.pop(owner).close()


def _paths_under(db: sqlite3.Connection, prefix: str) -> list[str]:
    """Return the paths of the rows that start with `prefix` (a folder's path ending in a separator, or "folder:")."""
    return [path for (path,) in db.execute("SELECT path FROM records WHERE path > ? AND path < ?", _bounds(prefix))]


def _bounds(prefix: str) -> tuple[str, str]:
    """Return the range of the text that starts with `prefix`, as SQLite orders it: to its last character plus one."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def hash_parts(parts: Iterable[str]) -> str:
    """Return one hash over a sequence of strings (each ends with a NUL, so the parts stay apart)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()
