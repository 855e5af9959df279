"""The six UN languages: which codes are valid, and where a person's choice is kept.

A visitor's choice lives in Django's language cookie; a user's on their profile, copied into the
session at log-in so that no page pays a query for it (core.middleware.LocaleMiddleware).
"""

from __future__ import annotations

from django.conf import settings

from .models import Profile

SESSION_KEY = "language"


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def is_supported(code: str | None) -> bool:
    return bool(code) and code in codes()


def language_of(user: object) -> str | None:
    """The language on the person's profile, if they chose one."""
    try:
        return user.profile.language  # type: ignore[attr-defined]
    except (AttributeError, Profile.DoesNotExist):
        return None
