"""In-app notifications (core.Notification): who is told of what, in their language, on a page
and an API that only ever show a person their own; the navbar's unread count at one query.

Personas from tests/conftest.py: `iat`, `coordinator`, `rc`, `viewer` of Kazakhstan (KAZ),
`outsider` of Demoland, `reviewer` of KAZ's region, `far_reviewer` of Africa, `admin_user`.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core import selectors, services
from core.models import Notification
from reports import document, worker
from reports import services as report_services
from scorecard import services as scorecard_services
from scorecard import workflow
from scorecard.models import Assessment, IndicatorAssessment
from tests.factories import UserFactory
from tests.scorecard.test_views import page

OVERVIEW = "/teams/KAZ/2022/"
PI_43 = "/teams/KAZ/2022/pi/4.3/"
REASON = "PI 4.3: attach the staffing data of the 12 agencies."


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(iat, coordinator, rc, viewer, outsider, reviewer, far_reviewer, admin_user):
    for user, (first, last) in {
        coordinator: ("Dana", "Seitkali"),
        rc: ("Karin", "Lund"),
        reviewer: ("Nadia", "Haddad"),
        iat: ("Aruzhan", "Bekova"),
    }.items():
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
    return {
        "iat": iat,
        "coordinator": coordinator,
        "rc": rc,
        "viewer": viewer,
        "outsider": outsider,
        "reviewer": reviewer,
        "far_reviewer": far_reviewer,
        "admin_user": admin_user,
    }


def told() -> dict[str, list[str]]:
    """username → the texts of their notifications (English), oldest first; then forgotten."""
    out: dict[str, list[str]] = {}
    for n in Notification.objects.select_related("recipient").order_by("created_at", "pk"):
        out.setdefault(n.recipient.username, []).append(selectors.notification_text(n))
    Notification.objects.all().delete()
    return out


def step(assessment, action, by, comment="", pis=()):
    return workflow.transition(
        assessment=assessment, action=action, by=by, comment=comment, indicator_codes=pis
    )


def pi(assessment, code) -> IndicatorAssessment:
    return IndicatorAssessment.objects.select_related("assessment__country_team", "indicator").get(
        assessment=assessment, indicator__code=code
    )


# --- Who is told of what ----------------------------------------------------------------------


def test_each_workflow_step_tells_the_people_it_concerns(people, kaz_2022):
    p = people
    step(kaz_2022, "send_for_endorsement", p["coordinator"])
    assert told() == {
        "rc": ["Dana Seitkali sent Kazakhstan 2022 to the UNCT for endorsement."],
    }

    step(kaz_2022, "send_back_to_team", p["rc"], "Budget lines first.")
    sent_back = ["Karin Lund sent Kazakhstan 2022 back to the assessment team: Budget lines first."]
    assert told() == {"coordinator": sent_back, "iat": sent_back}

    step(kaz_2022, "send_for_endorsement", p["coordinator"])
    told()
    step(kaz_2022, "endorse_and_submit", p["rc"])
    submitted = ["Karin Lund endorsed Kazakhstan 2022 and submitted it to UN Women."]
    assert told() == {"coordinator": submitted, "reviewer": submitted}  # not far_reviewer

    step(kaz_2022, "start_review", p["reviewer"])
    started = ["Nadia Haddad started the quality review of Kazakhstan 2022."]
    assert told() == {"coordinator": started, "rc": started}

    step(kaz_2022, "return_for_revision", p["reviewer"], REASON, ["4.3"])
    returned = [f"Nadia Haddad returned Kazakhstan 2022 for revision: {REASON}"]
    assert told() == {"coordinator": returned, "iat": returned}

    step(kaz_2022, "send_for_endorsement", p["coordinator"])
    step(kaz_2022, "endorse_and_submit", p["rc"])
    step(kaz_2022, "start_review", p["reviewer"])
    told()
    step(kaz_2022, "approve", p["reviewer"])
    approved = ["Nadia Haddad approved Kazakhstan 2022."]
    assert told() == {"coordinator": approved, "iat": approved, "rc": approved}


def test_notifications_link_to_the_overview_and_are_made_with_the_step(people, kaz_2022):
    step(kaz_2022, "send_for_endorsement", people["coordinator"])
    assert list(Notification.objects.values_list("url", flat=True)) == [OVERVIEW]

    # A step that fails (blocked by the quality checks) leaves no notification behind.
    Notification.objects.all().delete()
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="draft")
    IndicatorAssessment.objects.filter(assessment=kaz_2022).update(rating="")
    with pytest.raises(ValidationError, match="reassessed but not rated"):
        step(kaz_2022, "send_for_endorsement", people["coordinator"])
    assert Notification.objects.count() == 0


def test_reopen_request_and_decisions_tell_reviewers_then_the_requester_and_team(people, kaz_2022):
    p = people
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="approved")
    kaz_2022.refresh_from_db()

    request = workflow.request_reopen(
        assessment=kaz_2022, by=p["coordinator"], reason="The parity data arrived late."
    )
    assert told() == {
        "reviewer": ["Dana Seitkali asks to reopen Kazakhstan 2022: The parity data arrived late."]
    }
    workflow.decide_reopen(reopen_request=request, by=p["reviewer"], grant=False, comment="No.")
    assert told() == {"coordinator": ["Nadia Haddad refused to reopen Kazakhstan 2022: No."]}

    again = workflow.request_reopen(assessment=kaz_2022, by=p["rc"], reason="Really late.")
    told()
    workflow.decide_reopen(reopen_request=again, by=p["reviewer"], grant=True)
    granted = ["Nadia Haddad reopened Kazakhstan 2022 at the team's request."]
    assert told() == {"rc": granted, "coordinator": granted, "iat": granted}


def test_reviewer_comments_tell_the_team_and_team_replies_tell_the_reviewers(people, kaz_2022):
    p = people
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="in_review")
    row = pi(kaz_2022, "4.3")

    thread = scorecard_services.add_comment(row=row, by=p["reviewer"], body="Where is the data?")
    commented = ["Nadia Haddad commented on PI 4.3 of Kazakhstan 2022: Where is the data?"]
    assert told() == {"coordinator": commented, "iat": commented}
    assert Notification.objects.count() == 0  # told() forgets
    scorecard_services.add_comment(row=row, by=p["iat"], body="Attached today.", parent=thread)
    assert told() == {
        "reviewer": ["Aruzhan Bekova replied on PI 4.3 of Kazakhstan 2022: Attached today."]
    }
    # The coordinator replies too: the reviewer is told, the IAT member (team side) is not.
    scorecard_services.add_comment(row=row, by=p["coordinator"], body="Thanks.", parent=thread)
    assert list(told()) == ["reviewer"]
    # A new thread by the team: the reviewers who commented on this PI.
    scorecard_services.add_comment(row=row, by=p["rc"], body="The UNCT agrees.")
    assert list(told()) == ["reviewer"]
    # On a PI no reviewer commented on: nobody.
    scorecard_services.add_comment(row=pi(kaz_2022, "2.2"), by=p["iat"], body="Note to self.")
    assert told() == {}
    # The notification opens the PI's comments.
    scorecard_services.add_comment(row=row, by=p["reviewer"], body="Thanks.", parent=thread)
    assert set(Notification.objects.values_list("url", flat=True)) == {PI_43 + "#comments"}


def test_comment_through_the_page_tells_the_team(client, people, kaz_2022):
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="in_review")
    client.force_login(people["reviewer"])

    response = client.post(PI_43 + "comments/", {"body": "Where is the data?"})

    assert response.status_code == 302
    assert sorted(told()) == ["coordinator", "iat"]


@pytest.fixture
def fast_report(monkeypatch):
    """The report renderer replaced by one that takes no time (tests/reports/conftest.py)."""
    from core import pdf

    def render(data):
        body = b"%PDF-1.7\n% fake " + document.content_hash(data).encode() + b"\n%%EOF\n"
        return "<html></html>", pdf.Pdf(content=body, pages=3)

    monkeypatch.setattr(document, "render_input", render)
    monkeypatch.setattr(worker, "render_input", render)


def test_a_finished_report_tells_its_requester(
    viewer, kaz_2022, fast_report, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = report_services.request_report(assessment=kaz_2022, by=viewer)
    job.refresh_from_db()

    assert job.status == "done"
    assert told() == {"viewer": ["Your PDF report of Kazakhstan 2022 is ready."]}
    # (told() deleted it; the link is the download, through its gate)
    with django_capture_on_commit_callbacks(execute=True):
        worker.notify_requester(job)
    assert Notification.objects.get().url == f"/reports/{job.pk}/download/"


def test_a_failed_report_tells_its_requester_once(
    viewer, kaz_2022, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(data):
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(worker, "render_input", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = report_services.request_report(assessment=kaz_2022, by=viewer)
    job.refresh_from_db()

    assert job.status == "failed"
    notification = Notification.objects.get()
    assert notification.url == OVERVIEW + "#report-card"
    assert told() == {"viewer": ["Your PDF report of Kazakhstan 2022 could not be made."]}
    worker._fail(job.pk, "again")  # already failed: not told twice
    assert Notification.objects.count() == 0


def test_frozen_reports_of_the_workflow_tell_nobody(people, kaz_2022, fast_report):
    """The "as submitted" copy is made by the workflow, asked for by nobody."""
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="awaiting_endorsement")
    kaz_2022.refresh_from_db()
    step(kaz_2022, "endorse_and_submit", people["rc"])
    told()  # the step's own notifications
    from reports.models import ReportJob

    for job in ReportJob.objects.all():
        worker.run_job(job.pk)
    assert ReportJob.objects.filter(status="done").exists()
    assert told() == {}


# --- The service ----------------------------------------------------------------------------


def test_notify_makes_one_per_recipient_skips_the_actor_and_inactive_people(iat, coordinator, rc):
    rc.is_active = False
    rc.save()

    made = services.notify(
        [iat, iat.pk, coordinator, rc], message="Hello %(who)s", params={"who": "x"}, exclude=iat
    )

    assert made == 1
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == [
        "coordinator"
    ]


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_notify_refuses_a_link_off_the_site(iat, url):
    with pytest.raises(ValueError, match="path on this site"):
        services.notify([iat], message="Hello", url=url)
    assert Notification.objects.count() == 0


def test_text_is_translated_when_shown_in_the_readers_language(iat):
    services.notify(
        [iat],
        message="%(team)s: %(status)s",
        params={"team": {"country": "KAZ", "name": "Kazakhstan"}, "status": {"msgid": "Approved"}},
    )
    notification = Notification.objects.get()

    assert notification.params["status"] == {"msgid": "Approved"}  # stored neutral
    assert selectors.notification_text(notification) == "Kazakhstan: Approved"
    with translation.override("fr"):  # the msgid has no translation yet: its placeholders do
        assert selectors.notification_text(notification) == "Kazakhstan: Approuvée"
    with translation.override("ru"):
        assert selectors.notification_text(notification).startswith("Казахстан")


def test_a_translation_with_broken_placeholders_falls_back_to_english(iat, monkeypatch):
    services.notify([iat], message="Hello %(who)s", params={"who": "Dana"})
    monkeypatch.setattr(selectors, "gettext", lambda text: "Bonjour %(qui)s")

    assert selectors.notification_text(Notification.objects.get()) == "Hello Dana"


# --- The page --------------------------------------------------------------------------------


def make(user, n: int, url: str = OVERVIEW) -> None:
    for i in range(n):
        services.notify([user], message="Message %(n)s", params={"n": i}, url=url)


def test_page_lists_own_notifications_newest_first_with_unread_marked(client, iat, coordinator):
    make(iat, 3)
    make(coordinator, 2)
    first = Notification.objects.filter(recipient=iat).order_by("pk").first()
    services.mark_notification_read(notification=first)
    client.force_login(iat)

    items = page(client.get("/notifications/")).find(data_testid="notifications").find_all("li")

    assert [li.find("button").text() for li in items] == ["Message 2", "Message 1", "Message 0"]
    assert [li.attrs["data-unread"] for li in items] == ["true", "true", "false"]
    assert ["New" in li.text() for li in items] == [True, True, False]


def test_page_is_paged(client, iat):
    make(iat, 30)
    client.force_login(iat)

    first = page(client.get("/notifications/"))
    second = page(client.get("/notifications/?page=2"))

    assert len(first.find(data_testid="notifications").find_all("li")) == 25
    assert len(second.find(data_testid="notifications").find_all("li")) == 5
    assert "Page 2 of 2" in second.find("nav", aria_label="Pages").text()


def test_opening_marks_read_and_goes_to_its_page(client, iat):
    services.notify([iat], message="Hello", url=PI_43 + "#comments")
    notification = Notification.objects.get()
    client.force_login(iat)

    assert client.get(f"/notifications/{notification.pk}/open/").status_code == 405
    response = client.post(f"/notifications/{notification.pk}/open/")

    assert response.status_code == 302
    assert response["Location"] == PI_43 + "#comments"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_off_the_site_in_the_table_is_never_followed(client, iat):
    """Written past the service (an old row, a bad import): the list is where it goes."""
    notification = Notification.objects.create(
        recipient=iat, message="Hello", url="//evil.example/"
    )
    client.force_login(iat)

    response = client.post(f"/notifications/{notification.pk}/open/")

    assert response["Location"] == "/notifications/"


def test_nobody_reads_or_marks_another_persons_notifications(client, iat, coordinator, admin_user):
    make(iat, 2)
    theirs = Notification.objects.filter(recipient=iat).first()
    for other in (coordinator, admin_user):
        client.force_login(other)
        listed = page(client.get("/notifications/")).find(data_testid="notifications").text()
        assert "Message" not in listed
        assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
        assert client.post("/notifications/read-all/").status_code == 302
        assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
        assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
        assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
        assert client.get("/api/v1/notifications/").json()["count"] == 0
    assert Notification.objects.filter(recipient=iat, read_at__isnull=True).count() == 2


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/notifications/").status_code in (401, 403)


def test_mark_all_as_read_and_the_navbar_badge(client, iat, coordinator):
    make(iat, 3)
    make(coordinator, 1)
    client.force_login(iat)

    home = page(client.get("/"))
    badge = home.find(data_testid="notifications-badge")
    assert badge.text().startswith("3")
    assert "3 unread" in badge.text()
    assert home.find(data_testid="notifications-link").attrs["href"] == "/notifications/"

    response = client.post("/notifications/read-all/")
    assert response["Location"] == "/notifications/"
    assert not Notification.objects.filter(recipient=iat, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=coordinator, read_at__isnull=True).count() == 1
    home = page(client.get("/"))
    assert home.find_all(data_testid="notifications-badge") == []


def test_the_page_speaks_the_readers_language(client, iat):
    services.notify([iat], message="%(status)s", params={"status": {"msgid": "Approved"}})
    client.force_login(iat)
    client.post("/i18n/language/", {"language": "fr"})

    listed = page(client.get("/notifications/")).find(data_testid="notifications").text()
    assert "Approuvée" in listed


# --- The API ----------------------------------------------------------------------------------


def test_api_lists_reads_and_marks_own_notifications(client, iat):
    make(iat, 2, url=PI_43)
    client.force_login(iat)

    listed = client.get("/api/v1/notifications/").json()
    assert [n["text"] for n in listed["results"]] == ["Message 1", "Message 0"]
    assert all(n["unread"] and n["url"] == PI_43 for n in listed["results"])
    one = listed["results"][0]["id"]
    read = client.post(f"/api/v1/notifications/{one}/read/").json()
    assert read["unread"] is False
    assert read["read_at"]
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}


# --- Query counts -------------------------------------------------------------------------------


def queries(client, url: str) -> list[str]:
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_notification_page_costs_the_same_whatever_the_number(client, iat):
    client.force_login(iat)
    make(iat, 1)
    with_one = queries(client, "/notifications/")
    make(iat, 40)
    with_many = queries(client, "/notifications/")

    assert len(with_many) == len(with_one) <= 6, with_many


def test_navbar_badge_costs_one_count_query_on_a_page(client, iat, team):
    client.force_login(iat)
    make(iat, 5)
    on_home = [q for q in queries(client, "/teams/KAZ/") if "core_notification" in q]
    assert len(on_home) == 1
    assert "COUNT(" in on_home[0].upper()

    make(iat, 30)
    assert len([q for q in queries(client, "/teams/KAZ/") if "core_notification" in q]) == 1


def test_a_user_with_no_notifications_sees_the_link_without_badge(client, db):
    user = UserFactory(username="lonely")
    client.force_login(user)
    home = page(client.get("/"))
    assert home.find(data_testid="notifications-link").text() == "Notifications"
    assert home.find_all(data_testid="notifications-badge") == []
