"""Administrators manage the reference data and who may edit which maker's commitments.

Commitments are filed and edited through the site (where the rules of services.py apply); here
they are read-only, so the admin cannot bypass those rules.
"""

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    ActionCoalition,
    Commitment,
    CommitmentMaker,
    CompactArea,
    MakerMembership,
    ProgressReport,
    ReportReminder,
)


@admin.register(ActionCoalition)
class ActionCoalitionAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name"]
    list_display_links = ["name"]


@admin.register(CompactArea)
class CompactAreaAdmin(admin.ModelAdmin):
    list_display = ["letter", "name"]


class MakerMembershipInline(admin.TabularInline):
    model = MakerMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(CommitmentMaker)
class CommitmentMakerAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "country_code", "country_team"]
    list_filter = ["category"]
    search_fields = ["name", "country_name", "country_code"]
    filter_horizontal = ["leads"]
    inlines = [MakerMembershipInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ["title", "maker", "start_year", "end_year", "status", "amount", "currency"]
    list_filter = ["status", "coalitions", "compact_areas", "maker__category"]
    search_fields = ["title", "maker__name"]
    list_select_related = ["maker"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["commitment", "year", "progress_status", "amount_disbursed", "currency"]
    list_filter = ["year", "progress_status"]
    list_select_related = ["commitment"]


@admin.register(ReportReminder)
class ReportReminderAdmin(ReadOnlyAdmin):
    list_display = ["maker", "year", "sent_at"]
    list_filter = ["year"]
