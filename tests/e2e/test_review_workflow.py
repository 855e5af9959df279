"""The review workflow in the browser, one person per browser context: IAT member edits →
coordinator sends for endorsement → Resident Coordinator endorses and submits → UN Women reviewer
returns PI 4.3 with a reason → the team sees the reason, fixes, resubmits → reviewer approves →
the report is read-only and its history shows every step."""

import re

import pytest
from playwright.sync_api import expect

from scorecard.models import Assessment, WorkflowEvent
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

OVERVIEW = "/teams/KAZ/2022/"
PI_43 = "/teams/KAZ/2022/pi/4.3/"
REASON = "PI 4.3: attach the staffing data of the 12 agencies and justify the rating."


@pytest.fixture
def as_user(browser, live_server, demo):
    contexts = []

    def open_as(username):
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def act(page, button, comment=""):
    page.goto(OVERVIEW)
    form = page.get_by_test_id("workflow").locator(
        "form", has=page.get_by_role("button", name=button)
    )
    if comment:
        form.locator("textarea[name=comment]").fill(comment)
    confirm = form.locator("input[name=confirm]")
    if confirm.count():  # approving asks "I have checked…" first
        confirm.check()
    form.get_by_role("button", name=button).click()
    expect(page.get_by_role("alert").first).to_contain_text("Done: the assessment is now")


def status(page):
    return page.get_by_test_id("workflow-status")


def test_report_goes_from_draft_to_approved_with_a_return_in_between(as_user):
    iat = as_user("kaz-iat")
    iat.goto("/teams/KAZ/2022/pi/2.2/")
    # (b) already has findings in the seed, so its box is open.
    iat.locator("#id_finding_b").fill(
        "Spotlight Digital Challenge, April 2022 (835 registrations)."
    )
    iat.get_by_role("button", name="Save PI").click()
    expect(iat.get_by_role("alert")).to_have_text("PI 2.2 saved.")

    coordinator = as_user("kaz-coordinator")
    act(coordinator, "Send to the UNCT for endorsement")
    expect(status(coordinator)).to_have_text("Awaiting UNCT endorsement")

    rc = as_user("kaz-rc")
    expect(rc.get_by_test_id("waiting")).to_contain_text("Endorse and submit to UN Women")
    act(rc, "Endorse for the UNCT and submit to UN Women")
    expect(status(rc)).to_have_text("Submitted to UN Women")

    reviewer = as_user("unw-reviewer")
    expect(reviewer.get_by_test_id("waiting")).to_contain_text("Kazakhstan 2022")
    act(reviewer, "Start quality review")
    reviewer.goto(OVERVIEW)
    form = reviewer.locator("form[data-action=return_for_revision]")
    form.locator("textarea[name=comment]").fill(REASON)
    form.get_by_label("4.3").check()
    form.get_by_role("button", name="Return to the team for revision").click()
    expect(status(reviewer)).to_have_text("Returned for revision")

    # The IAT member is told: a badge in the navbar, the assessment in "Waiting for me", and
    # the reason on top of the overview.
    iat.goto("/")
    expect(iat.get_by_test_id("notifications-badge")).to_contain_text("1")
    expect(iat.get_by_test_id("waiting")).to_contain_text(
        "Kazakhstan 2022 Revise: returned by UN Women"
    )
    iat.get_by_test_id("waiting").get_by_role("link", name="Kazakhstan 2022").click()
    expect(iat.get_by_test_id("current-return")).to_contain_text(REASON)
    expect(iat.get_by_test_id("current-return")).to_contain_text("PI 4.3")
    iat.get_by_test_id("notifications-link").click()
    iat.get_by_role("button", name=f"returned Kazakhstan 2022 for revision: {REASON}").click()
    expect(iat).to_have_url(re.compile(r".*/teams/KAZ/2022/$"))
    expect(iat.get_by_test_id("notifications-badge")).to_have_count(0)

    # The team sees the reason on the PI concerned, fixes it and sends the report again.
    coordinator.goto(PI_43)
    expect(coordinator.get_by_test_id("return-reason")).to_contain_text(REASON)
    coordinator.get_by_role("button", name="Reassess this PI this year").click()
    coordinator.get_by_label("Rating", exact=True).select_option("approaches")
    coordinator.get_by_label("Why the rating differs from the suggested rating").fill(
        "Parity data from 12 agencies: 55 % women; a monitoring mechanism is being set up."
    )
    coordinator.get_by_role("button", name="Save PI").click()
    expect(coordinator.get_by_role("alert")).to_have_text("PI 4.3 saved.")
    act(coordinator, "Send to the UNCT for endorsement")
    act(rc, "Endorse for the UNCT and submit to UN Women")
    act(reviewer, "Start quality review")
    act(reviewer, "Approve")
    expect(status(reviewer)).to_have_text("Approved")

    # Approved is final: the team's pages are read-only.
    iat.goto("/teams/KAZ/2022/pi/2.2/")
    expect(iat.get_by_role("button", name="Save PI")).to_have_count(0)
    expect(iat.get_by_test_id("evidence-form")).to_have_count(0)
    iat.goto(OVERVIEW)
    steps = iat.get_by_test_id("workflow-history").locator("li")
    expect(steps).to_have_count(8)
    expect(steps.nth(3)).to_contain_text(REASON)
    expect(steps.nth(3)).to_contain_text("4.3")
    expect(steps.nth(7)).to_contain_text("from “In quality review” to “Approved”")

    assert Assessment.objects.get(country_team__code="KAZ", year=2022).status == "approved"
    assert list(
        WorkflowEvent.objects.filter(assessment__year=2022, assessment__country_team__code="KAZ")
        .order_by("at", "pk")
        .values_list("actor__username", flat=True)
    ) == [
        "kaz-coordinator",
        "kaz-rc",
        "unw-reviewer",
        "unw-reviewer",
        "kaz-coordinator",
        "kaz-rc",
        "unw-reviewer",
        "unw-reviewer",
    ]
