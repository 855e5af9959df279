"""Administrators keep the parity strategy tracker here (recommendations, yearly updates,
workforce shares). Staffing figures are entered by the teams (import or grid) and only shown here:
changing them goes through parity.services so every write is validated whole."""

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    EntityWorkforceShare,
    ParityRecommendation,
    RecommendationUpdate,
    StaffingCount,
    StaffingSnapshot,
)


class StaffingCountInline(admin.TabularInline):
    model = StaffingCount
    fields = ["entity", "grade", "women", "men", "not_disclosed"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(StaffingSnapshot)
class StaffingSnapshotAdmin(admin.ModelAdmin):
    list_display = ["country_team", "year", "as_of", "source", "include_non_staff", "updated_at"]
    list_filter = ["year", "country_team__region"]
    search_fields = ["country_team__name", "country_team__code", "source"]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    list_select_related = ["country_team"]
    inlines = [StaffingCountInline]


class RecommendationUpdateInline(admin.StackedInline):
    model = RecommendationUpdate
    extra = 0


@admin.register(ParityRecommendation)
class ParityRecommendationAdmin(admin.ModelAdmin):
    list_display = ["entity", "number", "title"]
    list_filter = ["entity"]
    search_fields = ["title", "text"]
    inlines = [RecommendationUpdateInline]


@admin.register(EntityWorkforceShare)
class EntityWorkforceShareAdmin(admin.ModelAdmin):
    list_display = ["entity", "year", "women_percent", "men_percent", "source"]
    list_filter = ["entity", "year"]
