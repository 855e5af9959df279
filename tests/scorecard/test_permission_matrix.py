"""The permission matrix: every persona × every action × every workflow state, through the views.

The expected outcome of each case is not written case by case: it follows from the few rules
below (who sees the assessment at all, and which personas may do which kind of action in which
states). Anonymous users are sent to the login page; a user who may not know the assessment
exists gets 404; one who sees it but may not act gets 403; an allowed request gets 200 (pages)
or 302 (writes) and does what it says. Every refused request leaves the database as it was.

Personas (as in tests/conftest.py): `iat` and `coordinator` edit Kazakhstan (KAZ), `rc` endorses
for the UNCT, `viewer` reads, `outsider` is an IAT member of Demoland (same region), `reviewer` is
the UN Women reviewer of KAZ's region, `far_reviewer` reviews Africa only, `admin` is a superuser.
The assessment is the seed KAZ 2022 annual report (5 PIs reassessed and rated), put in each state
with the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import override_settings

from core.models import Membership, ReviewerScope
from scorecard import services, workflow
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
    can_comment,
    can_coordinate_assessment,
    can_edit_assessment,
    can_resolve_comment,
    can_view_assessment,
)
from tests.conftest import load_json
from tests.factories import CountryTeamFactory, MembershipFactory, RegionFactory, UserFactory
from tests.scorecard.test_views import PDF_BYTES, db_state, page, pdf_upload

# === The rules =================================================================================

PERSONAS = [
    "anonymous",
    "outsider",
    "viewer",
    "rc",
    "iat",
    "coordinator",
    "reviewer",
    "far_reviewer",
    "admin",
]
STATES = ["draft", "awaiting_endorsement", "submitted", "in_review", "returned", "approved"]
ALL = frozenset(STATES)
EDITABLE = frozenset({"draft", "returned"})  # the team holds the assessment
REACHED_UN_WOMEN = frozenset({"submitted", "in_review", "returned", "approved"})


def sees(persona: str, state: str) -> bool:
    """Who may know the assessment exists (everyone else gets 404)."""
    if persona in {"viewer", "rc", "iat", "coordinator", "admin"}:
        return True  # the team, whatever its role, and administrators: every state
    if persona == "reviewer":
        return state in REACHED_UN_WOMEN  # the region's reviewer: once submitted, never drafts
    return False  # anonymous, another team's member, another region's reviewer


# kind of action → (who may, in which states); only asked of personas who see the assessment.
MAY: dict[str, tuple[set[str], frozenset[str]]] = {
    # Reading (pages, export, downloads, the suggested rating): whoever sees it.
    "read": (set(PERSONAS), ALL),
    # Ratings, evidence, action plan: the IAT (members and coordinator) while the team holds it.
    "write": ({"iat", "coordinator", "admin"}, EDITABLE),
    # Sending to the UNCT for endorsement: the IAT coordinator only.
    "coordinate": ({"coordinator", "admin"}, ALL),
    # Endorsing for the UNCT and submitting to UN Women: the Resident Coordinator only.
    "endorse": ({"rc", "admin"}, ALL),
    # Starting the review, returning, approving: the region's UN Women reviewer.
    "review": ({"reviewer", "admin"}, ALL),
    # Asking to reopen an approved assessment: the coordinator or the Resident Coordinator.
    "reopen": ({"coordinator", "rc", "admin"}, ALL),
    # Review comments: the team except read-only viewers, and reviewers; closed once approved.
    "comment": ({"rc", "iat", "coordinator", "reviewer", "admin"}, ALL - {"approved"}),
    # Resolving a thread an IAT member opened: its author, the IAT, reviewers (not the RC).
    "resolve": ({"iat", "coordinator", "reviewer", "admin"}, ALL - {"approved"}),
}

# The workflow step each state offers (the one the workflow button posts), and its kind.
WORKFLOW_STEP = {
    "draft": ("send_for_endorsement", "coordinate", "awaiting_endorsement"),
    "awaiting_endorsement": ("endorse_and_submit", "endorse", "submitted"),
    "submitted": ("start_review", "review", "in_review"),
    "in_review": ("return_for_revision", "review", "returned"),
    "returned": ("send_for_endorsement", "coordinate", "awaiting_endorsement"),
    "approved": ("request_reopen", "reopen", "approved"),
}

LOGIN = "login"


def may(persona: str, kind: str, state: str) -> bool:
    personas, states = MAY[kind]
    return sees(persona, state) and persona in personas and state in states


def expected(persona: str, kind: str, state: str, ok: int) -> int | str:
    if persona == "anonymous":
        return LOGIN
    if not sees(persona, state):
        return 404
    return ok if may(persona, kind, state) else 403


# === The world: built once per module ===========================================================

PI = "/teams/KAZ/2022/pi/2.2/"
COMMENT = "Which campaign does criterion (d) refer to?"
NEW_POINT = "Train the communication group on GEEW messaging"
REASON = "PI 4.3: the parity data is missing"
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _build_world() -> SimpleNamespace:
    kaz = CountryTeamFactory(code="KAZ", name="Kazakhstan")
    xdl = CountryTeamFactory(code="XDL", name="Demoland")  # same region as KAZ
    roles = {
        "viewer": (kaz, Membership.Role.VIEWER),
        "rc": (kaz, Membership.Role.RESIDENT_COORDINATOR),
        "iat": (kaz, Membership.Role.IAT_MEMBER),
        "coordinator": (kaz, Membership.Role.IAT_COORDINATOR),
        "outsider": (xdl, Membership.Role.IAT_MEMBER),
    }
    users = {}
    for name, (team, role) in roles.items():
        users[name] = UserFactory(username=name)
        MembershipFactory(user=users[name], country_team=team, role=role)
    users["reviewer"] = UserFactory(username="reviewer")
    ReviewerScope.objects.create(user=users["reviewer"]).regions.set([kaz.region])
    users["far_reviewer"] = UserFactory(username="far-reviewer")
    africa = RegionFactory(code="africa", name="Africa")
    ReviewerScope.objects.create(user=users["far_reviewer"]).regions.set([africa])
    users["admin"] = UserFactory(username="root", is_superuser=True, is_staff=True)

    services.import_framework(document=load_json("framework_2018.json"))
    assessment = services.import_assessment(document=load_json("demo/kaz-2022.json"))
    rows = {
        r.indicator.code: r for r in assessment.indicator_assessments.select_related("indicator")
    }
    comment = services.add_comment(row=rows["2.2"], by=users["iat"], body=COMMENT)
    return SimpleNamespace(
        users=users,
        assessment=assessment,
        row=rows["2.2"],
        carried=rows["4.3"],  # an annual PI not reassessed this year
        point=ActionPoint.objects.get(assessment=assessment, indicator__code="2.2"),
        comment=comment,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The personas and KAZ 2022, created once inside a transaction that is rolled back at the
    end of the module (what Django's TestCase.setUpTestData does). Each test runs in a savepoint
    inside it, so whatever a test changes is undone before the next one."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=MD5):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas log in with force_login; nothing here needs PBKDF2."""
    settings.PASSWORD_HASHERS = MD5


def in_state(world: SimpleNamespace, state: str) -> SimpleNamespace:
    """The world with KAZ 2022 in `state` and an uploaded evidence file on PI 2.2."""
    Assessment.objects.filter(pk=world.assessment.pk).update(status=state)
    evidence = services.add_evidence(
        row=world.row,
        by=world.users["iat"],
        title="Campaign report",
        category=None,
        file=pdf_upload(),
    )
    return SimpleNamespace(**vars(world), evidence=evidence)


def snapshot() -> dict[str, Any]:
    """Everything the actions below can change."""
    return {
        **db_state(),
        "rows": list(
            IndicatorAssessment.objects.order_by("pk").values_list(
                "pk", "version", "rating", "reassessed", "carried_from_year", "criteria_met"
            )
        ),
        "evidence": list(
            Evidence.objects.order_by("pk").values_list("pk", "title", "url", "withdrawn_at")
        ),
        "action_points": list(
            ActionPoint.objects.order_by("pk").values_list("pk", "text", "status", "withdrawn_at")
        ),
        "comments": list(
            Comment.objects.order_by("pk").values_list("pk", "body", "resolved_at", "resolved_by")
        ),
        "events": list(WorkflowEvent.objects.order_by("pk").values_list("pk", "action")),
        "reopen_requests": list(ReopenRequest.objects.order_by("pk").values_list("pk", "decision")),
    }


# === The actions ================================================================================


def status() -> str:
    return Assessment.objects.get(country_team__code="KAZ", year=2022).status


def row_2_2() -> IndicatorAssessment:
    return IndicatorAssessment.objects.get(
        assessment__country_team__code="KAZ", assessment__year=2022, indicator__code="2.2"
    )


def workflow_url(w, state):
    if state == "approved":
        return "/teams/KAZ/2022/reopen/"
    return "/teams/KAZ/2022/workflow/"


def workflow_data(w, state):
    if state == "approved":
        return {"reason": "The parity data arrived after approval."}
    return {"action": WORKFLOW_STEP[state][0], "comment": REASON, "indicators": ["4.3"]}


def workflow_done(w, state, response):
    assert status() == WORKFLOW_STEP[state][2]
    if state == "approved":
        assert list(ReopenRequest.objects.values_list("reason", "decision")) == [
            ("The parity data arrived after approval.", "pending")
        ]
    else:
        assert list(WorkflowEvent.objects.values_list("action", flat=True)) == [
            WORKFLOW_STEP[state][0]
        ]


@dataclass(frozen=True)
class Action:
    name: str
    kind: str | Callable[[str], str]  # a kind of MAY, or state → kind
    method: str
    url: Callable[[Any, str], str]
    data: Callable[[Any, str], dict] = lambda w, state: {}
    ok: int = 200
    # Asserts that the allowed request did what it says (given the world, state and response).
    done: Callable[[Any, str, Any], None] = lambda w, state, response: None

    def kind_in(self, state: str) -> str:
        return self.kind(state) if callable(self.kind) else self.kind


def _shows(text: str) -> Callable[[Any, str, Any], None]:
    def check(w, state, response):
        assert text in page(response).text()

    return check


def _overview_done(w, state, response):
    doc = page(response)
    assert doc.find("h1").text() == "Kazakhstan 2022"
    assert doc.find(data_testid="workflow-status").attrs["data-status"] == state


def _export_done(w, state, response):
    document = json.loads(response.content)
    assert (document["country_team"]["code"], document["year"], document["status"]) == (
        "KAZ",
        2022,
        state,
    )


def _download_done(w, state, response):
    # Reading the stream to its end lets the test client close the file (and only the file).
    assert response.getvalue() == PDF_BYTES


def _pi_saved(w, state, response):
    saved = row_2_2()
    assert (saved.rating, saved.criteria_met, saved.version) == ("meets", ["b", "c"], 2)


def _reassessed(w, state, response):
    carried = IndicatorAssessment.objects.get(pk=w.carried.pk)
    assert (carried.reassessed, carried.carried_from_year) == (True, None)


def _evidence_added(w, state, response):
    assert list(
        Evidence.objects.filter(url__startswith="https://example.org/").values_list(
            "title", flat=True
        )
    ) == ["Work plan 2022"]


def _evidence_withdrawn(w, state, response):
    gone = Evidence.objects.get(pk=w.evidence.pk)
    assert (gone.withdrawal_reason, gone.withdrawn_at is not None) == ("Superseded.", True)


def _point_added(w, state, response):
    assert ActionPoint.objects.filter(text=NEW_POINT, assessment=w.assessment).count() == 1


def _point_edited(w, state, response):
    point = ActionPoint.objects.get(pk=w.point.pk)
    assert (point.text, point.status) == (
        "Publish the UNCG work plan with GEWE actions",
        "completed",
    )


def _point_withdrawn(w, state, response):
    point = ActionPoint.objects.get(pk=w.point.pk)
    assert (point.withdrawal_reason, point.withdrawn_at is not None) == ("Merged.", True)


def _commented(w, state, response):
    assert list(Comment.objects.order_by("pk").values_list("body", flat=True)) == [
        COMMENT,
        "Please add the campaign report.",
    ]


def _resolved(w, state, response):
    assert Comment.objects.get(pk=w.comment.pk).resolved_at is not None


ACTIONS = [
    # Assessment
    Action("overview", "read", "get", lambda w, s: "/teams/KAZ/2022/", done=_overview_done),
    Action("export", "read", "get", lambda w, s: "/teams/KAZ/2022/export.json", done=_export_done),
    Action(
        "workflow",
        lambda state: WORKFLOW_STEP[state][1],
        "post",
        workflow_url,
        workflow_data,
        ok=302,
        done=workflow_done,
    ),
    # PI rating
    Action(
        "pi_view", "read", "get", lambda w, s: PI, done=_shows("PI 2.2 Communication & Advocacy")
    ),
    Action(
        "pi_save",
        "write",
        "post",
        lambda w, s: PI,
        lambda w, s: {"criteria_met": ["b", "c"], "rating": "meets", "version": 1},
        ok=302,
        done=_pi_saved,
    ),
    Action(
        "pi_suggest",
        "read",
        "post",
        lambda w, s: f"{PI}suggest/",
        lambda w, s: {"criteria_met": ["b", "c"]},
        done=_shows("Suggested rating: Meets minimum requirements"),
    ),
    Action(
        "pi_reassess",
        "write",
        "post",
        lambda w, s: "/teams/KAZ/2022/pi/4.3/reassess/",
        ok=302,
        done=_reassessed,
    ),
    # Evidence
    Action(
        "evidence_download",
        "read",
        "get",
        lambda w, s: f"/evidence/{w.evidence.pk}/download/",
        done=_download_done,
    ),
    Action(
        "evidence_add",
        "write",
        "post",
        lambda w, s: f"{PI}evidence/",
        lambda w, s: {"title": "Work plan 2022", "url": "https://example.org/work-plan"},
        ok=302,
        done=_evidence_added,
    ),
    Action(
        "evidence_withdraw",
        "write",
        "post",
        lambda w, s: f"/evidence/{w.evidence.pk}/withdraw/",
        lambda w, s: {"reason": "Superseded."},
        ok=302,
        done=_evidence_withdrawn,
    ),
    # Action points
    Action(
        "plan_view",
        "read",
        "get",
        lambda w, s: "/teams/KAZ/2022/action-plan/",
        done=_shows("Ensure that UNCG strategy and AWP or equivalent visibly includes GEWE"),
    ),
    Action(
        "point_add",
        "write",
        "post",
        lambda w, s: "/teams/KAZ/2022/action-plan/",
        lambda w, s: {"indicator": w.row.indicator_id, "text": NEW_POINT, "status": "not_started"},
        ok=302,
        done=_point_added,
    ),
    Action(
        "point_edit",
        "write",
        "post",
        lambda w, s: f"/action-points/{w.point.pk}/edit/",
        lambda w, s: {
            "indicator": w.row.indicator_id,
            "text": "Publish the UNCG work plan with GEWE actions",
            "status": "completed",
        },
        ok=302,
        done=_point_edited,
    ),
    Action(
        "point_withdraw",
        "write",
        "post",
        lambda w, s: f"/action-points/{w.point.pk}/withdraw/",
        lambda w, s: {"reason": "Merged."},
        ok=302,
        done=_point_withdrawn,
    ),
    # Review comments
    Action(
        "comment_add",
        "comment",
        "post",
        lambda w, s: f"{PI}comments/",
        lambda w, s: {"body": "Please add the campaign report."},
        ok=302,
        done=_commented,
    ),
    Action(
        "comment_resolve",
        "resolve",
        "post",
        lambda w, s: f"/comments/{w.comment.pk}/resolve/",
        ok=302,
        done=_resolved,
    ),
]
BY_NAME = {a.name: a for a in ACTIONS}
CASES = [(p, s, a.name) for s in STATES for p in PERSONAS for a in ACTIONS]


# === The tests ==================================================================================


def user_of(world, persona: str):
    return AnonymousUser() if persona == "anonymous" else world.users[persona]


TRANSITION_KIND = {
    "send_for_endorsement": "coordinate",
    "send_back_to_team": "endorse",
    "endorse_and_submit": "endorse",
    "start_review": "review",
    "return_for_revision": "review",
    "approve": "review",
}
PREDICATE_CASES = [(p, s) for s in STATES for p in PERSONAS]


@pytest.mark.parametrize(
    ("persona", "state"), PREDICATE_CASES, ids=[f"{p}-{s}" for p, s in PREDICATE_CASES]
)
def test_matrix_predicates(world, db, persona, state):
    """The same rules, asked of the predicates directly (what the views and buttons rely on)."""
    Assessment.objects.filter(pk=world.assessment.pk).update(status=state)
    assessment = Assessment.objects.select_related("country_team").get(pk=world.assessment.pk)
    comment = Comment.objects.select_related("indicator_assessment__assessment").get(
        pk=world.comment.pk
    )
    user = user_of(world, persona)

    got = {
        "view": can_view_assessment(user, assessment),
        "edit": can_edit_assessment(user, assessment),
        "coordinate": can_coordinate_assessment(user, assessment),
        "comment": can_comment(user, assessment),
        "resolve": can_resolve_comment(user, comment),
        "steps": [t.action for t in workflow.available_transitions(user, assessment)],
    }

    assert got == {
        "view": sees(persona, state),
        "edit": may(persona, "write", state),
        # Coordinating (starting, sending) is for the coordinator while the team holds it.
        "coordinate": may(persona, "coordinate", state) and state in EDITABLE,
        "comment": may(persona, "comment", state),
        "resolve": may(persona, "resolve", state),
        "steps": [
            action
            for action, transition in workflow.TRANSITIONS.items()
            if state in transition.sources and persona in MAY[TRANSITION_KIND[action]][0]
        ],
    }


@pytest.mark.parametrize(("persona", "state", "action"), CASES, ids=["-".join(c) for c in CASES])
def test_matrix(client, world, db, persona, state, action):
    w = in_state(world, state)
    act = BY_NAME[action]
    url, data = act.url(w, state), act.data(w, state)
    if persona != "anonymous":
        client.force_login(world.users[persona])
    before = snapshot()

    response = client.get(url) if act.method == "get" else client.post(url, data)

    want = expected(persona, act.kind_in(state), state, act.ok)
    got = response.status_code
    where = f"{persona} {act.method.upper()} {url} ({act.kind_in(state)}) on a {state} assessment"
    if want == LOGIN:
        assert (got, response["Location"]) == (302, f"/accounts/login/?next={url}"), where
    else:
        assert got == want, where
    if want in (LOGIN, 403, 404):
        assert snapshot() == before, f"refused, yet the database changed: {where}"
        if want != LOGIN:
            body = response.content.decode()
            assert ("Page not found" if want == 404 else "Forbidden") in body, where
            assert "Kazakhstan" not in body, where
        return
    act.done(w, state, response)
    if act.kind_in(state) == "read":
        assert snapshot() == before, f"reading changed the database: {where}"
    else:
        assert snapshot() != before, where
