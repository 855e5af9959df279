from django.contrib import admin
from django.http import HttpRequest

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Report jobs for support: what was asked, where it stands, why it failed. Read-only: jobs
    are made by the workflow and the report pages, and frozen copies must stay as they are."""

    list_display = ["__str__", "kind", "status", "requested_at", "finished_at", "attempts", "pages"]
    list_filter = ["status", "kind"]
    search_fields = ["assessment__country_team__code", "content_hash"]
    list_select_related = ["assessment__country_team"]
    exclude = ["report_input"]  # the whole report as data: large, and shown by the PDF itself

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ReportJob | None = None) -> bool:
        return False
