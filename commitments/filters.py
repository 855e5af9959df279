"""The public dashboard's filters (django-filter used as a library: the app is not installed).

The same querystring drives the list, the totals, the charts and the CSV/XLSX exports, so an
export holds exactly what the page shows.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import ActionCoalition, Commitment, CommitmentType, CompactArea, MakerCategory

SELECT = {"class": "form-select form-select-sm"}


class CommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": _("Title or maker")}
        ),
    )
    coalition = django_filters.ModelChoiceFilter(
        label=_("Action Coalition"),
        field_name="coalitions",
        to_field_name="code",
        queryset=ActionCoalition.objects.all(),
        empty_label=_("All coalitions"),
        widget=forms.Select(attrs=SELECT),
    )
    compact_area = django_filters.ModelChoiceFilter(
        label=_("WPS-HA Compact area"),
        field_name="compact_areas",
        to_field_name="letter",
        queryset=CompactArea.objects.all(),
        empty_label=_("All Compact areas"),
        widget=forms.Select(attrs=SELECT),
    )
    category = django_filters.ChoiceFilter(
        label=_("Maker category"),
        field_name="maker__category",
        choices=MakerCategory.choices,
        empty_label=_("All categories"),
        widget=forms.Select(attrs=SELECT),
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"),
        field_name="maker__country_code",
        choices=[],  # the makers' countries, filled in __init__
        empty_label=_("All countries"),
        widget=forms.Select(attrs=SELECT),
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"),
        method="filter_type",
        choices=CommitmentType.choices,
        empty_label=_("All types"),
        widget=forms.Select(attrs=SELECT),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Commitment.Status.choices,
        empty_label=_("All statuses"),
        widget=forms.Select(attrs=SELECT),
    )

    class Meta:
        model = Commitment
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["country"].extra["choices"] = selectors.country_choices()

    def filter_text(self, queryset: QuerySet[Commitment], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(maker__name__icontains=value))

    def filter_type(self, queryset: QuerySet[Commitment], name: str, value: str) -> QuerySet:
        return queryset.filter(selectors.has_type_q(value)) if value else queryset
