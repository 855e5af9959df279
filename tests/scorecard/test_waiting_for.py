""" "Waiting for me" (the home page) for every role along the real workflow, and the reason for a
return or a send-back: on top of the overview and on the PI page while it is current, gone once
the team sends the assessment on, and never after approval.

Personas from tests/conftest.py: `iat`, `coordinator`, `rc`, `viewer` of Kazakhstan (KAZ),
`reviewer` of KAZ's region, `far_reviewer` of Africa, `admin_user`; `kaz_2022` passes the
blocking checks.
"""

from __future__ import annotations

import pytest

from core.models import Membership
from scorecard import selectors, workflow
from scorecard.models import Assessment, ReopenRequest
from tests.factories import MembershipFactory, UserFactory
from tests.scorecard.test_views import page

OVERVIEW = "/teams/KAZ/2022/"
PI_43 = "/teams/KAZ/2022/pi/4.3/"
PI_22 = "/teams/KAZ/2022/pi/2.2/"
RETURN_REASON = "PI 4.3: attach the staffing data of the 12 agencies."
SEND_BACK_REASON = "The UNCT asks for the action plan's budget lines first."
PERSONAS = ["iat", "coordinator", "rc", "viewer", "reviewer", "far_reviewer", "admin_user"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(request, iat, coordinator, rc, viewer, reviewer, far_reviewer, admin_user):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def step(assessment, action, by, comment="", pis=()):
    return workflow.transition(
        assessment=assessment, action=action, by=by, comment=comment, indicator_codes=pis
    )


def waiting(user) -> list[tuple[str, int, str]]:
    return [
        (i.assessment.country_team.code, i.assessment.year, i.what)
        for i in selectors.waiting_for(user)
    ]


def home_items(client, user) -> list[str]:
    client.force_login(user)
    return [li.text() for li in page(client.get("/")).find(data_testid="waiting").find_all("li")]


def everyone_waits(people) -> dict[str, list[str]]:
    """persona → what waits for them (KAZ 2022 only: the fixtures hold nothing else)."""
    out = {}
    for name, user in people.items():
        items = waiting(user)
        assert all((code, year) == ("KAZ", 2022) for code, year, _what in items)
        out[name] = [what for _code, _year, what in items]
    return {name: whats for name, whats in out.items() if whats}


def to_review(a, people):
    step(a, "send_for_endorsement", people["coordinator"])
    step(a, "endorse_and_submit", people["rc"])
    step(a, "start_review", people["reviewer"])


# --- Waiting for me, step by step ------------------------------------------------------------


def test_waiting_list_follows_the_assessment_through_every_step(people, kaz_2022, client):
    p = people
    assert everyone_waits(p) == {
        "iat": ["Rate the PIs and write the findings"],
        "coordinator": ["Complete and send for endorsement"],
    }

    step(kaz_2022, "send_for_endorsement", p["coordinator"])
    assert everyone_waits(p) == {"rc": ["Endorse and submit to UN Women"]}

    step(kaz_2022, "send_back_to_team", p["rc"], SEND_BACK_REASON)
    sent_back = ["Revise: sent back by the Resident Coordinator"]
    assert everyone_waits(p) == {"iat": sent_back, "coordinator": sent_back}

    step(kaz_2022, "send_for_endorsement", p["coordinator"])
    step(kaz_2022, "endorse_and_submit", p["rc"])
    review = ["Quality review"]
    assert everyone_waits(p) == {"reviewer": review, "admin_user": review}

    step(kaz_2022, "start_review", p["reviewer"])
    assert everyone_waits(p) == {"reviewer": review, "admin_user": review}

    step(kaz_2022, "return_for_revision", p["reviewer"], RETURN_REASON, ["4.3"])
    returned = ["Revise: returned by UN Women"]
    assert everyone_waits(p) == {"iat": returned, "coordinator": returned}
    # The IAT member's home page, after a real return (the reported bug: it stayed empty).
    assert home_items(client, p["iat"]) == [
        "Kazakhstan 2022 Revise: returned by UN Women · Returned for revision"
    ]

    to_review(kaz_2022, p)
    step(kaz_2022, "approve", p["reviewer"])
    assert everyone_waits(p) == {}
    assert home_items(client, p["iat"]) == ["Nothing is waiting for you."]


def test_reopen_request_waits_for_reviewers_and_a_granted_one_for_the_team(people, kaz_2022):
    p = people
    to_review(kaz_2022, p)
    step(kaz_2022, "approve", p["reviewer"])

    request = workflow.request_reopen(
        assessment=kaz_2022, by=p["coordinator"], reason="The parity data arrived late."
    )
    decide = ["Decide on a reopen request"]
    assert everyone_waits(p) == {"reviewer": decide, "admin_user": decide}

    workflow.decide_reopen(reopen_request=request, by=p["reviewer"], grant=True)
    reopened = ["Revise: reopened at the team's request"]
    assert everyone_waits(p) == {"iat": reopened, "coordinator": reopened}
    assert ReopenRequest.objects.get().decision == "granted"


def test_a_reviewer_who_is_also_a_team_member_gets_each_task_once(people, kaz_2022, team):
    """A global reviewer who is also the team's viewer: the review, once; the viewer role adds
    nothing."""
    both = UserFactory(username="both")
    MembershipFactory(user=both, country_team=team, role=Membership.Role.VIEWER)
    from core.models import ReviewerScope

    ReviewerScope.objects.create(user=both, is_global=True)
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="in_review")

    assert waiting(both) == [("KAZ", 2022, "Quality review")]


def test_waiting_list_costs_one_query_whatever_the_number_of_assessments(
    people, kaz_2022, team, coordinator, django_assert_num_queries
):
    from scorecard import services

    for year in range(2023, 2033):
        services.create_comprehensive_assessment(country_team=team, year=year, by=coordinator)
    user = people["iat"]
    user._team_roles = None  # roles and reviewer scope are loaded once per request: count them
    user._reviewer_regions = None
    selectors.waiting_for(user)  # loads them

    with django_assert_num_queries(1):
        items = selectors.waiting_for(user)
    assert len(items) == 11


# --- The reason on top of the overview, and on the PI page -----------------------------------


def first(doc, **attrs):
    """The first node with these attributes, or None (page().find asserts there is one)."""
    found = doc.find_all(**attrs)
    return found[0] if found else None


def current_return_box(client, user):
    client.force_login(user)
    return first(page(client.get(OVERVIEW)), data_testid="current-return")


def test_reason_of_a_return_is_on_top_of_the_overview_until_the_team_sends_it_on(
    people, kaz_2022, client
):
    p = people
    to_review(kaz_2022, p)
    assert current_return_box(client, p["iat"]) is None

    step(kaz_2022, "return_for_revision", p["reviewer"], RETURN_REASON, ["4.3"])
    box = current_return_box(client, p["iat"])
    assert box is not None
    assert box.find("h2").text().startswith("Returned for revision by ")
    assert box.find(data_testid="current-return-reason").text() == RETURN_REASON
    assert [a.attrs["href"] for a in box.find_all("a")] == [PI_43]
    # Before the quality checks and the workflow card: the first thing under the title.
    html = client.get(OVERVIEW).content.decode()
    assert html.index('data-testid="current-return"') < html.index('data-testid="quality-checks"')

    step(kaz_2022, "send_for_endorsement", p["coordinator"])
    assert current_return_box(client, p["iat"]) is None
    assert current_return_box(client, p["rc"]) is None
    # Still in the history.
    history = page(client.get(OVERVIEW)).find(data_testid="workflow-history").text()
    assert RETURN_REASON in history


def test_reason_of_a_send_back_is_on_top_while_the_draft_is_with_the_team(people, kaz_2022, client):
    p = people
    step(kaz_2022, "send_for_endorsement", p["coordinator"])
    step(kaz_2022, "send_back_to_team", p["rc"], SEND_BACK_REASON)

    box = current_return_box(client, p["coordinator"])
    assert box.find("h2").text().startswith("Sent back to the assessment team by ")
    assert box.find(data_testid="current-return-reason").text() == SEND_BACK_REASON

    step(kaz_2022, "send_for_endorsement", p["coordinator"])
    assert current_return_box(client, p["coordinator"]) is None


def test_pi_banner_shows_the_return_only_while_it_is_current(people, kaz_2022, client):
    """The reported bug: the red "Returned by" banner stayed on PI 4.3 after approval."""
    p = people
    to_review(kaz_2022, p)
    step(kaz_2022, "return_for_revision", p["reviewer"], RETURN_REASON, ["4.3"])
    client.force_login(p["iat"])

    banners = page(client.get(PI_43)).find_all(data_testid="return-reason")
    assert len(banners) == 1
    assert RETURN_REASON in banners[0].text()
    assert page(client.get(PI_22)).find_all(data_testid="return-reason") == []

    step(kaz_2022, "send_for_endorsement", p["coordinator"])
    assert page(client.get(PI_43)).find_all(data_testid="return-reason") == []
    step(kaz_2022, "endorse_and_submit", p["rc"])
    step(kaz_2022, "start_review", p["reviewer"])
    step(kaz_2022, "approve", p["reviewer"])
    assert page(client.get(PI_43)).find_all(data_testid="return-reason") == []
    assert (
        selectors.return_reasons_for(
            kaz_2022.indicator_assessments.select_related("assessment").get(indicator__code="4.3")
        )
        == []
    )


def test_pi_banner_of_an_earlier_return_does_not_come_back_after_a_reopen(people, kaz_2022, client):
    p = people
    to_review(kaz_2022, p)
    step(kaz_2022, "return_for_revision", p["reviewer"], RETURN_REASON, ["4.3"])
    to_review(kaz_2022, p)
    step(kaz_2022, "approve", p["reviewer"])
    request = workflow.request_reopen(assessment=kaz_2022, by=p["coordinator"], reason="Late data")
    workflow.decide_reopen(reopen_request=request, by=p["reviewer"], grant=True)
    client.force_login(p["iat"])

    assert page(client.get(PI_43)).find_all(data_testid="return-reason") == []
    box = page(client.get(OVERVIEW)).find(data_testid="current-return")
    assert box.find("h2").text().startswith("Reopened by ")
    assert "Late data" in box.text()


# --- Why a PI page is read-only ------------------------------------------------------------

READ_ONLY = {
    "awaiting_endorsement": "awaiting the UNCT's endorsement",
    "submitted": "submitted to UN Women",
    "in_review": "UN Women is reviewing",
    "approved": "the assessment is approved",
}


@pytest.mark.parametrize("state", list(READ_ONLY))
def test_read_only_pi_page_says_why_for_the_state(client, iat, kaz_2022, state):
    Assessment.objects.filter(pk=kaz_2022.pk).update(status=state)
    client.force_login(iat)

    reason = page(client.get(PI_22)).find(data_testid="read-only-reason")
    assert READ_ONLY[state] in reason.text()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("viewer", "you are a viewer of this team"),
        ("rc", "as Resident Coordinator you endorse"),
        ("admin_user", None),
        ("iat", None),
        ("coordinator", None),
    ],
)
def test_read_only_pi_page_says_why_for_the_role(request, client, kaz_2022, name, words):
    client.force_login(request.getfixturevalue(name))

    reason = first(page(client.get(PI_22)), data_testid="read-only-reason")
    if words is None:
        assert reason is None
    else:
        assert words in reason.text()


def test_read_only_pi_page_says_why_for_a_reviewer(client, reviewer, kaz_2022):
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="returned")
    client.force_login(reviewer)

    reason = page(client.get(PI_22)).find(data_testid="read-only-reason")
    assert "as a UN Women reviewer you comment on the PIs" in reason.text()


# --- Approve and return look different; approving is confirmed ----------------------------------


def test_approve_and_return_are_distinct_and_approving_asks_for_confirmation(
    client, reviewer, kaz_2022
):
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="in_review")
    client.force_login(reviewer)
    card = page(client.get(OVERVIEW)).find(data_testid="workflow")

    back = card.find(data_action="return_for_revision")
    approve = card.find(data_action="approve")
    assert "btn-outline-danger" in back.find("button").attrs["class"]
    assert "btn-success" in approve.find("button").attrs["class"]
    assert "required" in back.find("textarea").attrs
    box = approve.find("input", name="confirm")
    assert box.attrs["type"] == "checkbox"
    assert "required" in box.attrs
    assert card.find("hr") is not None  # the two forms are apart

    # Without the box ticked (a browser without validation): refused, nothing approved.
    response = client.post(OVERVIEW + "workflow/", {"action": "approve"})
    assert response.status_code == 400
    assert "Tick the box to confirm that you checked the assessment." in response.content.decode()
    kaz_2022.refresh_from_db()
    assert kaz_2022.status == "in_review"

    response = client.post(OVERVIEW + "workflow/", {"action": "approve", "confirm": "yes"})
    assert response.status_code == 302
    kaz_2022.refresh_from_db()
    assert kaz_2022.status == "approved"
