"""The Knowledge Hub's forms: the search filters, proposing an item, and a step's reason.

Limits come from the models (core.limits.field_limit): the form, the service and the database
refuse the same lengths with the same message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.limits import TextareaField, field_limit
from scorecard.models import Dimension, Indicator, Rating
from scorecard.uploads import ALLOWED

from . import search
from .models import Practice, PracticeEvent, PracticeLink
from .selectors import FilterChoices

MAX_FILES = 5
MAX_LINKS = 3
FIRST_YEAR = 2015  # the first UNCT-SWAP scorecards (the 2018 framework's pilots came before)


def pi_label(indicator: Indicator) -> str:
    return _("PI %(code)s %(title)s") % {"code": indicator.code, "title": indicator.short_title}


class SearchForm(forms.Form):
    """The search page's query and filters. A value that is not among the choices (an old
    link, a hand-made address) is ignored rather than refused: the page always answers."""

    q = forms.CharField(
        label=_("Search the Knowledge Hub"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": search.QUERY_MAX_LENGTH, "dir": "auto"}
        ),
    )
    pi = forms.TypedChoiceField(label=_("PI"), required=False, coerce=int, empty_value=None)
    dimension = forms.TypedChoiceField(
        label=_("Dimension"), required=False, coerce=int, empty_value=None
    )
    region = forms.TypedChoiceField(label=_("Region"), required=False, coerce=int, empty_value=None)
    language = forms.ChoiceField(label=_("Language"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    rating = forms.ChoiceField(label=_("Rating"), required=False)

    def __init__(self, *args: Any, choices: FilterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        indicators = choices.indicators
        several_frameworks = len({i.framework_id for i in indicators}) > 1
        self.fields["pi"].choices = anything + [
            (
                i.pk,
                f"{pi_label(i)} ({i.framework.version})" if several_frameworks else pi_label(i),
            )
            for i in indicators
        ]
        dimensions = {i.dimension_id: i.dimension for i in indicators}
        self.fields["dimension"].choices = anything + [
            (d.pk, f"{d.number}. {d.title}") for d in dimensions.values()
        ]
        self.fields["region"].choices = anything + list(choices.regions)
        self.fields["language"].choices = anything + list(settings.LANGUAGES)
        self.fields["year"].choices = anything + [(y, str(y)) for y in choices.years]
        self.fields["rating"].choices = anything + list(Rating.choices)
        for name, field in self.fields.items():
            if name != "q":
                field.widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget.attrs["class"] = "form-control"

    def usable(self) -> tuple[dict[str, Any], list[str]]:
        """The values that are valid, and the labels of the filters that were ignored."""
        self.is_valid()
        data = dict(self.cleaned_data)
        ignored = [str(self.fields[name].label) for name in self.errors]
        return data, ignored


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked like evidence by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(ALLOWED))}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _year_choices() -> list[tuple[int, str]]:
    this_year = timezone.now().year
    return [(year, str(year)) for year in range(this_year, FIRST_YEAR - 1, -1)]


class ProposeForm(forms.Form):
    """What the team shares: the text in the item's own language, and why it matters."""

    title = forms.CharField(
        label=_("Title"),
        max_length=field_limit(Practice, "title"),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )
    summary = TextareaField(
        label=_("Summary"),
        max_length=field_limit(Practice, "summary"),
        help_text=_("A few sentences other teams read in the search results."),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the text"),
        choices=settings.LANGUAGES,
        help_text=_("Search finds the words of the item in this language."),
    )
    anonymous = forms.BooleanField(
        label=_("Publish without the team's name"),
        required=False,
        help_text=_("The team, its region and its rating are not shown."),
    )


class ProposePracticeForm(ProposeForm):
    what_done = TextareaField(
        label=_("What was done"),
        required=False,
        max_length=field_limit(Practice, "what_done"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
    )
    result = TextareaField(
        label=_("The result"),
        required=False,
        max_length=field_limit(Practice, "result"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("The PIs it serves"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    dimension = forms.ModelChoiceField(
        label=_("Dimension"),
        queryset=Dimension.objects.none(),
        required=False,
        help_text=_("Needed only when no PI is ticked."),
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    files = MultipleFileField(
        label=_("Files"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        indicators: Sequence[Indicator],
        dimensions: Sequence[Dimension],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(
            ["title", "summary", "what_done", "result", "indicators", "dimension", "year"]
        )
        self.fields["indicators"].queryset = Indicator.objects.filter(
            pk__in=[i.pk for i in indicators]
        ).order_by("order")
        self.fields["indicators"].label_from_instance = pi_label
        self.fields["dimension"].queryset = Dimension.objects.filter(
            pk__in=[d.pk for d in dimensions]
        ).order_by("number")
        self.fields["year"].choices = _year_choices()
        self.fields["files"].help_text = _(
            "Up to %(count)s files (PDF, Office, images, text), each up to %(limit)s."
        ) % {"count": MAX_FILES, "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
        link_limit = field_limit(PracticeLink, "url")
        title_limit = field_limit(PracticeLink, "title")
        for n in range(1, MAX_LINKS + 1):
            self.fields[f"link_url_{n}"] = forms.URLField(
                label=_("Link %(n)s") % {"n": n},
                required=False,
                max_length=link_limit,
                assume_scheme="https",
                widget=forms.URLInput(attrs={"placeholder": "https://", "dir": "ltr"}),
            )
            self.fields[f"link_title_{n}"] = forms.CharField(
                label=_("Title of link %(n)s") % {"n": n},
                required=False,
                max_length=title_limit,
                widget=forms.TextInput(attrs={"dir": "auto"}),
            )

    def link_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"link_url_{n}"], self[f"link_title_{n}"]) for n in range(1, MAX_LINKS + 1)]

    def clean_files(self) -> list[UploadedFile]:
        files = self.cleaned_data.get("files") or []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("At most %(count)s files.") % {"count": MAX_FILES}, code="too_many"
            )
        # The size first, from what the upload says, before the service reads any content.
        for upload in files:
            if upload.size > settings.EVIDENCE_MAX_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is %(size)s; the limit is %(limit)s.")
                    % {
                        "name": upload.name,
                        "size": filesizeformat(upload.size),
                        "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
                    },
                    code="too_big",
                )
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The service says so too; here it comes with the form's other errors at once.
        if (
            not data.get("indicators")
            and not data.get("dimension")
            and "indicators" not in self.errors
        ):
            self.add_error("indicators", _("Choose the PIs or the dimension it serves."))
        for n in range(1, MAX_LINKS + 1):
            if data.get(f"link_title_{n}") and not data.get(f"link_url_{n}"):
                self.add_error(f"link_url_{n}", _("Give the address of the link."))
        return data

    def links(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data[f"link_url_{n}"], self.cleaned_data.get(f"link_title_{n}", ""))
            for n in range(1, MAX_LINKS + 1)
            if self.cleaned_data.get(f"link_url_{n}")
        ]


class ReasonForm(forms.Form):
    """The reason given with a step (required for refusals: the service says so)."""

    reason = TextareaField(
        label=_("Reason"),
        required=False,
        max_length=field_limit(PracticeEvent, "reason"),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
    )
