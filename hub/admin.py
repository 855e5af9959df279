"""Operators look at hub items here; they are not changed here.

Every step of an item (propose, agree, publish, refuse, withdraw, feature, retire) goes through
hub.services, which checks the status, records the history and notifies the people concerned;
an admin form would bypass all of that, so the admin is read-only, deleting included
(administrators retire an item on the site instead).
"""

from django.contrib import admin
from django.http import HttpRequest

from .models import Practice, PracticeEvent, PracticeFile, PracticeIndicator, PracticeLink


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PracticeIndicatorInline(ReadOnlyInline):
    model = PracticeIndicator
    fields = readonly_fields = ["indicator", "rating"]


class PracticeFileInline(ReadOnlyInline):
    model = PracticeFile
    # Not the file's text: up to 100,000 characters, read for search only.
    fields = readonly_fields = ["original_name", "content_type", "size", "file"]


class PracticeLinkInline(ReadOnlyInline):
    model = PracticeLink
    fields = readonly_fields = ["url", "title"]


class PracticeEventInline(ReadOnlyInline):
    model = PracticeEvent
    fields = readonly_fields = ["at", "action", "from_status", "to_status", "by_name", "reason"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "country_team",
        "status",
        "kind",
        "language",
        "featured",
        "published_at",
    ]
    list_filter = ["status", "kind", "language", "featured", "anonymous", "year"]
    search_fields = ["title"]
    list_select_related = ["country_team"]
    date_hierarchy = "created_at"
    # The search text and vector are left out: derived, and long.
    fields = readonly_fields = [
        "title",
        "kind",
        "status",
        "country_team",
        "author_name",
        "language",
        "year",
        "dimension",
        "anonymous",
        "featured",
        "summary",
        "what_done",
        "result",
        "source_evidence",
        "created_at",
        "agreed_at",
        "published_at",
        "updated_at",
    ]
    inlines = [PracticeIndicatorInline, PracticeFileInline, PracticeLinkInline, PracticeEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
