"""Issue 15, words and numbers: the PI history, the workflow history and the overview in words (no
field names or codes), the "to verify" badge for administrators only, and the warning before a
new assessment starts from one that is not approved."""

from __future__ import annotations

import datetime

from django.utils import timezone, translation

from scorecard import selectors, services
from scorecard.models import (
    Assessment,
    IndicatorAssessment,
    LevelRule,
    TextStatus,
    WorkflowEvent,
)
from tests.scorecard.test_views import PI_URL, page, pi_2_2_row, rate_pi_2_2


def _pi_form(row: IndicatorAssessment, **overrides) -> dict:
    data = {
        "rating": row.rating,
        "criteria_met": list(row.criteria_met),
        "explanation": row.explanation,
        "override_justification": row.override_justification,
        "means_of_verification": row.means_of_verification,
        "version": row.version,
    }
    for code, text in row.findings.items():
        data[f"finding_{code}"] = text
    data.update(overrides)
    return data


def test_pi_history_is_in_words(client, iat, assessment, coordinator):
    row = pi_2_2_row()
    rate_pi_2_2(row, iat)
    row.refresh_from_db()
    rate_pi_2_2(row, coordinator, rating="exceeds", criteria_met=["b", "c", "d"])

    newest = selectors.row_history(pi_2_2_row())[0]

    assert newest["changes"] == [
        ("Rating", "Meets minimum requirements", "Exceeds minimum requirements"),
        ("Suggested rating", "Meets minimum requirements", "Exceeds minimum requirements"),
        ("Criteria met", "(b), (c)", "(b), (c), (d)"),
    ]
    with translation.override("fr"):
        french = selectors.row_history(pi_2_2_row())[0]["changes"]
    assert all("rating" not in label and "_" not in label for label, _old, _new in french)
    assert french[2][1:] == ("(b), (c)", "(b), (c), (d)")


def test_pi_history_findings_per_criterion_and_yes_no(iat, assessment):
    row = pi_2_2_row()
    rate_pi_2_2(row, iat)

    created_then_rated = selectors.row_history(pi_2_2_row())[0]["changes"]

    assert ("Findings for (b)", "", "Joint 16 Days of Activism campaign with four agencies.") in (
        created_then_rated
    )
    assert ("Reassessed this year", "No", "Yes") in created_then_rated or all(
        label != "reassessed" for label, _o, _n in created_then_rated
    )
    assert not [label for label, _o, _n in created_then_rated if "_" in label]


def test_an_untouched_text_is_not_recorded_as_changed(client, iat, assessment):
    """The cause: the API and imports kept CR LF and blanks that the form then dropped, so a save
    that changed nothing else showed the means of verification as changed."""
    row = pi_2_2_row()
    rate_pi_2_2(
        row,
        iat,
        means_of_verification="1) UNCG work plan;\r\n2) Campaign report.  \r\n",
        explanation="  Joint work.\r\n",
    )
    row = pi_2_2_row()
    assert row.means_of_verification == "1) UNCG work plan;\n2) Campaign report."
    assert row.explanation == "Joint work."
    client.force_login(iat)

    # The browser sends the same text back with CR LF, as it always does.
    response = client.post(
        PI_URL,
        _pi_form(row, means_of_verification="1) UNCG work plan;\r\n2) Campaign report."),
    )

    assert response.status_code == 302
    newest = selectors.row_history(pi_2_2_row())[0]
    assert newest["changes"] == []


def test_history_skips_changes_a_reader_cannot_see(iat, assessment):
    """Versions saved before the fix (CR LF against LF) are not shown as changes either."""
    row = pi_2_2_row()
    IndicatorAssessment.objects.filter(pk=row.pk).update(means_of_verification="a\r\nb")
    row = pi_2_2_row()
    row.means_of_verification = "a\r\nb"
    row._history_user = iat
    row.save()
    row.means_of_verification = "a\nb"
    row.save()

    newest = selectors.row_history(pi_2_2_row())[0]

    assert newest["changes"] == []


def test_history_of_action_points_in_words(iat, assessment):
    row = pi_2_2_row()
    point = services.create_action_point(
        assessment=assessment, by=iat, indicator=row.indicator, text="Run a campaign"
    )
    services.update_action_point(
        action_point=point, by=iat, status="in_progress", timeline=datetime.date(2023, 3, 31)
    )

    changes = selectors.row_history(row)[0]["changes"]

    assert ("Status", "Not started", "In progress") in changes
    assert ("Timeline (due date)", "", "03/31/2023") in changes


def test_history_page_shows_labels_not_field_names(client, iat, assessment):
    rate_pi_2_2(pi_2_2_row(), iat)
    client.force_login(iat)

    html = client.get("/teams/KAZ/2022/pi/2.2/open/history/", HTTP_HX_REQUEST="true")

    text = page(html).find(data_testid="history").text()
    assert "Means of verification" in text
    assert "means_of_verification" not in text
    assert "suggested_rating" not in text
    assert "Meets minimum requirements" in text


def test_workflow_history_says_what_was_done(client, coordinator, assessment):
    # As workflow.transition records it (its quality checks are tested in test_workflow.py).
    WorkflowEvent.objects.create(
        assessment=assessment,
        action="send_for_endorsement",
        from_status="draft",
        to_status="awaiting_endorsement",
        actor=coordinator,
        actor_name="Dana",
        at=timezone.now(),
    )
    client.force_login(coordinator)

    doc = page(client.get("/teams/KAZ/2022/"))

    history = doc.find(data_testid="workflow-history").text()
    assert "Sent to the UNCT for endorsement" in history
    assert "send_for_endorsement" not in history
    assert "Awaiting UNCT endorsement" in history


def test_workflow_event_of_unknown_action_shows_it_as_stored():
    assert WorkflowEvent(action="imported_step").action_label == "imported_step"
    with translation.override("fr"):
        assert WorkflowEvent(action="approve").action_label != "approve"


def test_overview_explains_the_differs_sign(client, iat, assessment):
    rate_pi_2_2(pi_2_2_row(), iat, rating="exceeds", override_justification="Because.")
    client.force_login(iat)

    doc = page(client.get("/teams/KAZ/2022/"))

    mark = doc.find(data_testid="differs")
    assert mark.attrs["title"] == "differs from the suggested rating"
    # Read out by screen readers in place of the sign, which is hidden from them.
    assert "differs from the suggested rating:" in mark.text()
    html = client.get("/teams/KAZ/2022/").content.decode()
    assert '<span class="visually-hidden">differs from the suggested rating:</span>' in html
    assert '<span aria-hidden="true">≠</span>' in html
    assert "differs from the suggested rating" in doc.find(data_testid="differs-legend").text()


def test_overview_without_differences_has_no_legend(client, iat, assessment):
    client.force_login(iat)

    html = client.get("/teams/KAZ/2022/").content.decode()

    assert 'data-testid="differs-legend"' not in html
    assert 'data-testid="differs"' not in html


def test_to_verify_badge_only_for_administrators(client, iat, admin_user, assessment):
    LevelRule.objects.filter(indicator__code="2.2").update(text_status=TextStatus.TO_VERIFY)
    client.force_login(iat)
    assert "to verify" not in client.get(PI_URL).content.decode()

    client.force_login(admin_user)
    assert "to verify" in client.get(PI_URL).content.decode()


def test_new_assessment_warns_when_latest_is_not_approved(client, coordinator, assessment):
    client.force_login(coordinator)

    doc = page(client.get("/teams/KAZ/"))

    assert "not approved by UN Women yet" in doc.find(data_testid="unapproved-warning").text()
    refused = client.post("/teams/KAZ/", {"year": 2023, "kind": "annual"})
    assert refused.status_code == 200
    summary = page(refused).find(data_testid="error-summary").text()
    assert "Tick the box to confirm" in summary
    assert not Assessment.objects.filter(year=2023).exists()

    confirmed = client.post(
        "/teams/KAZ/", {"year": 2023, "kind": "annual", "confirm_unapproved": "on"}
    )

    assert confirmed.status_code == 302
    assert Assessment.objects.filter(year=2023, kind="annual").exists()


def test_new_assessment_after_an_approved_one_needs_no_confirmation(
    client, coordinator, assessment
):
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.APPROVED)
    client.force_login(coordinator)

    html = client.get("/teams/KAZ/").content.decode()
    assert 'data-testid="unapproved-warning"' not in html
    assert "confirm_unapproved" not in html

    response = client.post("/teams/KAZ/", {"year": 2023, "kind": "annual"})

    assert response.status_code == 302
