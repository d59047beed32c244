"""The browser test harness itself can fail: a guard that never fires proves nothing."""

from __future__ import annotations

import os
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browsing import SUBPATH, run_axe


def test_chromium_is_the_debian_package(browser) -> None:
    """Playwright drives /usr/bin/chromium, not a browser of its own."""
    chromium = os.environ.get("DISCLOSE_CHROMIUM", "/usr/bin/chromium")
    out = subprocess.run([chromium, "--version"], capture_output=True, text=True, check=True).stdout
    assert browser.version.split(".")[0] in out, (browser.version, out)


def test_server_serves_only_under_its_prefix(tmp_path: Path, http_server) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<p>a</p>", encoding="utf-8")
    (tmp_path / "404.html").write_text("<p>没有这个页面</p>", encoding="utf-8")
    base = http_server(tmp_path, SUBPATH)
    assert base.startswith("http://127.0.0.1:") and base.endswith(SUBPATH)
    with urllib.request.urlopen(base + "a/") as response:
        assert response.read() == b"<p>a</p>"
    for url in (base.removesuffix(SUBPATH) + "/a/", base + "missing/"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url)
        assert caught.value.code == 404
        assert "没有这个页面" in caught.value.read().decode("utf-8")


def test_guard_catches_outside_requests_missing_files_and_script_errors(
    tmp_path: Path, http_server, page, guard
) -> None:
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><title>t</title>'
        '<img src="https://example.com/x.png" alt=""><img src="missing.png" alt="">'
        "<script>throw new Error('boom')</script>",
        encoding="utf-8",
    )
    page.goto(http_server(tmp_path) + "index.html")
    page.wait_for_load_state("load")
    problems = "\n".join(guard.problems())
    assert "request left the site: https://example.com/x.png" in problems
    assert "missing resource: HTTP 404" in problems and "missing.png" in problems
    assert "script error: " in problems and "boom" in problems
    guard.external.clear(), guard.missing.clear(), guard.errors.clear()  # expected: do not fail the test


def test_axe_finds_a_violation(page) -> None:
    page.set_content('<html lang="zh-CN"><title>t</title><main><img src="data:,"></main></html>')
    violations = run_axe(page)
    assert [v["id"] for v in violations] == ["image-alt"]
