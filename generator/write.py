"""Write the site atomically: into a folder beside the output, swapped in only on success.

A build that fails for any reason (bad content, a template error, a crash,
Ctrl-C) removes its half-written folder and leaves the previous output exactly
as it was. The new folder is written beside the output, on the same disk, so
that swapping it in is a rename rather than a copy.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Written into every output folder, so that a build only ever replaces a folder it made itself
# (`disclose build --output ~` must not delete a home folder).
MARKER = ".disclose-output"
MARKER_TEXT = "本文件夹由 disclose build 生成，每次生成时整体替换，请勿在此手工修改。\n"


class OutputError(Exception):
    """The output folder cannot be replaced safely."""


@contextmanager
def staged(output: Path) -> Iterator[Path]:
    """Yield an empty folder beside `output`; it replaces `output` on success and is removed on failure."""
    output = Path(os.path.realpath(output))  # a symlinked output: replace the folder it points to
    check_replaceable(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = sibling(output, "building")
    staging.mkdir()
    try:
        yield staging
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        swap(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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


def swap(staging: Path, output: Path) -> None:
    """Put the staged folder in place of the output; if that fails, put the old output back."""
    if not output.exists():
        os.rename(staging, output)
        return
    # A folder cannot be renamed over a non-empty one, so the old output steps aside first. Between
    # the two renames the output is briefly missing; it is never half-written.
    old = sibling(output, "old")
    os.rename(output, old)
    try:
        os.rename(staging, output)
    except BaseException:
        os.rename(old, output)
        raise
    shutil.rmtree(old, ignore_errors=True)


def sibling(output: Path, purpose: str) -> Path:
    """Return an unused hidden path beside the output, such as .public.building-3f9a1c2b."""
    return output.parent / f".{output.name}.{purpose}-{secrets.token_hex(4)}"


def write_file(folder: Path, path: str, data: bytes) -> None:
    """Write one output file, creating its folders."""
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def copy_tree(source: Path, target: Path) -> list[str]:
    """Copy a folder's files (not hidden ones) byte for byte; return their paths, sorted."""
    copied = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or any(part.startswith(".") for part in relative.parts):
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / relative)
        copied.append(relative.as_posix())
    return copied
