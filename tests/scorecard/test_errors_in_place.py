"""A refused form keeps the user where they were, with what they typed and the error summary at
the top (templates/_error_summary.html): the PI form, evidence, action points, the overview's
workflow forms. Nothing typed is lost, not even the justification of a PI left "Not rated yet"."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scorecard import workflow
from scorecard.models import ActionPoint, Assessment, Evidence, ReopenRequest, WorkflowEvent
from tests.scorecard.test_views import PDF_BYTES, PI_URL, indicator, page, pi_2_2_row, textarea

OVERVIEW = "/teams/KAZ/2022/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def summary_items(doc) -> list[str]:
    summaries = doc.find_all(data_testid="error-summary")
    assert len(summaries) == 1, "one error summary"
    # Node.text() puts a space between the field's link and the rest ("Rating : …").
    return [li.text().replace(" : ", ": ") for li in summaries[0].find_all("li")]


def comes_before(doc, first_testid: str, then) -> bool:
    """Whether the element with `first_testid` comes before `then` in document order."""
    order = list(doc.iter())
    return order.index(doc.find(data_testid=first_testid)) < order.index(then)


def page_url_marker(doc) -> str | None:
    markers = [n for n in doc.iter() if "data-page-url" in n.attrs]
    return markers[0].attrs["data-page-url"] if markers else None


# --- The PI form -----------------------------------------------------------------------------


def test_refused_pi_save_says_not_saved_and_keeps_the_input(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        PI_URL,
        {
            "criteria_met": ["b", "c"],
            "rating": "exceeds",  # above the suggestion, without a justification
            "explanation": "Two campaigns, both with UNCG.",
            "version": "1",
        },
    )

    assert response.status_code == 400
    doc = page(response)
    assert summary_items(doc) == [
        "Why the rating differs from the suggested rating: The rating differs from the suggested "
        "rating (Meets minimum requirements): explain why."
    ]
    summary = doc.find(data_testid="error-summary")
    assert "autofocus" in summary.attrs
    assert summary.find("a").attrs["href"] == "#id_override_justification"
    assert comes_before(doc, "error-summary", doc.find("form", id="pi-form"))
    # The header tells the saved rating from the unsaved choice in the form.
    assert doc.find(data_testid="not-saved").text().startswith("✖ Not saved")
    assert "Saved rating:" in doc.text()
    assert doc.find(data_testid="saved-rating").text() == "Not rated"
    assert "selected" in doc.find("option", value="exceeds").attrs
    assert textarea(doc, "explanation") == "Two campaigns, both with UNCG."
    assert page_url_marker(doc) is None  # posted to the PI page itself: the address is right
    assert pi_2_2_row().version == 1


def test_pi_page_without_error_has_no_summary_nor_not_saved(client, iat, assessment):
    client.force_login(iat)

    doc = page(client.get(PI_URL))

    assert doc.find_all(data_testid="error-summary") == []
    assert doc.find_all(data_testid="not-saved") == []
    assert "Saved rating:" not in doc.text()


def test_criteria_error_is_linked_from_the_summary(client, iat, assessment):
    client.force_login(iat)

    response = client.post(PI_URL, {"criteria_met": ["zz"], "version": "1"})

    assert response.status_code == 400
    doc = page(response)
    link = doc.find(data_testid="error-summary").find("a")
    assert link.attrs["href"] == "#id_criteria_met"
    assert doc.find(id="id_criteria_met").text().startswith("Select a valid choice")


@pytest.mark.parametrize("rating", ["", "meets"])
def test_justification_typed_is_kept_whatever_the_rating(client, iat, assessment, rating):
    """ "Not rated yet", or the suggested rating: the text the user wrote is saved as written."""
    client.force_login(iat)

    response = client.post(
        PI_URL,
        {
            "criteria_met": ["b", "c"],
            "rating": rating,
            "override_justification": "The 2022 campaign reached every agency.",
            "version": "1",
        },
    )

    assert response.status_code == 302
    assert pi_2_2_row().override_justification == "The 2022 campaign reached every agency."
    assert textarea(page(client.get(PI_URL)), "override_justification") == (
        "The 2022 campaign reached every agency."
    )


# --- Evidence ------------------------------------------------------------------------------


def test_refused_evidence_shows_one_summary_at_the_top_and_the_form_open(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        f"{PI_URL}evidence/",
        {
            "title": "Radio spots report",
            "url": "https://example.org/report",
            "file": SimpleUploadedFile("spots.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )

    assert response.status_code == 400
    doc = page(response)
    message = "Upload a file or give a link (one of the two)."
    assert summary_items(doc) == [message]
    summary = doc.find(data_testid="error-summary")
    assert summary.find(data_testid="error-summary-lead").text() == "The evidence was not added."
    assert summary.find("a").attrs["href"] == "#evidence-form"
    assert comes_before(doc, "error-summary", doc.find("form", id="pi-form"))
    form = doc.find(data_testid="evidence-form")
    assert form.attrs["id"] == "evidence-form"
    assert form.text().count(message) == 1, "once next to the form, not twice"
    assert doc.text().count(message) == 2  # the summary and the form
    assert form.find("input", name="title").attrs["value"] == "Radio spots report"
    assert form.find("input", name="url").attrs["value"] == "https://example.org/report"
    assert form.find(data_testid="file-not-kept").text() == (
        "The file “spots.pdf” was not kept: choose it again."
    )
    panel = doc.find(data_testid="evidence-panel")
    assert "open" in panel.attrs
    assert "hx-get" not in panel.attrs
    # The address bar goes back to the PI page (static/js/page-url.js).
    assert page_url_marker(doc) == PI_URL
    assert Evidence.objects.count() == 0


# --- Action points from the PI page ----------------------------------------------------------


def test_refused_action_point_from_pi_page_is_reshown_there(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        "/teams/KAZ/2022/action-plan/",
        {
            "indicator": indicator("2.2").pk,
            "text": "   ",
            "responsible": "UNDP gender focal point",
            "status": "not_started",
            "next": f"{PI_URL}#action-points",
            "from_pi": "2.2",
        },
    )

    assert response.status_code == 400
    doc = page(response)
    assert doc.find("h1").text() == "PI 2.2 Communication & Advocacy"
    assert summary_items(doc) == ["Action point: This field is required."]
    assert doc.find(data_testid="error-summary").find("a").attrs["href"] == "#id_text"
    panel = doc.find(data_testid="action-point-panel")
    assert "open" in panel.attrs
    assert "hx-get" not in panel.attrs
    form = panel.find(data_testid="action-point-form")
    assert form.find("input", name="responsible").attrs["value"] == "UNDP gender focal point"
    assert form.find("input", name="from_pi").attrs["value"] == "2.2"
    assert page_url_marker(doc) == PI_URL
    assert ActionPoint.objects.count() == 0


def test_refused_action_point_on_the_action_plan_stays_there(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        "/teams/KAZ/2022/action-plan/", {"indicator": indicator("2.2").pk, "text": ""}
    )

    assert response.status_code == 400
    assert page(response).find("h1").text() == "UNCT in Kazakhstan Action Plan"


def test_action_point_from_an_unknown_pi_is_404(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        "/teams/KAZ/2022/action-plan/", {"indicator": indicator("2.2").pk, "from_pi": "9.9"}
    )

    assert response.status_code == 404


def test_refused_comment_is_summarised_at_the_top(client, iat, assessment):
    client.force_login(iat)

    response = client.post(f"{PI_URL}comments/", {"body": "   "})

    assert response.status_code == 400
    doc = page(response)
    assert summary_items(doc) == ["Comment: This field is required."]
    assert page_url_marker(doc) == PI_URL


# --- The overview's small forms ----------------------------------------------------------------


def test_blocked_return_for_revision_keeps_the_reason_and_pis(client, reviewer, kaz_2022):
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="in_review")
    client.force_login(reviewer)

    response = client.post(
        "/teams/KAZ/2022/workflow/",
        {"action": "return_for_revision", "comment": "  ", "indicators": ["4.3", "2.2"]},
    )

    assert response.status_code == 400
    doc = page(response)
    assert summary_items(doc) == ["Reason: Give the reason: the team will see it."]
    link = doc.find(data_testid="error-summary").find("a")
    assert link.attrs["href"] == "#comment-return_for_revision"
    assert doc.find(id="comment-return_for_revision").tag == "textarea"
    form = doc.find("form", data_action="return_for_revision")
    checked = [i.attrs["value"] for i in form.find_all("input", name="indicators", checked=None)]
    assert sorted(checked) == ["2.2", "4.3"]
    assert page_url_marker(doc) == OVERVIEW
    assert WorkflowEvent.objects.count() == 0


def test_refused_reopen_request_keeps_the_reason(client, coordinator, rc, kaz_2022):
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="approved")
    kaz_2022 = Assessment.objects.get(pk=kaz_2022.pk)  # approved: in the database and here
    workflow.request_reopen(assessment=kaz_2022, by=rc, reason="PI 4.3 data")
    client.force_login(coordinator)

    response = client.post(OVERVIEW + "reopen/", {"reason": "PI 2.2: the campaign report."})

    assert response.status_code == 400
    doc = page(response)
    assert summary_items(doc) == ["A reopen request is already waiting for a decision."]
    assert textarea(doc, "reason") == "PI 2.2: the campaign report."
    assert ReopenRequest.objects.count() == 1


def test_refused_reopen_decision_keeps_the_comment_field(client, reviewer, rc, kaz_2022):
    Assessment.objects.filter(pk=kaz_2022.pk).update(status="approved")
    kaz_2022 = Assessment.objects.get(pk=kaz_2022.pk)  # approved: in the database and here
    pending = workflow.request_reopen(assessment=kaz_2022, by=rc, reason="PI 4.3 data")
    client.force_login(reviewer)

    response = client.post(
        f"{OVERVIEW}reopen/{pending.pk}/decide/", {"decision": "refuse", "comment": " "}
    )

    assert response.status_code == 400
    doc = page(response)
    assert summary_items(doc) == ["Decision comment: Say why the request is refused."]
    link = doc.find(data_testid="error-summary").find("a")
    assert link.attrs["href"] == f"#decision-comment-{pending.pk}"
    assert doc.find(id=f"decision-comment-{pending.pk}").tag == "textarea"
    pending.refresh_from_db()
    assert pending.decision == "pending"


def test_overview_without_error_has_no_summary(client, coordinator, kaz_2022):
    client.force_login(coordinator)

    doc = page(client.get(OVERVIEW))

    assert doc.find_all(data_testid="error-summary") == []
    assert page_url_marker(doc) is None
