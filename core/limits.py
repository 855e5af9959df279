"""How long a free text may be: one place for every limit, and the helpers that apply them.

Why limits at all: the PDF report prints an assessment's text in full, and the report task has a
time limit (reports.tasks.render_report: 90 s soft, 120 s hard). An assessment with every field
at its limit must still render well within it, on the worker's hardware: `manage.py
bench_report` measures that worst case (report_worst_case_seconds) next to the limit. A 4 MB
explanation once made every PDF of its assessment fail; it is now refused where it is typed.

The same limit holds in the model (max_length and a MaxLengthValidator: a TextField's max_length
alone is not checked by full_clean), in its form field (max_length, the textarea's maxlength),
in the API's serializer field (max_length) and in every import (a row- or item-numbered
message). The messages are Django's and DRF's own ("Ensure this field has no more than 20000
characters."), already translated in the six UN languages.

Which limit a field has (the models say it field by field, with these names):

    LONG_TEXT    20,000  the narrative of a report section: a PI's general findings and
                         explanation and its means of verification, the process description,
                         the additional comments, a progress report's narrative, framework notes
    MEDIUM_TEXT   5,000  a paragraph or a few: findings per criterion (a PI has up to 5, the
                         framework 47), the justification of a rating, the IAT's participation,
                         a review comment, a workflow comment, a commitment's description, the
                         framework's own texts (criteria, level texts, means-of-verification
                         hints), parity recommendations and their yearly notes and plans
    SHORT_TEXT    2,000  a cell of the action plan's table (action, resources, each year's
                         activities) and a reason (withdrawing, reopening, a reopen decision)

Titles, names and codes are CharFields with their own, smaller max_length (150 to 300).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.text import normalize_newlines

LONG_TEXT = 20_000
MEDIUM_TEXT = 5_000
SHORT_TEXT = 2_000


def text_limit(limit: int) -> dict[str, Any]:
    """A TextField's keyword arguments for `limit`: max_length (for forms, serializers and the
    textarea's maxlength) and the validator that makes full_clean check it."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}


@deconstructible
class MaxLengthEach:
    """MaxLengthValidator on each text of a JSON value: a {key: text} mapping (a PI's findings
    per criterion) or a list of texts. Django's own message."""

    def __init__(self, limit_value: int):
        self.limit_value = limit_value

    def __call__(self, value: Any) -> None:
        texts: Iterable[Any] = value.values() if isinstance(value, Mapping) else value
        if isinstance(value, str) or not isinstance(texts, Iterable):
            return
        check = MaxLengthValidator(self.limit_value)
        for text in texts:
            if isinstance(text, str):
                check(text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxLengthEach) and other.limit_value == self.limit_value

    def __hash__(self) -> int:
        return hash(("MaxLengthEach", self.limit_value))


def length_error(value: Any, limit: int) -> str | None:
    """Django's translated message when `value` is text longer than `limit`, else None."""
    if not isinstance(value, str):
        return None
    try:
        MaxLengthValidator(limit)(value)
    except ValidationError as error:
        return error.messages[0]
    return None


def length_errors(texts: Mapping[str, tuple[Any, int]]) -> dict[str, str]:
    """field → message for each {field: (text, limit)} that is too long: for services that check
    their input before writing (the same message as the form's and the API's)."""
    errors = {}
    for name, (value, limit) in texts.items():
        message = length_error(value, limit)
        if message:
            errors[name] = message
    return errors


def field_limit(model: type[models.Model], name: str) -> int:
    """The max_length of a model's text field: the one number the form, serializer and import
    of that field use."""
    limit = model._meta.get_field(name).max_length
    if limit is None:
        raise ValueError(f"{model.__name__}.{name} has no max_length")
    return limit


def check_fields(instance: models.Model, *names: str) -> None:
    """Model validation of these fields only (their max_length, blank, choices): for a service
    that saves without full_clean. ValidationError field → messages, nothing saved."""
    names_set = set(names)
    instance.clean_fields(
        exclude=[f.name for f in instance._meta.fields if f.name not in names_set]
    )


class TextareaField(forms.CharField):
    """A form's CharField for a textarea: line breaks counted as the browser counts them.

    A browser counts a line break as one character against the textarea's maxlength but sends it
    as two (CR LF): text the browser accepted at its limit would be refused here. Line breaks
    are made LF before the length is checked, and saved so.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return normalize_newlines(text) if isinstance(text, str) else text
