"""Write the site safely: stage what changed beside the output, apply it only when the build succeeded.

A build writes through an `Output`. A file whose bytes are the same as the
output already holds is not written at all (its mtime stays, so an upload
tool sends only what changed). A changed file is written into a staging folder
beside the output, on the same disk. Only when every page, asset and index is
staged are the changes applied: each changed file is renamed into place, its
old version set aside first, and files the new build no longer makes are
removed. If applying fails half-way, the set-aside files are put back.

So a build that fails for any reason (bad content, a template error, a crash,
Ctrl-C) leaves the previous output exactly as it was, and removes its staging
folder.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import secrets
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

from .state import Entry, digest_bytes

# Written into every output folder, so that a build only ever changes a folder it made itself
# (`disclose build --output ~` must not delete files in a home folder).
MARKER = ".disclose-output"
MARKER_TEXT = "本文件夹由 disclose build 生成，每次生成时整体替换，请勿在此手工修改。\n"


class Terminated(BaseException):
    """SIGTERM arrived while a new output was being put in place: that finished, and the command stops."""


# Staging folders of the outputs being made in this process, and whether one is being put in place.
_staging: list[Path] = []
_applying = False
_terminated = False


def terminate(signum: int, frame: object) -> None:
    """Stop at once on SIGTERM, removing what was staged, and leave the output as it was (a signal handler).

    Raising an exception from here instead can land inside a lock of the worker pool's machinery or in
    a fork hook that swallows it: the build then hangs or carries on. Only while the staged files are
    being moved into the output is the stop put off until that is done (the output is never half-replaced).
    """
    global _terminated
    if _applying:
        _terminated = True
        return
    if multiprocessing.parent_process() is None:  # the command itself, not one of its workers
        for pid in children():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for staging in _staging:
            remove_staging(staging)
        print("已终止（收到 SIGTERM），未完成的输出已清除。", file=sys.stderr)
        sys.stderr.flush()
    os._exit(143)


def children() -> set[int]:
    """Return this process's child processes: the worker pools' own, and one a pool is still starting.

    A worker forked a moment before the signal is not yet in `active_children()`; left alive, it would
    wait for work forever and keep the command's output pipes open. On Linux /proc names it too.
    """
    found = {p.pid for p in multiprocessing.active_children() if p.pid is not None}
    me = os.getpid()
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", "rb") as f:
                        fields = f.read().rsplit(b")", 1)[1].split()
                except OSError:
                    continue
                if len(fields) > 1 and int(fields[1]) == me:
                    found.add(int(entry))
    return found


def intact(file: str, size: int, mtime_ns: int) -> bool:
    """Tell whether a file still has the size and mtime recorded for it."""
    try:
        stat = os.stat(file)
    except OSError:
        return False
    return stat.st_size == size and stat.st_mtime_ns == mtime_ns


def survey(root: Path, files: Iterable[tuple[str, int, int]]) -> frozenset[str]:
    """Return which of the files (path under `root`, size, mtime) are no longer so: changed by hand, or removed.

    In one loop: a build asks about every file of the last one (45,000 at 10,000 projects) from each of
    its steps, and asked one at a time through the steps' calls each cost twice its stat.
    """
    prefix = os.path.join(root, "")
    return frozenset(path for path, size, mtime_ns in files if not intact(prefix + path, size, mtime_ns))


class OutputError(Exception):
    """The output folder cannot be replaced safely."""


@dataclass(frozen=True)
class Pieces:
    """A file given as pieces laid end to end, and a digest that names them (not a hash of the joined bytes).

    An edition's downloads are laid from 500 departments' cached parts (260 MiB at 10,000 projects):
    joining them to hash the result and write it cost a one-edit build ~1 s. The digest is made of the
    parts' own digests instead, so it changes exactly when a piece does, and the pieces are written as
    they are. It is compared only with the digest the same file had last time, made the same way.
    """

    chunks: tuple[bytes | memoryview, ...]
    digest: str

    @property
    def size(self) -> int:
        return sum(map(len, self.chunks))

    def joined(self) -> bytes:
        return b"".join(self.chunks)


IOV_MAX = 1024  # pieces per writev call (Linux's limit)


def stage(target: Path, data: bytes | Pieces) -> None:
    """Write a file's bytes or pieces (the pieces a thousand to a system call, as `writev` takes them)."""
    with open(target, "wb") as f:
        if not isinstance(data, Pieces):
            f.write(data)
            return
        pending = [memoryview(chunk) for chunk in data.chunks if len(chunk)]
        while pending:
            batch = pending[:IOV_MAX]
            written = os.writev(f.fileno(), batch)
            done = 0
            while done < len(batch) and written >= len(batch[done]):
                written -= len(batch[done])
                done += 1
            pending = pending[done:]
            if written:  # a short write ends inside a piece: the rest of it goes next
                pending[0] = pending[0][written:]


class Background:
    """Stage files of pieces in a thread while the build goes on, and tell when all are written.

    An edition's downloads are 260 MB at 10,000 projects, written again after every edit (0.13 s);
    `writev` leaves the interpreter while the kernel copies, so the search index is made meanwhile
    on the other core. An error is raised where the build waits for them (`Output`'s end).
    """

    def __init__(self) -> None:
        self.pool: ThreadPoolExecutor | None = None
        self.pending: list[Future] = []

    def stage(self, target: Path, data: bytes | Pieces) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)  # here: a missing folder is an error of this call
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="disclose-stage")
        self.pending.append(self.pool.submit(stage, target, data))

    def wait(self) -> None:
        """Wait for every file staged; raise the first error."""
        pending, self.pending = self.pending, []
        try:
            for future in pending:
                future.result()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)
                self.pool = None


@dataclass
class Writer:
    """Stage one file at a time: the part of an `Output` that worker processes carry (it pickles)."""

    root: Path  # the output folder
    staging: Path  # where changed files wait until the build succeeds
    previous: dict[str, Entry]  # what the last build wrote, when the state is trusted
    trusted: bool  # False: compare with the bytes on disk instead of the recorded hashes
    # False: take the output's files as the last build recorded them, without a stat each. Only for a
    # preview's pages-first build (its own folder, and the full build that follows checks them all):
    # 12,000 stat calls were 0.1 s of each save at 10,000 projects.
    checked: bool = True
    unsound: frozenset[str] | None = None  # the files of `previous` not as recorded, once surveyed (`intact`)

    def narrowed(self, paths: Iterable[str]) -> Writer:
        """Return a copy that knows only these files of the last build: what a task needs, small to send."""
        previous = {path: self.previous[path] for path in paths if path in self.previous}
        unsound = None if self.unsound is None else self.unsound.intersection(previous)
        return replace(self, previous=previous, unsound=unsound)

    def intact(self, path: str, entry: Entry) -> bool:
        """Tell whether an output file is still as the last build left it (same size and mtime)."""
        if not self.checked:
            return True
        if self.previous.get(path) is not entry:  # not one of the last build's entries: look at this one
            return intact(os.path.join(self.root, path), entry.size, entry.mtime_ns)
        if self.unsound is None:  # the first file asked about: look at them all at once
            self.unsound = survey(self.root, ((p, e.size, e.mtime_ns) for p, e in self.previous.items()))
        return path not in self.unsound

    def fresh(self, path: str, key: str) -> Entry | None:
        """Return the recorded entry when the file was made from the same inputs and is untouched."""
        entry = self.previous.get(path) if self.trusted else None
        return entry if entry is not None and entry.key == key and self.intact(path, entry) else None

    def write(self, path: str, data: bytes | Pieces, key: str = "", origin: str = "page",
              staged: Callable[[Path, bytes | Pieces], None] = stage) -> tuple[Entry, bool]:
        """Stage a file (by `staged`) unless the output already holds these bytes; return its entry and whether it changed."""
        digest, size = (data.digest, data.size) if isinstance(data, Pieces) else (digest_bytes(data), len(data))
        if self.trusted:
            entry = self.previous.get(path)
            if entry is not None and entry.digest == digest and self.intact(path, entry):
                return Entry(key, digest, entry.size, entry.mtime_ns, origin), False
        else:
            try:
                if (self.root / path).read_bytes() == (data.joined() if isinstance(data, Pieces) else data):
                    stat = os.stat(self.root / path)
                    return Entry(key, digest, stat.st_size, stat.st_mtime_ns, origin), False
            except OSError:
                pass
        target = self.staging / path
        try:  # most files go into a folder made for an earlier one: no mkdir (two system calls) for each
            staged(target, data)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            staged(target, data)
        return Entry(key, digest, size, 0, origin), True  # the mtime is known once it is in place


@dataclass
class Output:
    """The output folder of one build; use it as a context manager that applies on success."""

    writer: Writer
    entries: dict[str, Entry] = field(default_factory=dict)  # every file of the new output
    changed: list[str] = field(default_factory=list)  # files staged to replace or add
    removed: list[str] = field(default_factory=list)  # files of the last build no longer made
    added: list[str] = field(default_factory=list)  # files given an entry of their own (not the last build's)
    background: Background = field(default_factory=Background)  # files of pieces being staged

    @classmethod
    def open(cls, output: Path, previous: dict[str, Entry], trusted: bool, checked: bool = True) -> Output:
        """Prepare to write into `output` (created with its parents if missing); `checked`: see `Writer`."""
        root = Path(os.path.realpath(output))  # a symlinked output: write into the folder it points to
        check_replaceable(root)
        root.parent.mkdir(parents=True, exist_ok=True)
        # The staging folder is made on entering the `with` block, so that a signal arriving between
        # here and there cannot leave it behind.
        return cls(Writer(root, sibling(root, "building"), previous, trusted and root.is_dir(), checked))

    @property
    def root(self) -> Path:
        return self.writer.root

    def fresh(self, path: str, key: str) -> bool:
        """Keep a file that was made from the same inputs as now; tell whether it was kept."""
        entry = self.writer.fresh(path, key)
        if entry is not None:
            self.entries[path] = entry
        return entry is not None

    def write(self, path: str, data: bytes | Pieces, key: str = "", origin: str = "page") -> bool:
        """Write one file (if its bytes changed); return whether it changed."""
        entry, changed = self.writer.write(path, data, key, origin,
                                           self.background.stage if isinstance(data, Pieces) else stage)
        self.add(path, entry, changed)
        return changed

    def add(self, path: str, entry: Entry, changed: bool) -> None:
        """Record a file a worker staged through a copy of `writer`."""
        if path in self.entries:
            raise OutputError(f"两个步骤写了同一个文件 {path}")
        self.entries[path] = entry
        self.added.append(path)
        if changed:
            self.changed.append(path)

    def __enter__(self) -> Output:
        _staging.append(self.writer.staging)  # first: a SIGTERM right after the mkdir must find it
        try:
            self.writer.staging.mkdir()
        except BaseException:
            _staging.remove(self.writer.staging)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            try:
                self.background.wait()
            except BaseException:
                if kind is None:  # else the build already failed, for the reason it is leaving with
                    raise
            if kind is None:
                global _applying
                _applying = True
                try:
                    self.apply()
                finally:
                    _applying = False
                if _terminated:
                    raise Terminated
        finally:
            remove_staging(self.writer.staging)
            _staging.remove(self.writer.staging)

    def apply(self) -> None:
        """Put every staged file in place and remove the files no longer made, all or nothing."""
        root, staging = self.root, self.writer.staging
        known = self.writer.previous if self.writer.trusted else dict.fromkeys(existing_files(root))
        self.removed = sorted(known.keys() - self.entries.keys())
        if not root.exists():
            (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            os.rename(staging, root)
            staging.mkdir()  # so that the caller's clean-up finds what it expects
        elif self.changed or self.removed:
            replace_files(root, staging, sorted(self.changed), self.removed)
        for path in self.changed:
            stat = os.stat(root / path)
            self.entries[path] = Entry(self.entries[path].key, self.entries[path].digest, stat.st_size,
                                       stat.st_mtime_ns, self.entries[path].origin)


def remove_staging(staging: Path) -> None:
    """Remove the staging folder, again if a worker that was still finishing wrote into it meanwhile."""
    for attempt in range(5):
        shutil.rmtree(staging, ignore_errors=True)
        if not os.path.lexists(staging):
            return
        time.sleep(0.05 * (attempt + 1))


def replace_files(root: Path, staging: Path, changed: list[str], removed: list[str]) -> None:
    """Move staged files into `root` and remove others; if anything fails, put every old file back."""
    backup = sibling(root, "old")
    done: list[tuple[str, bool, bool]] = []  # (path, an old version was set aside, a new one was put in)
    try:
        for path, new in [*((p, True) for p in changed), *((p, False) for p in removed)]:
            had_old = os.path.lexists(root / path)
            if had_old:
                (backup / path).parent.mkdir(parents=True, exist_ok=True)
                os.rename(root / path, backup / path)
            done.append((path, had_old, False))
            if new:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                os.rename(staging / path, root / path)
                done[-1] = (path, had_old, True)
        (root / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    except BaseException:
        for path, had_old, put_in in reversed(done):
            if put_in:
                os.unlink(root / path)
            if had_old:
                os.rename(backup / path, root / path)
        shutil.rmtree(backup, ignore_errors=True)
        remove_empty_folders(root, changed)  # folders made for new files
        raise
    shutil.rmtree(backup, ignore_errors=True)
    remove_empty_folders(root, removed)


def remove_empty_folders(root: Path, removed: list[str]) -> None:
    """Remove the folders that removing files left empty (a deleted department's folder)."""
    folders = {parent for path in removed for parent in Path(path).parents if parent != Path(".")}
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty, or already gone
            (root / folder).rmdir()


def existing_files(root: Path) -> list[str]:
    """Return every file in an output folder except the marker, as output paths."""
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != MARKER)


def check_replaceable(output: Path) -> None:
    """Refuse an output that is a file, or a non-empty folder that no build of ours wrote."""
    if not output.exists():
        return
    if not output.is_dir():
        raise OutputError(f"输出位置 {output} 是一个文件，不是文件夹")
    if any(output.iterdir()) and not (output / MARKER).is_file():
        raise OutputError(
            f"输出文件夹 {output} 不是 disclose 生成的（其中没有 {MARKER} 标记文件），为安全起见不会替换它。"
            "请换一个输出文件夹，或先把它清空。"
        )


def sibling(output: Path, purpose: str) -> Path:
    """Return an unused hidden path beside the output, such as .public.building-4711-3f9a1c2b.

    The process id lets a later build tell a folder left by a killed build from one in use (safety.py).
    """
    return output.parent / f".{output.name}.{purpose}-{os.getpid()}-{secrets.token_hex(4)}"
