"""A length of time in words, in the active language ("15 minutes", "15 دقيقة")."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A timedelta in Django's own translated words (timeuntil's: "1 hour, 30 minutes")."""
    if not value:
        return ""
    now = timezone.now()
    return timeuntil(now + value, now)
