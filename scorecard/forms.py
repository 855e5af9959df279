from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from core.limits import TextareaField, field_limit
from core.models import UNEntity
from core.tabular import MB

from .models import (
    FINDING_MAX_LENGTH,
    ActionPoint,
    Assessment,
    Comment,
    Criterion,
    Evidence,
    EvidenceCategory,
    IATMember,
    Indicator,
    IndicatorAssessment,
    Rating,
)
from .services import RatingInput
from .uploads import ALLOWED
from .workbook import MAX_BYTES as WORKBOOK_MAX_BYTES


class IndicatorAssessmentForm(forms.Form):
    """The PI page: criteria, the number where the rules use one, rating and findings.

    Built from the PI's criteria, so the same form serves every PI of every framework version.
    """

    rating = forms.ChoiceField(
        label=_("Rating"),
        required=False,
        choices=[("", _("Not rated yet")), *Rating.choices],
    )
    override_justification = TextareaField(
        label=_("Why the rating differs from the suggested rating"),
        required=False,
        max_length=field_limit(IndicatorAssessment, "override_justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    explanation = TextareaField(
        label=_("Findings and explanation (general)"),
        required=False,
        max_length=field_limit(IndicatorAssessment, "explanation"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    means_of_verification = TextareaField(
        label=_("Means of verification"),
        required=False,
        max_length=field_limit(IndicatorAssessment, "means_of_verification"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.criteria = list(indicator.criteria.all())
        check = [c for c in self.criteria if c.kind == Criterion.Kind.CHECK]
        self.fields["criteria_met"] = forms.MultipleChoiceField(
            label=_("Criteria met"),
            required=False,
            choices=[(c.code, f"({c.letter}) {c.text}") for c in check],
            widget=forms.CheckboxSelectMultiple,
        )
        if indicator.numeric_label:
            self.fields["numeric_value"] = forms.DecimalField(
                label=indicator.numeric_label,
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
                max_digits=6,
            )
        for c in self.criteria:
            self.fields[self.finding_field(c)] = TextareaField(
                label=_("Findings for (%(letter)s)") % {"letter": c.letter},
                required=False,
                max_length=FINDING_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if indicator.mov_hint:
            self.fields["means_of_verification"].help_text = indicator.mov_hint

    @staticmethod
    def finding_field(criterion: Criterion) -> str:
        return f"finding_{criterion.code}"

    @classmethod
    def initial_for(cls, row: Any) -> dict[str, Any]:
        initial = {
            "rating": row.rating,
            "criteria_met": list(row.criteria_met),
            "numeric_value": row.numeric_value,
            "override_justification": row.override_justification,
            "explanation": row.explanation,
            "means_of_verification": row.means_of_verification,
            "version": row.version,
        }
        for code, text in row.findings.items():
            initial[f"finding_{code}"] = text
        return initial

    def rating_input(self) -> RatingInput:
        data = self.cleaned_data
        return RatingInput(
            rating=data["rating"],
            criteria_met=list(data["criteria_met"]),
            numeric_value=data.get("numeric_value"),
            findings={c.code: data.get(self.finding_field(c), "") for c in self.criteria},
            explanation=data["explanation"],
            override_justification=data["override_justification"],
            means_of_verification=data["means_of_verification"],
        )


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=field_limit(Evidence, "title"))
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=EvidenceCategory.objects.none(), required=False
    )
    entity = forms.ModelChoiceField(
        label=_("From UN entity"), queryset=UNEntity.objects.all(), required=False
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED))}),
    )
    url = forms.URLField(
        label=_("or a link"), required=False, max_length=1000, assume_scheme="https"
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = list(indicator.evidence_categories.all())
        self.fields["category"].queryset = (
            EvidenceCategory.objects.filter(pk__in=[c.pk for c in own])
            if own
            else EvidenceCategory.objects.filter(framework_id=indicator.framework_id)
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("file")) == bool(data.get("url")):
            raise forms.ValidationError(_("Upload a file or give a link (one of the two)."))
        return data


class ActionPointForm(forms.ModelForm):
    class Meta:
        model = ActionPoint
        fields = [
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
        ]
        field_classes = {
            name: TextareaField
            for name in (
                "text",
                "resources",
                "activities_year_1",
                "activities_year_2",
                "activities_year_3",
                "activities_year_4",
            )
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "timeline": forms.DateInput(attrs={"type": "date"}),
            "resources": forms.Textarea(attrs={"rows": 2}),
            "activities_year_1": forms.Textarea(attrs={"rows": 2}),
            "activities_year_2": forms.Textarea(attrs={"rows": 2}),
            "activities_year_3": forms.Textarea(attrs={"rows": 2}),
            "activities_year_4": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, assessment: Assessment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.assessment = assessment
        self.fields["indicator"].queryset = Indicator.objects.filter(
            framework_id=assessment.framework_id
        ).order_by("order")
        self.fields["indicator"].label_from_instance = lambda i: f"{i.code} {i.short_title}"
        self.helper = FormHelper()
        self.helper.form_tag = False


class AssessmentProcessForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["process_description", "participation", "additional_comments"]
        field_classes = dict.fromkeys(fields, TextareaField)
        widgets = {
            "process_description": forms.Textarea(attrs={"rows": 8}),
            "participation": forms.Textarea(attrs={"rows": 4}),
            "additional_comments": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class IATMemberForm(forms.Form):
    """One row of the IAT table; rendered as table cells, so widgets carry Bootstrap classes."""

    name = forms.CharField(
        label=_("Name"),
        max_length=field_limit(IATMember, "name"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=field_limit(IATMember, "title"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    entity = forms.ModelChoiceField(
        label=_("UN entity"),
        queryset=UNEntity.objects.all(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    is_coordinator = forms.BooleanField(
        label=_("Coordinator"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


IATMemberFormSet = formset_factory(IATMemberForm, extra=2, can_delete=True)


class NewAssessmentForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Assessment.Kind.choices)

    def __init__(self, *args: Any, unapproved: Assessment | None = None, **kwargs: Any) -> None:
        """`unapproved`: the team's latest assessment when UN Women has not approved it yet.
        The new one starts from its text as it is now, so the coordinator confirms it knowingly
        rather than by a click on a button that looked routine."""
        super().__init__(*args, **kwargs)
        self.unapproved = unapproved
        if unapproved is not None:
            self.fields["confirm_unapproved"] = forms.BooleanField(
                label=_(
                    "I understand that the %(year)s assessment is not approved yet "
                    "(%(status)s) and that the new one starts from it as it is now."
                )
                % {"year": unapproved.year, "status": unapproved.get_status_display()},
                required=True,
                error_messages={
                    "required": _(
                        "Tick the box to confirm, or finish the %(year)s assessment first."
                    )
                    % {"year": unapproved.year}
                },
            )


class CommentForm(forms.Form):
    body = TextareaField(
        label=_("Comment"),
        max_length=field_limit(Comment, "body"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    proposed_rating = forms.ChoiceField(
        label=_("Propose a different rating"),
        required=False,
        choices=[("", _("No proposal")), *Rating.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class WorkbookUploadForm(forms.Form):
    """The assessment workbook, filled in offline, uploaded back for a preview."""

    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if uploaded.size > WORKBOOK_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": WORKBOOK_MAX_BYTES // MB}
            )
        return uploaded


class ProblemsForm(forms.Form):
    """No fields: problems found past a form (a refused workbook), for the error summary."""

    @classmethod
    def listing(cls, problems: list[str]) -> ProblemsForm:
        form = cls(data={})
        form.is_valid()
        for problem in problems:
            form.add_error(None, problem)
        return form


class _AnyValues(forms.MultipleChoiceField):
    """Values checked by the service that receives them (the workflow), not by the form."""

    def valid_value(self, value: str) -> bool:
        return True


class WorkflowStepForm(forms.Form):
    """One workflow step's small form on the overview. The workflow module decides whether the
    step is allowed; the form keeps what was typed and carries the refusal to the error summary,
    so a blocked step does not lose the comment."""

    comment = forms.CharField(label=_("Comment"), required=False, strip=False)
    indicators = _AnyValues(label=_("PIs concerned"), required=False)

    def __init__(self, *args: Any, action: str, label: str | None = None, **kwargs: Any) -> None:
        # Ids as the overview writes them, one per step: "comment-<action>".
        super().__init__(*args, auto_id=f"%s-{action}", **kwargs)
        self.action = action
        if label:
            self.fields["comment"].label = label


class ReopenRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, strip=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="reopen-%s", **kwargs)


class ReopenDecisionForm(forms.Form):
    comment = forms.CharField(label=_("Decision comment"), required=False, strip=False)

    def __init__(self, *args: Any, request_pk: int, **kwargs: Any) -> None:
        super().__init__(*args, auto_id=f"decision-%s-{request_pk}", **kwargs)
        self.request_pk = request_pk
