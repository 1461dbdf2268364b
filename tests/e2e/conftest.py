"""Browser tests drive a real headless Chromium (Debian's) through Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("CASETRAIL_CHROMIUM") or shutil.which("chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.fail(
            "Chromium is not installed: scripts/test.sh installs it as root, or deselect tests/e2e"
        )
    # Playwright runs its own event loop in this thread; Django's ORM guard would
    # otherwise refuse the test's database calls made alongside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()


def log_in(page, base: str, username: str, password: str, code=None) -> None:
    """Log in through the login page; when the officer must use a second factor, type the
    code ``code()`` gives (computed when the code page shows, as an authenticator app would)."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/login/second-factor/" in page.url:
        assert code is not None, f"{username} must use a second factor"
        page.fill("#id_code", code())
        page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
