"""Mail to people in their own language (their profile's, else the site's default), sent after
the commit by a Celery task that retries while the mail server is down.

Each message is written here, at call time, with its language active (subject, text and an HTML
part): a worker knows nothing of the request's or the recipients' language. It is handed to the
task only once the transaction commits, so an action that is rolled back sends nothing.

The task (core.tasks.send_message, a thin wrapper around `deliver`) is sent by its registered
name: core.tasks imports this module, so importing it here would make a circle, and only an
app's config imports its tasks (CoreConfig.ready() does, so every process has it registered).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from . import languages

logger = logging.getLogger(__name__)

SEND_TASK = "core.tasks.send_message"
HTML_TEMPLATE = "email/message.html"

# (e-mail address, the language on the person's profile or "" / None)
Recipient = tuple[str, str | None]


def send_in_their_languages(
    recipients: Iterable[Recipient], compose: Callable[[], tuple[str, str]]
) -> int:
    """One message per language among the recipients: `compose` returns (subject, body) and is
    called with that language active. The messages are queued for sending once the current
    transaction commits (at once outside one). Returns the number of messages queued."""
    groups: dict[str, list[str]] = {}
    for address, language in recipients:
        code = language if languages.is_supported(language) else settings.LANGUAGE_CODE
        groups.setdefault(code, []).append(address)
    queued = 0
    for code, addresses in groups.items():
        with translation.override(code):
            subject, text = compose()
            html = render_html(subject, text)
        transaction.on_commit(partial(_queue, subject, text, html, addresses))
        queued += 1
    return queued


def render_html(subject: str, text: str) -> str:
    """The HTML part of a message: the text's paragraphs, escaped, with its links clickable, in
    the active language and its direction (Arabic right to left)."""
    return render_to_string(
        HTML_TEMPLATE,
        {"subject": subject, "text": text, "site_url": settings.SITE_URL.rstrip("/") + "/"},
    )


def _queue(subject: str, text: str, html: str, recipients: list[str]) -> None:
    """Hand one message to the send task (after the commit). Never raises: the user's action is
    saved by now, and a mail that cannot be sent must not turn it into an error page."""
    task = current_app.signature(SEND_TASK, args=(subject, text, html, recipients))
    try:
        # To the broker; in embedded mode (eager) sent here and now, retries included, and a
        # mail that failed is logged by the task, not raised (core.tasks.EagerSafeTask).
        task.apply_async()
    except Exception:
        # The broker is unreachable (Celery already retried publishing): this message is lost.
        logger.exception("Mail %r to %d recipient(s) not queued", subject, len(recipients))


def deliver(subject: str, text: str, html: str, recipients: list[str]) -> int:
    """Send one message (text, with the HTML as its alternative) through the configured
    backend; SMTP and network errors are raised for the task to retry. Returns 1 once sent."""
    message = EmailMultiAlternatives(subject, text, to=recipients)  # from DEFAULT_FROM_EMAIL
    message.attach_alternative(html, "text/html")
    return message.send()
