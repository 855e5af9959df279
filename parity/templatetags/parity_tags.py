"""Formatting for parity figures: '55.0 %', '+2.0 pp', status badges, in the reader's number
format (core/formats.py: '55,0 %' in French)."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from core.formats import number, percent

register = template.Library()

BADGE_CLASSES = {
    "parity": "text-bg-success",
    "women_under": "text-bg-warning",
    "men_under": "text-bg-info",
}


@register.filter
def pct(value: Decimal | None) -> str:
    return percent(value)


@register.filter
def pp(value: Decimal | None) -> str:
    """A change in percentage points, signed: '+2.0 pp', '−1.5 pp', '0.0 pp'."""
    if value is None:
        return "—"
    if value > 0:
        return _("+%(value)s pp") % {"value": number(value)}
    if value < 0:
        return _("−%(value)s pp") % {"value": number(-value)}
    return _("%(value)s pp") % {"value": number(value)}


@register.filter
def badge_class(status: str | None) -> str:
    return BADGE_CLASSES.get(status or "", "text-bg-secondary")
