"""`disclose serve`: a real preview server on 127.0.0.1 that rebuilds on change."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_previews_and_rebuilds_on_change(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "2024", content / "2024")
    shutil.copy(ROOT / "content" / "site.yaml", content / "site.yaml")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content), "--output", str(tmp_path / "public"),
         "--port", str(port)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/2024/pengyang-sfj/sifa-xieli-jiceng-fuwu/index.html"
        first = fetch(url, time.monotonic() + 60)
        assert "司法协理员数量" in first
        record = content / "2024" / "pengyang-sfj" / "sifa-xieli-jiceng-fuwu.yaml"
        record.write_text(record.read_text(encoding="utf-8").replace("司法协理员数量", "司法协理员人数"), encoding="utf-8")
        deadline = time.monotonic() + 60
        while "司法协理员人数" not in fetch(url, deadline):
            assert time.monotonic() < deadline, "the preview did not rebuild"
            time.sleep(0.3)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=20)[0]
    assert f"http://127.0.0.1:{port}/" in output
