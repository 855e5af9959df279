"""How big a request body each view takes, checked before a byte of it is read.

Django reads a form's body when a view (or the CSRF check) first touches request.POST or
request.FILES; an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file, but a
300 MB body still costs the disk, the time to receive it, and whatever the view then does with
it. So `BodySizeLimitMiddleware` (core/middleware.py) compares the Content-Length the client
declares with the view's cap and answers 413 at once; a body without one is not read by Django
at all. The cap is MAX_BODY_BYTES unless the view says otherwise with `body_limit`, which upload
views do (their file cap plus room for the form around it).

In production the web server in front refuses larger bodies still earlier (nginx:
client_max_body_size, see the README), so a slow client cannot hold a gunicorn worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings

# The form fields, boundaries and headers around an uploaded file, above the file's own cap.
FORM_ALLOWANCE = 256 * 1024

Limit = int | Callable[[], int]
View = TypeVar("View", bound=Callable[..., Any])


def body_limit(limit: Limit) -> Callable[[View], View]:
    """Give a view (a function view, or a DRF view or viewset method) its own body cap in bytes,
    or a callable returning it (read per request, so a setting changed in a test counts)."""

    def mark(view: View) -> View:
        view.max_body_bytes = limit  # type: ignore[attr-defined]
        return view

    return mark


def upload_limit(file_limit: Limit) -> Limit:
    """The cap of a form that carries one file of at most `file_limit` bytes."""
    if callable(file_limit):
        return lambda: file_limit() + FORM_ALLOWANCE
    return file_limit + FORM_ALLOWANCE


def limit_for(view_func: Callable[..., Any], method: str) -> int:
    """The body cap of the view Django resolved: the function's own, or for DRF the handler's
    (a viewset maps the HTTP method to an action: view_func.actions) or the view class's;
    MAX_BODY_BYTES otherwise."""
    found = getattr(view_func, "max_body_bytes", None)
    view_class = getattr(view_func, "cls", None)
    if found is None and view_class is not None:
        actions = getattr(view_func, "actions", None) or {}
        handler = getattr(view_class, actions.get(method.lower(), method.lower()), None)
        found = getattr(handler, "max_body_bytes", None) or getattr(
            view_class, "max_body_bytes", None
        )
    if found is None:
        return int(settings.MAX_BODY_BYTES)
    return int(found() if callable(found) else found)


def declared_length(meta: dict[str, Any]) -> int | None:
    """The body's length as the client declares it (CONTENT_LENGTH), or None when absent or not
    a number (Django then reads no body)."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return length if length >= 0 else None
