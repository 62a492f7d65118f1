"""Waiting for a condition in the page without `page.wait_for_function`.

Playwright's wait_for_function runs its predicate through `eval` inside the page, which
our Content-Security-Policy (script-src 'self', no 'unsafe-eval') forbids: whether it
fails depends on timing. `page.evaluate` goes through the DevTools protocol, which the
policy does not govern, so the condition is polled from here instead.
"""
import time

from playwright.sync_api import Page


def wait_until(page: Page, function: str, timeout_ms: int = 30_000, every_ms: int = 50):
    """Poll `function` (JavaScript, `() => ...`) until it returns a truthy value; return it."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = page.evaluate(function)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_ms} ms for {function!r} in {page.url}")
        page.wait_for_timeout(every_ms)
