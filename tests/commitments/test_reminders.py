"""Reminders about missing progress reports: once per maker and year, to its editors only."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from commitments import services
from commitments.models import Commitment, MakerMembership, ProgressReport, ReportReminder
from commitments.services import ProgressInput
from core.models import Profile
from tests.commitments.factories import (
    CommitmentFactory,
    CommitmentMakerFactory,
    MakerMembershipFactory,
)
from tests.factories import UserFactory

YEAR = 2025


@pytest.fixture
def scene(kazakhstan, gov_editor, gov_viewer, other_maker, other_editor, reference):
    """Kazakhstan: one commitment reported for 2025, one not. Aurora: reported. A maker with
    commitments that are not due in 2025 (ended, not started, discontinued), and a maker whose
    only role holder is a viewer."""
    reported = CommitmentFactory(maker=kazakhstan, title="Reported", start_year=2024)
    missing = CommitmentFactory(maker=kazakhstan, title="Missing", start_year=2025, end_year=2026)
    aurora = CommitmentFactory(maker=other_maker, title="Aurora reported")
    for commitment in (reported, aurora):
        services.file_progress_report(
            commitment=commitment,
            data=ProgressInput(year=YEAR, progress_status="in_progress"),
            by=None,
        )
    not_due = CommitmentMakerFactory(name="Not due")
    CommitmentFactory(maker=not_due, start_year=2021, end_year=2024)
    CommitmentFactory(maker=not_due, start_year=2027, end_year=2028)
    CommitmentFactory(maker=not_due, status=Commitment.Status.DISCONTINUED)
    MakerMembershipFactory(maker=not_due)
    viewers_only = CommitmentMakerFactory(name="Viewers only")
    CommitmentFactory(maker=viewers_only)
    MakerMembershipFactory(maker=viewers_only, role=MakerMembership.Role.VIEWER)
    inactive = UserFactory(username="left-the-ministry", is_active=False)
    MakerMembershipFactory(user=inactive, maker=kazakhstan)
    no_email = UserFactory(username="no-email", email="")
    MakerMembershipFactory(user=no_email, maker=kazakhstan)
    return {"missing": missing, "viewers_only": viewers_only}


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """send_missing_report_reminders, with the mails it queues sent as after its commit."""

    def run(year: int) -> services.ReminderResult:
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_missing_report_reminders(year=year)

    return run


def test_makers_missing_report(scene, kazakhstan):
    missing = services.makers_missing_report(YEAR)
    viewers_only_commitment = scene["viewers_only"].commitments.get()
    assert [(m.maker.name, [c.title for c in m.commitments]) for m in missing] == [
        ("Government of Kazakhstan", ["Missing"]),
        ("Viewers only", [viewers_only_commitment.title]),
    ]


def test_reminder_goes_to_the_makers_active_editors_once(scene, gov_editor, kazakhstan, remind):
    result = remind(YEAR)
    assert [m.name for m in result.sent] == ["Government of Kazakhstan"]
    assert [m.name for m in result.no_editor] == ["Viewers only"]
    assert [message.to for message in mail.outbox] == [[gov_editor.email]]
    message = mail.outbox[0]
    assert message.subject == (
        "Generation Equality: progress report for 2025 missing (Government of Kazakhstan)"
    )
    assert "- Missing (2025–2026)" in message.body
    assert "Reported" not in message.body
    assert "/commitments/mine/" in message.body
    assert ReportReminder.objects.get(maker=kazakhstan, year=YEAR).recipients == [gov_editor.email]

    again = remind(YEAR)
    assert again.sent == []
    assert [m.name for m in again.already_reminded] == ["Government of Kazakhstan"]
    assert len(mail.outbox) == 1


def test_each_editor_is_reminded_in_the_language_on_their_profile(scene, gov_editor, remind):
    Profile.objects.create(user=gov_editor, language="ar")
    remind(YEAR)
    [message] = mail.outbox
    english = "Generation Equality: progress report for %(year)s missing (%(maker)s)"
    with translation.override("ar"):
        title = translation.gettext(english)
    assert title != english
    assert message.subject == title % {"year": YEAR, "maker": "Government of Kazakhstan"}
    assert translation.get_language() == "en"


def test_no_reminder_once_the_report_is_filed(scene, remind):
    services.file_progress_report(
        commitment=scene["missing"],
        data=ProgressInput(year=YEAR, progress_status="not_started"),
        by=None,
    )
    result = remind(YEAR)
    assert result.sent == []
    assert mail.outbox == []


def test_a_maker_without_editors_is_reminded_once_one_is_added(scene, remind):
    remind(YEAR)
    assert not ReportReminder.objects.filter(maker=scene["viewers_only"]).exists()
    editor = UserFactory(username="new-editor")
    MakerMembershipFactory(user=editor, maker=scene["viewers_only"])
    mail.outbox.clear()
    result = remind(YEAR)
    assert [m.name for m in result.sent] == ["Viewers only"]
    assert [message.to for message in mail.outbox] == [[editor.email]]


def test_each_year_is_reminded_separately(scene, gov_editor, remind):
    remind(YEAR)
    remind(YEAR + 1)
    # 2026: "Missing" runs to 2026 and has no 2026 report; "Reported" ended in 2025.
    assert [m.subject for m in mail.outbox] == [
        "Generation Equality: progress report for 2025 missing (Government of Kazakhstan)",
        "Generation Equality: progress report for 2026 missing (Government of Kazakhstan)",
    ]
    assert ProgressReport.objects.filter(year=YEAR + 1).count() == 0


def test_command_reminds_and_reports(scene, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind_missing_reports", str(YEAR))
        call_command("remind_missing_reports", str(YEAR))
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "2025: 1 makers reminded (1 e-mails), 0 reminded earlier, 1 without an editor to write to.",
        "  no editor with an e-mail address: Viewers only",
        "2025: 0 makers reminded (0 e-mails), 1 reminded earlier, 1 without an editor to write to.",
        "  no editor with an e-mail address: Viewers only",
    ]
    assert len(mail.outbox) == 1


def test_celery_task_is_a_thin_wrapper(scene):
    from commitments.tasks import remind_missing_reports

    assert remind_missing_reports(year=YEAR) == 1
    assert remind_missing_reports(year=YEAR) == 0


def test_reminders_are_scheduled_monthly_by_celery_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["remind-missing-commitment-reports"]

    assert entry["task"] == "commitments.tasks.remind_missing_reports"
    assert entry["schedule"].day_of_month == {1}


def test_the_scheduled_task_exists():
    from config.celery import app

    app.loader.import_default_modules()

    assert "commitments.tasks.remind_missing_reports" in app.tasks
