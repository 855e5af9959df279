"""The REST API: same gates as the pages (404 unknown, 403 seen-but-not-yours), same services,
JSON errors with field messages, and lists that cost the same whatever their length."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from scorecard import services
from scorecard.models import ActionPoint, Assessment, Comment, Evidence, IndicatorAssessment

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def row_of(assessment, code="2.2"):
    return IndicatorAssessment.objects.get(assessment=assessment, indicator__code=code)


def set_status(assessment, status):
    Assessment.objects.filter(pk=assessment.pk).update(status=status)


def test_api_refuses_anonymous_requests(api, assessment):
    response = api.get("/api/v1/assessments/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_api_accepts_a_token(api, iat, assessment):
    token = Token.objects.create(user=iat)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = api.get("/api/v1/assessments/")

    assert response.status_code == 200
    assert [(a["country_team"], a["year"]) for a in response.json()["results"]] == [("KAZ", 2022)]


def test_assessment_lists_follow_each_users_reach(
    api, framework, team, other_team, iat, outsider, reviewer, far_reviewer, coordinator
):
    kaz = services.create_comprehensive_assessment(country_team=team, year=2022, by=coordinator)
    xdl = services.create_comprehensive_assessment(
        country_team=other_team, year=2022, by=coordinator
    )

    def seen(user):
        response = as_user(api, user).get("/api/v1/assessments/")
        return sorted(a["country_team"] for a in response.json()["results"])

    assert seen(iat) == ["KAZ"]
    assert seen(outsider) == ["XDL"]
    assert seen(reviewer) == []  # drafts stay the teams'
    set_status(kaz, "submitted")
    set_status(xdl, "submitted")
    assert seen(reviewer) == ["KAZ", "XDL"]  # both teams are in Europe and Central Asia
    assert seen(far_reviewer) == []


def test_assessment_of_another_team_is_not_found(api, outsider, assessment):
    response = as_user(api, outsider).get(f"/api/v1/assessments/{assessment.pk}/")

    assert response.status_code == 404


def test_pi_rating_save_through_the_api(api, iat, assessment):
    row = row_of(assessment)

    response = as_user(api, iat).put(
        f"/api/v1/pi-ratings/{row.pk}/",
        {
            "rating": "meets",
            "criteria_met": ["b", "c"],
            "findings": {"b": "Joint 16 Days campaign."},
            "version": 1,
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["rating"], body["suggested_rating"], body["version"]) == ("meets", "meets", 2)
    row.refresh_from_db()
    assert row.findings == {"b": "Joint 16 Days campaign."}


def test_pi_rating_above_the_suggestion_needs_a_reason(api, iat, assessment):
    row = row_of(assessment)

    response = as_user(api, iat).put(
        f"/api/v1/pi-ratings/{row.pk}/",
        {"rating": "exceeds", "criteria_met": ["b", "c"], "version": 1},
        format="json",
    )

    assert response.status_code == 400
    reason = (
        "The rating differs from the suggested rating (Meets minimum requirements): explain why."
    )
    # The readable message every error carries (core/api.py), and the field error beside it.
    assert response.json() == {"detail": reason, "override_justification": [reason]}
    row.refresh_from_db()
    assert (row.rating, row.version) == ("", 1)


def test_pi_rating_stale_version_is_a_conflict(api, iat, coordinator, assessment):
    row = row_of(assessment)
    payload = {"rating": "meets", "criteria_met": ["b", "c"], "version": 1}
    assert (
        as_user(api, coordinator)
        .put(f"/api/v1/pi-ratings/{row.pk}/", payload, format="json")
        .status_code
        == 200
    )

    response = as_user(api, iat).put(
        f"/api/v1/pi-ratings/{row.pk}/",
        {**payload, "rating": "approaches", "criteria_met": ["b"]},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["current"]["rating"] == "meets"
    row.refresh_from_db()
    assert (row.rating, row.version) == ("meets", 2)


def test_viewer_reads_but_cannot_write_a_pi_rating(api, viewer, assessment):
    row = row_of(assessment)
    client = as_user(api, viewer)

    assert client.get(f"/api/v1/pi-ratings/{row.pk}/").status_code == 200
    response = client.put(
        f"/api/v1/pi-ratings/{row.pk}/", {"rating": "missing", "version": 1}, format="json"
    )

    assert response.status_code == 403
    row.refresh_from_db()
    assert row.version == 1


def test_workflow_transition_through_the_api(api, coordinator, iat, kaz_2022):
    url = f"/api/v1/assessments/{kaz_2022.pk}/transition/"

    refused = as_user(api, iat).post(url, {"action": "send_for_endorsement"}, format="json")
    assert refused.status_code == 403
    done = as_user(api, coordinator).post(url, {"action": "send_for_endorsement"}, format="json")

    assert done.status_code == 200
    assert done.json()["status"] == "awaiting_endorsement"
    again = as_user(api, coordinator).post(url, {"action": "send_for_endorsement"}, format="json")
    assert again.status_code == 400  # the coordinator's step, but not in this state
    not_now = "This cannot be done while the assessment is “Awaiting UNCT endorsement”."
    assert again.json() == {"detail": not_now, "non_field_errors": [not_now]}


def test_workflow_transition_blocked_by_checks_lists_them(api, coordinator, assessment):
    response = as_user(api, coordinator).post(
        f"/api/v1/assessments/{assessment.pk}/transition/",
        {"action": "send_for_endorsement"},
        format="json",
    )

    assert response.status_code == 400
    messages = response.json()["non_field_errors"]
    assert len(messages) == 15
    assert messages[0] == "PI 1.1 is reassessed but not rated."


def test_quality_checks_endpoint(api, coordinator, assessment):
    response = as_user(api, coordinator).get(f"/api/v1/assessments/{assessment.pk}/checks/")

    assert response.status_code == 200
    assert response.json()[0] == {
        "code": "not_rated",
        "message": "PI 1.1 is reassessed but not rated.",
        "blocking": True,
        "indicator_code": "1.1",
    }


def test_evidence_link_and_file_through_the_api(api, iat, assessment):
    row = row_of(assessment)
    client = as_user(api, iat)

    link = client.post(
        "/api/v1/evidence/",
        {
            "pi_rating": row.pk,
            "title": "UNCG work plan",
            "url": "https://example.org/wp",
            "category": "Communication/Advocacy",
        },
        format="json",
    )
    upload = client.post(
        "/api/v1/evidence/",
        {
            "pi_rating": row.pk,
            "title": "Campaign report",
            "file": SimpleUploadedFile("report.pdf", PDF_BYTES, content_type="application/pdf"),
        },
        format="multipart",
    )

    assert link.status_code == 201
    assert link.json()["category"] == "Communication/Advocacy"
    assert upload.status_code == 201
    assert upload.json()["size"] == len(PDF_BYTES)
    assert upload.json()["download_url"] == f"/evidence/{upload.json()['id']}/download/"
    listed = client.get(f"/api/v1/evidence/?pi_rating={row.pk}").json()["results"]
    assert [e["title"] for e in listed] == ["UNCG work plan", "Campaign report"]


def test_evidence_refused_file_gets_the_same_message_as_the_page(api, iat, assessment):
    row = row_of(assessment)

    response = as_user(api, iat).post(
        "/api/v1/evidence/",
        {
            "pi_rating": row.pk,
            "title": "Installer",
            "file": SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + b"\x00" * 60),
        },
        format="multipart",
    )

    assert response.status_code == 400
    not_pdf = "The content of setup.pdf is not a valid PDF file."
    assert response.json() == {"detail": not_pdf, "non_field_errors": [not_pdf]}
    assert Evidence.objects.count() == 0


def test_evidence_withdraw_needs_a_reason_and_keeps_the_record(api, iat, assessment):
    row = row_of(assessment)
    evidence = services.add_evidence(
        row=row, by=iat, title="Old plan", category=None, url="https://example.org/old"
    )
    client = as_user(api, iat)

    refused = client.post(f"/api/v1/evidence/{evidence.pk}/withdraw/", {}, format="json")
    done = client.post(
        f"/api/v1/evidence/{evidence.pk}/withdraw/", {"reason": "Superseded"}, format="json"
    )

    assert refused.status_code == 400
    assert done.status_code == 200
    assert done.json()["withdrawal_reason"] == "Superseded"
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_action_points_through_the_api(api, iat, viewer, assessment):
    client = as_user(api, iat)
    created = client.post(
        "/api/v1/action-points/",
        {
            "assessment": assessment.pk,
            "indicator": "4.3",
            "text": "Collect parity data yearly",
            "responsible_entity": "",
            "status": "in_progress",
        },
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]

    updated = client.put(
        f"/api/v1/action-points/{pk}/",
        {"indicator": "4.3", "text": "Collect parity data every year", "status": "completed"},
        format="json",
    )
    refused = as_user(APIClient(), viewer).put(
        f"/api/v1/action-points/{pk}/", {"indicator": "4.3", "text": "x"}, format="json"
    )

    assert updated.status_code == 200
    assert ActionPoint.objects.get(pk=pk).status == "completed"
    assert refused.status_code == 403
    unknown = client.post(
        "/api/v1/action-points/",
        {"assessment": assessment.pk, "indicator": "9.9", "text": "x"},
        format="json",
    )
    assert unknown.status_code == 400
    assert unknown.json() == {
        "detail": "Unknown PI code for this framework.",
        "indicator": ["Unknown PI code for this framework."],
    }


@pytest.mark.parametrize("body", [[], ["indicator", "4.3"], "text", 7])
def test_an_action_point_update_that_is_not_an_object_is_400(api, iat, kaz_2022, body):
    """Found by the schema tests: a JSON list body was a 500 (it was spread into a dict)."""
    point = kaz_2022.action_points.first()
    before = (point.text, point.status, point.updated_at)

    response = as_user(api, iat).put(f"/api/v1/action-points/{point.pk}/", body, format="json")

    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str)
    point.refresh_from_db()
    assert (point.text, point.status, point.updated_at) == before


def test_comments_and_proposals_through_the_api(api, iat, reviewer, kaz_2022):
    row = row_of(kaz_2022, "4.3")
    set_status(kaz_2022, "in_review")

    proposal = as_user(api, reviewer).post(
        "/api/v1/comments/",
        {"pi_rating": row.pk, "body": "The data show 55 % women.", "proposed_rating": "missing"},
        format="json",
    )
    team_proposal = as_user(APIClient(), iat).post(
        "/api/v1/comments/",
        {"pi_rating": row.pk, "body": "We think it approaches.", "proposed_rating": "meets"},
        format="json",
    )
    reply = as_user(APIClient(), iat).post(
        "/api/v1/comments/",
        {"pi_rating": row.pk, "body": "Agreed, we will fix it.", "parent": proposal.json()["id"]},
        format="json",
    )

    assert proposal.status_code == 201
    assert proposal.json()["proposed_rating"] == "missing"
    assert team_proposal.status_code == 403
    assert reply.status_code == 201
    assert Comment.objects.count() == 2


def test_schema_and_docs_are_served(client, iat):
    client.force_login(iat)

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/pi-ratings/{id}/" in schema.content
    assert docs.status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/api/v1/assessments/", "/api/v1/pi-ratings/", "/api/v1/action-points/", "/api/v1/evidence/"],
)
def test_api_lists_cost_the_same_for_1_and_30_items(
    api, framework, team, coordinator, url, django_assert_max_num_queries
):
    def grow(first_year, count):
        for year in range(first_year, first_year + count):
            a = services.create_comprehensive_assessment(
                country_team=team, year=year, by=coordinator
            )
            services.create_action_point(
                assessment=a, by=coordinator, indicator=row_of(a).indicator, text="Act"
            )
            services.add_evidence(
                row=row_of(a),
                by=coordinator,
                title="Doc",
                category=None,
                url="https://example.org/d",
            )

    client = as_user(api, coordinator)
    grow(1990, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    grow(2000, 29)

    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_reopen_request_and_decision_through_the_api(api, coordinator, iat, reviewer, kaz_2022):
    set_status(kaz_2022, "approved")
    url = f"/api/v1/assessments/{kaz_2022.pk}/reopen-request/"

    by_member = as_user(api, iat).post(url, {"reason": "Typo"}, format="json")
    asked = as_user(APIClient(), coordinator).post(
        url, {"reason": "PI 4.3 used last year's staffing figures."}, format="json"
    )
    decide = f"/api/v1/assessments/{kaz_2022.pk}/reopen-requests/{asked.json()['id']}/decide/"
    refused_without_reason = as_user(APIClient(), reviewer).post(
        decide, {"grant": False}, format="json"
    )
    granted = as_user(APIClient(), reviewer).post(decide, {"grant": True}, format="json")

    assert by_member.status_code == 403
    assert asked.status_code == 201
    assert asked.json()["decision"] == "pending"
    assert refused_without_reason.status_code == 400
    assert refused_without_reason.json() == {
        "detail": "Say why the request is refused.",
        "comment": ["Say why the request is refused."],
    }
    assert granted.status_code == 200
    assert granted.json()["decision"] == "granted"
    kaz_2022.refresh_from_db()
    assert kaz_2022.status == "returned"
