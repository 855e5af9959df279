"""HTML input. Forms parse; the rules are in services.py, and their messages come back to the
form's fields (views._form_errors_from)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

from core import currencies
from core.limits import TextareaField, field_limit
from core.models import CountryTeam
from scorecard.models import ActionPoint, IndicatorAssessment

from . import selectors
from .models import (
    STRONG_CRITERIA,
    ActionCoalition,
    Commitment,
    CommitmentMaker,
    CommitmentType,
    CompactArea,
    ProgressReport,
)
from .permissions import makers_editable_by
from .services import CommitmentInput, ProgressInput, commitment_errors, progress_errors


def currency_choices() -> list[tuple[str, str]]:
    """Evaluated per form, so the names come in the reader's language ("KZT · tenge kazakh")."""
    return [("", "—"), *currencies.choices()]


def _pi_label(row: IndicatorAssessment) -> str:
    assessment = row.assessment
    return (
        f"{assessment.country_team.display_name} {assessment.year} · PI {row.indicator.code} "
        f"{row.indicator.short_title}"
    )


def _action_point_label(point: ActionPoint) -> str:
    text = " ".join(point.text.split())
    text = text if len(text) <= 70 else text[:69] + "…"
    assessment = point.assessment
    team = assessment.country_team.display_name
    return f"{team} {assessment.year} · PI {point.indicator.code} · {text}"


class CommitmentForm(forms.Form):
    maker = forms.ModelChoiceField(
        label=_("Commitment maker"), queryset=CommitmentMaker.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = TextareaField(
        label=_("Description"),
        required=False,
        max_length=field_limit(Commitment, "description"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    coalitions = forms.ModelMultipleChoiceField(
        label=_("Action Coalitions"),
        queryset=ActionCoalition.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    compact_areas = forms.ModelMultipleChoiceField(
        label=_("WPS-HA Compact areas"),
        queryset=CompactArea.objects.all(),
        to_field_name="letter",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    types = forms.MultipleChoiceField(
        label=_("Types"),
        choices=CommitmentType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_year = forms.IntegerField(label=_("Start year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(
        label=_("End year"),
        min_value=2000,
        max_value=2100,
        help_text=_(
            "A commitment runs 1 to 5 years, both years included; a leader's commitment to the "
            "coalition it leads runs 5 years."
        ),
    )
    amount = forms.DecimalField(
        label=_("Financial amount"),
        required=False,
        max_digits=16,
        decimal_places=2,
        help_text=_("For a financial commitment: the amount committed over its whole period."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, required=False)
    geography = forms.CharField(
        label=_("Geography"),
        max_length=300,
        required=False,
        help_text=_("Where it is implemented: a country, a region, or global."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Commitment.Status.choices)
    country_team = forms.ModelChoiceField(
        label=_("Country team"), queryset=CountryTeam.objects.none(), required=False
    )
    indicator_assessment = forms.ModelChoiceField(
        label=_("PI rating"), queryset=IndicatorAssessment.objects.none(), required=False
    )
    action_point = forms.ModelChoiceField(
        label=_("Action point"), queryset=ActionPoint.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        user: User | AnonymousUser,
        instance: Commitment | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None:
            kwargs.setdefault("initial", self.initial_for(instance))
        super().__init__(*args, **kwargs)
        self.instance = instance
        for name, label, help_text in STRONG_CRITERIA:
            self.fields[name] = forms.BooleanField(label=label, help_text=help_text, required=False)
        if instance is None:
            makers = makers_editable_by(user)
            self.fields["maker"].queryset = makers
            if len(makers) == 1:
                self.fields["maker"].initial = makers[0].pk
        else:
            del self.fields["maker"]
        current = instance or Commitment()
        teams = selectors.linkable_country_teams(
            user, include=[current.country_team_id] if current.country_team_id else []
        )
        rows = selectors.linkable_indicator_assessments(
            user,
            include=[current.indicator_assessment_id] if current.indicator_assessment_id else [],
        )
        points = selectors.linkable_action_points(
            user, include=[current.action_point_id] if current.action_point_id else []
        )
        self.fields["country_team"].queryset = teams
        self.fields["indicator_assessment"].queryset = rows
        self.fields["indicator_assessment"].label_from_instance = _pi_label
        self.fields["action_point"].queryset = points
        self.fields["action_point"].label_from_instance = _action_point_label
        self.can_link = teams.exists()

    @staticmethod
    def initial_for(commitment: Commitment) -> dict[str, Any]:
        initial = {
            "title": commitment.title,
            "description": commitment.description,
            "coalitions": list(commitment.coalitions.all()),
            "compact_areas": list(commitment.compact_areas.all()),
            "types": list(commitment.types),
            "start_year": commitment.start_year,
            "end_year": commitment.end_year,
            "amount": commitment.amount,
            "currency": commitment.currency,
            "geography": commitment.geography,
            "status": commitment.status,
            "country_team": commitment.country_team_id,
            "indicator_assessment": commitment.indicator_assessment_id,
            "action_point": commitment.action_point_id,
        }
        for name, _label, _help in STRONG_CRITERIA:
            initial[name] = getattr(commitment, name)
        return initial

    @property
    def criteria_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _label, _help in STRONG_CRITERIA]

    def clean(self) -> dict[str, Any]:
        """The rules of services.commitment_errors too, so that one submission shows every
        problem, not the parsing ones first and the rules after (the service checks again)."""
        data = super().clean()
        maker = data.get("maker") or (self.instance.maker if self.instance else None)
        if maker is None:
            return data
        leads = {c.pk for c in maker.leads.all()}
        errors = commitment_errors(self.commitment_input(), maker_name=maker.name, leads=leads)
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, message)
        return data

    def commitment_input(self) -> CommitmentInput:
        """What the form holds; fields that failed to parse are left empty."""
        data = self.cleaned_data
        return CommitmentInput(
            title=data.get("title", ""),
            description=data.get("description", ""),
            coalitions=list(data.get("coalitions", [])),
            compact_areas=list(data.get("compact_areas", [])),
            types=list(data.get("types", [])),
            start_year=data.get("start_year"),
            end_year=data.get("end_year"),
            amount=data.get("amount"),
            currency=data.get("currency", ""),
            geography=data.get("geography", ""),
            status=data.get("status", Commitment.Status.PLANNED),
            country_team=data.get("country_team"),
            indicator_assessment=data.get("indicator_assessment"),
            action_point=data.get("action_point"),
            **{name: data.get(name, False) for name, _label, _help in STRONG_CRITERIA},
        )


class ProgressReportForm(forms.Form):
    year = forms.IntegerField(label=_("Year reported on"), min_value=2000, max_value=2100)
    progress_status = forms.ChoiceField(
        label=_("Progress status"), choices=ProgressReport.ProgressStatus.choices
    )
    narrative = TextareaField(
        label=_("Narrative"),
        required=False,
        max_length=field_limit(ProgressReport, "narrative"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was done this year, results for women and girls, what comes next."),
    )
    amount_disbursed = forms.DecimalField(
        label=_("Amount disbursed this year"), required=False, max_digits=16, decimal_places=2
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, required=False)

    def __init__(
        self,
        *args: Any,
        commitment: Commitment,
        report: ProgressReport | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.report = report
        if not commitment.is_financial:
            del self.fields["amount_disbursed"]
            del self.fields["currency"]
        else:
            self.fields["currency"].initial = commitment.currency

    @staticmethod
    def initial_for(report: ProgressReport) -> dict[str, Any]:
        return {
            "year": report.year,
            "progress_status": report.progress_status,
            "narrative": report.narrative,
            "amount_disbursed": report.amount_disbursed,
            "currency": report.currency,
        }

    def clean(self) -> dict[str, Any]:
        """The service's rules too, so that one submission shows every problem."""
        data = super().clean()
        errors = progress_errors(self.commitment, self.progress_input(), report=self.report)
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, message)
        return data

    def progress_input(self) -> ProgressInput:
        data = self.cleaned_data
        return ProgressInput(
            year=data.get("year"),
            progress_status=data.get("progress_status", ""),
            narrative=data.get("narrative", ""),
            amount_disbursed=data.get("amount_disbursed"),
            currency=data.get("currency", ""),
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
