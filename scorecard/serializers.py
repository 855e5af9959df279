"""API input and output shapes. Output serializers only read; input serializers only validate;
the views hand validated input to the same services the HTML pages use."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.limits import field_limit
from core.models import CountryTeam, UNEntity
from core.tabular import MB

from .models import (
    FINDING_MAX_LENGTH,
    ActionPoint,
    Assessment,
    Comment,
    Criterion,
    Evidence,
    EvidenceCategory,
    Framework,
    Indicator,
    IndicatorAssessment,
    Rating,
    ReopenRequest,
    WorkflowEvent,
)
from .workbook import MAX_BYTES as WORKBOOK_MAX_BYTES
from .workflow import TRANSITIONS

# One serializer takes the reason for withdrawing evidence or an action point and for asking to
# reopen an assessment: the three fields have the same limit.
REASON_LIMIT = field_limit(ReopenRequest, "reason")


class CountryTeamSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")

    class Meta:
        model = CountryTeam
        fields = ["id", "code", "name", "region", "cf_name", "cf_start_year", "cf_end_year"]


class FrameworkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Framework
        fields = ["id", "version", "name", "is_current"]


class AssessmentSerializer(serializers.ModelSerializer):
    country_team = serializers.CharField(source="country_team.code")
    framework = serializers.CharField(source="framework.version")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "country_team",
            "year",
            "kind",
            "framework",
            "status",
            "process_description",
            "participation",
            "additional_comments",
            "updated_at",
        ]


class TransitionInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(WorkflowEvent, "comment"),
    )
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=field_limit(Indicator, "code")),
        required=False,
        default=list,
    )


class QualityCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    blocking = serializers.BooleanField()
    indicator_code = serializers.CharField()


class IndicatorAssessmentSerializer(serializers.ModelSerializer):
    assessment = serializers.PrimaryKeyRelatedField(read_only=True)
    code = serializers.CharField(source="indicator.code")
    title = serializers.CharField(source="indicator.short_title")

    class Meta:
        model = IndicatorAssessment
        fields = [
            "id",
            "assessment",
            "code",
            "title",
            "rating",
            "suggested_rating",
            "criteria_met",
            "numeric_value",
            "findings",
            "explanation",
            "override_justification",
            "means_of_verification",
            "reassessed",
            "carried_from_year",
            "version",
            "updated_at",
        ]


class RatingInputSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True)
    criteria_met = serializers.ListField(
        child=serializers.CharField(max_length=field_limit(Criterion, "code")), default=list
    )
    numeric_value = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True, default=None
    )
    findings = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=FINDING_MAX_LENGTH),
        default=dict,
    )
    explanation = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(IndicatorAssessment, "explanation"),
    )
    override_justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(IndicatorAssessment, "override_justification"),
    )
    means_of_verification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(IndicatorAssessment, "means_of_verification"),
    )
    version = serializers.IntegerField(
        help_text=_("The version you read; a newer one means someone else saved in between.")
    )


class RatingConflictSerializer(serializers.Serializer):
    """409 on a PI rating save: someone saved a newer version; nothing was saved."""

    detail = serializers.CharField()
    current = IndicatorAssessmentSerializer(help_text=_("The PI rating as it is now."))


class EvidenceSerializer(serializers.ModelSerializer):
    pi_rating = serializers.PrimaryKeyRelatedField(source="indicator_assessment", read_only=True)
    category = serializers.CharField(source="category.name", default=None, allow_null=True)
    # What a person reads, in the request's language; `category` stays the English name, the key.
    category_label = serializers.CharField(source="category", read_only=True, allow_null=True)
    entity = serializers.CharField(source="entity.acronym", default=None, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "pi_rating",
            "title",
            "category",
            "category_label",
            "entity",
            "url",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by_name",
            "uploaded_at",
            "withdrawn_at",
            "withdrawal_reason",
            "download_url",
        ]

    def get_download_url(self, obj: Evidence) -> str | None:
        return f"/evidence/{obj.pk}/download/" if obj.file else None


class EvidenceInputSerializer(serializers.Serializer):
    pi_rating = serializers.IntegerField()
    title = serializers.CharField(max_length=field_limit(Evidence, "title"))
    category = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(EvidenceCategory, "name"),
    )
    entity = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=field_limit(UNEntity, "acronym")
    )
    url = serializers.URLField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True, default=None)


class ReasonSerializer(serializers.Serializer):
    """Why evidence or an action point is withdrawn, or an assessment must be reopened."""

    reason = serializers.CharField(max_length=REASON_LIMIT)


class ActionPointSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code")
    responsible_entity = serializers.CharField(
        source="responsible_entity.acronym", default=None, allow_null=True, required=False
    )

    class Meta:
        model = ActionPoint
        fields = [
            "id",
            "assessment",
            "indicator",
            "text",
            "responsible_entity",
            "responsible",
            "timeline",
            "resources",
            "status",
            "activities_year_1",
            "activities_year_2",
            "activities_year_3",
            "activities_year_4",
            "withdrawn_at",
            "withdrawal_reason",
        ]
        read_only_fields = ["assessment", "withdrawn_at", "withdrawal_reason"]


def _activities_field(year: int) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(ActionPoint, f"activities_year_{year}"),
    )


class ActionPointInputSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    indicator = serializers.CharField(max_length=field_limit(Indicator, "code"))
    text = serializers.CharField(max_length=field_limit(ActionPoint, "text"))
    responsible_entity = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=field_limit(UNEntity, "acronym")
    )
    responsible = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(ActionPoint, "responsible"),
    )
    timeline = serializers.DateField(required=False, allow_null=True, default=None)
    resources = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(ActionPoint, "resources"),
    )
    status = serializers.ChoiceField(choices=ActionPoint.Status.choices, default="not_started")
    activities_year_1 = _activities_field(1)
    activities_year_2 = _activities_field(2)
    activities_year_3 = _activities_field(3)
    activities_year_4 = _activities_field(4)


class CommentSerializer(serializers.ModelSerializer):
    pi_rating = serializers.PrimaryKeyRelatedField(source="indicator_assessment", read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "pi_rating",
            "parent",
            "author_name",
            "body",
            "proposed_rating",
            "created_at",
            "resolved_at",
        ]


class CommentInputSerializer(serializers.Serializer):
    pi_rating = serializers.IntegerField()
    body = serializers.CharField(max_length=field_limit(Comment, "body"))
    parent = serializers.IntegerField(required=False, allow_null=True, default=None)
    proposed_rating = serializers.ChoiceField(
        choices=Rating.choices, required=False, allow_blank=True, default=""
    )


class ReopenRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    requested_by_name = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decision = serializers.CharField()
    decided_by_name = serializers.CharField()
    decision_comment = serializers.CharField()


class ReopenDecisionSerializer(serializers.Serializer):
    grant = serializers.BooleanField()
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(ReopenRequest, "decision_comment"),
    )


class WorkbookUploadSerializer(serializers.Serializer):
    """An assessment workbook filled in offline (GET …/workbook/ made it)."""

    file = serializers.FileField(
        help_text=_("The workbook (.xlsx) downloaded from the assessment.")
    )
    apply = serializers.BooleanField(
        default=False,
        help_text=_("False (default): only check and preview. True: apply the changes."),
    )
    use_workbook = serializers.ListField(
        child=serializers.CharField(max_length=40),
        default=list,
        max_length=1000,
        help_text=_(
            'The keys of the conflicts ("pi:2.2", "ap:17", "process", "iat") for which '
            "the workbook's version is wanted; the others are left as they are."
        ),
    )
    digest = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=64,
        help_text=_(
            "The preview's digest: with it, changes that differ from the previewed ones are "
            "refused (409) rather than applied."
        ),
    )

    def validate_file(self, value: Any) -> Any:
        if value.size > WORKBOOK_MAX_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": WORKBOOK_MAX_BYTES // MB}
            )
        return value


class WorkbookChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text=_("What changes, as a key: rating, finding:a, text…"))
    label = serializers.CharField(help_text=_("What changes, as people read it."))
    before = serializers.CharField()
    after = serializers.CharField()


class WorkbookItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["pi", "action_point", "process", "iat"])
    key = serializers.CharField()
    label = serializers.CharField()
    sheet = serializers.CharField()
    conflict = serializers.BooleanField(
        help_text=_("Saved on the platform since the download: applied only when chosen.")
    )
    conflict_note = serializers.CharField()
    chosen = serializers.BooleanField()
    applies = serializers.BooleanField()
    becomes_reassessed = serializers.BooleanField()
    new = serializers.BooleanField()
    changes = WorkbookChangeSerializer(many=True)


class WorkbookPlanSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    applied = serializers.BooleanField()
    no_changes = serializers.BooleanField()
    digest = serializers.CharField()
    items = WorkbookItemSerializer(many=True)
    notes = serializers.ListField(child=serializers.CharField())
