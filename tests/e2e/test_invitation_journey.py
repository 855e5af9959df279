"""The coordinator invites a new IAT member from the team's People page; the person opens the
link of the e-mail, chooses a username and a password, and lands on the team's page, logged in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.browser

ADDRESS = "aigerim.bekova@example.org"
LINK = re.compile(r"https?://\S+?(/accounts/invitation/[\w-]+/)")


def test_coordinator_invites_and_the_person_joins_the_team(page, browser, live_server):
    login(page, "kaz-coordinator")
    page.goto("/teams/KAZ/")
    page.get_by_test_id("team-people-link").click()
    form = page.get_by_test_id("invite-form")
    form.get_by_label("E-mail address").fill(ADDRESS)
    form.get_by_label("Role").select_option("iat_member")
    form.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("alert").first).to_have_text(f"Invitation sent to {ADDRESS}.")
    expect(page.get_by_test_id("invitations")).to_contain_text(ADDRESS)

    [message] = [m for m in mail.outbox if m.to == [ADDRESS]]
    path = LINK.search(message.body).group(1)

    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    invited = context.new_page()
    invited.goto(path)
    expect(invited.locator("h1")).to_have_text("Join Kazakhstan")
    accept = invited.get_by_test_id("accept-form")
    accept.get_by_label("Username").fill("aigerim")
    accept.get_by_label("First name").fill("Aigerim")
    accept.get_by_label("Last name").fill("Bekova")
    accept.locator("#id_password1").fill("too-short")
    accept.locator("#id_password2").fill("too-short")
    accept.get_by_role("button", name="Create my account").click()
    expect(invited.get_by_test_id("error-summary")).to_contain_text("too short")
    expect(accept.get_by_label("Username")).to_have_value("aigerim")  # kept

    accept.locator("#id_password1").fill("a long passphrase for Almaty 42")
    accept.locator("#id_password2").fill("a long passphrase for Almaty 42")
    accept.get_by_role("button", name="Create my account").click()
    invited.wait_for_url("**/teams/KAZ/")
    expect(invited.get_by_role("alert").first).to_have_text(
        "Welcome: you are a member of Kazakhstan."
    )
    expect(invited.get_by_test_id("current-user")).to_have_text("Aigerim Bekova")
    context.close()

    page.reload()
    expect(page.get_by_test_id("members")).to_contain_text("Aigerim Bekova")
    expect(page.get_by_test_id("invitations")).not_to_contain_text(ADDRESS)
