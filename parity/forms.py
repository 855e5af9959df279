from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import UNEntity

from .models import GRADES, Category, StaffingCount, StaffingSnapshot
from .services import COUNT_FIELDS, Problem
from .tables import MAX_BYTES


class SnapshotDetailsForm(forms.Form):
    """As of when, from where, and whether non-staff count in the headline figure."""

    as_of = forms.DateField(
        label=_("Figures as of"), widget=forms.DateInput(attrs={"type": "date"})
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("e.g. 'HR focal points of 12 agencies, December 2022'"),
    )
    include_non_staff = forms.BooleanField(
        label=_("Count non-staff (service contracts, UNV, other) in the headline share of women"),
        required=False,
        help_text=_("The headline is what PI 4.3 uses. Both figures are always shown."),
    )

    @staticmethod
    def initial_for(snapshot: StaffingSnapshot | None, year: int) -> dict[str, Any]:
        if snapshot is None:
            return {"as_of": date(year, 12, 31), "include_non_staff": True}
        return {
            "as_of": snapshot.as_of,
            "source": snapshot.source,
            "include_non_staff": snapshot.include_non_staff,
        }


class StaffingUploadForm(SnapshotDetailsForm):
    file = forms.FileField(
        label=_("Staffing file (.xlsx or .csv)"),
        help_text=_(
            "Columns entity, grade, women, men (and optionally not_disclosed), one row per entity "
            "and grade. Importing replaces all the figures of the year."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    field_order = ["file", "as_of", "source", "include_non_staff"]

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if uploaded.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // (1024 * 1024)}
            )
        return uploaded


FIELD_LABELS = {"women": _("women"), "men": _("men"), "not_disclosed": _("not disclosed")}


def _slug(code: str) -> str:
    return code.replace("-", "").lower()


class StaffingGridForm(SnapshotDetailsForm):
    """One entity's counts: a women / men / not disclosed cell per grade. Blank means 0.

    The cells are text fields: parity.services validates them with the same rules (and the same
    messages) as a file import.
    """

    def __init__(
        self, *args: Any, counts: dict[str, StaffingCount] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        counts = counts or {}
        self.grid: list[dict[str, Any]] = []
        for code, info in GRADES.items():
            row: dict[str, Any] = {"info": info, "category": Category(info.category).label}
            for field in COUNT_FIELDS:
                name = f"{field}_{_slug(code)}"
                count = counts.get(code)
                self.fields[name] = forms.CharField(
                    label=f"{info.code} {FIELD_LABELS[field]}",
                    required=False,
                    max_length=9,
                    initial=(getattr(count, field) or "") if count else "",
                    widget=forms.TextInput(
                        attrs={"inputmode": "numeric", "class": "form-control form-control-sm"}
                    ),
                )
                row[field] = name
            self.grid.append(row)

    def cells(self) -> dict[str, dict[str, Any]]:
        return {
            code: {field: self.data.get(f"{field}_{_slug(code)}", "") for field in COUNT_FIELDS}
            for code in GRADES
        }

    def add_problems(self, problems: list[Problem]) -> None:
        for problem in problems:
            if problem.grade and problem.field:
                self.add_error(f"{problem.field}_{_slug(problem.grade)}", problem.message)
            else:
                self.add_error(None, problem.message)

    def bound_rows(self) -> list[dict[str, Any]]:
        """The grid for the template: per grade, its bound women / men / not disclosed fields."""
        return [
            {**row, "fields": [self[row[field]] for field in COUNT_FIELDS]} for row in self.grid
        ]


class EntityChoiceForm(forms.Form):
    entity = forms.ModelChoiceField(
        label=_("UN entity"),
        queryset=UNEntity.objects.order_by("acronym"),
        to_field_name="acronym",
        empty_label=_("Choose an entity"),
    )
