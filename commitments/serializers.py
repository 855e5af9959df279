"""API shapes for Generation Equality commitments. Output serializers only read; input
serializers only parse (types, numbers, lengths): the rules and their messages are the
services' (commitment_errors, progress_errors), as on the pages.

A commitment's link to a PI rating or an action point is the country team's business: it is
given only to users who may see that team (permissions.can_see_scorecard_link), `null` to others.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.limits import field_limit

from .models import Commitment, CommitmentMaker, CommitmentType, ProgressReport
from .permissions import can_edit_maker, can_see_scorecard_link


# A named schema component: "status" is also the name of other choice sets in the API.
@extend_schema_field(
    serializers.ChoiceField(choices=Commitment.Status.choices),
    component_name="CommitmentStatusEnum",
)
class CommitmentStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Commitment.Status.choices, **kwargs)


def _user(serializer: serializers.Serializer) -> object | None:
    request = serializer.context.get("request")
    return request.user if request is not None else None


class CommitmentMakerSerializer(serializers.ModelSerializer):
    leads = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code", help_text=_("Action Coalitions it leads.")
    )
    can_edit = serializers.SerializerMethodField(
        help_text=_("Whether you may file and update its commitments and progress reports.")
    )

    class Meta:
        model = CommitmentMaker
        fields = ["id", "name", "category", "country_code", "country_name", "leads", "can_edit"]

    def get_can_edit(self, obj: CommitmentMaker) -> bool:
        user = _user(self)
        return user is not None and can_edit_maker(user, obj.pk)


class CommitmentSerializer(serializers.ModelSerializer):
    maker_name = serializers.CharField(source="maker.name")
    coalitions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    compact_areas = serializers.SlugRelatedField(many=True, read_only=True, slug_field="letter")
    types = serializers.ListField(child=serializers.ChoiceField(choices=CommitmentType.choices))
    country_team = serializers.CharField(source="country_team.code", default=None, allow_null=True)
    indicator_assessment = serializers.SerializerMethodField(
        help_text=_("The PI rating it supports; null unless you may see the country team.")
    )
    action_point = serializers.SerializerMethodField(
        help_text=_("The action point it supports; null unless you may see the country team.")
    )
    status = CommitmentStatusField()
    is_strong = serializers.BooleanField(help_text=_("All five criteria of a strong commitment."))
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "maker",
            "maker_name",
            "title",
            "description",
            "coalitions",
            "compact_areas",
            "types",
            "start_year",
            "end_year",
            "amount",
            "currency",
            "geography",
            "status",
            "impact",
            "funding",
            "endorsement",
            "collective",
            "smart",
            "is_strong",
            "country_team",
            "indicator_assessment",
            "action_point",
            "created_at",
            "updated_at",
            "can_edit",
        ]
        read_only_fields = fields

    def _shows_link(self, obj: Commitment) -> bool:
        user = _user(self)
        return user is not None and can_see_scorecard_link(user, obj)

    def get_indicator_assessment(self, obj: Commitment) -> int | None:
        return obj.indicator_assessment_id if self._shows_link(obj) else None

    def get_action_point(self, obj: Commitment) -> int | None:
        return obj.action_point_id if self._shows_link(obj) else None

    def get_can_edit(self, obj: Commitment) -> bool:
        user = _user(self)
        return user is not None and can_edit_maker(user, obj.maker_id)


class CommitmentInputSerializer(serializers.Serializer):
    """What the commitment form takes; coalitions by code, Compact areas by letter, the country
    team by code, the PI rating and action point by id."""

    title = serializers.CharField(max_length=300)
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(Commitment, "description"),
    )
    coalitions = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    compact_areas = serializers.ListField(
        child=serializers.CharField(max_length=1), required=False, default=list
    )
    types = serializers.ListField(
        child=serializers.ChoiceField(choices=CommitmentType.choices), required=False, default=list
    )
    # Years are checked by the service, so that its messages (range, duration) come together.
    start_year = serializers.IntegerField(min_value=0, max_value=32767)
    end_year = serializers.IntegerField(min_value=0, max_value=32767)
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
    )
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    geography = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    status = CommitmentStatusField(default=Commitment.Status.PLANNED)
    impact = serializers.BooleanField(default=False)
    funding = serializers.BooleanField(default=False)
    endorsement = serializers.BooleanField(default=False)
    collective = serializers.BooleanField(default=False)
    smart = serializers.BooleanField(default=False)
    country_team = serializers.CharField(
        max_length=10, required=False, allow_null=True, allow_blank=True, default=None
    )
    indicator_assessment = serializers.IntegerField(required=False, allow_null=True, default=None)
    action_point = serializers.IntegerField(required=False, allow_null=True, default=None)


class CommitmentCreateSerializer(CommitmentInputSerializer):
    maker = serializers.IntegerField(help_text=_("A maker you are an editor of."))


class ProgressReportSerializer(serializers.ModelSerializer):
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "commitment",
            "year",
            "progress_status",
            "narrative",
            "amount_disbursed",
            "currency",
            "reported_by_name",
            "reported_at",
            "can_edit",
        ]
        read_only_fields = fields

    def get_can_edit(self, obj: ProgressReport) -> bool:
        user = _user(self)
        return user is not None and can_edit_maker(user, obj.commitment.maker_id)


class ProgressInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=0, max_value=32767)
    progress_status = serializers.ChoiceField(choices=ProgressReport.ProgressStatus.choices)
    narrative = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=field_limit(ProgressReport, "narrative"),
    )
    amount_disbursed = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Financial commitments only, with its currency."),
    )
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")


class ProgressCreateSerializer(ProgressInputSerializer):
    commitment = serializers.IntegerField(help_text=_("A commitment of a maker you edit."))
