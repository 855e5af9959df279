"""API shapes for gender parity. Output serializers only read; input serializers only validate;
parity/api.py hands validated input to the services the pages call.

Counts by entity and grade leave the team only as the team page lets them: a snapshot's raw
counts are given to the team's own members (permissions.sees_small_cells), `null` to everyone
else, who read the protected status document instead.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import (
    MAX_YEAR,
    MIN_YEAR,
    EntityWorkforceShare,
    ParityRecommendation,
    RecommendationUpdate,
    StaffingCount,
    StaffingSnapshot,
)
from .permissions import sees_small_cells

# A count cell of the grid: the page's text field takes 9 digits; the database column is an int.
MAX_COUNT = 999_999_999


class StaffingCountSerializer(serializers.ModelSerializer):
    entity = serializers.CharField(source="entity.acronym")

    class Meta:
        model = StaffingCount
        fields = ["entity", "grade", "women", "men", "not_disclosed"]


class StaffingSnapshotSerializer(serializers.ModelSerializer):
    country_team = serializers.CharField(source="country_team.code")
    updated_by_name = serializers.SerializerMethodField()
    small_cells_protected = serializers.SerializerMethodField(
        help_text=_("True when the counts are withheld: only the team's members see them.")
    )
    counts = serializers.SerializerMethodField(
        help_text=_(
            "Counts by entity and grade, for the team's own members; null for everyone else "
            "(levels of fewer than 5 people do not leave the team)."
        )
    )

    class Meta:
        model = StaffingSnapshot
        fields = [
            "id",
            "country_team",
            "year",
            "as_of",
            "source",
            "include_non_staff",
            "updated_at",
            "updated_by_name",
            "small_cells_protected",
            "counts",
        ]

    def _full_view(self, obj: StaffingSnapshot) -> bool:
        request = self.context.get("request")
        return request is not None and sees_small_cells(request.user, obj.country_team)

    def get_updated_by_name(self, obj: StaffingSnapshot) -> str:
        user = obj.updated_by
        return (user.get_full_name() or user.get_username()) if user else ""

    def get_small_cells_protected(self, obj: StaffingSnapshot) -> bool:
        return not self._full_view(obj)

    @extend_schema_field(StaffingCountSerializer(many=True, allow_null=True))
    def get_counts(self, obj: StaffingSnapshot) -> list[dict[str, Any]] | None:
        if not self._full_view(obj):
            return None
        return StaffingCountSerializer(obj.counts.all(), many=True).data


class GridCellSerializer(serializers.Serializer):
    women = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)
    men = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)
    not_disclosed = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)


class SnapshotDetailsInputSerializer(serializers.Serializer):
    """The page's SnapshotDetailsForm: which team and year, as of when, from where."""

    country_team = serializers.CharField(max_length=10, help_text=_("The country team's code."))
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    as_of = serializers.DateField()
    source = serializers.CharField(max_length=300)
    include_non_staff = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Count non-staff in the headline share of women; leave out to keep the snapshot's "
            "choice (a new snapshot counts them)."
        ),
    )


class StaffingGridInputSerializer(SnapshotDetailsInputSerializer):
    entity = serializers.CharField(max_length=50, help_text=_("The UN entity's acronym."))
    cells = serializers.DictField(
        child=GridCellSerializer(),
        help_text=_(
            "Grade code → counts. Replaces the entity's figures for the year: a grade left out "
            "counts 0."
        ),
    )


class StaffingImportInputSerializer(SnapshotDetailsInputSerializer):
    file = serializers.FileField(
        help_text=_(
            "A .xlsx or .csv file with the columns entity, grade, women, men (and optionally "
            "not_disclosed); it replaces all the figures of the year (docs/parity.md)."
        )
    )


class StaffingImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text=_("Rows stored (rows of zeros are not)."))
    entities = serializers.IntegerField()
    snapshot = StaffingSnapshotSerializer()


# --- The status document (selectors.status_document); for the schema, the view returns the dict --


class LevelSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    women = serializers.IntegerField(allow_null=True)
    men = serializers.IntegerField(allow_null=True)
    not_disclosed = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField(allow_null=True)
    pct_women = serializers.CharField(allow_null=True, help_text=_("A decimal, as text: '55.0'."))
    status = serializers.CharField(allow_null=True)
    distance_pp = serializers.CharField(allow_null=True)
    change_since_previous_pp = serializers.CharField(allow_null=True)
    change_since_first_pp = serializers.CharField(allow_null=True)
    suppressed = serializers.BooleanField()
    is_non_staff = serializers.BooleanField()


class CategoryLevelSerializer(LevelSerializer):
    grades = LevelSerializer(many=True)


class BandSerializer(serializers.Serializer):
    min = serializers.CharField()
    max = serializers.CharField()


class TrendPointSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    pct_women_staff = serializers.CharField(allow_null=True)
    pct_women_all = serializers.CharField(allow_null=True)


class ParityStatusSerializer(serializers.Serializer):
    format = serializers.CharField()
    country_team = serializers.CharField()
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    source = serializers.CharField()
    include_non_staff = serializers.BooleanField()
    small_cells_protected = serializers.BooleanField()
    band = BandSerializer()
    entities = serializers.IntegerField()
    previous_year = serializers.IntegerField(allow_null=True)
    first_year = serializers.IntegerField(allow_null=True)
    headline = serializers.CharField()
    overall_staff = LevelSerializer()
    overall_all = LevelSerializer()
    categories = CategoryLevelSerializer(many=True)
    trend = TrendPointSerializer(many=True)


# --- The parity strategy tracker (read-only: administrators write it in the Django admin) ------


# A named schema component: "status" is also the name of other choice sets in the API.
@extend_schema_field(
    serializers.ChoiceField(choices=RecommendationUpdate.Status.choices),
    component_name="RecommendationStatusEnum",
)
class RecommendationStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=RecommendationUpdate.Status.choices, **kwargs)


class RecommendationUpdateSerializer(serializers.ModelSerializer):
    status = RecommendationStatusField()

    class Meta:
        model = RecommendationUpdate
        fields = ["year", "status", "notes", "future_plans"]


class ParityRecommendationSerializer(serializers.ModelSerializer):
    entity = serializers.CharField(source="entity.acronym")
    updates = RecommendationUpdateSerializer(many=True, help_text=_("Newest first."))

    class Meta:
        model = ParityRecommendation
        fields = ["id", "entity", "number", "title", "text", "order", "updates"]


class WorkforceShareSerializer(serializers.ModelSerializer):
    class Meta:
        model = EntityWorkforceShare
        fields = ["year", "women_percent", "men_percent", "scope", "source"]


class StrategyEntitySerializer(serializers.Serializer):
    acronym = serializers.CharField()
    name = serializers.CharField()
    recommendations = serializers.IntegerField(help_text=_("How many recommendations it has."))


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    count = serializers.IntegerField()


class StrategyTrackerSerializer(serializers.Serializer):
    entity = serializers.CharField(source="entity.acronym")
    entity_name = serializers.CharField(source="entity.name")
    recommendations = serializers.SerializerMethodField()
    workforce = WorkforceShareSerializer(many=True, help_text=_("Newest first."))
    status_counts = serializers.SerializerMethodField(
        help_text=_("Latest status of each recommendation → how many.")
    )

    @extend_schema_field(ParityRecommendationSerializer(many=True))
    def get_recommendations(self, tracker: Any) -> list[dict[str, Any]]:
        return ParityRecommendationSerializer(
            [row.recommendation for row in tracker.recommendations], many=True
        ).data

    @extend_schema_field(StatusCountSerializer(many=True))
    def get_status_counts(self, tracker: Any) -> list[dict[str, Any]]:
        return [{"status": label, "count": n} for label, n in tracker.status_counts]
