"""Real-browser fixtures: Chromium driven by Playwright against pytest-django's live server.

Debian's chromium is used when installed (CI installs it); otherwise Playwright's own build,
which `make test` downloads once. No test here is skipped for want of a browser: it fails.
"""

import os
import shutil

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run while one
# is running unless told it is safe. It is: the loop only drives the browser, not our queries.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = "e2e-demo-password-123"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db, monkeypatch):
    """The data `make run` loads, with a known password."""
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("setup_demo", verbosity=0)


@pytest.fixture
def page(browser, live_server, demo, tmp_path):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    artifacts = os.environ.get("TEST_ARTIFACTS")
    if artifacts:
        os.makedirs(artifacts, exist_ok=True)
    context.close()


def login(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
