"""Browser tests: Playwright (Python) driving Debian's Chromium against a live server.

`make test` installs Chromium (scripts/system-packages.txt); Playwright's own browser
download does not work on these machines, so the system binary is launched. A missing
browser fails the tests, loudly: a browser test that quietly skips tests nothing.

The live server is pytest-django's `live_server` on the test database; tests that use it
commit their rows (transactional tests), because MapServer reads them through its own
connection. Screenshots of each step go to var/test-artifacts/ (ignored by git).
"""
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = os.environ.get("GEO_PORTAL_CHROMIUM", "/usr/bin/chromium")
# Flags that work as root in a container without a display or a GPU.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}


def chromium_path() -> str:
    found = shutil.which(CHROMIUM) or (CHROMIUM if Path(CHROMIUM).is_file() else None)
    if not found:
        pytest.fail(f"Chromium is needed for the browser tests and was not found at {CHROMIUM}: "
                    "install Debian's `chromium` package (make test does, from "
                    "scripts/system-packages.txt) or set GEO_PORTAL_CHROMIUM.", pytrace=False)
    return found


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium for one test. Playwright's sync API runs an event loop in this
    thread, so Django's guard against ORM calls from async code is lifted for the test."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    path = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Console:
    """What a page wrote to its console and which of its scripts failed."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.failed_requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.failed_requests.append(r.url))
        page.on("response", lambda r: r.status >= 400 and self.failed_requests.append(
            f"{r.status} {r.url}"))


@pytest.fixture
def open_page(browser):
    """open_page(url, viewport=DESKTOP) -> (page, console), in English or Polish."""
    contexts = []

    def _open(url: str, viewport: dict = DESKTOP, language: str | None = None):
        context = browser.new_context(viewport=viewport, locale="pl-PL")
        if language:
            context.add_cookies([{"name": "django_language", "value": language,
                                  "url": url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        console = Console(page)
        page.goto(url)
        return page, console

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def session_page(browser):
    """session_page(user, url) -> (page, console): a browser logged in as `user` on `url`."""
    contexts = []

    def _open(user, url: str):
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport=DESKTOP, locale="pl-PL", accept_downloads=True)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                              "url": url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page, Console(page)

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """screenshot(page, step): var/test-artifacts/<test>-<step>.png, the whole page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)

    def _shot(page, step: str) -> Path:
        path = ARTIFACTS / f"{name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
