"""A real browser for the dashboard's tests: Playwright driving Debian's Chromium, with
screenshots kept as test artifacts (``build/test-artifacts/browser/``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from testing.services import chromium

ARTIFACTS = Path(__file__).resolve().parent.parent / "build" / "test-artifacts" / "browser"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@contextmanager
def browser() -> Iterator[Browser]:
    executable = chromium()
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def log_in(page: Page, base: str, token: str, then: str = "/") -> None:
    """Through the login form, as a person does."""
    page.goto(f"{base}/login?next={then}")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
