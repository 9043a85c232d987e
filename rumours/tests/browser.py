"""Helpers for the browser tests: Debian's Chromium through Playwright, logins, screenshots.

Playwright cannot download browsers here, so the tests drive /usr/bin/chromium
(installed by `make test`) by its path, headless. Its sync API keeps an
event loop running in the test's thread, which makes Django's ORM refuse to
run from the test itself (factories, assertions on rows): the tests make
those calls between browser steps, never concurrently, so the check is
switched off for this process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.test import Client

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-output" / "screenshots"
DESKTOP = 1280
PHONE = 360
TIMEOUT_MS = 8000


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Start one headless Chromium for the whole test session."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(browser: Browser, base_url: str, width: int = DESKTOP) -> Iterator[Page]:
    """Open a fresh page (its own cookies) on the live server at a given window width."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Page, base_url: str, user) -> None:
    """Give the page a logged-in session for user, without going through the form."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


def mark_window(page: Page) -> None:
    """Leave a marker on the window: it survives htmx swaps but not a page load."""
    page.evaluate("window.benchwatchMarker = 'no reload'")


def window_was_not_reloaded(page: Page) -> bool:
    return page.evaluate("window.benchwatchMarker") == "no reload"


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot under test-output/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
