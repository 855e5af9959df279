"""The six UN languages: which codes are valid, and where a person's choice is kept.

A visitor's choice lives in Django's language cookie; a user's on their profile, copied into the
session at log-in so that no page pays a query for it (core.middleware.LocaleMiddleware).
"""

from __future__ import annotations

from django.conf import settings

SESSION_KEY = "language"


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def is_supported(code: str | None) -> bool:
    return bool(code) and code in codes()
