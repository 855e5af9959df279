"""Small pieces of markup used in loops, where an {% include %} per item costs more than the
rest of the row."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

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
