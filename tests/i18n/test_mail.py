"""E-mails go out in the language on each recipient's profile: one message per language when a
step notifies several people, the site's language for those who chose none."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from core.mail import send_in_their_languages
from core.models import Membership, Profile
from reports import services as report_services
from reports import worker
from scorecard import workflow
from scorecard.models import Assessment
from tests.factories import MembershipFactory, UserFactory


def in_language(language: str, message: str, **values: object) -> str:
    with translation.override(language):
        return translation.gettext(message) % values


@pytest.mark.django_db
def test_a_workflow_step_mails_each_person_in_their_language(
    kaz_2022, coordinator, rc, django_capture_on_commit_callbacks
):
    second_rc = UserFactory(username="rc-deputy")
    MembershipFactory(
        user=second_rc,
        country_team=kaz_2022.country_team,
        role=Membership.Role.RESIDENT_COORDINATOR,
    )
    Profile.objects.create(user=second_rc, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(assessment=kaz_2022, action="send_for_endorsement", by=coordinator)

    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {(rc.email,), (second_rc.email,)}
    with translation.override("fr"):
        status = str(Assessment.Status.AWAITING_ENDORSEMENT.label)
    assert status != "Awaiting UNCT endorsement"
    with translation.override("fr"):
        team = kaz_2022.country_team.display_name
    assert by_recipient[(second_rc.email,)].subject == in_language(
        "fr", "UNCT-SWAP %(team)s %(year)s: %(status)s", team=team, year=2022, status=status
    )
    assert by_recipient[(rc.email,)].subject == (
        f"UNCT-SWAP {kaz_2022.country_team.display_name} 2022: Awaiting UNCT endorsement"
    )
    assert translation.get_language() == "en"  # the override ended with the message


@pytest.mark.django_db
def test_the_report_ready_mail_is_in_the_requesters_language(
    kaz_2022, viewer, monkeypatch, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=viewer, language="es")
    job = report_services.request_report(assessment=kaz_2022, by=viewer)
    job.__class__.objects.filter(pk=job.pk).update(status="done", pages=29)
    with django_capture_on_commit_callbacks(execute=True):  # mail is queued after the commit
        assert worker.notify_done(job.pk) == 1
    [message] = mail.outbox
    # The country's UN name in Spanish too.
    assert message.subject == in_language(
        "es", "UNCT-SWAP %(team)s %(year)s: your PDF report is ready", team="Kazajstán", year=2022
    )
    assert (
        message.subject != f"UNCT-SWAP {kaz_2022.country_team.name} 2022: your PDF report is ready"
    )


@pytest.mark.django_db
def test_unknown_or_missing_languages_fall_back_to_the_sites(
    mailoutbox, django_capture_on_commit_callbacks
):
    def compose():
        return translation.gettext("Gender parity"), translation.get_language()

    with django_capture_on_commit_callbacks(execute=True):  # mail is queued after the commit
        sent = send_in_their_languages(
            [
                ("a@example.org", "ru"),
                ("b@example.org", None),
                ("c@example.org", "xx"),
                ("d@example.org", "ru"),
            ],
            compose,
        )
    assert sent == 2
    assert [(m.to, m.body) for m in mailoutbox] == [
        (["a@example.org", "d@example.org"], "ru"),
        (["b@example.org", "c@example.org"], "en"),
    ]
    assert mailoutbox[0].subject == in_language("ru", "Gender parity") != "Gender parity"
