"""No server without a secret key: the one setting that must never fall back to a public value.

Sessions, password-reset and invitation links and signed cookies are signed with SECRET_KEY; with
the placeholder that config/settings.py uses for tools, anyone could forge them. So every process
that serves users (the WSGI and ASGI applications, the Celery worker and beat, which send the
reset and invitation mails) calls `require_secret_key()` before it starts.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

MESSAGE = (
    "SECRET_KEY is not set and DEBUG is off, so the server does not start. Set SECRET_KEY in the "
    "environment (or .env) to a long random value, the same on every host, e.g. the output of: "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'. "
    "For development on your own machine, DEBUG=true uses a built-in key."
)


def require_secret_key() -> None:
    """ImproperlyConfigured, saying what to set, when a server would sign with the placeholder."""
    from django.conf import settings  # noqa: PLC0415 -- read when called, after configuration

    if getattr(settings, "SECRET_KEY_MISSING", False):
        raise ImproperlyConfigured(MESSAGE)
