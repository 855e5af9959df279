"""Formatting for parity figures: '55.0 %', '+2.0 pp', status badges."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()

BADGE_CLASSES = {
    "parity": "text-bg-success",
    "women_under": "text-bg-warning",
    "men_under": "text-bg-info",
}


@register.filter
def pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value} %"


@register.filter
def pp(value: Decimal | None) -> str:
    """A change in percentage points, signed: '+2.0 pp', '−1.5 pp', '0.0 pp'."""
    if value is None:
        return "—"
    if value > 0:
        return _("+%(value)s pp") % {"value": value}
    if value < 0:
        return _("−%(value)s pp") % {"value": -value}
    return _("%(value)s pp") % {"value": value}


@register.filter
def badge_class(status: str | None) -> str:
    return BADGE_CLASSES.get(status or "", "text-bg-secondary")
