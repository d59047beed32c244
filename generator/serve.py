"""`disclose serve`: preview the site on 127.0.0.1 while the publisher edits it.

The preview is a separate build (into the cache, never `public/`) that is
rebuilt whenever content or templates change, and every page it serves carries
a small overlay script: while any record has an error, each page lists the
problems (the same text as `disclose check`) and says that it shows the last
good version; warnings sit in a panel that can be folded.

livereload (the project's chosen package) serves the pages and tells open
browsers to reload. Two of its habits are worked around here:
- its own watcher polls every 800 ms and runs the build callback inside the
  server's event loop, so nothing is served while a build runs; instead
  watchfiles (inotify, with debouncing) feeds a rebuild thread, which asks
  livereload to reload only when the build is done;
- it ignores a change that comes within 3 s of the previous reload, so a quick
  second save would never show; the rebuild thread calls its reload directly.

After a save the rebuild thread builds the pages first and reloads the browser
then; the downloads and the search index follow in a full build once no save
came for QUIET seconds, and the next save cancels it (the watch thread queues
saves while a build runs).
"""

from __future__ import annotations

import json
import mimetypes
import posixpath
import queue
import signal
import socket
import threading
import time
import urllib.parse
import webbrowser
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler
from livereload.watcher import Watcher
from tornado.ioloop import IOLoop

from . import urls, yamlio
from .build import BuildReport, Engine
from .folders import template_folders
from .problems import Problem

HOST = "127.0.0.1"  # loopback only, unless --host says otherwise (with a warning)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
OVERLAY = Path(__file__).with_name("overlay.js")
PREVIEW_PATH = "/__disclose/"  # the preview's own files; no content slug can start with "_"
PORT_TRIES = 20
QUIET = 2.0  # seconds without a save after the pages, before the downloads and search index are made


@dataclass
class Status:
    """What the last rebuild found: shown by the overlay on every page."""

    prefix: str = "/"  # the site's sub-path, as in production
    build: int = 0
    ok: bool = True
    finished: str = ""
    seconds: float = 0.0
    errors: list[dict[str, object]] = field(default_factory=list)
    warnings: list[dict[str, object]] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # pages that could not be rebuilt, as URLs under the site

    def as_json(self) -> bytes:
        return json.dumps(self.__dict__, ensure_ascii=False, sort_keys=True).encode("utf-8")


class Preview:
    """The preview build: rebuilt on demand, its last outcome kept for the overlay."""

    def __init__(self, content: Path, cache: Path, templates: Path | None, prefix: str = "/") -> None:
        self.content = content
        self.folder = cache / "preview"
        # One engine for the whole session: each save re-reads only the files that changed and
        # re-renders only the pages they reach (the build state lives in the cache, beside the preview).
        self.engine = Engine(content, self.folder, templates=templates, cache=cache, drafts=True,  # drafts: what a preview is for
                             resident=True)
        self.status = Status(prefix=prefix)
        # Serialized once per build: every open page polls it, and with 3,400 warnings it is 1.4 MB of JSON.
        self.status_json = self.status.as_json()
        self.lock = threading.Lock()

    def rebuild(self, pages_only: bool = False, changed: set[str] | None = None) -> Status:
        """Build the preview folder (the pages only, when asked, after the files `changed`) and record what went wrong."""
        with self.lock:
            started = time.perf_counter()
            return self.record(self.build(pages_only=pages_only, changed=changed), started)

    def warm(self) -> None:
        """Load every record into the session's engine, quietly, when the first build found nothing to do.

        That build stops early and reads no record (a no-op), so the first save's build would read all
        10,000 from the cache (7 s at 10,000 projects instead of under one). The status is left as it is:
        the warm-up builds what the first build checked.
        """
        with self.lock:
            if not self.engine.memory:  # else the first build loaded them
                self.build(warm=True)

    def finish(self, cancel: Callable[[], bool]) -> float | None:
        """Complete a pages-first rebuild: the downloads and the search index; return its seconds, None if cancelled."""
        with self.lock:
            started = time.perf_counter()
            report = self.build(cancel=cancel)
            if report.cache == "cancelled":
                return None
            if report.status != 0:  # the pages were built from the same content: this is the output's problem
                self.record(report, started)
            return time.perf_counter() - started

    def build(self, **options: object) -> BuildReport:
        """Run the engine; a bug, not bad content, is reported on every page and the preview keeps watching."""
        try:
            return self.engine.build(progress=False, **options)  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001
            report = BuildReport(problems=[Problem("error", "", f"内部错误：{type(exc).__name__}: {exc}（请报告给维护者）")])
            print(report.problems[0].message, flush=True)
            return report

    def record(self, report: BuildReport, started: float) -> Status:
        """Keep what a build found as the status the overlay shows."""
        code = report.status
        errors = [p for p in report.problems if p.level == "error"]
        warnings = report.warnings
        self.status = Status(
            prefix=self.status.prefix,
            build=self.status.build + 1,
            ok=code == 0,
            finished=time.strftime("%H:%M:%S"),
            seconds=round(time.perf_counter() - started, 3),
            errors=[problem_json(p) for p in errors],
            warnings=[problem_json(p) for p in warnings],
            stale=[] if code == 0 else stale_pages(self.content, errors),
        )
        if code != 0 and not errors:  # refused for another reason (a template, the output): say so
            self.status.errors.append({"file": "", "line": None, "field": "",
                                       "message": "网站未能生成，详见运行 disclose serve 的终端窗口", "text": ""})
        self.status_json = self.status.as_json()
        return self.status

    def engine_folders(self) -> list[Path]:
        """Return what to watch: the content and every template folder the engine reads (the site's own first)."""
        return [self.content, *(folder for folder in template_folders(self.content, self.engine.templates) if folder.is_dir())]


def problem_json(problem: Problem) -> dict[str, object]:
    """Return a problem as the overlay shows it: its parts and the line `disclose check` prints."""
    return {"file": problem.file, "line": problem.line, "field": problem.field, "message": problem.message,
            "text": str(problem)}


def stale_pages(content: Path, errors: Iterable[Problem]) -> list[str]:
    """Return the pages a broken file would have changed: its own page, or every page for site-wide files."""
    pages: set[str] = set()
    root = content.absolute()
    for problem in errors:
        try:
            parts = Path(problem.file).absolute().relative_to(root).parts
        except ValueError:
            parts = ()
        pages.add(page_of(parts))
    return sorted(pages)


def page_of(parts: tuple[str, ...]) -> str:
    """Return the URL of the page made from a content file, "*" when it reaches every page."""
    name = Path(parts[-1]).stem if parts else ""
    if len(parts) == 2 and parts[0] == "pages":
        return urls.directory_url(urls.page(name))
    if len(parts) == 2 and parts[0].isdigit():
        return urls.directory_url(urls.edition(int(parts[0])))
    if len(parts) == 3 and parts[0].isdigit():
        if name == "department":
            return urls.directory_url(urls.department(int(parts[0]), parts[1]))
        return urls.directory_url(urls.project(int(parts[0]), parts[1], name))
    return "*"


class PreviewApp:
    """The WSGI application: the preview folder under the site's sub-path, plus the overlay."""

    def __init__(self, preview: Preview, prefix: str, hosts: set[str]) -> None:
        self.preview = preview
        self.prefix = prefix
        self.hosts = hosts

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        host = environ.get("HTTP_HOST", "")
        if not allowed_host(host, self.hosts):
            # DNS rebinding: a web page must not read unpublished drafts through a name that points here.
            return respond(start_response, "403 Forbidden", "text/plain; charset=utf-8",
                           f"预览只接受本机地址访问，不接受主机名 {host!r}".encode())
        path = urllib.parse.unquote(environ.get("PATH_INFO", "/"))
        if path == PREVIEW_PATH + "status.json":
            return respond(start_response, "200 OK", "application/json; charset=utf-8", self.preview.status_json)
        if path == PREVIEW_PATH + "build.json":  # what an open page asks every second: the status only when it moved
            return respond(start_response, "200 OK", "application/json; charset=utf-8",
                           b'{"build": %d}' % self.preview.status.build)
        if path == PREVIEW_PATH + "overlay.js":
            return respond(start_response, "200 OK", "application/javascript; charset=utf-8", OVERLAY.read_bytes())
        if not path.startswith(self.prefix):
            if path in ("/", "/index.html"):
                return respond(start_response, "302 Found", "text/plain; charset=utf-8", b"", [("Location", self.prefix)])
            return self.not_found(start_response)
        file = self.file_for(path[len(self.prefix):])
        if file is None:
            if not path.endswith("/") and self.file_for(path[len(self.prefix):] + "/") is not None:
                return respond(start_response, "301 Moved Permanently", "text/plain; charset=utf-8", b"",
                               [("Location", urllib.parse.quote(path + "/"))])
            return self.not_found(start_response)
        build = self.preview.status.build  # before the file is read: a rebuild meanwhile makes the page reload
        return respond(start_response, "200 OK", content_type(file), with_overlay(file, build))

    def file_for(self, relative: str) -> Path | None:
        """Return the preview file a URL path names, never anything outside the preview folder."""
        clean = posixpath.normpath("/" + relative).lstrip("/")
        if clean.startswith(".."):
            return None
        file = self.preview.folder / clean if clean not in ("", ".") else self.preview.folder
        if relative.endswith("/") or file.is_dir():
            file = file / "index.html"
            if not relative.endswith("/") and relative:
                return None  # a folder without its slash: the caller redirects, so relative links work
        try:
            file.resolve().relative_to(self.preview.folder.resolve())
        except (OSError, ValueError):
            return None
        return file if file.is_file() else None

    def not_found(self, start_response: Callable) -> list[bytes]:
        page = self.preview.folder / urls.not_found()
        build = self.preview.status.build
        body = with_overlay(page, build) if page.is_file() else "找不到这个页面".encode()
        return respond(start_response, "404 Not Found", "text/html; charset=utf-8", body)


def allowed_host(header: str, hosts: set[str]) -> bool:
    """Accept a Host header only if it names this machine's loopback or the host the preview was started on."""
    name = header.rsplit(":", 1)[0] if not header.endswith("]") else header
    return name.lower() in hosts


def with_overlay(file: Path, build: int) -> bytes:
    """Return a file's bytes, with the overlay script added to HTML pages, naming the build they were served at.

    The overlay reloads the page when the status names another build. Told the build, it also reloads a
    page served just before a rebuild whose reload message came before the page was listening.
    """
    data = file.read_bytes()
    if file.suffix == ".html" and b"</body>" in data:
        script = f'<script src="{PREVIEW_PATH}overlay.js" data-build="{int(build)}" defer></script>'.encode()
        data = data.replace(b"</body>", script + b"</body>", 1)
    return data


def content_type(file: Path) -> str:
    """Return the Content-Type of a preview file."""
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json", "application/xml"):
        kind += "; charset=utf-8"
    return kind


def respond(start_response: Callable, status: str, kind: str, body: bytes,
            headers: list[tuple[str, str]] | None = None) -> list[bytes]:
    """Send one response; nothing is cached, since every save may change it."""
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store"), *(headers or [])])
    return [body]


class NoWatcher(Watcher):
    """livereload's watcher, told to watch nothing: watchfiles does the watching (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._tasks = {"": None}  # non-empty, or livereload starts watching the working folder

    def start(self, callback: Callable) -> bool:
        return True  # "started": livereload then sets up no 800 ms polling of its own

    def examine(self) -> tuple[None, None]:
        return None, None


class PortInUse(Exception):
    """No free port was found."""


def pick_port(host: str, wanted: int, tries: int = PORT_TRIES) -> int:
    """Return `wanted` if it is free on `host`, else the next free port after it."""
    for port in range(wanted, min(wanted + tries, 65536)):
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise PortInUse(f"端口 {wanted} 到 {wanted + tries - 1} 都已被占用")


def watch_changes(paths: list[Path], stop: threading.Event, watching: threading.Event) -> Iterator[set[str]]:
    """Yield each burst of changes under `paths` as one set: an editor saving five files makes one rebuild.

    `watching` is set once the watches are in place, so that no save made after the preview's address
    is printed can be missed.
    """
    from watchfiles import watch

    def wanted(change: object, name: str) -> bool:
        base = Path(name).name
        return not base.startswith((".", "~")) and not base.endswith("~")  # editors' swap and backup files

    for changes in watch(*paths, stop_event=stop, debounce=200, step=25, raise_interrupt=False,
                         watch_filter=wanted, yield_on_timeout=True, rust_timeout=250):
        watching.set()
        if changes:
            yield {name for _, name in changes}


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Wait up to `seconds` for `condition`; tell whether it came true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def site_prefix(content: Path) -> str:
    """Return the sub-path of the site's base_url ("/ysgk/jxmb/"), so the preview serves where production does."""
    try:
        data = yamlio.parse(yamlio.decode((content / "site.yaml").read_bytes()))
    except (OSError, yamlio.YamlError):
        return "/"  # the build reports what is wrong with site.yaml
    base = data.get("base_url") if isinstance(data, dict) else None
    path = urllib.parse.urlsplit(base).path if isinstance(base, str) else ""
    parts = [urllib.parse.quote(urllib.parse.unquote(part)) for part in path.split("/") if part and part not in (".", "..")]
    return "/" + "".join(part + "/" for part in parts)


def serve(content: Path, *, cache: Path, port: int = 8000, host: str = HOST, open_browser: bool = False,
          templates: Path | None = None) -> int:
    """Build the preview, serve it, and rebuild and reload on every change until Ctrl+C."""
    if host not in LOCAL_HOSTS:
        print(f"警告：预览将在 {host} 上开放，同一网络中的其他人也能看到未发布的内容。")
    try:
        chosen = pick_port(host, port)
    except PortInUse as exc:
        print(f"错误：{exc}。请用 --port 指定一个空闲端口，例如 --port {port + PORT_TRIES}。")
        return 1
    if chosen != port:
        print(f"端口 {port} 已被占用，改用端口 {chosen}（可用 --port 指定其他端口）。")

    base_path = site_prefix(content)
    preview = Preview(content, cache, templates, base_path)
    status = preview.rebuild()
    if not status.ok:
        print("内容有错误，浏览器中的预览会列出这些问题；改正并保存后预览会自动更新。")

    hosts = LOCAL_HOSTS | {host.lower()}
    server = Server(PreviewApp(preview, base_path, hosts), watcher=NoWatcher())
    loop = IOLoop.current()
    stop, watching = threading.Event(), threading.Event()

    saves: queue.Queue[set[str]] = queue.Queue()  # filled while a build runs, so that the next save cancels it

    def watch() -> None:
        for changed in watch_changes(preview.engine_folders(), stop, watching):
            saves.put(changed)

    def rebuild_on_changes() -> None:
        if status.ok:
            preview.warm()
        while not stop.is_set():
            try:
                changed = saves.get(timeout=0.25)
            except queue.Empty:
                continue
            while not saves.empty():
                changed |= saves.get_nowait()
            names = "、".join(sorted(Path(name).name for name in changed)[:5])
            result = preview.rebuild(pages_only=True, changed=changed)
            outcome = "已更新" if result.ok else f"有 {len(result.errors)} 个错误，预览显示上次成功的版本"
            print(f"{result.finished} 修改了 {names}：{outcome}（{result.seconds:.2f} 秒）", flush=True)
            loop.add_callback(LiveReloadHandler.reload_waiters)
            # A publisher often saves again within seconds: only a pause is worth the full build.
            if result.ok and not wait_for(lambda: not saves.empty() or stop.is_set(), QUIET):
                seconds = preview.finish(cancel=lambda: not saves.empty() or stop.is_set())
                if seconds is not None:
                    print(f"  下载文件和搜索索引也已更新（{seconds:.2f} 秒）", flush=True)

    def interrupt(signum: int, frame: object) -> None:
        # The loop is told to stop as well: a KeyboardInterrupt that lands while the main thread runs a
        # weakref callback or a __del__ is printed as "Exception ignored" and lost (seen once in CI).
        loop.add_callback(loop.stop)
        raise KeyboardInterrupt

    # SIGTERM stops the preview as cleanly as Ctrl+C; and Ctrl+C stops it even when it was started with
    # Ctrl+C ignored (a shell's `disclose serve &`, a CI job in the background): the page says Ctrl+C
    # ends it, and a preview that cannot be stopped so is a trap.
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    watcher = threading.Thread(target=watch, name="disclose-watch", daemon=True)
    builder = threading.Thread(target=rebuild_on_changes, name="disclose-rebuild", daemon=True)
    watcher.start()
    builder.start()
    watching.wait(timeout=30)
    address = f"http://{'[' + host + ']' if ':' in host else host}:{chosen}{base_path}"

    def ready() -> None:  # runs once the server listens: only then is the address worth following
        print(f"预览地址：{address}  （按 Ctrl+C 结束；预览文件在 {preview.folder}，不会写入 public/）", flush=True)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(address,), daemon=True).start()

    loop.add_callback(ready)
    try:
        server.serve(port=chosen, host=host, root=None, debug=False, open_url_delay=None, restart_delay=0)
    except OSError as exc:  # lost a race for the port between the probe and the listen
        print(f"错误：无法在 {host}:{chosen} 上启动预览（{exc.strerror}）。请用 --port 指定其他端口。")
        return 1
    finally:
        stop.set()
        watcher.join(timeout=5)
        builder.join(timeout=5)
    print("预览已结束。")
    return 0
