"""Who may do what: anyone reads; editing needs a login and an editor role for the maker (or an
administrator). Anonymous users are sent to the login page, logged-in users without the role get
403, and an object that does not exist is 404 for everyone."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from commitments.models import ProgressReport
from commitments.permissions import (
    can_edit_maker,
    get_commitment_for_user,
    get_maker_for_user,
    get_progress_report_for_user,
)
from tests.commitments.factories import CommitmentFactory


@pytest.fixture
def commitment(kazakhstan, reference):
    return CommitmentFactory(maker=kazakhstan, title="Hotline", coalitions=[reference["gbv"]])


@pytest.fixture
def report(commitment):
    return ProgressReport.objects.create(
        commitment=commitment,
        year=2024,
        progress_status="in_progress",
        reported_at="2025-01-10T10:00Z",
    )


def read_urls(commitment) -> list[str]:
    return [
        "/commitments/",
        "/commitments/?coalition=gbv",
        f"/commitments/{commitment.pk}/",
        f"/commitments/makers/{commitment.maker_id}/",
        "/commitments/export.csv",
        "/commitments/export.xlsx",
    ]


def write_urls(commitment, report) -> list[str]:
    return [
        "/commitments/new/",
        f"/commitments/{commitment.pk}/edit/",
        f"/commitments/{commitment.pk}/progress/",
        f"/commitments/progress/{report.pk}/edit/",
    ]


def test_anonymous_users_read_everything_and_are_sent_to_log_in_to_edit(client, commitment, report):
    for url in read_urls(commitment):
        assert client.get(url).status_code == 200, url
    for url in [*write_urls(commitment, report), "/commitments/import/", "/commitments/mine/"]:
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302, url
            assert response["Location"] == f"/accounts/login/?next={url}"


def test_logged_in_users_without_an_editor_role_get_403(
    client, commitment, report, stranger, gov_viewer, other_editor
):
    for user in (stranger, gov_viewer, other_editor):
        client.force_login(user)
        for url in read_urls(commitment):
            assert client.get(url).status_code == 200, (user, url)
        for url in write_urls(commitment, report)[1:] + ["/commitments/import/"]:
            assert client.get(url).status_code == 403, (user, url)
            assert client.post(url, {}).status_code == 403, (user, url)
    for user in (stranger, gov_viewer):  # no maker to file for at all
        client.force_login(user)
        assert client.get("/commitments/new/").status_code == 403


def test_an_editor_of_another_maker_cannot_file_for_this_one(
    client, commitment, kazakhstan, other_editor
):
    client.force_login(other_editor)
    response = client.post(
        "/commitments/new/",
        {"maker": kazakhstan.pk, "title": "Sneaky", "coalitions": ["gbv"], "start_year": 2025,
         "end_year": 2025, "status": "planned"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Select a valid choice. That choice is not one of the available choices." in (
        response.content.decode()
    )
    assert not kazakhstan.commitments.filter(title="Sneaky").exists()


def test_the_makers_editor_may_edit(client, commitment, report, gov_editor):
    client.force_login(gov_editor)
    for url in write_urls(commitment, report):
        assert client.get(url).status_code == 200, url
    assert client.get("/commitments/import/").status_code == 403  # imports create makers


def test_administrators_may_do_everything(client, commitment, report, admin_user):
    client.force_login(admin_user)
    for url in [*write_urls(commitment, report), "/commitments/import/"]:
        assert client.get(url).status_code == 200, url


def test_missing_objects_are_404_for_everyone(client, commitment, gov_editor, admin_user):
    for user in (None, gov_editor, admin_user):
        if user:
            client.force_login(user)
        for url in ("/commitments/999999/", "/commitments/makers/999999/"):
            assert client.get(url).status_code == 404


# --- The gates themselves -------------------------------------------------------------------


def test_gates(
    commitment, report, kazakhstan, gov_editor, gov_viewer, admin_user, django_user_model
):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert get_commitment_for_user(anonymous, commitment.pk) == commitment
    assert get_maker_for_user(anonymous, kazakhstan.pk) == kazakhstan
    assert get_progress_report_for_user(anonymous, report.pk) == report
    for user in (anonymous, gov_viewer):
        with pytest.raises(PermissionDenied):
            get_commitment_for_user(user, commitment.pk, write=True)
        with pytest.raises(PermissionDenied):
            get_maker_for_user(user, kazakhstan.pk, write=True)
        with pytest.raises(PermissionDenied):
            get_progress_report_for_user(user, report.pk, write=True)
    for user in (gov_editor, admin_user):
        assert get_commitment_for_user(user, commitment.pk, write=True) == commitment
        assert get_progress_report_for_user(user, report.pk, write=True) == report
    with pytest.raises(Http404):
        get_commitment_for_user(admin_user, 999999)
    assert (
        can_edit_maker(gov_editor, kazakhstan.pk),
        can_edit_maker(gov_viewer, kazakhstan.pk),
    ) == (
        True,
        False,
    )
