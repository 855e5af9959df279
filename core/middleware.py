"""Django's LocaleMiddleware, with the logged-in user's own language first.

Order: the user's choice (kept in the session at log-in and when they switch), then the language
cookie (a visitor's choice), then the browser's Accept-Language, then English.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

from . import languages


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        session = getattr(request, "session", None)
        chosen = session.get(languages.SESSION_KEY) if session is not None else None
        if languages.is_supported(chosen):
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
