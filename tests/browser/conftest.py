"""The browser tests' fixtures: the app served as ``commons-abm app`` serves it, and Debian's
chromium driven by Playwright.

Playwright launches the system's ``chromium`` (``executable_path``), never a browser of its
own download; ``python3 tasks.py setup`` (or ``test``) installs it. Solara's server fetches
its web assets (the Vuetify app, require.js, Vega) from a CDN unless they are on disk:
``solara-assets`` (a test extra) ships them, and the server reads them from a folder that
also answers Vega's major-version addresses (``vega@5/...``) with the shipped versions.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

VIEWPORT = {"width": 1400, "height": 1000}
SERVE_TIMEOUT_S = 60
LOG_TAIL_CHARS = 6000
_server_log: list[Path] = []  # the app's log, once the session's server is up


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report ends with the tail of the app server's log."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and _server_log and _server_log[0].exists():
        tail = _server_log[0].read_text(errors="replace")[-LOG_TAIL_CHARS:]
        report.sections.append(("commons-abm app log (tail)", tail))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def offline_assets(folder: Path) -> Path:
    """A folder for Solara's CDN proxy (``SOLARA_ASSETS_PROXY_CACHE_DIR``) that holds
    solara-assets' packages, each also under its major version (``vega@5`` for
    ``vega@5.21.0``): the addresses Solara's Vega-Lite widget asks for."""
    shipped = Path(sysconfig.get_path("data")) / "share" / "solara" / "cdn"
    if not (shipped / "requirejs@2.3.6").is_dir():
        pytest.fail(f"no Solara assets in {shipped}: install the test extras (`pip install -e .[test]`)")
    packages = [p for p in shipped.iterdir() if not p.name.startswith("@")]
    packages += [p for scope in shipped.glob("@*") for p in scope.iterdir()]
    for package in packages:
        where = folder / package.relative_to(shipped)
        where.parent.mkdir(parents=True, exist_ok=True)
        where.symlink_to(package, target_is_directory=True)
        major = re.fullmatch(r"(.+)@(\d+)\.\d+\.\d+", package.name)
        if major and not (where.parent / f"{major[1]}@{major[2]}").exists():
            (where.parent / f"{major[1]}@{major[2]}").symlink_to(package, target_is_directory=True)
    return folder


def _stop(server: subprocess.Popen) -> None:
    """End the server and its Solara process (one process group)."""
    for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of the app, served by ``commons-abm app --port <free port>`` for the session."""
    from commons_abm import app

    app.default_model().step()  # compile (or load) the model's kernels here, not on the first press of Step
    folder = tmp_path_factory.mktemp("app")
    env = {
        **os.environ,
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(offline_assets(folder / "cdn")),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    }
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = folder / "app.log"
    _server_log[:] = [log]
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "commons_abm", "app", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + SERVE_TIMEOUT_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"commons-abm app stopped with status {server.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                tail = log.read_text()[-3000:]
                pytest.fail(f"commons-abm app did not answer on {url} in {SERVE_TIMEOUT_S} s:\n{tail}")
            time.sleep(0.25)
        yield url
    finally:
        _stop(server)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, launched by Playwright."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: `python3 tasks.py setup` installs it, with apt-get")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright's Python package is not installed: install the test extras (`pip install -e .[test]`)")
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where chromium's sandbox refuses to start
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser, app_url):
    """A factory of tabs on the app, each with its own model, loaded and at day 0; every tab
    is paused and closed after the test (a closed tab's model would otherwise play on)."""
    from tests.browser.app_page import open_app, press

    contexts = []

    def make():
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        open_app(page, app_url)
        return page

    yield make
    for context in contexts:
        for page in context.pages:
            pause = page.get_by_role("button", name="❚❚", exact=True)
            if pause.count():
                press(page, "❚❚")
        context.close()


@pytest.fixture
def app_page(new_page):
    """One tab on the app, loaded and at day 0."""
    return new_page()
