"""The Report card's form: which language the report is asked in, as a PDF or a Word document."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .document import report_language


class ReportRequestForm(forms.Form):
    """Empty: the person's own language (services.default_language). An unknown code is an
    error that says which languages there are, never a 500."""

    language = forms.CharField(
        label=_("Language of the report"),
        required=False,
        widget=forms.Select(choices=settings.LANGUAGES),
    )
    # The card's two buttons: "Generate PDF" (a job) or "Word (.docx)" (made at once).
    format = forms.ChoiceField(choices=[("pdf", "PDF"), ("docx", "Word")], required=False)

    def clean_language(self) -> str:
        code = self.cleaned_data["language"]
        if not code:
            return ""
        try:
            return report_language(code)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["language"]) from None
