"""The API docs in Chromium: Swagger UI (/api/docs/) and Redoc (/api/redoc/) render the schema's
operations under their tags, from our own static files, under the site's Content-Security-Policy
without a single violation; Swagger UI's "Try it out" calls the API with the page's session.

Requests that would leave the machine are aborted and counted: the docs must need none.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

NOT_LOCAL = re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/])")
METHODS = {"get", "put", "patch", "post", "delete"}


@pytest.fixture
def watched(page):
    """The page, and what went wrong on it: console messages about the Content-Security-Policy,
    uncaught script errors, and requests to anywhere but the live server."""
    problems: dict[str, list[str]] = {"csp": [], "errors": [], "outside": []}

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems["csp"].append(message.text)

    def outside(route):
        problems["outside"].append(route.request.url)
        route.abort()

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems["errors"].append(str(error)))
    page.context.route(NOT_LOCAL, outside)
    return page, problems


def test_swagger_ui_lists_the_operations_by_tag_and_tries_one(watched):
    page, problems = watched
    login(page, "kaz-iat")

    page.goto("/api/docs/")

    expect(page.locator(".opblock").first).to_be_visible()
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert any(text.startswith("country-teams") for text in tags), tags
    assert any(text.startswith("parity-snapshots") for text in tags), tags
    schema = page.request.get("/api/schema/", headers={"Accept": "application/json"}).json()
    operations = sum(len(METHODS & set(path)) for path in schema["paths"].values())
    assert operations > 40
    expect(page.locator(".opblock")).to_have_count(operations)
    operation = page.locator(".opblock").filter(has_text="List the country teams you can see")
    expect(operation).to_have_count(1)

    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    status = operation.locator(".live-responses-table tbody .response-col_status")
    expect(status).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text('"code": "KAZ"')
    assert problems == {"csp": [], "errors": [], "outside": []}


def test_redoc_renders_the_operations_by_tag(watched):
    page, problems = watched

    page.goto("/api/redoc/")

    expect(page.get_by_role("heading", name="List the country teams you can see")).to_be_visible()
    menu = page.locator("[role=navigation], .menu-content").first
    expect(menu).to_contain_text("country-teams")
    expect(menu).to_contain_text("progress-reports")
    page.wait_for_load_state("networkidle")  # the sidebar's logo comes a render later
    assert problems == {"csp": [], "errors": [], "outside": []}
