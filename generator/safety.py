"""Decide, before anything is written, that a build cannot destroy what it reads.

A build replaces its output folder. If the content, the templates or the
build cache lay inside that folder, the replacement would delete them: a
publisher who moved `content/` into `site/` and built into `site/` would lose
every record (issue 7). An output inside the content or templates folder would
be read back as content on the next build. So the four locations are compared
once, links resolved, and any overlap is refused with both paths named.

The same place cleans up after builds that were killed (SIGTERM, a power cut):
their staging folders `.public.building-<pid>-<hex>` are removed by the next
build once the process that made them is gone.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from .walk import display, within
from .write import OutputError


def prepare(content: Path, output: Path, templates: Path | Sequence[Path], cache: Path | None = None) -> None:
    """Refuse unsafe locations, then remove what killed builds left beside the output."""
    check_locations(content, output, templates, cache)
    remove_stale(output)


def check_locations(content: Path, output: Path, templates: Path | Sequence[Path], cache: Path | None = None) -> None:
    """Raise OutputError when the output overlaps the content, templates or cache, or cannot be written."""
    out = real(output)
    folders = [templates] if isinstance(templates, Path) else list(templates)
    places = [("内容文件夹", content), *(("模板文件夹", folder) for folder in folders), ("缓存文件夹", cache)]
    for name, place in places:
        if place is None:
            continue
        where = real(place)
        if where == out:
            raise OutputError(f"输出文件夹 {display(output)} 就是{name}，生成时会把它整个替换掉。请换一个输出文件夹")
        if within(where, out):
            raise OutputError(
                f"{name} {display(place)} 在输出文件夹 {display(output)} 里面，生成时会被一起删除。"
                f"请把{name}移到输出文件夹之外，或换一个输出文件夹"
            )
        # The preview builds into a folder of its own cache: an output inside the cache is its design.
        if within(out, where) and place is not cache:
            raise OutputError(
                f"输出文件夹 {display(output)} 在{name} {display(place)} 里面，生成的网页会被当作内容再次读取。"
                f"请换一个在{name}之外的输出文件夹"
            )
    check_writable(output)


def check_writable(output: Path) -> None:
    """Raise OutputError when the output's folder (or the nearest existing parent) cannot be written."""
    folder = Path(real(output)).parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"无法创建输出文件夹 {display(output)}：{display(folder)} 是一个文件，不是文件夹")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(
            f"无法在 {display(folder)} 中写入（没有权限），网站生成在输出文件夹旁边再换入。"
            "请换一个有写入权限的输出文件夹（--output）"
        )


# What `write.sibling` names its folders: .<output>.<purpose>-<pid>-<hex>; older builds had no pid.
STAGING = re.compile(r"^\.(?P<name>.+)\.(?:building|old)-(?:(?P<pid>\d+)-)?[0-9a-f]{8}$")


def remove_stale(output: Path) -> list[Path]:
    """Remove staging folders left beside `output` by builds whose process is gone; return them."""
    out = Path(real(output))
    try:
        names = os.listdir(out.parent)
    except OSError:
        return []
    removed = []
    for name in names:
        match = STAGING.match(name)
        if match is None or match["name"] != out.name or (match["pid"] and alive(int(match["pid"]))):
            continue
        stale = out.parent / name
        if ".old-" in name and not out.exists():
            continue  # set-aside files with no output to go back to may be the only copy: never delete them
        shutil.rmtree(stale, ignore_errors=True)
        removed.append(stale)
    return removed


def alive(pid: int) -> bool:
    """Return whether a process with this id is running (a build that may still use its folder)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: leave its folder alone
        return True
    except OverflowError:
        return False
    return True


def real(path: Path) -> str:
    """Return a path with every link resolved, as a string for comparison."""
    return os.path.realpath(path)
