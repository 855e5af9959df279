"""Invitations: a team's IAT coordinator (their own team; IAT members and viewers) or an
administrator (any team, any role) invites by e-mail; the link, on SITE_URL, lets the person
choose a username and password, works once and expires; it can be withdrawn. Someone who
already has an account gets the role at once. Nobody else invites, and nothing is written when
they try."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core import selectors, services
from core.models import Invitation, Membership, Profile
from tests.factories import MembershipFactory, UserFactory

Role = Membership.Role
PEOPLE = "/teams/KAZ/people/"
NEW_PASSWORD = "a-brand-new-passphrase-77"
LINK = re.compile(r"https?://\S+/accounts/invitation/(?P<token>[\w-]+)/")
ADDRESS = "new.person@example.org"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def invite_by_page(client, capture, code="KAZ", **data):
    payload = {"email": ADDRESS, "role": Role.IAT_MEMBER, "language": "en", **data}
    with capture(execute=True):  # the mail is queued after the commit
        return client.post(f"/teams/{code}/people/", payload)


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def accept_form(**data):
    return {
        "username": "newperson",
        "first_name": "Aigerim",
        "last_name": "Bekova",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **data,
    }


@pytest.fixture
def invitation(coordinator, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invite(
            by=coordinator, email=ADDRESS, country_team=team, role=Role.IAT_MEMBER
        )


def path_of(invitation) -> str:
    return f"/accounts/invitation/{invitation.token}/"


# --- The journey -----------------------------------------------------------------------------


def test_coordinator_invites_and_the_person_joins_logged_in(
    client, coordinator, team, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://scorecard.example.org"
    client.force_login(coordinator)
    response = invite_by_page(client, django_capture_on_commit_callbacks, language="fr")
    assert response.status_code == 302
    assert response.url == PEOPLE

    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.language) == (
        ADDRESS,
        Role.IAT_MEMBER,
        "fr",
    )
    assert invitation.invited_by == coordinator
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    [message] = mail.outbox
    assert message.to == [ADDRESS]
    assert '<html lang="fr"' in message.alternatives[0][0]  # in the language chosen
    link = link_in(message)
    assert link.startswith("https://scorecard.example.org/accounts/invitation/")
    token = LINK.search(link).group("token")
    assert token not in invitation.token_hash  # only the hash is stored
    assert invitation.token_hash == selectors.token_hash(token)
    assert ADDRESS in client.get(PEOPLE).content.decode()  # listed as open

    client.logout()
    path = link.removeprefix("https://scorecard.example.org")
    page = client.get(path)
    assert page.status_code == 200
    assert ADDRESS in page.content.decode()
    joined = client.post(path, accept_form())
    assert joined.status_code == 302
    assert joined.url == "/teams/KAZ/"

    user = Membership.objects.get(country_team=team, role=Role.IAT_MEMBER).user
    assert (user.username, user.email, user.get_full_name()) == (
        "newperson",
        ADDRESS,
        "Aigerim Bekova",
    )
    assert int(client.session["_auth_user_id"]) == user.pk  # logged in
    assert Profile.objects.get(user=user).language == "fr"
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    assert "Welcome" in client.get("/teams/KAZ/").content.decode()


def test_the_link_works_once(client, invitation):
    assert client.post(path_of(invitation), accept_form()).status_code == 302
    client.logout()
    again = client.get(path_of(invitation))
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    second = client.post(path_of(invitation), accept_form(username="someone-else"))
    assert second.status_code == 410
    assert not Membership.objects.filter(user__username="someone-else").exists()


def test_an_expired_link_is_refused_and_creates_nothing(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    page = client.get(path_of(invitation))
    assert page.status_code == 410
    assert "This invitation expired on" in page.content.decode()
    assert client.post(path_of(invitation), accept_form()).status_code == 410
    assert not Membership.objects.filter(user__username="newperson").exists()
    with pytest.raises(ValidationError, match="expired"):
        services.accept_invitation(
            token=invitation.token, username="x-person", password=NEW_PASSWORD, first_name="X"
        )


def test_an_unknown_link_is_a_404(client, db):
    page = client.get("/accounts/invitation/not-a-real-token/")
    assert page.status_code == 404
    assert "This invitation link is not valid" in page.content.decode()


def test_the_form_keeps_what_was_typed_and_lists_the_errors_at_the_top(client, invitation, iat):
    page = client.post(
        path_of(invitation),
        accept_form(username="IAT", password1="short", password2="short"),
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="error-summary"' in html
    assert "A user with that username already exists." in html  # iat, whatever the case
    assert "This password is too short" in html
    assert 'value="IAT"' in html
    assert 'value="Aigerim"' in html
    assert 'value="short"' not in html  # passwords are never sent back
    assert not Invitation.objects.get(pk=invitation.pk).accepted_at

    mismatch = client.post(path_of(invitation), accept_form(password2="something-else-99"))
    assert mismatch.status_code == 200
    assert "didn’t match" in mismatch.content.decode()


def test_the_service_applies_the_password_validators_too(invitation):
    with pytest.raises(ValidationError) as error:
        services.accept_invitation(
            token=invitation.token, username="newperson", password="newperson", first_name="N"
        )
    assert "password" in error.value.message_dict


def test_inviting_again_replaces_the_open_invitation(
    coordinator, team, invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        second = services.invite(
            by=coordinator, email=ADDRESS.upper(), country_team=team, role=Role.VIEWER
        )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert second.email == ADDRESS
    assert selectors.open_invitations(team) == [second]
    assert selectors.invitation_problem(invitation).startswith("This invitation was withdrawn")


def test_the_coordinator_withdraws_an_invitation(client, coordinator, invitation):
    client.force_login(coordinator)
    response = client.post(f"{PEOPLE}invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_by == coordinator
    assert "was withdrawn" in client.get(PEOPLE).content.decode()  # the message, once
    assert ADDRESS not in client.get(PEOPLE).content.decode()  # no longer listed
    client.logout()
    page = client.get(path_of(invitation))
    assert page.status_code == 410
    assert "withdrawn" in page.content.decode()


def test_a_person_with_an_account_gets_the_role_at_once(
    client, coordinator, outsider, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    response = invite_by_page(
        client, django_capture_on_commit_callbacks, email=outsider.email.upper(), role=Role.VIEWER
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=outsider, country_team__code="KAZ").role == Role.VIEWER
    assert not Invitation.objects.exists()
    [message] = mail.outbox
    assert message.to == [outsider.email]
    assert "you now have access to" in message.subject
    assert "/teams/KAZ/" in message.body


def test_a_member_is_not_invited_again_and_their_role_is_kept(
    client, coordinator, rc, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    page = invite_by_page(client, django_capture_on_commit_callbacks, email=rc.email)
    assert page.status_code == 200
    assert "is already a member of this team" in page.content.decode()
    assert Membership.objects.get(user=rc).role == Role.RESIDENT_COORDINATOR
    assert mail.outbox == []


def test_a_deactivated_account_is_not_reopened_by_an_invitation(
    coordinator, team, django_capture_on_commit_callbacks
):
    former = UserFactory(username="former", is_active=False)
    with pytest.raises(ValidationError, match="deactivated"):
        services.invite(by=coordinator, email=former.email, country_team=team, role=Role.VIEWER)
    assert not Invitation.objects.exists()
    assert not Membership.objects.filter(user=former).exists()


def test_the_invite_form_starts_in_the_inviters_language(client, coordinator):
    client.force_login(coordinator)
    client.post("/i18n/language/", {"language": "ru"})
    form = client.get(PEOPLE).context["form"]
    assert form["language"].value() == "ru"


# --- Who may invite --------------------------------------------------------------------------


def test_a_coordinator_cannot_invite_to_another_team(
    client, coordinator, other_team, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    # Demoland is not theirs to know about: 404, like every page of it.
    assert client.get("/teams/XDL/people/").status_code == 404
    assert invite_by_page(client, django_capture_on_commit_callbacks, code="XDL").status_code == 404
    # A team they see (as a viewer) but do not coordinate: 403.
    MembershipFactory(user=coordinator, country_team=other_team, role=Role.VIEWER)
    assert invite_by_page(client, django_capture_on_commit_callbacks, code="XDL").status_code == 403
    with pytest.raises(PermissionDenied):
        services.invite(
            by=coordinator, email=ADDRESS, country_team=other_team, role=Role.IAT_MEMBER
        )
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("persona", ["iat", "rc", "viewer", "reviewer"])
def test_only_the_coordinator_and_administrators_manage_people(
    client, request, persona, team, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PEOPLE).status_code == 403
    assert invite_by_page(client, django_capture_on_commit_callbacks).status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_anonymous_visitors_are_sent_to_log_in(client, team):
    response = client.get(PEOPLE)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert client.post(PEOPLE, {"email": ADDRESS, "role": Role.VIEWER}).status_code == 302
    assert not Invitation.objects.exists()


def test_a_coordinator_gives_only_iat_member_and_viewer(
    client, coordinator, team, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    choices = [value for value, _label in client.get(PEOPLE).context["form"].fields["role"].choices]
    assert choices == [Role.IAT_MEMBER, Role.VIEWER]
    page = invite_by_page(client, django_capture_on_commit_callbacks, role=Role.IAT_COORDINATOR)
    assert page.status_code == 200
    assert 'data-testid="error-summary"' in page.content.decode()
    with pytest.raises(PermissionDenied):
        services.invite(
            by=coordinator, email=ADDRESS, country_team=team, role=Role.RESIDENT_COORDINATOR
        )
    assert not Invitation.objects.exists()


def test_an_administrator_invites_anyone_anywhere(
    client, admin_user, other_team, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    response = invite_by_page(
        client, django_capture_on_commit_callbacks, code="XDL", role=Role.RESIDENT_COORDINATOR
    )
    assert response.status_code == 302
    assert Invitation.objects.get().role == Role.RESIDENT_COORDINATOR


def test_another_teams_invitations_are_neither_listed_nor_reachable(
    client, coordinator, admin_user, other_team, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        theirs = services.invite(
            by=admin_user, email="demo@example.org", country_team=other_team, role=Role.VIEWER
        )
    client.force_login(coordinator)
    assert "demo@example.org" not in client.get(PEOPLE).content.decode()
    assert client.post(f"{PEOPLE}invitations/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/teams/XDL/people/invitations/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_team_page_links_to_people_for_those_who_manage_them(client, coordinator, iat):
    client.force_login(coordinator)
    assert 'data-testid="team-people-link"' in client.get("/teams/KAZ/").content.decode()
    client.force_login(iat)
    assert 'data-testid="team-people-link"' not in client.get("/teams/KAZ/").content.decode()


# --- Removing a member -----------------------------------------------------------------------


def test_a_coordinator_removes_a_viewer_who_keeps_their_account(client, coordinator, viewer):
    client.force_login(coordinator)
    membership = Membership.objects.get(user=viewer)
    response = client.post(f"{PEOPLE}members/{membership.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    viewer.refresh_from_db()
    assert viewer.is_active


def test_a_coordinator_cannot_remove_the_rc_or_themselves(client, coordinator, rc):
    client.force_login(coordinator)
    for user in (rc, coordinator):
        membership = Membership.objects.get(user=user)
        assert client.post(f"{PEOPLE}members/{membership.pk}/remove/").status_code == 403
        assert Membership.objects.filter(pk=membership.pk).exists()


# --- For sign-in that verifies e-mail (OpenID Connect) ---------------------------------------


def test_pending_invitations_for_email_finds_only_usable_ones(invitation, admin_user, other_team):
    assert selectors.pending_invitations_for_email(" New.Person@Example.org") == [invitation]
    assert selectors.pending_invitations_for_email("someone@example.org") == []
    assert selectors.pending_invitations_for_email("") == []
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert selectors.pending_invitations_for_email(ADDRESS) == []


def test_accept_invitation_for_an_existing_user(invitation, outsider, team):
    membership = services.accept_invitation_for_user(invitation=invitation, user=outsider)
    assert (membership.user, membership.country_team, membership.role) == (
        outsider,
        team,
        Role.IAT_MEMBER,
    )
    assert selectors.pending_invitations_for_email(ADDRESS) == []
    with pytest.raises(ValidationError, match="already been used"):
        services.accept_invitation_for_user(invitation=invitation, user=outsider)


def test_a_logged_in_person_joins_with_their_account(client, invitation, outsider):
    client.force_login(outsider)
    page = client.get(path_of(invitation))
    assert "Join as" in page.content.decode()
    assert client.post(path_of(invitation)).url == "/teams/KAZ/"
    assert Membership.objects.get(user=outsider, country_team__code="KAZ").role == Role.IAT_MEMBER
