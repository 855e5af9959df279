"""The permission matrix through the REST API: every persona × every API action × every state.

Same world, same personas and the same rules table as the HTML matrix
(tests/scorecard/test_permission_matrix.py, imported, not copied): who sees the assessment, and
which personas may do which kind of action in which states. Only the way a refusal is spoken
differs. Anonymous callers get 401 (not a redirect to the login page); a user who may not know
the object exists gets 404 on its detail endpoints and does not find it in the lists; one who
sees it but may not act gets 403; an allowed request gets 200 (201 for a creation) and does what
it says; an allowed role asking for a step the state does not offer (a workflow transition from
the wrong state) gets 400. Every refused request leaves the database as it was.

The API has no endpoint for reopen requests (an HTML-only step), so an approved assessment's
"transition" case asks to approve it again: refused with 400 for the reviewer, 403 for the team.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from scorecard.models import ActionPoint, Comment, Evidence, IndicatorAssessment, WorkflowEvent
from tests.scorecard import test_permission_matrix as html
from tests.scorecard.test_permission_matrix import (
    COMMENT,
    NEW_POINT,
    PERSONAS,
    REASON,
    STATES,
    WORKFLOW_STEP,
    in_state,
    may,
    row_2_2,
    sees,
    snapshot,
    status,
)

# The HTML matrix's module-scoped world and its fast password hasher, as fixtures of this module.
world = html.world
_fast_passwords = html._fast_passwords

API = "/api/v1"
TEAM_MEMBERS = {"viewer", "rc", "iat", "coordinator"}


def knows_team(persona: str, state: str) -> bool:
    """Who may know the country team itself exists, whatever its assessments' states: its
    members, the UN Women reviewers of its region, administrators (the HTML team page's rule)."""
    return persona in TEAM_MEMBERS | {"reviewer", "admin"}


# The workflow step each state offers through POST /assessments/{id}/transition/: the HTML
# matrix's steps, except the reopen request, which the API does not offer.
API_STEP = {**WORKFLOW_STEP, "approved": ("approve", "review", "approved")}
# A step whose role the state does not accept, per state: the role that may take it gets 400.
WRONG_STEP = {
    "draft": ("endorse_and_submit", "endorse"),
    "awaiting_endorsement": ("start_review", "review"),
    "submitted": ("send_for_endorsement", "coordinate"),
    "in_review": ("endorse_and_submit", "endorse"),
    "returned": ("approve", "review"),
    "approved": ("send_back_to_team", "endorse"),
}
NOT_NOW = "This cannot be done while the assessment is"


# === The actions ================================================================================


@dataclass(frozen=True)
class ApiAction:
    name: str
    kind: str | Callable[[str], str]  # a kind of the rules table, or state → kind
    method: str
    url: Callable[[Any, str], str]
    data: Callable[[Any, str], dict] | None = None
    ok: int | Callable[[str], int] = 200  # the allowed outcome, or state → allowed outcome
    # Asserts that the allowed request did what it says (given the world, state and response).
    done: Callable[[Any, str, Any], None] = lambda w, state, response: None
    # A list: 200 for every logged-in user; the object is listed exactly when `known`.
    listed: Callable[[Any], int] | None = None  # world → the id to look for
    known: Callable[[str, str], bool] = sees  # who may know the object exists

    def kind_in(self, state: str) -> str:
        return self.kind(state) if callable(self.kind) else self.kind

    def ok_in(self, state: str) -> int:
        return self.ok(state) if callable(self.ok) else self.ok


def api_expected(persona: str, act: ApiAction, state: str) -> int:
    if persona == "anonymous":
        return 401
    if act.listed is not None:
        return 200
    if not act.known(persona, state):
        return 404
    kind = act.kind_in(state)
    if kind == "read" or may(persona, kind, state):
        return act.ok_in(state)
    return 403


def _is(**fields: Any) -> Callable[[Any, str, Any], None]:
    """The response body carries these fields (a value may be a function of the world)."""

    def check(w, state, response):
        body = response.json()
        got = {name: body[name] for name in fields}
        want = {n: (v(w, state) if callable(v) else v) for n, v in fields.items()}
        assert got == want

    return check


def _checks_listed(w, state, response):
    checks = response.json()
    assert isinstance(checks, list)
    assert all(set(c) == {"code", "message", "blocking", "indicator_code"} for c in checks)


def _document(w, state, response):
    document = response.json()
    assert (document["country_team"]["code"], document["year"], document["status"]) == (
        "KAZ",
        2022,
        state,
    )


def _stepped(w, state, response):
    action, _, target = API_STEP[state]
    assert status() == target
    assert response.json()["status"] == target
    assert list(WorkflowEvent.objects.values_list("action", flat=True)) == [action]


def _pi_saved(w, state, response):
    saved = row_2_2()
    assert (saved.rating, saved.criteria_met, saved.version) == ("meets", ["b", "c"], 2)
    assert (response.json()["rating"], response.json()["version"]) == ("meets", 2)


def _reassessed(w, state, response):
    carried = IndicatorAssessment.objects.get(pk=w.carried.pk)
    assert (carried.reassessed, carried.carried_from_year) == (True, None)
    assert response.json()["reassessed"] is True


def _evidence_added(w, state, response):
    added = Evidence.objects.get(url="https://example.org/work-plan")
    assert (added.title, added.indicator_assessment_id) == ("Work plan 2022", w.row.pk)
    assert response.json()["id"] == added.pk


def _evidence_withdrawn(w, state, response):
    gone = Evidence.objects.get(pk=w.evidence.pk)
    assert (gone.withdrawal_reason, gone.withdrawn_at is not None) == ("Superseded.", True)
    assert response.json()["withdrawal_reason"] == "Superseded."


def _point_added(w, state, response):
    added = ActionPoint.objects.get(text=NEW_POINT, assessment=w.assessment)
    assert (added.indicator.code, response.json()["id"]) == ("2.2", added.pk)


def _point_updated(w, state, response):
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
    assert response.json()["pi_rating"] == w.row.pk


def _resolved(w, state, response):
    assert Comment.objects.get(pk=w.comment.pk).resolved_at is not None
    assert response.json()["resolved_at"] is not None


def _transition(step: dict[str, tuple[str, ...]]) -> Callable[[Any, str], dict]:
    return lambda w, state: {"action": step[state][0], "comment": REASON, "indicators": ["4.3"]}


def assessment_url(w, state) -> str:
    return f"{API}/assessments/{w.assessment.pk}/"


def pi_rating_url(w, state) -> str:
    return f"{API}/pi-ratings/{w.row.pk}/"


POINT_FIELDS = {
    "text": "Publish the UNCG work plan with GEWE actions",
    "indicator": "2.2",
    "status": "completed",
}

ACTIONS = [
    # Assessments
    ApiAction(
        "assessment",
        "read",
        "get",
        assessment_url,
        done=_is(id=lambda w, s: w.assessment.pk, country_team="KAZ", status=lambda w, s: s),
    ),
    ApiAction(
        "assessment_list",
        "read",
        "get",
        lambda w, s: f"{API}/assessments/",
        listed=lambda w: w.assessment.pk,
    ),
    ApiAction(
        "checks", "read", "get", lambda w, s: f"{assessment_url(w, s)}checks/", done=_checks_listed
    ),
    ApiAction(
        "document", "read", "get", lambda w, s: f"{assessment_url(w, s)}document/", done=_document
    ),
    ApiAction(
        "transition",
        lambda state: API_STEP[state][1],
        "post",
        lambda w, s: f"{assessment_url(w, s)}transition/",
        _transition(API_STEP),
        ok=lambda state: 400 if state == "approved" else 200,
        done=_stepped,
    ),
    ApiAction(
        "transition_wrong_state",
        lambda state: WRONG_STEP[state][1],
        "post",
        lambda w, s: f"{assessment_url(w, s)}transition/",
        _transition(WRONG_STEP),
        ok=400,
    ),
    # PI ratings
    ApiAction(
        "pi_rating",
        "read",
        "get",
        pi_rating_url,
        done=_is(id=lambda w, s: w.row.pk, code="2.2", assessment=lambda w, s: w.assessment.pk),
    ),
    ApiAction(
        "pi_rating_list",
        "read",
        "get",
        lambda w, s: f"{API}/pi-ratings/",
        listed=lambda w: w.row.pk,
    ),
    ApiAction(
        "pi_rating_put",
        "write",
        "put",
        pi_rating_url,
        # A valid rating, sent with the version just read.
        lambda w, s: {"rating": "meets", "criteria_met": ["b", "c"], "version": row_2_2().version},
        done=_pi_saved,
    ),
    ApiAction(
        "pi_reassess",
        "write",
        "post",
        lambda w, s: f"{API}/pi-ratings/{w.carried.pk}/reassess/",
        done=_reassessed,
    ),
    # Evidence
    ApiAction(
        "evidence",
        "read",
        "get",
        lambda w, s: f"{API}/evidence/{w.evidence.pk}/",
        done=_is(id=lambda w, s: w.evidence.pk, title="Campaign report"),
    ),
    ApiAction(
        "evidence_list",
        "read",
        "get",
        lambda w, s: f"{API}/evidence/",
        listed=lambda w: w.evidence.pk,
    ),
    ApiAction(
        "evidence_add",
        "write",
        "post",
        lambda w, s: f"{API}/evidence/",
        lambda w, s: {
            "pi_rating": w.row.pk,
            "title": "Work plan 2022",
            "url": "https://example.org/work-plan",
        },
        ok=201,
        done=_evidence_added,
    ),
    ApiAction(
        "evidence_withdraw",
        "write",
        "post",
        lambda w, s: f"{API}/evidence/{w.evidence.pk}/withdraw/",
        lambda w, s: {"reason": "Superseded."},
        done=_evidence_withdrawn,
    ),
    # Action points
    ApiAction(
        "point",
        "read",
        "get",
        lambda w, s: f"{API}/action-points/{w.point.pk}/",
        done=_is(id=lambda w, s: w.point.pk, indicator="2.2"),
    ),
    ApiAction(
        "point_list",
        "read",
        "get",
        lambda w, s: f"{API}/action-points/",
        listed=lambda w: w.point.pk,
    ),
    ApiAction(
        "point_add",
        "write",
        "post",
        lambda w, s: f"{API}/action-points/",
        lambda w, s: {
            "assessment": w.assessment.pk,
            "indicator": "2.2",
            "text": NEW_POINT,
            "status": "not_started",
        },
        ok=201,
        done=_point_added,
    ),
    ApiAction(
        "point_update",
        "write",
        "put",
        lambda w, s: f"{API}/action-points/{w.point.pk}/",
        lambda w, s: POINT_FIELDS,
        done=_point_updated,
    ),
    ApiAction(
        "point_withdraw",
        "write",
        "post",
        lambda w, s: f"{API}/action-points/{w.point.pk}/withdraw/",
        lambda w, s: {"reason": "Merged."},
        done=_point_withdrawn,
    ),
    # Review comments
    ApiAction(
        "comment",
        "read",
        "get",
        lambda w, s: f"{API}/comments/{w.comment.pk}/",
        done=_is(id=lambda w, s: w.comment.pk, body=COMMENT),
    ),
    ApiAction(
        "comment_list",
        "read",
        "get",
        lambda w, s: f"{API}/comments/",
        listed=lambda w: w.comment.pk,
    ),
    ApiAction(
        "comment_add",
        "comment",
        "post",
        lambda w, s: f"{API}/comments/",
        lambda w, s: {"pi_rating": w.row.pk, "body": "Please add the campaign report."},
        ok=201,
        done=_commented,
    ),
    ApiAction(
        "comment_resolve",
        "resolve",
        "post",
        lambda w, s: f"{API}/comments/{w.comment.pk}/resolve/",
        done=_resolved,
    ),
    # The country team itself (known to its members and its region's reviewers in every state)
    ApiAction(
        "team",
        "read",
        "get",
        lambda w, s: f"{API}/country-teams/KAZ/",
        done=_is(code="KAZ", name="Kazakhstan"),
        known=knows_team,
    ),
    ApiAction(
        "team_list",
        "read",
        "get",
        lambda w, s: f"{API}/country-teams/",
        listed=lambda w: w.assessment.country_team_id,
        known=knows_team,
    ),
]
BY_NAME = {a.name: a for a in ACTIONS}
CASES = [(p, s, a.name) for s in STATES for p in PERSONAS for a in ACTIONS]


# === The test ===================================================================================


def listed_ids(api: APIClient, response) -> list[int]:
    """Every id of a paginated list, following its `next` links."""
    ids = []
    while True:
        body = response.json()
        ids += [item["id"] for item in body["results"]]
        if not body["next"]:
            return ids
        response = api.get(body["next"])
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("persona", "state", "action"), CASES, ids=["api-" + "-".join(c) for c in CASES]
)
def test_api_matrix(world, db, persona, state, action):
    w = in_state(world, state)
    act = BY_NAME[action]
    url = act.url(w, state)
    api = APIClient()
    if persona != "anonymous":
        # A fresh instance: nothing cached on the user object carries over from another case.
        api.force_authenticate(User.objects.get(pk=world.users[persona].pk))
    data = act.data(w, state) if act.data else None
    before = snapshot()

    if act.method == "get":
        response = api.get(url)
    else:
        response = getattr(api, act.method)(url, data, format="json")

    want = api_expected(persona, act, state)
    got = response.status_code
    kind = act.kind_in(state)
    where = f"{persona} {act.method.upper()} {url} ({kind}) on a {state} assessment"
    assert got == want, f"{where}: {got} {response.content.decode()[:300]}"
    body = response.json()
    if want in (400, 401, 403, 404):
        assert snapshot() == before, f"refused, yet the database changed: {where}"
        if want == 401:
            assert body == {"detail": "Authentication credentials were not provided."}, where
        elif want == 404:
            assert body == {"detail": "Not found."}, where
        elif want == 403:
            assert list(body) == ["detail"], where
        else:
            assert NOT_NOW in body["non_field_errors"][0], where
        return
    if act.listed is not None:
        listed = act.listed(w) in listed_ids(api, response)
        assert listed == act.known(persona, state), f"{where}: listed={listed}"
        assert snapshot() == before, f"reading changed the database: {where}"
        return
    act.done(w, state, response)
    if kind == "read":
        assert snapshot() == before, f"reading changed the database: {where}"
    else:
        assert snapshot() != before, where
