"""Small pieces of markup used in loops, where an {% include %} per item costs more than the
rest of the row."""

from __future__ import annotations

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..models import Framework, Indicator
from ..selectors import column

register = template.Library()


@register.simple_tag
def rating_badge(value: str, label: str) -> SafeString:
    """A rating as a coloured badge; "Not rated" when there is none."""
    if value:
        return format_html(
            '<span class="badge rating rating-{}" data-rating="{}">{}</span>', value, value, label
        )
    return format_html(
        '<span class="badge text-bg-light border" data-rating="">{}</span>', _("Not rated")
    )


@register.simple_tag(takes_context=True)
def framework_language_note(
    context: template.Context, indicator: Indicator, framework: Framework
) -> SafeString:
    """Under the PI's title: which text of the framework the reader sees. Nothing in English or
    in an official translation; "unofficial translation" for the team's own; "shown in English"
    where this language has no text yet."""
    language = translation.get_language() or "en"
    if language == "en":
        return SafeString("")
    if not getattr(indicator, column("short_title", language), None):
        return format_html(
            '<p class="small text-muted" data-testid="framework-language">{}</p>',
            _("The framework's text is not yet in this language: it is shown in English."),
        )
    status = framework.translation_status.get(language, "unofficial")
    if status == "unofficial":
        return format_html(
            '<p class="small text-muted" data-testid="framework-language">{}</p>',
            _(
                "Unofficial translation of the framework's text by the platform's team; UN Women's "
                "published text replaces it once imported."
            ),
        )
    return SafeString("")
