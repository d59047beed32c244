"""The one way into the content folder: every entry is either read or reported, nothing outside is read.

A content folder is written by hand, copied between machines and unpacked from
archives, so it can hold what no loader expects: a link to /etc/passwd, a
dangling link, a link to /dev/zero, a pipe, a folder nobody may read, a 3 GiB
file, `X.YAML` in capitals. `load.py` lists folders and reads files only
through `children` and `read`, which

- never follow a link out of the content folder (a link inside it, to another
  file of the same content, is read like the file it points to);
- read only regular files and list only folders: devices, pipes and sockets are
  reported, never opened (opening a FIFO would block forever);
- look at a file's size before reading a byte of it, and never read more than
  the limit even if the file grows meanwhile;
- report every problem with the entry's own name and what to do, rather than a
  misleading complaint about its name further on.

Hidden entries (a name starting with ".": .git, .DS_Store, editors' swap files)
are not content and are skipped without a word.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .problems import Problem, Report
from .yamlio import MAX_BYTES

FOLDER, FILE = "folder", "file"


def display(path: Path) -> str:
    """Return a path as the publisher should see it: relative to the working folder.

    As `str(path.absolute().relative_to(Path.cwd()))` would, with strings: every record
    is named this way several times a build, and pathlib took 36 µs a call.
    """
    name, cwd = str(path), os.getcwd()
    if name.startswith("//"):  # POSIX lets "//" mean something else: pathlib keeps it, so ask pathlib
        return display_by_pathlib(path)
    absolute = name if os.path.isabs(name) else (cwd if name == "." else os.path.join(cwd, name))
    if absolute == cwd:
        return "."
    top = cwd if cwd.endswith(os.sep) else cwd + os.sep
    # Outside the working folder, the full path is clearer than ../../
    return absolute[len(top):] if absolute.startswith(top) else absolute


def display_by_pathlib(path: Path) -> str:
    """Return what `display` returns, by pathlib."""
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def inside(path: Path, root: Path) -> bool:
    """Return whether `path`, links resolved, lies within the folder `root` (links resolved too)."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or within(real, top)


def within(inner: str, outer: str) -> bool:
    """Return whether the resolved path `inner` lies strictly inside the resolved folder `outer`."""
    return inner.startswith(outer.rstrip(os.sep) + os.sep)


def kind_of(path: Path, root: Path) -> tuple[str | None, str | None]:
    """Return what an entry is (FOLDER, FILE or None) and, for None, why it is not read."""
    try:
        own = path.lstat()
    except FileNotFoundError:
        return None, "不存在"
    except OSError as exc:
        return None, f"无法查看（{explain(exc)}）"
    if stat.S_ISLNK(own.st_mode):
        target = os.readlink(path)
        if not inside(path, root):
            return None, f"是指向内容文件夹以外（{target}）的链接，不会读取：请把文件本身复制到内容文件夹中"
        try:
            own = path.stat()
        except FileNotFoundError:
            return None, f"是链接，但它指向的 {target} 不存在：请删除这个链接，或改为文件本身"
        except OSError as exc:
            return None, f"是链接，但无法打开它指向的 {target}（{explain(exc)}）"
    if stat.S_ISDIR(own.st_mode):
        return FOLDER, None
    if stat.S_ISREG(own.st_mode):
        return FILE, None
    return None, "不是普通文件（是设备、管道或套接字），不会读取：内容文件夹中只能放记录文件和文件夹"


def children(folder: Path, report: Report, own: str = "") -> list[Path]:
    """Return a folder's readable entries in name order, reporting every entry that cannot be read.

    The folder's own record (`own`, such as department.yaml) is left out: its reader reports it.
    """
    root = report.root
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        report.add(Problem("error", display(folder), f"无法打开文件夹（{explain(exc)}），其中的内容都没有读取"))
        return []
    found = []
    for name in names:
        if name.startswith(".") or name == own:
            continue
        child = folder / name
        kind, why = kind_of(child, root)
        if kind is None:
            report.add(Problem("error", display(child), f"“{name}”{why}"))
        else:
            found.append(child)
    return found


def listing(folder: Path) -> tuple | None:
    """Return what identifies a folder's entries as they stand, or None when it cannot be listed.

    Each entry's name, type, size, mtime and inode (a link's target's too), after the working folder
    (problems name files relative to it): equal listings mean nothing in the folder changed.
    """
    entries = []
    try:
        with os.scandir(folder) as found:
            for entry in found:
                own = entry.stat(follow_symlinks=False)
                item: tuple = (entry.name, own.st_mode, own.st_size, own.st_mtime_ns, own.st_ino)
                if stat.S_ISLNK(own.st_mode):
                    try:
                        target = os.stat(entry.path)
                        item += (os.path.realpath(entry.path), target.st_mode, target.st_size, target.st_mtime_ns)
                    except OSError:
                        item += (None,)
                entries.append(item)
    except OSError:
        return None
    return (os.getcwd(), *sorted(entries))


def is_folder(path: Path) -> bool:
    """Return whether an entry returned by `children` is a folder (its link resolved)."""
    return path.is_dir()


class Unreadable(Exception):
    """A content file that cannot be read; the message says why."""


def check(path: Path, root: Path, limit: int = MAX_BYTES) -> None:
    """Raise as `read` would, without reading: a regular file inside `root`, its size (by stat) within `limit`."""
    kind, why = kind_of(path, root)
    if why == "不存在":
        raise FileNotFoundError(path)
    if kind == FOLDER:
        raise Unreadable(f"{path.name} 是文件夹，不是文件")
    if kind is None:
        raise Unreadable(f"“{path.name}”{why}")
    size = path.stat().st_size
    if size > limit:
        raise Unreadable(too_large(size, limit))


def read(path: Path, root: Path, limit: int = MAX_BYTES) -> bytes:
    """Return a content file's bytes: a regular file inside `root`, no larger than `limit`.

    Raises FileNotFoundError for a missing file (the caller knows what was expected there)
    and Unreadable for every other reason.
    """
    check(path, root)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise Unreadable(too_large(size, limit))
            data = handle.read(limit + 1)
    except OSError as exc:
        raise Unreadable(f"无法读取文件（{explain(exc)}）") from None
    if len(data) > limit:  # it grew while being read
        raise Unreadable(too_large(len(data), limit))
    return data


def too_large(size: int, limit: int) -> str:
    """Say that a file is over the size limit, in units a publisher reads."""
    shown = f"{size / 1024 ** 3:.1f} GB" if size >= 1024 ** 3 else f"{size // 1024} KB"
    return f"文件过大（{shown}，上限 {limit // 1024} KB），请检查是否放错了文件"


def explain(exc: OSError) -> str:
    """Say in Chinese what an operating-system error means for the publisher."""
    reasons = {
        errno.EACCES: "没有权限，请检查文件夹的读取权限",
        errno.EPERM: "没有权限",
        errno.ELOOP: "链接形成循环",
        errno.ENAMETOOLONG: "路径过长",
        errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "磁盘是只读的",
        errno.EIO: "读写磁盘出错",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))
