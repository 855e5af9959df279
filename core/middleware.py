"""Our middleware.

LocaleMiddleware: Django's, with the logged-in user's own language first. Order: the user's
choice (kept in the session at log-in and when they switch), then the language cookie (a
visitor's choice), then the browser's Accept-Language, then English.

BodySizeLimitMiddleware: a request body larger than its view takes is refused before it is read
(core/bodies.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import bodies, languages

logger = logging.getLogger(__name__)


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        session = getattr(request, "session", None)
        chosen = session.get(languages.SESSION_KEY) if session is not None else None
        if languages.is_supported(chosen):
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)


class BodySizeLimitMiddleware:
    """413 for a request whose declared body is larger than its view takes (core/bodies.py),
    before anything reads it: placed before CsrfViewMiddleware, whose check reads request.POST.
    The answer is the site's page, or JSON under /api/, saying the cap."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        length = bodies.declared_length(request.META)
        if length is None:
            return None
        limit = bodies.limit_for(view_func, request.method or "GET")
        if length <= limit:
            return None
        logger.warning(
            "Request body refused: %d bytes for %s (at most %d)", length, request.path, limit
        )
        size = filesizeformat(limit)
        if request.path.startswith("/api/"):
            message = _("The request is too large: this endpoint takes at most %(size)s.") % {
                "size": size
            }
            return JsonResponse({"detail": message}, status=413)
        context = {"limit": size, "back": _back_to(request)}
        # No "Connection: close" here: WSGI servers own that hop-by-hop header (wsgiref refuses
        # it); gunicorn's sync workers close the connection after each answer anyway.
        return render(request, "413.html", context, status=413)


def _back_to(request: HttpRequest) -> str:
    """The page the form was on (same site only), for the 413 page's "Go back" link."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return ""
