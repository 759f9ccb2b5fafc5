"""Fixtures for the browser tests: build the demo site once, serve it locally, drive Debian's Chromium.

Playwright never downloads a browser here: the tests launch /usr/bin/chromium (scripts/test.sh
installs it with apt when it is missing) and skip with a clear reason when it is absent.
Screenshots go to /tmp/episode-archive-screenshots/ so people can look at them after a run.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path("/tmp/episode-archive-screenshots")
DESKTOP = {"width": 1280, "height": 900}
LOCAL = "http://127.0.0.1:"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives the built demo site in Chromium (needs /usr/bin/chromium)")


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo archive at the repository root, built once with `mkdocs build --strict`."""
    site = tmp_path_factory.mktemp("demo") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=REPO_ROOT, env=env, check=True,
    )
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with byte ranges, as real hosts serve them: audio can only seek with ranges."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass

    def send_head(self) -> Any:
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        data = path.read_bytes()
        start = int(match.group(1))
        end = min(int(match.group(2)) if match.group(2) else len(data) - 1, len(data) - 1)
        if start > end:
            self.send_error(416)
            return None
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return io.BytesIO(data[start:end + 1])


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The browser drops connections when it navigates away mid-download: not a failure.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def _served(directory: Path) -> Iterator[str]:
    """A built site served over HTTP on 127.0.0.1 (a free port); the base URL ends with '/'."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="demo-site-server", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def site_url(demo_site: Path) -> Iterator[str]:
    """The demo site served over HTTP on 127.0.0.1."""
    with _served(demo_site) as url:
        yield url


@pytest.fixture(scope="session")
def parted_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo archive built with its search index made in several parts (`search_part_mb` set small, as
    a large archive's index is) and merged, served like the demo site."""
    project = tmp_path_factory.mktemp("parted")
    for name in ("docs", "episodes"):
        shutil.copytree(REPO_ROOT / name, project / name)
    config = (REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "- episode-archive:\n" in config
    (project / "mkdocs.yml").write_text(
        config.replace("- episode-archive:\n", "- episode-archive:\n      search_part_mb: 0.03\n"), encoding="utf-8")
    # Its cache stays in the test's folder, not in the user's cache folder.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "XDG_CACHE_HOME": str(project / "cache")}
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"],
                           cwd=project, env=env, check=True, capture_output=True, text=True)
    assert re.search(r"search index built .* in [3-9] parts one after another, merged", built.stderr), built.stderr
    with _served(project / "site") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (which never downloads its own browser)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (scripts/test.sh does it) "
                    "to run the browser tests")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any, site_url: str) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh context; keyword arguments go to `browser.new_context`.

    Requests that leave the local servers (the theme's Google Fonts stylesheet) are aborted: the tests
    stay hermetic, and offline each page load would otherwise stall about 5 s on the DNS lookup.
    Contexts are closed after the test, so cookies, storage and colour scheme never leak between tests.
    """
    contexts: list[Any] = []

    def make(**context_options: Any) -> Any:
        context_options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**context_options)
        context.set_default_timeout(10_000)
        context.route(lambda url: not url.startswith(LOCAL), lambda route: route.abort())
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A desktop-sized page (1280x900) in its own context."""
    return new_page()


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """Save a full-page screenshot as /tmp/episode-archive-screenshots/<name>.png; returns the path."""

    def save(page: Any, name: str, full_page: bool = True) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save
