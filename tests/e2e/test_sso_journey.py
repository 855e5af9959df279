"""Single sign-on in Chromium: the log-in page's button, the provider's own page (a real OpenID
Connect provider process, oidc-provider-mock), and back: logged in as the demo IAT member, or
refused with the reason and no account made.

The provider's page links a stylesheet on a public CDN; this browser resolves no name but the
local ones and aborts any other request, so the journey never leaves the machine.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM_ARGS, _chromium_path
from tests.oidc_provider import PROVIDER_NAME, running_provider, use_provider

pytestmark = pytest.mark.browser

LOCAL_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
NOT_LOCAL = re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/])")


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with running_provider(tmp_path_factory.mktemp("oidc")) as running:
        yield running


@pytest.fixture(scope="module")
def local_browser(browser):
    # A second Chromium from the session's Playwright: one thread runs one Playwright only.
    local = browser.browser_type.launch(
        executable_path=_chromium_path(), args=[*CHROMIUM_ARGS, LOCAL_ONLY], headless=True
    )
    yield local
    local.close()


@pytest.fixture
def sso_page(local_browser, live_server, demo, provider, settings):
    use_provider(settings, provider.url)
    context = local_browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    context.route(NOT_LOCAL, lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


def through_the_provider(page, provider, sub: str) -> None:
    """Log-in page → the button → the provider's page: type the subject, Authorize."""
    page.goto("/accounts/login/")
    page.get_by_role("link", name=f"Sign in with {PROVIDER_NAME}").click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize?*")
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_the_demo_iat_member_signs_in_with_the_provider(sso_page, provider, live_server):
    provider.set_user("gaukhar", email="kaz-iat@example.org", email_verified=True)

    through_the_provider(sso_page, provider, "gaukhar")

    sso_page.wait_for_url(f"{live_server.url}/")
    expect(sso_page.get_by_test_id("current-user")).to_have_text("Gaukhar Nursha")


def test_an_unknown_person_is_told_why_and_gets_no_account(sso_page, provider, live_server):
    provider.set_user("visitor", email="visitor@example.com", email_verified=True)

    through_the_provider(sso_page, provider, "visitor")

    sso_page.wait_for_url(f"{live_server.url}/accounts/login/")
    expect(sso_page.get_by_role("alert")).to_have_text(
        "No account on this site uses visitor@example.com. Ask your country team's coordinator "
        "for an invitation."
    )
    expect(sso_page.get_by_test_id("current-user")).to_have_count(0)
    assert not User.objects.filter(email__iexact="visitor@example.com").exists()
