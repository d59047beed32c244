"""Start a real `disclose serve` on 127.0.0.1 for a test, and stop it cleanly."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDRESS = re.compile(r"预览地址：(http://\S+)")


def free_port() -> int:
    """Return a port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_content(target: Path, years: tuple[str, ...] = ("2024",)) -> Path:
    """Copy site.yaml, pages and some editions of the bundled content; return the copy."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "content" / "site.yaml", target / "site.yaml")
    shutil.copytree(ROOT / "content" / "pages", target / "pages")
    for year in years:
        shutil.copytree(ROOT / "content" / year, target / year)
    return target


def tree_digest(folder: Path) -> str:
    """Return one hash over every file's path, bytes and mtime below a folder ("" if it does not exist)."""
    if not folder.exists():
        return ""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder)}\0{path.stat().st_mtime_ns}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Preview:
    """A running `disclose serve` process and everything it printed."""

    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    url: str = ""
    reader: threading.Thread | None = None  # copies the output into `lines` until the pipe closes

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 90) -> re.Match[str]:
        """Wait until the server prints a line matching `pattern`; return the match."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                found = re.search(pattern, line)
                if found:
                    return found
            if self.process.poll() is not None:
                time.sleep(0.2)  # let the reader thread catch the last lines
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"serve never printed {pattern!r}:\n{self.output()}")

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Stop the server as Ctrl+C would; return its exit status."""
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                raise AssertionError(f"serve did not stop on signal {sig}:\n{self.output()}") from None
        if self.reader is not None:  # the exit can come before the reader has the last lines (seen in CI)
            self.reader.join(timeout=20)
        return self.process.returncode


def start_serve(content: Path, *args: str, cwd: Path | None = None, timeout: float = 90) -> Preview:
    """Start `disclose serve` on `content` and wait for its address."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), *args],
        cwd=cwd or content.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True, env=env, stdin=subprocess.DEVNULL,
    )
    preview = Preview(process)

    def read() -> None:
        for line in process.stdout:
            preview.lines.append(line.rstrip("\n"))

    preview.reader = threading.Thread(target=read, daemon=True)
    preview.reader.start()
    preview.url = preview.wait_for(ADDRESS.pattern, timeout).group(1)
    return preview
