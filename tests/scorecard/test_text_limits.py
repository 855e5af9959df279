"""Every free text has a length limit (core/limits.py), the same in the model, the form, the API
and the imports, refused with Django's or DRF's own message and nothing saved.

An adversarial run once put a 4 MB explanation on a PI rating through the API: every PDF of that
assessment then failed at the report task's time limit."""

from __future__ import annotations

import copy
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from rest_framework.test import APIClient

from core import limits
from core.limits import LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT, MaxLengthEach, TextareaField
from scorecard import forms, serializers, services, workflow
from scorecard.models import (
    FINDING_MAX_LENGTH,
    ActionPoint,
    Assessment,
    Comment,
    Evidence,
    IndicatorAssessment,
    ReopenRequest,
    WorkflowEvent,
)
from tests.conftest import load_json

PI_URL = "/teams/KAZ/2022/pi/2.2/"
LIMITED_APPS = ("core", "scorecard", "parity", "commitments", "reports", "hub")
# Text fields deliberately without a limit, and why.
EXEMPT = {
    # Written by the report worker, never by a user: a fixed message, or an exception's text
    # that reports.worker.readable_error cuts at 300 characters.
    ("reports", "ReportJob", "error"),
    # Written by hub.services, never typed: the item's title, summary, what was done and result
    # (each within its own limit) joined, for the icontains search.
    ("hub", "Practice", "search_text"),
    # Read by hub.text from a stored file, never typed: cut at hub.text.MAX_CHARS.
    ("hub", "PracticeFile", "text"),
}


def text(length: int) -> str:
    """Words and line breaks, as people write, exactly `length` characters long (none of them
    stripped: the text ends with a full stop)."""
    sentence = "Joint campaign with four agencies; égalité, равенство, 平等.\n"
    return (sentence * (length // len(sentence) + 1))[: length - 1] + "."


@pytest.fixture
def api():
    return APIClient()


def row_of(assessment, code="2.2") -> IndicatorAssessment:
    return IndicatorAssessment.objects.get(assessment=assessment, indicator__code=code)


def put_rating(api, user, row, **changes):
    api.force_authenticate(user)
    return api.put(
        f"/api/v1/pi-ratings/{row.pk}/",
        {"rating": "", "criteria_met": [], "version": row.version, **changes},
        format="json",
    )


def saved(row: IndicatorAssessment) -> tuple:
    row.refresh_from_db()
    return (row.version, row.explanation, row.findings, row.means_of_verification)


# --- Every text field of the models -------------------------------------------------------------


def _text_fields() -> list[tuple[str, str, str]]:
    return [
        (model._meta.app_label, model.__name__, field.name)
        for app in LIMITED_APPS
        for model in apps.get_app_config(app).get_models()
        # A historical model (django-simple-history) copies its model's fields, limits included.
        if not model.__name__.startswith("Historical")
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField)
    ]


TEXT_FIELDS = _text_fields()


def test_the_walk_finds_the_text_fields():
    found = set(TEXT_FIELDS)
    assert ("scorecard", "IndicatorAssessment", "explanation") in found
    assert ("scorecard", "Criterion", "text_fr") in found  # modeltranslation's columns too
    assert ("commitments", "ProgressReport", "narrative") in found
    assert ("parity", "RecommendationUpdate", "future_plans") in found
    assert found >= EXEMPT


@pytest.mark.parametrize(("app", "model_name", "name"), sorted(set(TEXT_FIELDS) - EXEMPT))
def test_every_text_field_has_a_limit_that_full_clean_checks(app, model_name, name):
    field = apps.get_model(app, model_name)._meta.get_field(name)
    assert field.max_length in (LONG_TEXT, MEDIUM_TEXT, SHORT_TEXT)
    # A TextField's max_length alone is not checked by full_clean: its validator is.
    assert MaxLengthValidator(field.max_length) in field.validators


@pytest.mark.parametrize(
    ("app", "model_name", "name"),
    [
        (model._meta.app_label, model.__name__, field.name)
        for app in LIMITED_APPS
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField)
    ],
)
def test_every_char_field_has_a_max_length(app, model_name, name):
    assert apps.get_model(app, model_name)._meta.get_field(name).max_length


def test_historical_models_keep_the_limit():
    field = apps.get_model("scorecard", "HistoricalIndicatorAssessment")._meta.get_field(
        "explanation"
    )
    assert field.max_length == LONG_TEXT


def test_the_limits_chosen():
    """The table of core/limits.py, for the fields people type most (and the report prints)."""
    limit = {
        name: limits.field_limit(IndicatorAssessment, name)
        for name in ("explanation", "override_justification", "means_of_verification")
    }
    assert limit == {
        "explanation": LONG_TEXT,
        "override_justification": MEDIUM_TEXT,
        "means_of_verification": LONG_TEXT,
    }
    assert FINDING_MAX_LENGTH == MEDIUM_TEXT
    assert limits.field_limit(Assessment, "process_description") == LONG_TEXT
    assert limits.field_limit(ActionPoint, "text") == SHORT_TEXT
    assert limits.field_limit(Comment, "body") == MEDIUM_TEXT
    # One serializer takes the three reasons: they share a limit.
    assert (
        limits.field_limit(Evidence, "withdrawal_reason")
        == limits.field_limit(ActionPoint, "withdrawal_reason")
        == limits.field_limit(ReopenRequest, "reason")
        == SHORT_TEXT
    )
    # A granted reopen request's reason goes into a workflow comment, with a short preamble.
    assert (
        limits.field_limit(WorkflowEvent, "comment")
        >= limits.field_limit(ReopenRequest, "reason") + 200
    )


def test_full_clean_refuses_an_over_long_text(assessment):
    row = row_of(assessment)
    row.explanation = text(LONG_TEXT + 1)
    row.findings = {"b": text(FINDING_MAX_LENGTH + 1)}

    with pytest.raises(ValidationError) as raised:
        row.full_clean()

    assert raised.value.message_dict["explanation"] == [
        f"Ensure this value has at most {LONG_TEXT} characters (it has {LONG_TEXT + 1})."
    ]
    assert raised.value.message_dict["findings"] == [
        f"Ensure this value has at most {FINDING_MAX_LENGTH} characters "
        f"(it has {FINDING_MAX_LENGTH + 1})."
    ]


def test_full_clean_takes_a_text_at_the_limit(assessment):
    row = row_of(assessment)
    row.explanation = text(LONG_TEXT)
    row.findings = {"b": text(FINDING_MAX_LENGTH)}

    row.full_clean()


def test_the_findings_validator_is_comparable_for_migrations():
    assert MaxLengthEach(5) == MaxLengthEach(5)
    assert MaxLengthEach(5) != MaxLengthEach(6)
    assert MaxLengthEach(5).deconstruct() == ("core.limits.MaxLengthEach", (5,), {})
    MaxLengthEach(5)(["short", None, 3])  # texts only; other values are not its business
    MaxLengthEach(5)("a plain string is not a collection of texts")


# --- The API: PUT /api/v1/pi-ratings/{id}/ -------------------------------------------------------


def test_api_refuses_an_explanation_over_the_limit_and_saves_nothing(api, iat, assessment):
    row = row_of(assessment)
    before = saved(row)

    response = put_rating(api, iat, row, explanation=text(LONG_TEXT + 1))

    assert response.status_code == 400
    message = f"Ensure this field has no more than {LONG_TEXT} characters."
    assert response.json()["explanation"] == [message]
    assert saved(row) == before


def test_api_takes_an_explanation_at_the_limit(api, iat, assessment):
    row = row_of(assessment)

    response = put_rating(api, iat, row, explanation=text(LONG_TEXT))

    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.version, len(row.explanation)) == (2, LONG_TEXT)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"means_of_verification": text(LONG_TEXT + 1)}, "means_of_verification"),
        ({"override_justification": text(MEDIUM_TEXT + 1)}, "override_justification"),
        ({"findings": {"b": text(FINDING_MAX_LENGTH + 1)}}, "findings"),
    ],
)
def test_api_refuses_each_text_of_a_pi_rating_over_its_limit(api, iat, assessment, changes, field):
    row = row_of(assessment)
    before = saved(row)

    response = put_rating(api, iat, row, **changes)

    assert response.status_code == 400
    assert field in response.json()
    assert saved(row) == before


def test_the_input_serializers_take_the_models_limits():
    rating = serializers.RatingInputSerializer().fields
    for name in ("explanation", "override_justification", "means_of_verification"):
        assert rating[name].max_length == limits.field_limit(IndicatorAssessment, name)
    assert rating["findings"].child.max_length == FINDING_MAX_LENGTH
    point = serializers.ActionPointInputSerializer().fields
    for name in (
        "text",
        "responsible",
        "resources",
        *(f"activities_year_{n}" for n in (1, 2, 3, 4)),
    ):
        assert point[name].max_length == limits.field_limit(ActionPoint, name)
    assert serializers.CommentInputSerializer().fields["body"].max_length == (
        limits.field_limit(Comment, "body")
    )
    assert serializers.ReasonSerializer().fields["reason"].max_length == SHORT_TEXT
    assert serializers.TransitionInputSerializer().fields["comment"].max_length == (
        limits.field_limit(WorkflowEvent, "comment")
    )
    assert serializers.ReopenDecisionSerializer().fields["comment"].max_length == (
        limits.field_limit(ReopenRequest, "decision_comment")
    )


def test_a_model_serializer_maps_a_text_fields_limit():
    """DRF gives a ModelSerializer's field the TextField's max_length."""
    fields = serializers.AssessmentSerializer().fields
    assert fields["process_description"].max_length == LONG_TEXT
    assert fields["participation"].max_length == MEDIUM_TEXT


def test_api_refuses_an_over_long_comment_and_reason(api, iat, coordinator, assessment):
    row = row_of(assessment)
    api.force_authenticate(iat)

    comment = api.post(
        "/api/v1/comments/",
        {"pi_rating": row.pk, "body": text(MEDIUM_TEXT + 1)},
        format="json",
    )
    point = services.create_action_point(
        assessment=assessment, by=iat, indicator=row.indicator, text="Train the IAT."
    )
    withdraw = api.post(
        f"/api/v1/action-points/{point.pk}/withdraw/",
        {"reason": text(SHORT_TEXT + 1)},
        format="json",
    )
    action_point = api.post(
        "/api/v1/action-points/",
        {"assessment": assessment.pk, "indicator": "2.2", "text": text(SHORT_TEXT + 1)},
        format="json",
    )

    assert (comment.status_code, list(comment.json())) == (400, ["detail", "body"])
    assert (withdraw.status_code, list(withdraw.json())) == (400, ["detail", "reason"])
    assert (action_point.status_code, list(action_point.json())) == (400, ["detail", "text"])
    assert Comment.objects.count() == 0
    point.refresh_from_db()
    assert point.withdrawn_at is None
    assert ActionPoint.objects.count() == 1


# --- The services: the same limits for every caller ---------------------------------------------


def rating_input(**changes) -> services.RatingInput:
    data = {
        "rating": "",
        "criteria_met": [],
        "numeric_value": None,
        "findings": {},
        "explanation": "",
        "override_justification": "",
        "means_of_verification": "",
    }
    return services.RatingInput(**{**data, **changes})


def test_the_service_refuses_what_the_form_and_api_would(iat, assessment):
    row = row_of(assessment)
    before = saved(row)

    with pytest.raises(ValidationError) as raised:
        services.save_indicator_assessment(
            row=row,
            by=iat,
            data=rating_input(
                explanation=text(LONG_TEXT + 1), findings={"a": text(FINDING_MAX_LENGTH + 1)}
            ),
            expected_version=1,
        )

    assert set(raised.value.message_dict) == {"explanation", "findings"}
    assert saved(row) == before


def test_service_writes_without_full_clean_check_the_limits(iat, coordinator, assessment):
    row = row_of(assessment)
    evidence = services.add_evidence(
        row=row, by=iat, title="Campaign report", category=None, url="https://example.org/r"
    )
    cases = [
        (
            "body",
            lambda: services.add_comment(row=row, by=iat, body=text(MEDIUM_TEXT + 1)),
        ),
        (
            "reason",
            lambda: services.withdraw_evidence(
                evidence=evidence, by=iat, reason=text(SHORT_TEXT + 1)
            ),
        ),
        (
            "process_description",
            lambda: services.update_assessment_process(
                assessment=assessment,
                by=iat,
                process_description=text(LONG_TEXT + 1),
                participation="",
                additional_comments="",
            ),
        ),
        (
            "name",
            lambda: services.set_iat_members(
                assessment=assessment, by=coordinator, members=[{"name": text(151)}]
            ),
        ),
        (
            "comment",
            lambda: workflow.transition(
                assessment=assessment,
                action="send_for_endorsement",
                by=coordinator,
                comment=text(MEDIUM_TEXT + 1),
            ),
        ),
    ]
    for field, call in cases:
        with pytest.raises(ValidationError) as raised:
            call()
        assert field in raised.value.message_dict, field
    assessment.refresh_from_db()
    evidence.refresh_from_db()
    assert (assessment.status, assessment.process_description) == ("draft", "")
    assert evidence.withdrawn_at is None
    assert Comment.objects.count() == 0
    assert not WorkflowEvent.objects.exists()


def test_a_reopen_request_and_decision_within_their_limits(coordinator, reviewer, assessment):
    Assessment.objects.filter(pk=assessment.pk).update(status="approved")
    assessment.refresh_from_db()

    with pytest.raises(ValidationError) as raised:
        workflow.request_reopen(assessment=assessment, by=coordinator, reason=text(SHORT_TEXT + 1))
    assert list(raised.value.message_dict) == ["reason"]

    request = workflow.request_reopen(assessment=assessment, by=coordinator, reason="A typo.")
    with pytest.raises(ValidationError) as raised:
        workflow.decide_reopen(
            reopen_request=request, by=reviewer, grant=False, comment=text(SHORT_TEXT + 1)
        )
    assert list(raised.value.message_dict) == ["comment"]
    request.refresh_from_db()
    assert request.decision == "pending"


# --- The HTML form: the error under the field, the text kept ------------------------------------


class _Textareas(HTMLParser):
    """Each textarea's attributes and text, by name."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict] = {}
        self._current: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "textarea":
            self._current = dict(attrs)["name"]
            self.found[self._current] = {**dict(attrs), "text": ""}

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._current = None

    def handle_data(self, data):
        if self._current:
            self.found[self._current]["text"] += data


def textareas(response) -> dict[str, dict]:
    parser = _Textareas()
    parser.feed(response.content.decode())
    return parser.found


def test_the_pi_form_reshows_an_over_long_explanation_with_the_error(client, iat, assessment):
    client.force_login(iat)
    typed = text(LONG_TEXT + 1).replace("\n", "\r\n")  # as a browser sends line breaks
    over = LONG_TEXT + 1

    response = client.post(
        PI_URL,
        {
            "criteria_met": ["b"],
            "explanation": typed,
            "finding_b": "Orange the World campaign.",
            "version": "1",
        },
    )

    assert response.status_code == 400
    boxes = textareas(response)
    # What was typed, every character of it, line breaks and all.
    assert boxes["explanation"]["text"] == typed
    assert boxes["finding_b"]["text"] == "Orange the World campaign."
    assert boxes["explanation"]["maxlength"] == str(LONG_TEXT)
    assert boxes["finding_b"]["maxlength"] == str(FINDING_MAX_LENGTH)
    assert "is-invalid" in boxes["explanation"]["class"]
    message = f"Ensure this value has at most {LONG_TEXT} characters (it has {over})."
    assert message in response.content.decode()
    row = row_of(assessment)
    assert (row.version, row.explanation, row.findings) == (1, "", {})


def test_the_pi_form_shows_an_over_long_finding_under_its_box(client, iat, assessment):
    client.force_login(iat)

    response = client.post(PI_URL, {"finding_b": text(FINDING_MAX_LENGTH + 1), "version": "1"})

    assert response.status_code == 400
    assert "is-invalid" in textareas(response)["finding_b"]["class"]
    assert f"Ensure this value has at most {FINDING_MAX_LENGTH} characters" in (
        response.content.decode()
    )
    assert row_of(assessment).version == 1


def test_a_browsers_line_breaks_count_once(assessment):
    """At the limit as the browser counts (LF), over it as sent (CR LF): accepted, saved LF."""
    typed = text(LONG_TEXT)
    sent = typed.replace("\n", "\r\n")
    assert len(sent) > LONG_TEXT
    form = forms.IndicatorAssessmentForm(
        {"explanation": sent, "version": "1"}, indicator=row_of(assessment).indicator
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["explanation"] == typed


def test_the_model_forms_take_the_models_limits(assessment):
    point = forms.ActionPointForm(assessment=assessment)
    for name in ("text", "resources", "activities_year_1"):
        field = point.fields[name]
        assert isinstance(field, TextareaField)
        assert field.max_length == limits.field_limit(ActionPoint, name)
        assert field.widget.attrs["maxlength"] == str(field.max_length)
    process = forms.AssessmentProcessForm(instance=assessment)
    assert process.fields["process_description"].max_length == LONG_TEXT
    assert process.fields["participation"].widget.attrs["maxlength"] == str(MEDIUM_TEXT)
    assert forms.CommentForm().fields["body"].max_length == limits.field_limit(Comment, "body")


def test_the_action_point_form_keeps_an_over_long_text(assessment):
    row = row_of(assessment)
    typed = text(SHORT_TEXT + 1)
    form = forms.ActionPointForm(
        {"indicator": row.indicator_id, "text": typed, "status": "not_started"},
        assessment=assessment,
    )

    assert not form.is_valid()
    assert list(form.errors) == ["text"]
    assert form["text"].value() == typed


# --- The JSON imports -----------------------------------------------------------------------------


def test_an_assessment_document_with_an_over_long_text_is_refused_whole(framework, team):
    document = copy.deepcopy(load_json("demo/kaz-2022.json"))
    document["indicators"][0]["explanation"] = text(LONG_TEXT + 1)
    document["indicators"][1]["findings"] = {
        code: text(FINDING_MAX_LENGTH + 1)
        for code in list(document["indicators"][1]["findings"])[:1]
    }
    document["action_points"][0]["activities"] = ["", text(SHORT_TEXT + 1)]
    code = document["indicators"][0]["code"]

    with pytest.raises(services.DocumentError) as raised:
        services.import_assessment(document=document)

    messages = raised.value.messages
    assert (
        f"indicators[1] (PI {code}): explanation is longer than {LONG_TEXT} characters "
        f"({LONG_TEXT + 1})"
    ) in messages
    assert any(m.startswith("indicators[2] (PI ") and "findings" in m for m in messages)
    assert (
        f"action_points[1]: activities[2] is longer than {SHORT_TEXT} characters ({SHORT_TEXT + 1})"
    ) in messages
    assert not Assessment.objects.exists()


def test_a_framework_document_with_an_over_long_text_is_refused(db):
    document = copy.deepcopy(load_json("framework_2018.json"))
    document["dimensions"][0]["indicators"][0]["criteria"][0]["text"] = text(MEDIUM_TEXT + 1)
    code = document["dimensions"][0]["indicators"][0]["code"]

    with pytest.raises(services.DocumentError) as raised:
        services.import_framework(document=document)

    assert f"PI {code}: text is longer than {MEDIUM_TEXT} characters ({MEDIUM_TEXT + 1})" in (
        raised.value.messages
    )


def test_the_framework_and_demo_documents_are_within_the_limits(db):
    assert services.validate_framework_document(load_json("framework_2018.json")) == []
