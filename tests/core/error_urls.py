"""The site's URLs plus views that fail on purpose, for tests/core/test_error_pages.py: each
exception carries a message that must never reach the page."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.urls import path

from config import urls as site

SECRET = "secret-detail-for-the-logs-only"


def bad_request(request):
    raise BadRequest(SECRET)


def forbidden(request):
    raise PermissionDenied(SECRET)


def not_found(request):
    raise Http404(SECRET)


def broken(request):
    raise RuntimeError(SECRET)


FAILING = [
    path("400/", bad_request),
    path("403/", forbidden),
    path("404/", not_found),
    path("500/", broken),
]

urlpatterns = [
    *[path(f"errors/{p.pattern}", p.callback) for p in FAILING],
    *[path(f"api/v1/errors/{p.pattern}", p.callback) for p in FAILING],
    *site.urlpatterns,
]

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
