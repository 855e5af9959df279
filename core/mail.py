"""Mail to people in their own language (their profile's, else the site's default)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation

from . import languages

# (e-mail address, the language on the person's profile or "" / None)
Recipient = tuple[str, str | None]


def send_in_their_languages(
    recipients: Iterable[Recipient], compose: Callable[[], tuple[str, str]]
) -> int:
    """One message per language among the recipients: `compose` returns (subject, body) and is
    called with that language active. Returns the number of messages sent."""
    groups: dict[str, list[str]] = {}
    for address, language in recipients:
        code = language if languages.is_supported(language) else settings.LANGUAGE_CODE
        groups.setdefault(code, []).append(address)
    sent = 0
    for code, addresses in groups.items():
        with translation.override(code):
            subject, body = compose()
        sent += send_mail(subject, body, None, addresses)
    return sent
