"""PDF report jobs through the API: the page's rule (whoever may see the assessment may ask for
its report and download it), the same gate (reports.permissions.get_report_job_for_user: 404 for
anyone else), the same service (reports.services.request_report), JSON errors, and lists that
cost the same whatever their length.

No Celery worker and no WeasyPrint: Celery runs eagerly (as in test_reports.py) and the renderer
is a fake that returns a small PDF-looking file at once.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app as celery_app
from reports import services as report_services
from reports.models import ReportJob
from scorecard import services
from scorecard.models import Assessment

URL = "/api/v1/report-jobs/"


@pytest.fixture(autouse=True)
def _eager_celery():
    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def set_status(assessment: Assessment, status: str) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(status=status)


@pytest.fixture
def done_job(assessment, coordinator, fake_render, django_capture_on_commit_callbacks):
    """KAZ 2022's report, rendered (the job is sent to the eager worker on commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        job = report_services.request_report(assessment=assessment, by=coordinator)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    return job


def test_anonymous_callers_get_401(assessment, done_job):
    anonymous = APIClient()

    responses = [
        anonymous.get(URL),
        anonymous.get(f"{URL}{done_job.pk}/"),
        anonymous.get(f"{URL}{done_job.pk}/download/"),
        anonymous.post(URL, {"assessment": assessment.pk}, format="json"),
    ]

    assert [r.status_code for r in responses] == [401, 401, 401, 401]
    assert all("detail" in r.json() for r in responses)
    assert ReportJob.objects.count() == 1


def test_a_member_requests_a_report_and_downloads_it(
    iat, assessment, fake_render, django_capture_on_commit_callbacks
):
    client = client_for(iat)

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(URL, {"assessment": assessment.pk}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert (body["assessment"], body["country_team"], body["year"], body["kind"]) == (
        assessment.pk,
        "KAZ",
        2022,
        "draft",
    )
    job = ReportJob.objects.get(pk=body["id"])
    assert job.requested_by == iat
    polled = client.get(f"{URL}{job.pk}/").json()
    assert polled["status"] == "done"
    assert polled["download_url"] == f"/api/v1/report-jobs/{job.pk}/download/"
    assert (polled["pages"], polled["sha256"]) == (3, job.sha256)

    download = client.get(polled["download_url"])

    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="UNCT-SWAP-KAZ-2022.pdf"' in download["Content-Disposition"]
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF-1.7")
    assert len(content) == job.size
    assert len(fake_render) == 1


def test_asking_again_for_unchanged_data_returns_the_stored_report(iat, assessment, done_job):
    response = client_for(iat).post(URL, {"assessment": assessment.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["id"] == done_job.pk
    assert ReportJob.objects.count() == 1


def test_a_read_only_member_may_ask_for_the_report_as_on_the_page(viewer, rc, assessment):
    """The page lets anyone who sees the assessment ask for its PDF (views.report_request): the
    viewer and the Resident Coordinator are not refused here either."""
    response = client_for(viewer).post(URL, {"assessment": assessment.pk}, format="json")
    again = client_for(rc).post(URL, {"assessment": assessment.pk}, format="json")

    assert response.status_code == 201
    assert again.status_code == 200  # the same data: the job already queued
    assert ReportJob.objects.filter(assessment=assessment).count() == 1


def test_outsiders_do_not_learn_the_job_exists(outsider, far_reviewer, reviewer, done_job):
    for user in (outsider, far_reviewer, reviewer):  # the reviewer: KAZ 2022 is still a draft
        client = client_for(user)
        assert client.get(f"{URL}{done_job.pk}/").status_code == 404
        assert client.get(f"{URL}{done_job.pk}/download/").status_code == 404
        assert client.get(URL).json()["results"] == []


def test_a_reviewer_sees_the_reports_of_submitted_work(reviewer, assessment, done_job):
    set_status(assessment, "submitted")
    client = client_for(reviewer)

    assert [j["id"] for j in client.get(URL).json()["results"]] == [done_job.pk]
    assert client.get(f"{URL}{done_job.pk}/download/").status_code == 200


def test_an_outsider_cannot_request_another_teams_report(outsider, assessment):
    response = client_for(outsider).post(URL, {"assessment": assessment.pk}, format="json")

    assert response.status_code == 404
    assert "detail" in response.json()
    assert ReportJob.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "assessment"), ({"assessment": "KAZ 2022"}, "assessment")],
)
def test_an_invalid_request_is_400_with_field_errors(iat, assessment, payload, field):
    response = client_for(iat).post(URL, payload, format="json")

    assert response.status_code == 400
    assert isinstance(response.json()[field], list)
    assert ReportJob.objects.count() == 0


def test_download_is_404_until_the_report_is_done(iat, assessment, fake_render):
    job = report_services.request_report(assessment=assessment, by=iat)  # on_commit never runs here
    # As if the broker had it and no worker had taken it yet (else the poll sends it again).
    ReportJob.objects.filter(pk=job.pk).update(dispatched_at=timezone.now())
    client = client_for(iat)

    assert client.get(f"{URL}{job.pk}/").json()["status"] == "queued"
    assert client.get(f"{URL}{job.pk}/").json()["download_url"] is None
    response = client.get(f"{URL}{job.pk}/download/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_download_answers_a_client_that_accepts_only_pdf(iat, done_job):
    client = client_for(iat)

    found = client.get(f"{URL}{done_job.pk}/download/", HTTP_ACCEPT="application/pdf")
    missing = client.get(f"{URL}{done_job.pk + 1}/download/", HTTP_ACCEPT="application/pdf")

    assert found.status_code == 200
    assert found["Content-Type"] == "application/pdf"
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert "detail" in missing.json()


def test_list_filters_by_assessment(framework, team, coordinator, iat):
    first = services.create_comprehensive_assessment(country_team=team, year=2021, by=coordinator)
    second = services.create_comprehensive_assessment(country_team=team, year=2022, by=coordinator)
    jobs = {
        a.pk: report_services.request_report(assessment=a, by=coordinator) for a in (first, second)
    }

    response = client_for(iat).get(URL, {"assessment": second.pk})

    assert response.status_code == 200
    assert [j["id"] for j in response.json()["results"]] == [jobs[second.pk].pk]
    bad = client_for(iat).get(URL, {"assessment": "second"})
    assert bad.status_code == 400
    assert "assessment" in bad.json()


def test_list_costs_the_same_for_1_and_30_jobs(
    framework, team, coordinator, django_assert_max_num_queries
):
    other = services.create_comprehensive_assessment(country_team=team, year=2021, by=coordinator)
    assessments = [
        services.create_comprehensive_assessment(country_team=team, year=2022, by=coordinator),
        other,
    ]

    def grow(count: int) -> None:
        for n in range(count):
            ReportJob.objects.create(
                assessment=assessments[n % 2],
                requested_at=timezone.now(),
                content_hash=f"{ReportJob.objects.count():064x}",
                framework_version="2018",
            )

    client = client_for(coordinator)
    grow(1)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(URL).json()["results"]) == 1
    grow(29)

    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(URL).json()["results"]) == 30
