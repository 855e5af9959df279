"""Administrators manage framework versions here: the text flagged "to verify" is shown as such,
and a version can be exported to / imported from the JSON document (docs/formats.md)."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .models import (
    ActionPoint,
    Assessment,
    Criterion,
    Dimension,
    Evidence,
    Framework,
    Indicator,
    IndicatorAssessment,
    LevelRule,
    TextStatus,
)


class FrameworkImportForm(forms.Form):
    document = forms.FileField(label=_("Framework JSON document"))


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["version", "name", "is_current", "to_verify_count", "imported_at"]
    actions = ["export_json"]
    change_list_template = "admin/scorecard/framework/change_list.html"

    @admin.display(description=_("texts to verify"))
    def to_verify_count(self, obj: Framework) -> int:
        return (
            Criterion.objects.filter(
                indicator__framework=obj, text_status=TextStatus.TO_VERIFY
            ).count()
            + LevelRule.objects.filter(
                indicator__framework=obj, text_status=TextStatus.TO_VERIFY
            ).count()
        )

    @admin.action(description=_("Export selected framework as JSON"))
    def export_json(
        self, request: HttpRequest, queryset: "admin.QuerySet[Framework]"
    ) -> HttpResponse:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one framework."), messages.WARNING)
            return HttpResponseRedirect(request.get_full_path())
        framework = queryset.get()
        body = json.dumps(selectors.framework_document(framework), indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="framework-{framework.version}.json"'
        )
        return response

    def get_urls(self):  # type: ignore[no-untyped-def]
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="scorecard_framework_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = FrameworkImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                document = json.load(form.cleaned_data["document"])
                framework = services.import_framework(document=document)
            except (ValueError, ValidationError) as error:
                problems = getattr(error, "messages", [str(error)])
                for problem in problems:
                    form.add_error("document", problem)
            else:
                self.message_user(request, _("Framework %s imported.") % framework.version)
                return HttpResponseRedirect(reverse("admin:scorecard_framework_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "title": _("Import")}
        return render(request, "admin/scorecard/framework/import.html", context)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["code", "letter", "level", "kind", "text", "text_status", "min_value", "max_value"]


class LevelRuleInline(admin.StackedInline):
    model = LevelRule
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "short_title", "framework", "dimension"]
    list_filter = ["framework", "dimension__number"]
    inlines = [CriterionInline, LevelRuleInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["indicator", "letter", "level", "kind", "text_status", "text"]
    list_filter = ["text_status", "indicator__framework", "level"]


@admin.register(LevelRule)
class LevelRuleAdmin(admin.ModelAdmin):
    list_display = ["indicator", "level", "kind", "text_status"]
    list_filter = ["text_status", "indicator__framework", "level"]


admin.site.register(Dimension)


class IndicatorAssessmentInline(admin.TabularInline):
    model = IndicatorAssessment
    extra = 0
    fields = ["indicator", "rating", "suggested_rating", "reassessed", "carried_from_year"]
    readonly_fields = fields
    can_delete = False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["country_team", "year", "kind", "status", "framework"]
    list_filter = ["kind", "status", "year"]
    inlines = [IndicatorAssessmentInline]


admin.site.register(Evidence)
admin.site.register(ActionPoint)
