"""Preview the site on 127.0.0.1, rebuilding and reloading the browser on every change."""

from __future__ import annotations

from pathlib import Path

from livereload import Server

from .build import build
from .render import TEMPLATES

HOST = "127.0.0.1"  # loopback only: a preview must never be reachable from the network


def serve(content: Path, output: Path, port: int = 8000) -> int:
    """Build once, then serve `output` and rebuild whenever content or templates change."""
    status = build(content, output, strict=False, progress=False)
    if status != 0:
        print("内容有错误，请改正后保存，预览会自动更新。")

    def rebuild() -> None:
        build(content, output, strict=False, progress=False)

    server = Server()
    server.watch(str(content), rebuild, delay=0.3)
    server.watch(str(TEMPLATES), rebuild, delay=0.3)
    print(f"预览地址：http://{HOST}:{port}/  （按 Ctrl+C 结束）")
    server.serve(root=str(output), host=HOST, port=port, open_url_delay=None, restart_delay=0)
    return 0
