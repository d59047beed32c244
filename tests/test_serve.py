"""`disclose serve`: a real preview server on 127.0.0.1, in its own folder, rebuilding on change."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from factory import run_cli
from previewing import copy_content, free_port, start_serve, tree_digest

from generator.serve import PortInUse, allowed_host, page_of, pick_port, site_prefix

RECORD = Path("2024/pengyang-sfj/sifa-xieli-jiceng-fuwu.yaml")
PAGE = "2024/pengyang-sfj/sifa-xieli-jiceng-fuwu/"


def get(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def status(url: str) -> dict:
    return json.loads(get(url.split("/", 3)[0] + "//" + url.split("/")[2] + "/__disclose/status.json")[1])


def wait_until(predicate, timeout: float = 120, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A publisher's project folder: content/ and an already published public/."""
    copy_content(tmp_path / "content")
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "index.html").write_text("已发布的网站", encoding="utf-8")
    return tmp_path


def test_preview_rebuilds_on_change_and_never_touches_public(project: Path):
    before = tree_digest(project / "public")
    preview = start_serve(project / "content", "--port", str(free_port()))
    try:
        assert "司法协理员数量" in get(preview.url + PAGE)[1]
        record = project / "content" / RECORD
        record.write_text(record.read_text(encoding="utf-8").replace("司法协理员数量", "司法协理员人数"), encoding="utf-8")
        wait_until(lambda: "司法协理员人数" in get(preview.url + PAGE)[1], what="the rebuilt page")
        assert tree_digest(project / "public") == before
        assert (project / ".disclose-cache" / "preview" / PAGE / "index.html").is_file()
    finally:
        assert preview.stop() == 0
    assert "预览已结束" in preview.output()
    assert tree_digest(project / "public") == before


def test_errors_are_reported_to_the_browser_and_clear_when_fixed(project: Path):
    preview = start_serve(project / "content", "--port", str(free_port()))
    record = project / "content" / RECORD
    good = record.read_text(encoding="utf-8")
    try:
        assert status(preview.url)["errors"] == []
        record.write_text(good + "broken: [\n", encoding="utf-8")
        wait_until(lambda: status(preview.url)["errors"], what="the syntax error")
        found = status(preview.url)
        (error,) = found["errors"]
        assert error["file"].endswith(str(RECORD)) and error["line"] == good.count("\n") + 2
        assert "YAML 格式错误" in error["message"] and not found["ok"]
        assert PAGE in found["stale"]
        html = get(preview.url + PAGE)[1]
        # the overlay, told the build the page was served at (the one whose errors it lists)
        assert f'<script src="/__disclose/overlay.js" data-build="{found["build"]}" defer></script>' in html
        record.write_text(good, encoding="utf-8")
        wait_until(lambda: status(preview.url)["ok"], what="the fix")
        assert status(preview.url)["errors"] == [] and status(preview.url)["stale"] == []
        # What an open page asks for every second: the build counter alone, the status once it moves.
        code, body = get(preview.url.split("/", 3)[0] + "//" + preview.url.split("/")[2] + "/__disclose/build.json")
        assert code == 200 and json.loads(body) == {"build": status(preview.url)["build"]} and len(body) < 32
    finally:
        preview.stop()


def test_a_burst_of_saves_makes_one_rebuild(project: Path):
    preview = start_serve(project / "content", "--port", str(free_port()))
    try:
        first = status(preview.url)["build"]
        folder = project / "content" / "2024" / "pengyang-sfj"
        records = sorted(folder.glob("*.yaml"))[:5]
        assert len(records) == 5
        for record in records:  # an editor's "save all"
            record.write_text(record.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        wait_until(lambda: status(preview.url)["build"] > first, what="a rebuild")
        time.sleep(1.5)  # any further rebuild for the same burst would have started by now
        assert status(preview.url)["build"] == first + 1
        assert sum("修改了" in line for line in preview.lines) == 1
    finally:
        preview.stop()


def test_port_in_use_moves_to_the_next_free_port(project: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        preview = start_serve(project / "content", "--port", str(port))
        try:
            assert f"端口 {port} 已被占用" in preview.output() and "--port" in preview.output()
            assert f":{port}/" not in preview.url
            assert get(preview.url)[0] == 200
        finally:
            preview.stop()
    assert "内部错误" not in preview.output()


def test_pick_port_gives_up_with_a_message():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUse, match=f"端口 {port}"):
            pick_port("127.0.0.1", port, tries=1)
        assert pick_port("127.0.0.1", free_port()) > 0


@pytest.mark.parametrize("port", ["99999", "0", "八千"])
def test_impossible_ports_are_refused(port: str, tmp_path: Path):
    result = run_cli("serve", "--port", port, cwd=tmp_path)
    assert result.returncode == 2
    assert "端口应为 1 到 65535 之间的整数" in result.stderr


def test_only_local_host_names_are_answered(project: Path):
    preview = start_serve(project / "content", "--port", str(free_port()))
    try:
        assert get(preview.url + PAGE, host="attacker.example")[0] == 403  # DNS rebinding
        assert get(preview.url + PAGE, host=f"localhost:{preview.url.split(':')[2].rstrip('/')}")[0] == 200
        assert get(preview.url + "../../../../etc/passwd")[0] == 404
        assert get(preview.url + "2024%2f..%2f..%2f..%2fetc/passwd")[0] == 404
    finally:
        preview.stop()
    assert allowed_host("127.0.0.1:8000", {"127.0.0.1"}) and allowed_host("[::1]:8000", {"[::1]"})
    assert not allowed_host("127.0.0.1.evil.example:8000", {"127.0.0.1"})


def test_preview_serves_under_the_production_sub_path(project: Path):
    site = project / "content" / "site.yaml"
    text = site.read_text(encoding="utf-8").replace("\nbase_url:", "\nbase_url: https://www.example.gov.cn/ysgk/jxmb/")
    site.write_text(text, encoding="utf-8")
    assert site_prefix(project / "content") == "/ysgk/jxmb/"
    preview = start_serve(project / "content", "--port", str(free_port()))
    try:
        assert preview.url.endswith("/ysgk/jxmb/")
        root = preview.url.removesuffix("ysgk/jxmb/")
        request = urllib.request.Request(root)
        with urllib.request.urlopen(request, timeout=10) as response:  # follows the redirect
            assert response.url == preview.url and response.status == 200
        assert get(preview.url + PAGE)[0] == 200
        assert get(root + PAGE)[0] == 404
    finally:
        preview.stop()


def test_stopping_leaves_no_processes(project: Path):
    preview = start_serve(project / "content", "--port", str(free_port()))
    assert preview.stop(signal.SIGTERM) == 0
    with pytest.raises(ProcessLookupError):
        os.killpg(preview.process.pid, 0)  # nothing is left in its process group


def test_ctrl_c_stops_a_preview_started_with_it_ignored(project: Path, monkeypatch: pytest.MonkeyPatch):
    """Started in the background (`disclose serve &`: Ctrl+C ignored, and children inherit that), it still stops on Ctrl+C."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # what the child inherits across exec
    try:
        preview = start_serve(project / "content", "--port", str(free_port()))
    finally:
        signal.signal(signal.SIGINT, previous)
    assert preview.stop(signal.SIGINT) == 0
    assert "预览已结束" in preview.output()


def test_another_host_is_warned_about(project: Path):
    preview = start_serve(project / "content", "--port", str(free_port()), "--host", "0.0.0.0")
    try:
        assert "警告：预览将在 0.0.0.0 上开放" in preview.output()
    finally:
        preview.stop()


@pytest.mark.parametrize(("parts", "url"), [
    (("2024", "pengyang-sfj", "x.yaml"), "2024/pengyang-sfj/x/"),
    (("2024", "pengyang-sfj", "department.yaml"), "2024/pengyang-sfj/"),
    (("2024", "edition.yaml"), "2024/"),
    (("pages", "about.md"), "about/"),
    (("site.yaml",), "*"),
])
def test_each_broken_file_names_its_page(parts: tuple[str, ...], url: str):
    assert page_of(parts) == url


def test_a_failing_rebuild_is_reported_and_the_preview_keeps_going(project: Path, monkeypatch):
    from generator.serve import Preview

    preview = Preview(project / "content", project / ".disclose-cache", None)

    def broken(**_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(preview.engine, "build", broken)
    first = preview.rebuild()
    assert not first.ok and "内部错误：RuntimeError: boom" in first.errors[0]["message"]
    monkeypatch.undo()
    again = preview.rebuild()  # the lock was released and the next save builds normally
    assert again.ok and again.build == first.build + 1


def test_a_preview_of_an_unchanged_site_holds_every_record_before_the_first_save(project: Path, capsys):
    from generator.serve import Preview

    content, cache = project / "content", project / ".disclose-cache"
    assert Preview(content, cache, None).rebuild().ok  # the session before: the preview is up to date
    preview = Preview(content, cache, None)
    status = preview.rebuild()
    assert status.ok and not preview.engine.memory  # nothing changed: the first build stopped early, reading nothing
    capsys.readouterr()
    preview.warm()
    # What the first save's build would otherwise read from the cache: every department folder (its tables
    # shelved, generator/shelf.py) and the records outside them.
    departments = {path.parent for path in content.glob("*/*/department.yaml")}
    held = {f"folder:{folder}" for folder in departments} | {str(path) for path in content.rglob("*.yaml")
                                                            if path.parent not in departments}
    assert departments and held <= set(preview.engine.memory)
    assert preview.status is status  # the overlay sees no new build
    assert capsys.readouterr().out == ""  # and the terminal no second report
    record = content / RECORD
    record.write_text(record.read_text(encoding="utf-8").replace("司法协理员数量", "司法协理员人数"), encoding="utf-8")
    after = preview.rebuild(pages_only=True)
    assert after.ok and "1 个文件重新读取" in capsys.readouterr().out
    assert "司法协理员人数" in (cache / "preview" / PAGE / "index.html").read_text(encoding="utf-8")
