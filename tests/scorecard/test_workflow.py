"""The review workflow end to end: transitions and who may take them, notifications, reopen
requests, review comments, withdrawal instead of deletion, PI history, "waiting for me", and
login throttling.

Personas come from tests/conftest.py: `iat` and `coordinator` edit Kazakhstan (KAZ), `rc` endorses
for the UNCT, `viewer` reads, `outsider` is an IAT member of Demoland (XDL, same region),
`reviewer` is the UN Women reviewer of KAZ's region and `far_reviewer` reviews Africa only.
`kaz_2022` is the seed annual assessment (5 PIs reassessed and rated, passes the blocking checks).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from scorecard import selectors, services, workflow
from scorecard.models import (
    ActionPoint,
    Assessment,
    Comment,
    Evidence,
    IndicatorAssessment,
    ReopenRequest,
    WorkflowEvent,
)
from scorecard.permissions import (
    can_edit_assessment,
    can_view_assessment,
    get_assessment_for_user,
    get_indicator_assessment_for_user,
)
from tests.factories import PASSWORD
from tests.scorecard.test_views import (
    PDF_BYTES,
    alerts,
    buttons,
    db_state,
    page,
    pdf_upload,
    rate_pi_2_2,
    table_rows,
)

SITE = "http://127.0.0.1:8000"
OVERVIEW = "/teams/KAZ/2022/"
LABEL = {
    "draft": "Draft",
    "awaiting_endorsement": "Awaiting UNCT endorsement",
    "submitted": "Submitted to UN Women",
    "in_review": "In quality review",
    "returned": "Returned for revision",
    "approved": "Approved",
}
STATES = list(LABEL)
PERSONAS = [
    "anonymous",
    "outsider",
    "viewer",
    "rc",
    "iat",
    "coordinator",
    "reviewer",
    "far_reviewer",
    "admin_user",
]
# Fixed names, so that who did what can be written out literally.
NAMES = {
    "iat": ("Aruzhan", "Bekova"),
    "coordinator": ("Dana", "Seitkali"),
    "rc": ("Karin", "Lund"),
    "viewer": ("Timur", "Akhmetov"),
    "outsider": ("Ola", "Demo"),
    "reviewer": ("Nadia", "Haddad"),
    "far_reviewer": ("Kofi", "Mensah"),
    "admin_user": ("Site", "Admin"),
}
REASON = "PI 4.3: the parity data is missing"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """MD5: personas are created per test, no need to pay for PBKDF2 on every one. SITE_URL is
    pinned so that the links in notification mails can be written out literally."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = SITE


@pytest.fixture
def people(iat, coordinator, rc, viewer, outsider, reviewer, far_reviewer, admin_user):
    """Every persona, with the names above."""
    users = SimpleNamespace(
        iat=iat,
        coordinator=coordinator,
        rc=rc,
        viewer=viewer,
        outsider=outsider,
        reviewer=reviewer,
        far_reviewer=far_reviewer,
        admin_user=admin_user,
        anonymous=AnonymousUser(),
    )
    for name, (first, last) in NAMES.items():
        user = getattr(users, name)
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return users


def persona(request, name):
    if name == "anonymous":
        return AnonymousUser()
    return request.getfixturevalue(name)


def set_status(assessment: Assessment, status: str) -> Assessment:
    """Put the assessment in a workflow state directly (the path there is tested separately)."""
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    return assessment


def row(assessment: Assessment, code: str) -> IndicatorAssessment:
    return assessment.indicator_assessments.select_related("indicator").get(indicator__code=code)


def status_of(assessment: Assessment) -> str:
    return Assessment.objects.get(pk=assessment.pk).status


def step(assessment, action, by, comment="", indicator_codes=()):
    return workflow.transition(
        assessment=assessment,
        action=action,
        by=by,
        comment=comment,
        indicator_codes=indicator_codes,
    )


def events(assessment) -> list[tuple[str, str, str, str, str]]:
    return [
        (e.action, e.from_status, e.to_status, e.actor_name, e.comment)
        for e in selectors.workflow_history(assessment)
    ]


def mails(outbox) -> list[tuple[str, list[str]]]:
    return [(m.subject, m.to) for m in outbox]


# --- The whole path ----------------------------------------------------------------------------


def test_workflow_full_path_returned_then_approved(people, kaz_2022):
    p = people
    step(kaz_2022, "send_for_endorsement", p.coordinator)
    step(kaz_2022, "endorse_and_submit", p.rc)
    step(kaz_2022, "start_review", p.reviewer)
    step(kaz_2022, "return_for_revision", p.reviewer, REASON, ["4.3"])

    assert status_of(kaz_2022) == "returned"
    kaz_2022.refresh_from_db()
    assert can_edit_assessment(p.iat, kaz_2022) is True
    reasons = selectors.return_reasons_for(row(kaz_2022, "4.3"))
    assert [(e.actor_name, e.comment) for e in reasons] == [("Nadia Haddad", REASON)]
    assert selectors.return_reasons_for(row(kaz_2022, "2.2")) == []

    step(kaz_2022, "send_for_endorsement", p.coordinator)
    step(kaz_2022, "endorse_and_submit", p.rc)
    step(kaz_2022, "start_review", p.reviewer)
    step(kaz_2022, "approve", p.reviewer)

    kaz_2022.refresh_from_db()
    assert kaz_2022.status == "approved"
    for name in ("iat", "coordinator", "admin_user"):
        assert can_edit_assessment(getattr(p, name), kaz_2022) is False, name
    for name in PERSONAS:
        assert workflow.available_transitions(getattr(p, name), kaz_2022) == [], name
    assert events(kaz_2022) == [
        ("send_for_endorsement", "draft", "awaiting_endorsement", "Dana Seitkali", ""),
        ("endorse_and_submit", "awaiting_endorsement", "submitted", "Karin Lund", ""),
        ("start_review", "submitted", "in_review", "Nadia Haddad", ""),
        ("return_for_revision", "in_review", "returned", "Nadia Haddad", REASON),
        ("send_for_endorsement", "returned", "awaiting_endorsement", "Dana Seitkali", ""),
        ("endorse_and_submit", "awaiting_endorsement", "submitted", "Karin Lund", ""),
        ("start_review", "submitted", "in_review", "Nadia Haddad", ""),
        ("approve", "in_review", "approved", "Nadia Haddad", ""),
    ]
    returned = selectors.workflow_history(kaz_2022)[3]
    assert [i.code for i in returned.indicators.all()] == ["4.3"]


def test_workflow_return_reason_shown_on_pi_page_and_overview(client, people, kaz_2022):
    set_status(kaz_2022, "in_review")
    client.force_login(people.reviewer)

    response = client.post(
        "/teams/KAZ/2022/workflow/",
        {"action": "return_for_revision", "comment": REASON, "indicators": ["4.3"]},
    )

    assert response.status_code == 302
    assert response["Location"] == OVERVIEW
    client.force_login(people.iat)
    overview = page(client.get(OVERVIEW))
    assert overview.find(data_testid="workflow-status").text() == "Returned for revision"
    history = overview.find(data_testid="workflow-history").find_all("li")
    assert len(history) == 1
    assert history[0].find("strong").text() == "Nadia Haddad"
    assert (
        "Returned to the team for revision (from “In quality review” to “Returned for revision”)"
        in history[0].text()
    )
    assert history[0].text().endswith(f"{REASON} PIs concerned: 4.3")
    reason = page(client.get("/teams/KAZ/2022/pi/4.3/")).find(data_testid="return-reason")
    assert reason.text().startswith("Returned by Nadia Haddad on ")
    assert reason.text().endswith(f": {REASON}")
    assert page(client.get("/teams/KAZ/2022/pi/2.2/")).find_all(data_testid="return-reason") == []


# --- Each transition: who, from where, with what -----------------------------------------------

# action → (the states it starts from, where it goes, who may take it)
TRANSITIONS = {
    "send_for_endorsement": (
        ["draft", "returned"],
        "awaiting_endorsement",
        {"coordinator", "admin_user"},
    ),
    "send_back_to_team": (["awaiting_endorsement"], "draft", {"rc", "admin_user"}),
    "endorse_and_submit": (["awaiting_endorsement"], "submitted", {"rc", "admin_user"}),
    "start_review": (["submitted"], "in_review", {"reviewer", "admin_user"}),
    "return_for_revision": (["in_review"], "returned", {"reviewer", "admin_user"}),
    "approve": (["in_review"], "approved", {"reviewer", "admin_user"}),
}
ALLOWED_CASES = [
    (action, source, name)
    for action, (sources, _target, allowed) in TRANSITIONS.items()
    for source in sources
    for name in sorted(allowed)
]
REFUSED_CASES = [
    (action, name)
    for action, (_sources, _target, allowed) in TRANSITIONS.items()
    for name in PERSONAS
    if name not in allowed
]
WRONG_STATE_CASES = [
    (action, state)
    for action, (sources, _target, _allowed) in TRANSITIONS.items()
    for state in STATES
    if state not in sources
]
# The role that may take each step (the one that gets the state error, not PermissionDenied).
ACTOR = {
    "send_for_endorsement": "coordinator",
    "send_back_to_team": "rc",
    "endorse_and_submit": "rc",
    "start_review": "reviewer",
    "return_for_revision": "reviewer",
    "approve": "reviewer",
}


@pytest.mark.parametrize(
    ("action", "source", "name"), ALLOWED_CASES, ids=["-".join(c) for c in ALLOWED_CASES]
)
def test_transition_allowed_moves_and_records_event(
    request, people, kaz_2022, action, source, name
):
    set_status(kaz_2022, source)

    event = step(kaz_2022, action, persona(request, name), "Reason given", ["4.3"])

    target = TRANSITIONS[action][1]
    assert status_of(kaz_2022) == target
    assert kaz_2022.status == target
    assert events(kaz_2022) == [
        (action, source, target, " ".join(NAMES[name]), "Reason given"),
    ]
    assert event.actor == persona(request, name)


@pytest.mark.parametrize(
    ("action", "name"), REFUSED_CASES, ids=["-".join(c) for c in REFUSED_CASES]
)
def test_transition_by_wrong_role_is_permission_denied(request, kaz_2022, action, name):
    source = TRANSITIONS[action][0][0]
    set_status(kaz_2022, source)
    before = db_state()

    with pytest.raises(PermissionDenied):
        step(kaz_2022, action, persona(request, name), "Reason given", ["4.3"])

    assert status_of(kaz_2022) == source
    assert WorkflowEvent.objects.count() == 0
    assert db_state() == before


@pytest.mark.parametrize(
    ("action", "state"), WRONG_STATE_CASES, ids=["-".join(c) for c in WRONG_STATE_CASES]
)
def test_transition_from_wrong_state_is_refused(request, kaz_2022, action, state):
    set_status(kaz_2022, state)

    with pytest.raises(ValidationError) as excinfo:
        step(kaz_2022, action, persona(request, ACTOR[action]), "Reason given")

    assert excinfo.value.messages == [
        f"This cannot be done while the assessment is “{LABEL[state]}”."
    ]
    assert status_of(kaz_2022) == state
    assert WorkflowEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("action", "state", "name"),
    [
        ("send_back_to_team", "awaiting_endorsement", "rc"),
        ("return_for_revision", "in_review", "reviewer"),
    ],
)
@pytest.mark.parametrize("comment", ["", "   \n "])
def test_transition_without_reason_is_refused(request, kaz_2022, action, state, name, comment):
    set_status(kaz_2022, state)

    with pytest.raises(ValidationError) as excinfo:
        step(kaz_2022, action, persona(request, name), comment)

    assert excinfo.value.message_dict == {"comment": ["Give the reason: the team will see it."]}
    assert status_of(kaz_2022) == state
    assert WorkflowEvent.objects.count() == 0


def test_transition_unknown_action_is_refused(kaz_2022, admin_user):
    with pytest.raises(ValidationError) as excinfo:
        step(kaz_2022, "publish", admin_user)

    assert excinfo.value.messages == ["Unknown workflow action."]
    assert status_of(kaz_2022) == "draft"


def test_transition_return_with_pi_of_no_such_code_is_refused(kaz_2022, reviewer):
    set_status(kaz_2022, "in_review")

    with pytest.raises(ValidationError) as excinfo:
        step(kaz_2022, "return_for_revision", reviewer, REASON, ["4.3", "9.9"])

    assert excinfo.value.message_dict == {"indicators": ["Choose PIs of this assessment."]}
    assert status_of(kaz_2022) == "in_review"
    assert WorkflowEvent.objects.count() == 0


def test_endorse_and_submit_reruns_blocking_checks(kaz_2022, coordinator, rc):
    step(kaz_2022, "send_for_endorsement", coordinator)
    # Changed behind the workflow's back after it was sent: a reassessed PI without a rating.
    IndicatorAssessment.objects.filter(assessment=kaz_2022, indicator__code="2.2").update(rating="")

    with pytest.raises(ValidationError) as excinfo:
        step(kaz_2022, "endorse_and_submit", rc)

    assert excinfo.value.messages == ["PI 2.2 is reassessed but not rated."]
    assert status_of(kaz_2022) == "awaiting_endorsement"
    assert [e.action for e in selectors.workflow_history(kaz_2022)] == ["send_for_endorsement"]


# --- Reviewers see their regions' submitted work only ------------------------------------------


@pytest.mark.parametrize("state", STATES)
def test_far_reviewer_neither_sees_nor_acts(kaz_2022, far_reviewer, state):
    set_status(kaz_2022, state)

    assert can_view_assessment(far_reviewer, kaz_2022) is False
    with pytest.raises(Http404):
        get_assessment_for_user(far_reviewer, "KAZ", 2022)
    with pytest.raises(Http404):
        get_indicator_assessment_for_user(far_reviewer, "KAZ", 2022, "2.2")
    assert workflow.available_transitions(far_reviewer, kaz_2022) == []
    for action in ("start_review", "return_for_revision", "approve"):
        with pytest.raises(PermissionDenied):
            step(kaz_2022, action, far_reviewer, "Reason given")
    assert status_of(kaz_2022) == state
    assert WorkflowEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("state", "sees"),
    [
        ("draft", False),
        ("awaiting_endorsement", False),
        ("submitted", True),
        ("in_review", True),
        ("returned", True),
        ("approved", True),
    ],
)
def test_reviewer_sees_only_work_submitted_to_un_women(client, kaz_2022, reviewer, state, sees):
    set_status(kaz_2022, state)
    client.force_login(reviewer)

    assert can_view_assessment(reviewer, kaz_2022) is sees
    if sees:
        assert get_assessment_for_user(reviewer, "KAZ", 2022) == kaz_2022
    else:
        with pytest.raises(Http404):
            get_assessment_for_user(reviewer, "KAZ", 2022)
    assert client.get(OVERVIEW).status_code == (200 if sees else 404)
    assert client.get("/teams/KAZ/2022/pi/2.2/").status_code == (200 if sees else 404)


@pytest.mark.parametrize("state", STATES)
def test_reviewer_team_and_home_pages_list_only_submitted_work(client, kaz_2022, reviewer, state):
    """Drafts stay the team's: what answers 404 to the reviewer is listed nowhere either."""
    set_status(kaz_2022, state)
    client.force_login(reviewer)
    sees = state not in ("draft", "awaiting_endorsement")

    team_rows = [
        [cell.text() for cell in tr.children if not isinstance(cell, str)]
        for tr in page(client.get("/teams/KAZ/")).find("tbody").find_all("tr")
    ]
    home = page(client.get("/"))
    waiting = {id(a) for a in home.find(data_testid="waiting").find_all("a")}
    home_links = [a.text() for a in home.find_all("a", href=OVERVIEW) if id(a) not in waiting]

    if sees:
        assert team_rows == [
            ["2022", "Annual progress assessment", "2018", "5 / 5 required", "15", LABEL[state]]
        ]
        assert home_links == ["2022 · Annual progress assessment"]
    else:
        assert (team_rows, home_links) == ([["No assessments yet."]], []), (
            f"the region's reviewer is shown KAZ 2022 while it is {LABEL[state]} (with its "
            "status and progress counts) on the team page or the home page, linking to a page "
            "that answers 404: those listings must keep only what can_view_assessment allows"
        )
    assert client.get(OVERVIEW).status_code == (200 if sees else 404)


@pytest.mark.parametrize(
    ("name", "state", "forms"),
    [
        ("coordinator", "draft", ["send_for_endorsement"]),
        ("iat", "draft", []),
        ("rc", "awaiting_endorsement", ["send_back_to_team", "endorse_and_submit"]),
        ("coordinator", "awaiting_endorsement", []),
        ("reviewer", "submitted", ["start_review"]),
        ("reviewer", "in_review", ["return_for_revision", "approve"]),
        ("rc", "in_review", []),
        ("coordinator", "returned", ["send_for_endorsement"]),
        ("reviewer", "approved", []),
    ],
)
def test_overview_shows_the_buttons_of_the_users_steps(
    request, client, kaz_2022, name, state, forms
):
    set_status(kaz_2022, state)
    client.force_login(persona(request, name))

    workflow_card = page(client.get(OVERVIEW)).find(data_testid="workflow")

    shown = [
        f.attrs["data-action"] for f in workflow_card.find_all("form") if "data-action" in f.attrs
    ]
    assert shown == forms
    if not forms:
        assert "Nothing for you to do at this stage." in workflow_card.text()


# --- Notifications -----------------------------------------------------------------------------


def test_notify_send_for_endorsement_mails_the_rc(
    people, kaz_2022, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        step(kaz_2022, "send_for_endorsement", people.coordinator)

    assert mails(mailoutbox) == [
        ("UNCT-SWAP Kazakhstan 2022: Awaiting UNCT endorsement", ["rc@example.org"])
    ]
    assert mailoutbox[0].body == (
        f"Dana Seitkali: Draft → Awaiting UNCT endorsement.\n\n\n\n{SITE}/teams/KAZ/2022/"
    )


def test_notify_endorse_and_submit_mails_the_regions_reviewer_only(
    people, kaz_2022, mailoutbox, django_capture_on_commit_callbacks
):
    set_status(kaz_2022, "awaiting_endorsement")

    with django_capture_on_commit_callbacks(execute=True):
        step(kaz_2022, "endorse_and_submit", people.rc)

    assert mails(mailoutbox) == [
        ("UNCT-SWAP Kazakhstan 2022: Submitted to UN Women", ["reviewer@example.org"])
    ]
    assert "far-reviewer@example.org" not in mailoutbox[0].to
    assert f"{SITE}/teams/KAZ/2022/" in mailoutbox[0].body


def test_notify_return_mails_coordinator_and_iat_with_reason(
    people, kaz_2022, mailoutbox, django_capture_on_commit_callbacks
):
    set_status(kaz_2022, "in_review")

    with django_capture_on_commit_callbacks(execute=True):
        step(kaz_2022, "return_for_revision", people.reviewer, REASON, ["4.3"])

    assert mails(mailoutbox) == [
        (
            "UNCT-SWAP Kazakhstan 2022: Returned for revision",
            ["coordinator@example.org", "iat@example.org"],
        )
    ]
    assert mailoutbox[0].body == (
        f"Nadia Haddad: In quality review → Returned for revision.\n\n{REASON}\n\n"
        f"{SITE}/teams/KAZ/2022/"
    )


# action → who is told to act next (NEXT_ACTORS); viewers and other regions never are.
NEXT = {
    "send_for_endorsement": ["rc@example.org"],
    "send_back_to_team": ["coordinator@example.org"],
    "endorse_and_submit": ["reviewer@example.org"],
    "start_review": ["coordinator@example.org", "rc@example.org"],
    "return_for_revision": ["coordinator@example.org", "iat@example.org"],
    "approve": ["coordinator@example.org", "rc@example.org"],
}


@pytest.mark.parametrize("action", list(NEXT))
def test_notify_each_step_mails_who_acts_next(
    request, people, kaz_2022, action, mailoutbox, django_capture_on_commit_callbacks
):
    sources, target, _allowed = TRANSITIONS[action]
    set_status(kaz_2022, sources[0])

    with django_capture_on_commit_callbacks(execute=True):
        step(kaz_2022, action, persona(request, ACTOR[action]), "Reason given")

    assert mails(mailoutbox) == [(f"UNCT-SWAP Kazakhstan 2022: {LABEL[target]}", NEXT[action])]
    assert mailoutbox[0].body.endswith(f"Reason given\n\n{SITE}/teams/KAZ/2022/")


def test_notify_nothing_is_sent_when_the_transition_is_refused(
    people, kaz_2022, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        step(kaz_2022, "send_for_endorsement", people.iat)

    assert mailoutbox == []


# --- Reopening an approved assessment ----------------------------------------------------------


@pytest.fixture
def approved(people, kaz_2022):
    return set_status(kaz_2022, "approved")


def reopen_requests(assessment) -> list[tuple[str, str, str, str, str]]:
    return [
        (r.requested_by_name, r.reason, r.decision, r.decided_by_name, r.decision_comment)
        for r in ReopenRequest.objects.filter(assessment=assessment).order_by("pk")
    ]


@pytest.mark.parametrize("name", ["coordinator", "rc"])
def test_reopen_request_by_coordinator_or_rc_mails_reviewers(
    request, approved, name, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_reopen(
            assessment=approved, by=persona(request, name), reason="  The RC asked for 4.3.  "
        )

    who = " ".join(NAMES[name])
    assert reopen_requests(approved) == [(who, "The RC asked for 4.3.", "pending", "", "")]
    assert status_of(approved) == "approved"
    assert mails(mailoutbox) == [
        ("UNCT-SWAP Kazakhstan 2022: reopen requested", ["reviewer@example.org"])
    ]
    assert mailoutbox[0].body == f"{who}: The RC asked for 4.3.\n\n{SITE}/teams/KAZ/2022/"


def test_reopen_request_without_reason_is_refused(approved, people):
    with pytest.raises(ValidationError) as excinfo:
        workflow.request_reopen(assessment=approved, by=people.coordinator, reason="  ")

    assert excinfo.value.message_dict == {"reason": ["Say why the assessment must be reopened."]}
    assert reopen_requests(approved) == []


def test_reopen_request_second_pending_is_refused(approved, people):
    workflow.request_reopen(assessment=approved, by=people.coordinator, reason="PI 4.3 data")

    with pytest.raises(ValidationError) as excinfo:
        workflow.request_reopen(assessment=approved, by=people.rc, reason="PI 2.2 too")

    assert excinfo.value.messages == ["A reopen request is already waiting for a decision."]
    assert [r[1] for r in reopen_requests(approved)] == ["PI 4.3 data"]


@pytest.mark.parametrize("state", STATES[:-1])
def test_reopen_request_on_not_approved_is_refused(people, kaz_2022, state):
    set_status(kaz_2022, state)

    with pytest.raises(ValidationError) as excinfo:
        workflow.request_reopen(assessment=kaz_2022, by=people.coordinator, reason="PI 4.3")

    assert excinfo.value.messages == ["Only an approved assessment can be reopened."]
    assert ReopenRequest.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["anonymous", "outsider", "viewer", "iat", "reviewer", "far_reviewer"]
)
def test_reopen_request_by_others_is_permission_denied(request, approved, name):
    with pytest.raises(PermissionDenied):
        workflow.request_reopen(assessment=approved, by=persona(request, name), reason="PI 4.3")

    assert ReopenRequest.objects.count() == 0


@pytest.fixture
def pending(approved, people):
    return workflow.request_reopen(
        assessment=approved, by=people.coordinator, reason="The parity data arrived."
    )


def test_reopen_grant_returns_it_to_the_team(
    approved, pending, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.decide_reopen(reopen_request=pending, by=people.reviewer, grant=True)

    assert status_of(approved) == "returned"
    assert reopen_requests(approved) == [
        ("Dana Seitkali", "The parity data arrived.", "granted", "Nadia Haddad", "")
    ]
    assert events(approved) == [
        (
            "reopen",
            "approved",
            "returned",
            "Nadia Haddad",
            "Reopened at the team's request: The parity data arrived.",
        )
    ]
    approved.refresh_from_db()
    assert can_edit_assessment(people.iat, approved) is True
    assert mails(mailoutbox) == [
        (
            "UNCT-SWAP Kazakhstan 2022: Returned for revision",
            ["coordinator@example.org", "iat@example.org"],
        ),
        ("UNCT-SWAP Kazakhstan 2022: reopen request granted", ["coordinator@example.org"]),
    ]
    assert mailoutbox[1].body == f"Nadia Haddad: Granted.\n\n{SITE}/teams/KAZ/2022/"


def test_reopen_refuse_requires_a_comment(approved, pending, people):
    with pytest.raises(ValidationError) as excinfo:
        workflow.decide_reopen(reopen_request=pending, by=people.reviewer, grant=False, comment=" ")

    assert excinfo.value.message_dict == {"comment": ["Say why the request is refused."]}
    assert reopen_requests(approved)[0][2] == "pending"
    assert status_of(approved) == "approved"


def test_reopen_refuse_keeps_it_approved_and_tells_the_requester(
    approved, pending, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.decide_reopen(
            reopen_request=pending, by=people.reviewer, grant=False, comment="Report next year."
        )

    assert status_of(approved) == "approved"
    assert reopen_requests(approved) == [
        (
            "Dana Seitkali",
            "The parity data arrived.",
            "refused",
            "Nadia Haddad",
            "Report next year.",
        )
    ]
    assert WorkflowEvent.objects.count() == 0
    assert mails(mailoutbox) == [
        ("UNCT-SWAP Kazakhstan 2022: reopen request refused", ["coordinator@example.org"])
    ]
    assert mailoutbox[0].body == (
        f"Nadia Haddad: Refused.\n\nReport next year.\n\n{SITE}/teams/KAZ/2022/"
    )


def test_reopen_deciding_twice_is_refused(approved, pending, people):
    workflow.decide_reopen(reopen_request=pending, by=people.reviewer, grant=True)

    with pytest.raises(ValidationError) as excinfo:
        workflow.decide_reopen(
            reopen_request=pending, by=people.admin_user, grant=False, comment="No."
        )

    assert excinfo.value.messages == ["This request has been decided already."]
    assert reopen_requests(approved)[0][2:4] == ("granted", "Nadia Haddad")
    assert status_of(approved) == "returned"


@pytest.mark.parametrize(
    "name", ["anonymous", "outsider", "viewer", "iat", "coordinator", "rc", "far_reviewer"]
)
def test_reopen_decide_by_non_reviewer_is_permission_denied(request, approved, pending, name):
    with pytest.raises(PermissionDenied):
        workflow.decide_reopen(reopen_request=pending, by=persona(request, name), grant=True)

    assert reopen_requests(approved)[0][2] == "pending"
    assert status_of(approved) == "approved"
    assert WorkflowEvent.objects.count() == 0


def test_reopen_through_the_views(client, approved, people):
    client.force_login(people.coordinator)
    overview = page(client.get(OVERVIEW))
    assert "Request reopening" in buttons(overview)

    client.post("/teams/KAZ/2022/reopen/", {"reason": "The parity data arrived."})

    reopen = ReopenRequest.objects.get()
    client.force_login(people.reviewer)
    shown = page(client.get(OVERVIEW)).find(data_testid="reopen-request")
    assert buttons(shown) == ["Grant", "Refuse"]
    response = client.post(
        f"/teams/KAZ/2022/reopen/{reopen.pk}/decide/", {"decision": "grant"}, follow=True
    )
    assert alerts(page(response)) == ["Decision recorded."]
    assert status_of(approved) == "returned"


# --- Review comments ---------------------------------------------------------------------------


@pytest.fixture
def pi_2_2(kaz_2022):
    return row(kaz_2022, "2.2")


def test_comment_empty_body_is_refused(pi_2_2, people):
    with pytest.raises(ValidationError) as excinfo:
        services.add_comment(row=pi_2_2, by=people.reviewer, body="  ")

    assert excinfo.value.message_dict == {
        "body": ["Write the comment (or the reason for the proposed rating)."]
    }
    assert Comment.objects.count() == 0


def test_comment_reply_is_threaded_and_reply_to_reply_refused(kaz_2022, pi_2_2, people):
    question = services.add_comment(row=pi_2_2, by=people.reviewer, body="Which campaign?")
    reply = services.add_comment(
        row=pi_2_2, by=people.iat, body="The 16 Days campaign.", parent=question
    )

    with pytest.raises(ValidationError) as excinfo:
        services.add_comment(row=pi_2_2, by=people.reviewer, body="Thanks.", parent=reply)
    assert excinfo.value.message_dict == {"parent": ["Reply to a comment of this PI."]}
    with pytest.raises(ValidationError) as excinfo:
        services.add_comment(row=row(kaz_2022, "4.3"), by=people.iat, body="Hm", parent=question)
    assert excinfo.value.message_dict == {"parent": ["Reply to a comment of this PI."]}

    threads = selectors.comment_threads(pi_2_2)
    assert [(c.author_name, c.body) for c in threads] == [("Nadia Haddad", "Which campaign?")]
    assert [(r.author_name, r.body) for r in threads[0].replies.all()] == [
        ("Aruzhan Bekova", "The 16 Days campaign.")
    ]
    assert Comment.objects.count() == 2


def test_comment_resolve_marks_the_thread(pi_2_2, people):
    question = services.add_comment(row=pi_2_2, by=people.reviewer, body="Which campaign?")
    reply = services.add_comment(row=pi_2_2, by=people.iat, body="16 Days.", parent=question)

    thread = services.resolve_comment(comment=reply, by=people.iat)

    assert thread == question
    question.refresh_from_db()
    reply.refresh_from_db()
    assert question.resolved_at is not None
    assert question.resolved_by == people.iat
    assert reply.resolved_at is None
    assert [c.resolved_by_id for c in selectors.comment_threads(pi_2_2)] == [people.iat.pk]


def test_comment_view_viewer_gets_403(client, kaz_2022, people):
    client.force_login(people.viewer)
    assert page(client.get("/teams/KAZ/2022/pi/2.2/")).find_all(data_testid="comment-form") == []

    response = client.post("/teams/KAZ/2022/pi/2.2/comments/", {"body": "Looks fine."})

    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_comment_view_iat_may_not_propose_a_rating(client, kaz_2022, people):
    client.force_login(people.iat)
    form = page(client.get("/teams/KAZ/2022/pi/2.2/")).find(data_testid="comment-form")
    assert form.find_all("select", name="proposed_rating") == []

    response = client.post(
        "/teams/KAZ/2022/pi/2.2/comments/",
        {"body": "Rate it higher.", "proposed_rating": "exceeds"},
    )

    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_comment_view_reviewer_proposes_rating_on_submitted(client, kaz_2022, people):
    set_status(kaz_2022, "submitted")
    client.force_login(people.reviewer)

    response = client.post(
        "/teams/KAZ/2022/pi/2.2/comments/",
        {"body": "Criterion (d) is not shown by the evidence.", "proposed_rating": "meets"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/teams/KAZ/2022/pi/2.2/#comments"
    doc = page(client.get("/teams/KAZ/2022/pi/2.2/"))
    cards = [n for n in doc.find(data_testid="comments").iter() if "data-comment" in n.attrs]
    assert len(cards) == 1
    text = cards[0].text()
    assert text.startswith("Nadia Haddad · ")
    assert text.endswith(
        "Proposes: Meets minimum requirements Criterion (d) is not shown by the evidence. "
        "Reply Mark resolved"
    )
    assert alerts(doc) == ["Comment posted."]
    comment = Comment.objects.get()
    assert (comment.author, comment.proposed_rating) == (people.reviewer, "meets")


@pytest.mark.parametrize("name", ["rc", "iat", "coordinator", "reviewer", "admin_user"])
def test_comment_view_nobody_comments_once_approved(request, client, kaz_2022, people, name):
    set_status(kaz_2022, "approved")
    client.force_login(persona(request, name))
    assert page(client.get("/teams/KAZ/2022/pi/2.2/")).find_all(data_testid="comment-form") == []

    response = client.post("/teams/KAZ/2022/pi/2.2/comments/", {"body": "One more thing."})

    assert response.status_code == 403
    assert Comment.objects.count() == 0


# --- Withdrawal instead of deletion ------------------------------------------------------------


@pytest.fixture
def evidence(assessment, iat):
    return services.add_evidence(
        row=row(assessment, "2.2"),
        by=iat,
        title="Campaign report",
        category=None,
        file=pdf_upload(),
    )


def test_withdraw_evidence_requires_a_reason(evidence, iat):
    with pytest.raises(ValidationError) as excinfo:
        services.withdraw_evidence(evidence=evidence, by=iat, reason=" ")

    assert excinfo.value.message_dict == {"reason": ["Say why the evidence is withdrawn."]}
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is None
    assert evidence.history.count() == 1


def test_withdraw_evidence_hides_it_but_keeps_file_row_and_history(evidence, iat, coordinator):
    pi = evidence.indicator_assessment
    path = Path(evidence.file.path)
    assert selectors.evidence_for_row(pi) == [evidence]
    assert evidence.history.count() == 1

    services.withdraw_evidence(evidence=evidence, by=coordinator, reason=" Wrong year. ")

    assert selectors.evidence_for_row(pi) == []
    assert selectors.evidence_for_row(pi, withdrawn=True) == [evidence]
    stored = Evidence.objects.get(pk=evidence.pk)
    assert (stored.withdrawn_by, stored.withdrawal_reason) == (coordinator, "Wrong year.")
    assert stored.withdrawn_at is not None
    assert path.read_bytes() == PDF_BYTES
    assert stored.history.count() == 2
    assert stored.history.first().history_user == coordinator

    with pytest.raises(ValidationError) as excinfo:
        services.withdraw_evidence(evidence=stored, by=iat, reason="Again.")
    assert excinfo.value.messages == ["This evidence is already withdrawn."]
    assert stored.history.count() == 2


def test_withdraw_evidence_view_moves_it_to_withdrawn_list(client, evidence, iat):
    client.force_login(iat)

    response = client.post(f"/evidence/{evidence.pk}/withdraw/", {"reason": "Wrong year."})

    assert response.status_code == 302
    assert response["Location"] == "/teams/KAZ/2022/pi/2.2/#evidence"
    doc = page(client.get("/teams/KAZ/2022/pi/2.2/"))
    assert alerts(doc) == ["Evidence withdrawn. It stays in the history."]
    assert table_rows(doc, "evidence-table") == [["No documents uploaded"]]
    withdrawn = doc.find(data_testid="withdrawn-evidence")
    assert withdrawn.find("summary").text() == "1 withdrawn document"
    assert withdrawn.find("li").text().startswith("Campaign report · ")
    assert withdrawn.find("li").text().endswith(": Wrong year.")


@pytest.mark.parametrize("name", ["viewer", "rc"])
def test_withdraw_views_readers_get_403(request, client, evidence, iat, name):
    point = services.create_action_point(
        assessment=evidence.indicator_assessment.assessment,
        by=iat,
        indicator=evidence.indicator_assessment.indicator,
        text="Publish a joint GEEW communication plan",
    )
    client.force_login(persona(request, name))
    before = db_state()

    assert client.post(f"/evidence/{evidence.pk}/withdraw/", {"reason": "x"}).status_code == 403
    assert client.post(f"/action-points/{point.pk}/withdraw/", {"reason": "x"}).status_code == 403

    assert db_state() == before
    assert Evidence.objects.get().withdrawn_at is None
    assert ActionPoint.objects.get().withdrawn_at is None


@pytest.fixture
def point_2_2(kaz_2022):
    return ActionPoint.objects.get(assessment=kaz_2022, indicator__code="2.2")


POINT_2_2 = (
    "Ensure that UNCG strategy and AWP or equivalent visibly includes GEWE priorities and "
    "actions, performed by various UN agencies, including those working in non-traditional "
    "sectors."
)


def test_withdraw_action_point_requires_a_reason(point_2_2, iat):
    with pytest.raises(ValidationError) as excinfo:
        services.withdraw_action_point(action_point=point_2_2, by=iat, reason="")

    assert excinfo.value.message_dict == {"reason": ["Say why the action point is withdrawn."]}
    point_2_2.refresh_from_db()
    assert point_2_2.withdrawn_at is None


def test_withdraw_action_point_hidden_from_plan_and_not_carried(
    client, kaz_2022, point_2_2, team, iat, coordinator
):
    assert point_2_2.text == POINT_2_2
    history_before = point_2_2.history.count()

    services.withdraw_action_point(action_point=point_2_2, by=iat, reason="Done differently.")

    stored = ActionPoint.objects.get(pk=point_2_2.pk)
    assert (stored.withdrawn_by, stored.withdrawal_reason) == (iat, "Done differently.")
    assert stored.history.count() == history_before + 1
    assert POINT_2_2 not in [p.text for p in selectors.action_points_for(kaz_2022)]
    assert len(selectors.action_points_for(kaz_2022)) == 14
    client.force_login(iat)
    assert POINT_2_2 not in page(client.get("/teams/KAZ/2022/action-plan/")).text()
    with pytest.raises(ValidationError) as excinfo:
        services.withdraw_action_point(action_point=stored, by=iat, reason="Again.")
    assert excinfo.value.messages == ["This action point is already withdrawn."]

    kaz_2023 = services.create_annual_assessment(country_team=team, year=2023, by=coordinator)

    carried = list(kaz_2023.action_points.values_list("text", flat=True))
    assert len(carried) == 14
    assert POINT_2_2 not in carried


def test_withdraw_action_point_view(client, kaz_2022, point_2_2, iat):
    client.force_login(iat)

    response = client.post(f"/action-points/{point_2_2.pk}/withdraw/", {"reason": "Merged."})

    assert response.status_code == 302
    assert response["Location"] == "/teams/KAZ/2022/action-plan/"
    doc = page(client.get("/teams/KAZ/2022/action-plan/"))
    assert alerts(doc) == ["Action point withdrawn. It stays in the history."]
    assert POINT_2_2 not in doc.text()


# --- History of a PI ---------------------------------------------------------------------------


def test_history_two_saves_by_different_users_newest_first(client, people, assessment):
    pi = row(assessment, "2.2")
    rate_pi_2_2(pi, people.iat)
    pi.refresh_from_db()
    rate_pi_2_2(pi, people.coordinator, rating="exceeds", criteria_met=["b", "c", "d"])

    history = selectors.row_history(row(assessment, "2.2"))

    # simple-history diffs a set of field names: the order of the changes is not stable.
    # In words (issue 15): the fields' names, the ratings' labels, the criteria's letters.
    meets, exceeds = "Meets minimum requirements", "Exceeds minimum requirements"
    assert [(h["who"], sorted(h["changes"]), h["created"]) for h in history] == [
        (
            "Dana Seitkali",
            [
                ("Criteria met", "(b), (c)", "(b), (c), (d)"),
                ("Rating", meets, exceeds),
                ("Suggested rating", meets, exceeds),
            ],
            False,
        ),
        (
            "Aruzhan Bekova",
            [
                ("Criteria met", "", "(b), (c)"),
                ("Findings for (b)", "", "Joint 16 Days of Activism campaign with four agencies."),
                ("Means of verification", "", "Campaign report on the UN Kazakhstan website."),
                ("Rating", "", meets),
                ("Suggested rating", "Missing requirements", meets),
            ],
            False,
        ),
        ("Dana Seitkali", [], True),
    ]
    client.force_login(people.viewer)
    # The PI page links to its history, which loads when opened (a page of its own without JS).
    pi_page = page(client.get("/teams/KAZ/2022/pi/2.2/"))
    link = pi_page.find(data_testid="history-panel").find("a").attrs["href"]
    assert link == "/teams/KAZ/2022/pi/2.2/open/history/"
    items = page(client.get(link)).find(data_testid="history").find_all("li")
    labels = [
        (li.find("strong").text(), sorted(d.find("span").text() for d in li.find_all("div")))
        for li in items
    ]
    assert labels == [
        ("Dana Seitkali", ["Criteria met", "Rating", "Suggested rating"]),
        (
            "Aruzhan Bekova",
            [
                "Criteria met",
                "Findings for (b)",
                "Means of verification",
                "Rating",
                "Suggested rating",
            ],
        ),
        ("Dana Seitkali", []),
    ]
    assert {d.find("span").text(): d.text() for d in items[0].find_all("div")} == {
        "Rating": f"Rating : {meets} → {exceeds}",
        "Suggested rating": f"Suggested rating : {meets} → {exceeds}",
        "Criteria met": "Criteria met : (b), (c) → (b), (c), (d)",
    }
    assert items[2].text().endswith("· created")


# --- Waiting for me ----------------------------------------------------------------------------

COMPLETE = "Complete and send for endorsement"
ENDORSE = "Endorse and submit to UN Women"
REVIEW = "Quality review"
REVISE = "Revise: returned by UN Women"
RATE = "Rate the PIs and write the findings"
# state → persona → what the home page asks of them (nothing for personas not listed). IAT
# members write the PIs of a draft: it waits for them too (tests/scorecard/test_waiting_for.py
# has the send-backs, returns and reopen requests).
WAITING = {
    "draft": {"coordinator": COMPLETE, "iat": RATE},
    "awaiting_endorsement": {"rc": ENDORSE},
    "submitted": {"reviewer": REVIEW, "admin_user": REVIEW},
    "in_review": {"reviewer": REVIEW, "admin_user": REVIEW},
    "returned": {"coordinator": REVISE, "iat": REVISE},
    "approved": {},
}
WAITING_CASES = [(state, name) for state in STATES for name in PERSONAS[1:]]


@pytest.mark.parametrize(("state", "name"), WAITING_CASES, ids=["-".join(c) for c in WAITING_CASES])
def test_waiting_for_each_persona_in_each_state(request, client, people, kaz_2022, state, name):
    set_status(kaz_2022, state)
    user = persona(request, name)

    expected = WAITING[state].get(name)
    got = [
        (i.assessment.country_team.code, i.assessment.year, i.what)
        for i in selectors.waiting_for(user)
    ]
    assert got == ([("KAZ", 2022, expected)] if expected else [])

    client.force_login(user)
    items = [li.text() for li in page(client.get("/")).find(data_testid="waiting").find_all("li")]
    if expected:
        assert items == [f"Kazakhstan 2022 {expected} · {LABEL[state]}"]
    else:
        assert items == ["Nothing is waiting for you."]


def test_waiting_for_reviewer_pending_reopen_request(people, kaz_2022):
    approved = set_status(kaz_2022, "approved")
    workflow.request_reopen(assessment=approved, by=people.rc, reason="The parity data arrived.")

    assert [i.what for i in selectors.waiting_for(people.reviewer)] == [
        "Decide on a reopen request"
    ]
    assert selectors.waiting_for(people.far_reviewer) == []
    assert selectors.waiting_for(people.coordinator) == []


# --- Login throttling (django-axes) ------------------------------------------------------------


def login(client, password):
    return client.post("/accounts/login/", {"username": "iat", "password": password})


def test_axes_right_password_after_four_failures_logs_in(client, iat):
    for _ in range(4):
        assert login(client, "wrong").status_code == 200

    response = login(client, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(iat.pk)


def test_axes_five_failures_lock_out_even_the_right_password(client, iat):
    for attempt in range(5):
        response = login(client, "wrong")
        # The fifth failure reaches the limit (AXES_FAILURE_LIMIT = 5) and is answered locked.
        assert response.status_code == (429 if attempt == 4 else 200), attempt

    response = login(client, PASSWORD)

    assert response.status_code == 429
    assert "logging in is paused for" in response.content.decode()  # tests/core/test_lockout.py
    assert "_auth_user_id" not in client.session
    home = client.get("/")  # still a visitor: the front page (issue 15), not the home page
    assert home.status_code == 200
    assert 'data-testid="front-page"' in home.content.decode()


def test_pi_history_includes_its_evidence_and_action_points(client, iat, assessment):
    row = assessment.indicator_assessments.get(indicator__code="2.2")
    evidence = services.add_evidence(
        row=row, by=iat, title="UNCG plan", category=None, url="https://example.org/plan"
    )
    services.withdraw_evidence(evidence=evidence, by=iat, reason="Superseded by the 2023 plan")
    point = services.create_action_point(
        assessment=assessment, by=iat, indicator=row.indicator, text="Run a joint campaign"
    )
    services.update_action_point(action_point=point, by=iat, status="completed")

    entries = selectors.row_history(row)

    subjects = [(e["subject"], e["created"]) for e in entries]
    assert subjects[:4] == [
        ("Action point: Run a joint campaign", False),
        ("Action point: Run a joint campaign", True),
        ("Evidence: UNCG plan", False),
        ("Evidence: UNCG plan", True),
    ]
    assert ("Status", "Not started", "Completed") in entries[0]["changes"]
    assert ("Why it was withdrawn", "", "Superseded by the 2023 plan") in entries[2]["changes"]
    client.force_login(iat)
    # As htmx loads it into the PI page: the fragment alone, not a whole page.
    fragment = client.get("/teams/KAZ/2022/pi/2.2/open/history/", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content
    history = page(fragment).find(data_testid="history").text()
    assert "Evidence: UNCG plan" in history
