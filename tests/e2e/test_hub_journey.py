"""The Knowledge Hub's whole way in Chromium, on the demo data.

Kazakhstan's IAT member proposes a good practice from PI 2.2; the team's IAT coordinator agrees;
the UN Women reviewer publishes it; an IAT member of another team finds it by a word in another
grammatical form (PostgreSQL's English stemming) and sees it on their own PI 2.2 page. A second
proposal is refused by the coordinator with a reason the author reads; the first is withdrawn by
its author and is gone from the other team's search.

Stemming needs PostgreSQL (CI runs there; REQUIRE_POSTGRES=1 makes a skip a failure).
"""

import os

import pytest
from django.db import connection
from playwright.sync_api import expect

from hub.models import Practice
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TITLE = "Campaigns that put women leaders on national television"
REFUSED = "A poster for International Women's Day"
REASON = "The poster names a partner who has not agreed to it."


@pytest.fixture
def postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
        pytest.skip("the hub's stemmed search needs PostgreSQL")


def act_as(page, username: str) -> None:
    """Log out whoever is logged in, log in as `username`."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def propose_from_pi_2_2(page, title: str, summary: str) -> None:
    page.goto("/teams/KAZ/2022/pi/2.2/")
    panel = page.get_by_test_id("pi-hub")
    expect(panel.get_by_role("heading", name="Good practices for this PI")).to_be_visible()
    panel.get_by_test_id("pi-hub-propose").click()
    expect(page.get_by_label("PI 2.2", exact=False).first).to_be_checked()
    page.locator("#id_title").fill(title)  # its label, "Title*", is also in "Title of link 1"
    page.get_by_label("Summary").fill(summary)
    page.get_by_label("What was done").fill(
        "Three televised debates, each with two women ministers."
    )
    page.get_by_label("The result").fill("Audience surveys showed a shift in attitudes.")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.get_by_test_id("status")).to_contain_text("Proposed")


def open_from_proposals(page, title: str) -> None:
    page.goto("/hub/proposals/")
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)


def search(page, words: str):
    page.goto("/hub/")
    page.get_by_role("searchbox").or_(page.locator("#id_q")).first.fill(words)
    page.get_by_test_id("hub-search").get_by_role("button", name="Search").click()
    return page.get_by_test_id("results")


def test_propose_agree_publish_find_elsewhere_refuse_and_withdraw(postgres_only, page):
    # The IAT member proposes two good practices from PI 2.2.
    act_as(page, "kaz-iat")
    propose_from_pi_2_2(page, TITLE, "How televised campaigns changed who speaks for the UNCT.")
    propose_from_pi_2_2(page, REFUSED, "A poster campaign.")

    # The coordinator agrees to the first and refuses the second, saying why.
    act_as(page, "kaz-coordinator")
    open_from_proposals(page, TITLE)
    page.locator('[data-step="agree"]').get_by_role("button", name="Agree to share").click()
    expect(page.get_by_role("alert").or_(page.get_by_role("status")).first).to_contain_text(
        "You agreed to share it"
    )
    open_from_proposals(page, REFUSED)
    refuse = page.locator('[data-step="refuse-team"]')
    refuse.locator("summary").click()
    refuse.get_by_role("button", name="Refuse to share").click()  # no reason: refused
    expect(page.get_by_text("Say why.").first).to_be_visible()
    refuse = page.locator('[data-step="refuse-team"]')
    refuse.get_by_label("Why? (required)").fill(REASON)
    refuse.get_by_role("button", name="Refuse to share").click()
    expect(page.get_by_test_id("status")).to_contain_text("Refused")

    # Before publication, another team knows nothing of either.
    act_as(page, "other-iat")
    expect(search(page, "campaigning").get_by_role("link", name=TITLE)).to_have_count(0)

    # The reviewer of the region publishes the first.
    act_as(page, "unw-reviewer")
    open_from_proposals(page, TITLE)
    page.locator('[data-step="publish"]').get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published: every user").first).to_be_visible()

    # Another team's IAT member finds it by another form of a word, first among the results.
    act_as(page, "other-iat")
    results = search(page, "campaigning televise")
    expect(results.locator("li").first.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results.locator("mark").first).to_be_visible()
    results.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text("Kazakhstan").first).to_be_visible()
    expect(page.get_by_test_id("history")).to_have_count(0)  # the team's business, not theirs
    page.goto("/teams/XDL/2022/pi/2.2/")
    expect(page.get_by_test_id("pi-hub-practices").get_by_role("link", name=TITLE)).to_be_visible()

    # The author reads why the second was refused, and withdraws the first.
    act_as(page, "kaz-iat")
    open_from_proposals(page, REFUSED)
    expect(page.get_by_test_id("history")).to_contain_text(REASON)
    open_from_proposals(page, TITLE)
    withdraw = page.locator('[data-step="withdraw"]')
    withdraw.locator("summary").click()
    withdraw.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_test_id("status")).to_contain_text("Withdrawn")
    assert Practice.objects.get(title=TITLE).status == Practice.Status.WITHDRAWN

    # Gone from the other team's search and PI page.
    act_as(page, "other-iat")
    expect(search(page, "campaigning").get_by_role("link", name=TITLE)).to_have_count(0)
    page.goto("/teams/XDL/2022/pi/2.2/")
    expect(page.get_by_test_id("pi-hub-practices").get_by_role("link", name=TITLE)).to_have_count(0)
