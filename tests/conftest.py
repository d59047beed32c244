"""Shared test fixtures: the built bundled site, a local web server, and Chromium.

Fixtures
    built_site      session: the bundled content/ built once into a temporary folder (a Path)
    http_server     session: a function ``serve(root, prefix="/") -> base URL`` serving a
                    folder on 127.0.0.1 (random port, background thread, quiet), optionally
                    under a sub-path such as ``/ysgk/jxmb/``
    browser         session: Playwright Chromium, the Debian package at /usr/bin/chromium
    open_page       per test: a function ``open_page(**context_options) -> page``, each page in
                    its own browser context (e.g. a phone viewport, JavaScript off); the test
                    fails if a page requests anything outside 127.0.0.1 / file://, meets a
                    missing resource, or throws a script error
    page            per test: ``open_page()`` with the defaults (1280×900, zh-CN)
    guard           per test: what the pages recorded (a test may allow an expected 404)

Browser tests are marked ``browser`` (automatically for tests/browser/ and for any test
using the fixture) and run last. Without Chromium they are skipped locally; in CI
(CI=true) they fail, and so does any other skipped test, unless it carries
``@pytest.mark.allow_skip_in_ci(reason=...)``: a skipped test must not hide a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"

CHROMIUM = Path(os.environ.get("DISCLOSE_CHROMIUM", "/usr/bin/chromium"))
# Chromium from Debian, never a browser downloaded by Playwright; no traffic of its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

IN_CI = os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


# --------------------------------------------------------------------------- markers


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: runs in real Chromium (Playwright, /usr/bin/chromium)")
    config.addinivalue_line(
        "markers", "allow_skip_in_ci(reason): this test may be skipped in CI (CI=true); say why it cannot apply there"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark browser tests, and run them after the fast tests (stable sort keeps their order)."""
    browser_dir = Path(__file__).parent / "browser"
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) or browser_dir in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """In CI a skip is a failure: there everything a test needs is installed."""
    outcome = yield
    report = outcome.get_result()
    if not (IN_CI and report.skipped) or hasattr(report, "wasxfail"):
        return
    if item.get_closest_marker("allow_skip_in_ci") is not None:
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped in CI (CI=true), which counts as a failure: {reason}"


def unavailable(message: str) -> None:
    """Skip locally when a browser tool is missing; fail in CI, where setup.sh installs it."""
    if IN_CI:
        pytest.fail(f"{message} (CI=true: scripts/setup.sh should have installed it)", pytrace=False)
    pytest.skip(f"{message}; run scripts/setup.sh as root to install it")


# --------------------------------------------------------------------------- the built site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled content built once per test session; returns the output folder."""
    try:
        from site_fixture import build_bundled_site  # the renderer's helper, when it exists
    except ImportError:
        build_bundled_site = None
    if build_bundled_site is not None:
        return Path(build_bundled_site(tmp_path_factory))

    from generator.build import build

    out = tmp_path_factory.mktemp("built") / "public"
    status = build(CONTENT, out, strict=False, progress=False)
    assert status == 0, f"building the bundled content failed with exit status {status}"
    assert (out / "index.html").is_file(), "the build wrote no index.html"
    return out


# --------------------------------------------------------------------------- a local web server


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serve `directory` under `prefix`, like a static host would; 404.html for missing files."""

    prefix = "/"
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
        ".css": "text/css",
        ".html": "text/html; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
    }

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _inside(self) -> bool:
        path = unquote(urlsplit(self.path).path)
        return path.startswith(self.prefix) or path + "/" == self.prefix

    def do_GET(self) -> None:
        if not self._inside():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        if not self._inside():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        super().do_HEAD()

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if unquote(path).startswith(self.prefix):
            path = "/" + unquote(path)[len(self.prefix) :]
        return super().translate_path(path)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def http_server() -> Iterator[Callable[..., str]]:
    """Return ``serve(root, prefix="/")``: serve a folder on 127.0.0.1 and return its base URL.

    The base URL ends with the prefix, e.g. ``http://127.0.0.1:41234/ysgk/jxmb/``. Servers are
    shared per (root, prefix) for the session and stopped at its end.
    """
    servers: dict[tuple[Path, str], tuple[ThreadingHTTPServer, str]] = {}

    def serve(root: Path | str, prefix: str = "/") -> str:
        root = Path(root).resolve()
        prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        key = (root, prefix)
        if key not in servers:
            handler = type("Handler", (_SiteHandler,), {"prefix": prefix})

            def make(*args: object, **kwargs: object) -> _SiteHandler:
                return handler(*args, directory=str(root), **kwargs)

            server = ThreadingHTTPServer(("127.0.0.1", 0), make)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, name=f"http {prefix}", daemon=True).start()
            servers[key] = (server, f"http://127.0.0.1:{server.server_address[1]}{prefix}")
        return servers[key][1]

    yield serve
    for server, _ in servers.values():
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- Chromium


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Chromium from Debian (/usr/bin/chromium), headless, driven by Playwright."""
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _local(url: str) -> bool:
    scheme = urlsplit(url).scheme
    if scheme in {"file", "data", "blob", "about", "chrome-error"}:
        return True
    return scheme in {"http", "https", "ws", "wss"} and urlsplit(url).hostname == "127.0.0.1"


@dataclass
class Guard:
    """What a page did that a test did not ask for."""

    external: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    allowed: set[str] = field(default_factory=set)

    def allow_missing(self, url: str) -> None:
        """A test that visits a missing page on purpose says so."""
        self.allowed.add(url)

    def problems(self) -> list[str]:
        out = [f"request left the site: {url}" for url in self.external]
        out += [f"missing resource: {what}" for what in self.missing if what.split(" ")[-1] not in self.allowed]
        out += [f"script error: {error}" for error in self.errors]
        return out


@pytest.fixture
def guard() -> Guard:
    return Guard()


@pytest.fixture
def open_page(browser: object, guard: Guard) -> Iterator[Callable[..., object]]:
    """Return ``open_page(**context_options)``: a new page in its own context, guarded.

    Defaults: 1280×900, zh-CN; pass e.g. ``viewport={"width": 390, "height": 844}`` or
    ``java_script_enabled=False``. Every context is closed after the test, and the test fails
    if a page requested anything outside 127.0.0.1 / file://, met a missing resource, or threw.
    """
    contexts = []

    def block(route: object) -> None:
        guard.external.append(route.request.url)
        route.abort()

    def on_response(response: object) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            guard.missing.append(f"HTTP {response.status} {response.url}")

    def on_failed(request: object) -> None:
        # ERR_ABORTED: a load cut short by the next navigation (a click), not a missing file.
        if _local(request.url) and not request.url.endswith("/favicon.ico") and request.failure != "net::ERR_ABORTED":
            guard.missing.append(f"{request.failure} {request.url}")

    def open_page(**options: object) -> object:
        options = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", **options}
        context = browser.new_context(**options)
        contexts.append(context)
        context.set_default_timeout(15_000)
        context.route(lambda url: not _local(url), block)
        page = context.new_page()
        page.on("response", on_response)
        page.on("requestfailed", on_failed)
        page.on("pageerror", lambda error: guard.errors.append(f"{error} (on {page.url})"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    problems = guard.problems()
    assert not problems, "the browser met problems:\n  " + "\n  ".join(problems)


@pytest.fixture
def page(open_page: Callable[..., object]) -> object:
    """A fresh page in its own context (no storage from other tests), 1280×900, zh-CN."""
    return open_page()
