"""Notifications through a real SMTP server (aiosmtpd, tests/core/conftest.py): sent only once
the transaction commits, as text with an HTML part, in each recipient's language; retried while
the server is down, then logged, and the user's action succeeds all the same.

The tests that need a real commit or rollback use transactional test databases: inside pytest's
usual per-test transaction, nothing ever commits."""

from __future__ import annotations

import contextlib
import logging
import runpy

import environ
import pytest
from celery.canvas import Signature
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import translation
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from core.mail import render_html, send_in_their_languages
from core.models import Membership, Profile
from scorecard import workflow
from scorecard.models import Assessment
from tests.core.conftest import free_port, use_smtp
from tests.factories import MembershipFactory, UserFactory

SITE = "https://scorecard.example.org"
OVERVIEW = f"{SITE}/teams/KAZ/2022/"
SEND_TASK = celery_app.tasks["core.tasks.send_message"]


class Abort(Exception):
    """Raised to roll a transaction back."""


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def rcs(kaz_2022, rc):
    """The team's two Resident Coordinators, one reading French, one Arabic: the people the
    "send for endorsement" step notifies."""
    Profile.objects.create(user=rc, language="fr")
    deputy = UserFactory(username="rc-deputy", email="rc-deputy@example.org")
    MembershipFactory(
        user=deputy, country_team=kaz_2022.country_team, role=Membership.Role.RESIDENT_COORDINATOR
    )
    Profile.objects.create(user=deputy, language="ar")
    return rc, deputy


def send_for_endorsement(assessment: Assessment, by) -> None:
    workflow.transition(assessment=assessment, action="send_for_endorsement", by=by)


def subject_in(language: str, assessment: Assessment) -> str:
    """The "awaiting endorsement" notification's subject in that language."""
    with translation.override(language):
        return translation.gettext("UNCT-SWAP %(team)s %(year)s: %(status)s") % {
            "team": assessment.country_team.display_name,
            "year": assessment.year,
            "status": Assessment.Status.AWAITING_ENDORSEMENT.label,
        }


def status_of(assessment: Assessment) -> str:
    return Assessment.objects.get(pk=assessment.pk).status


@pytest.mark.django_db(transaction=True)
def test_a_workflow_step_reaches_the_smtp_server_after_the_commit_in_each_language(
    smtp_server, kaz_2022, coordinator, rcs
):
    rc, deputy = rcs
    with transaction.atomic():
        send_for_endorsement(kaz_2022, coordinator)
        assert smtp_server.received == []  # nothing before the commit

    by_recipient = {tuple(d.recipients): d for d in smtp_server.received}
    assert set(by_recipient) == {(rc.email,), (deputy.email,)}
    french, arabic = by_recipient[(rc.email,)], by_recipient[(deputy.email,)]
    assert french.subject == subject_in("fr", kaz_2022)
    assert "Awaiting UNCT endorsement" not in french.subject
    assert arabic.subject == subject_in("ar", kaz_2022)
    assert arabic.subject != french.subject
    assert french.message["From"] == django_settings.DEFAULT_FROM_EMAIL
    assert french.message.get_content_type() == "multipart/alternative"
    assert french.text.rstrip().endswith(OVERVIEW)
    assert '<html lang="fr" dir="ltr">' in french.html
    assert f'<a href="{OVERVIEW}"' in french.html
    assert '<html lang="ar" dir="rtl">' in arabic.html
    assert status_of(kaz_2022) == Assessment.Status.AWAITING_ENDORSEMENT


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_when_the_transaction_rolls_back(smtp_server, kaz_2022, coordinator, rcs):
    with contextlib.suppress(Abort), transaction.atomic():
        send_for_endorsement(kaz_2022, coordinator)
        raise Abort

    assert status_of(kaz_2022) == Assessment.Status.DRAFT
    assert smtp_server.received == []
    # The server works: the same step, committed, is delivered.
    send_for_endorsement(kaz_2022, coordinator)
    assert len(smtp_server.received) == 2


@pytest.mark.django_db(transaction=True)
def test_with_the_smtp_server_down_the_step_succeeds_the_mail_is_retried_then_logged(
    smtp_down, client, kaz_2022, coordinator, rc, monkeypatch, caplog
):
    monkeypatch.setattr(SEND_TASK, "max_retries", 2)  # 3 tries; eager retries do not wait
    client.force_login(coordinator)

    with caplog.at_level(logging.ERROR, logger="core.tasks"):
        response = client.post("/teams/KAZ/2022/workflow/", {"action": "send_for_endorsement"})

    assert response.status_code == 302
    assert status_of(kaz_2022) == Assessment.Status.AWAITING_ENDORSEMENT
    assert len(smtp_down) == 3  # the first try and two retries, each a new connection
    [record] = [r for r in caplog.records if r.name == "core.tasks"]
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith(
        "Mail 'UNCT-SWAP Kazakhstan 2022: Awaiting UNCT endorsement' to 1 recipient(s) "
        "not sent after 3 attempts: "
    )


@pytest.mark.django_db
def test_a_closed_port_is_retried_with_the_default_policy_then_logged(
    settings, caplog, django_capture_on_commit_callbacks
):
    use_smtp(settings, free_port())  # nothing listens there: connection refused
    assert SEND_TASK.max_retries == 5
    with (
        caplog.at_level(logging.ERROR, logger="core.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        queued = send_in_their_languages([("a@example.org", "en")], lambda: ("Hello", "Body"))

    assert queued == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "core.tasks"]
    assert len(messages) == 1
    assert messages[0].startswith("Mail 'Hello' to 1 recipient(s) not sent after 6 attempts: ")


@pytest.mark.django_db
def test_with_the_broker_unreachable_the_mail_is_logged_as_lost_not_raised(
    monkeypatch, caplog, mailoutbox, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(Signature, "apply_async", broker_down)
    with (
        caplog.at_level(logging.ERROR, logger="core.mail"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        queued = send_in_their_languages([("a@example.org", "fr")], lambda: ("Hello", "Body"))

    assert queued == 1
    assert mailoutbox == []
    assert [r.getMessage() for r in caplog.records if r.name == "core.mail"] == [
        "Mail 'Hello' to 1 recipient(s) not queued"
    ]


def test_the_html_part_escapes_the_text_makes_links_clickable_and_follows_the_language():
    text = "Ana <ana@example.org>: <b>done</b>.\nSee https://example.org/a?x=1&y=2.\n\nSecond"
    with translation.override("ar"):
        html = render_html("Subject & more", text)
    assert '<html lang="ar" dir="rtl">' in html
    assert "<title>Subject &amp; more</title>" in html
    assert "&lt;b&gt;done&lt;/b&gt;" in html
    assert "<b>" not in html
    assert '<a href="https://example.org/a?x=1&amp;y=2" rel="nofollow">' in html
    assert "<br>" in html  # a line break within a paragraph
    assert "<p>Second</p>" in html
    with translation.override("ar"):
        site_name = translation.gettext("UNCT-SWAP Gender Equality Scorecard")
    assert site_name in html  # the site's name, in the reader's language


def test_email_url_sets_the_smtp_server_its_port_tls_and_login(monkeypatch):
    monkeypatch.setattr(environ.Env, "read_env", lambda *args, **kwargs: None)  # no .env here
    monkeypatch.setenv(
        "EMAIL_URL", "smtp+tls://mailer%40example.org:s%3Acret@mail.example.org:2525"
    )
    monkeypatch.setenv("EMAIL_BACKEND", "")  # unset: the URL decides
    monkeypatch.setenv("ADMINS", "Ops Team <ops@example.org>,dev@example.org")
    monkeypatch.delenv("EMAIL_TIMEOUT", raising=False)
    monkeypatch.delenv("SERVER_EMAIL", raising=False)
    monkeypatch.setenv("DEFAULT_FROM_EMAIL", "UNCT-SWAP <noreply@example.org>")

    loaded = runpy.run_path(str(django_settings.BASE_DIR / "config" / "settings.py"))

    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["EMAIL_HOST"], loaded["EMAIL_PORT"]) == ("mail.example.org", 2525)
    assert (loaded["EMAIL_USE_TLS"], loaded["EMAIL_USE_SSL"]) == (True, False)
    assert (loaded["EMAIL_HOST_USER"], loaded["EMAIL_HOST_PASSWORD"]) == (
        "mailer@example.org",
        "s:cret",
    )
    assert loaded["EMAIL_TIMEOUT"] == 10
    assert loaded["SERVER_EMAIL"] == "UNCT-SWAP <noreply@example.org>"
    assert loaded["ADMINS"] == [
        ("Ops Team", "ops@example.org"),
        ("dev@example.org", "dev@example.org"),
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp+ssl://mail.example.org", ("smtp", "mail.example.org", 465, False, True)),
        ("smtp://relay", ("smtp", "relay", 25, False, False)),
        ("consolemail://", ("console", "localhost", 25, False, False)),
    ],
)
def test_email_url_schemes_and_their_default_ports(monkeypatch, url, expected):
    monkeypatch.setattr(environ.Env, "read_env", lambda *args, **kwargs: None)
    monkeypatch.setenv("EMAIL_URL", url)
    monkeypatch.setenv("EMAIL_BACKEND", "")
    loaded = runpy.run_path(str(django_settings.BASE_DIR / "config" / "settings.py"))
    backend = loaded["EMAIL_BACKEND"].rsplit(".", 2)[1]
    assert (
        backend,
        loaded["EMAIL_HOST"],
        loaded["EMAIL_PORT"],
        loaded["EMAIL_USE_TLS"],
        loaded["EMAIL_USE_SSL"],
    ) == expected


def test_email_backend_still_overrides_the_url(monkeypatch):
    monkeypatch.setattr(environ.Env, "read_env", lambda *args, **kwargs: None)
    monkeypatch.setenv("EMAIL_URL", "smtp://relay")
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    loaded = runpy.run_path(str(django_settings.BASE_DIR / "config" / "settings.py"))
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
