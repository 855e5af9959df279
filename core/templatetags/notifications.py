"""{% notifications_link %}: the navbar's link to the notification list, with the unread count.

A tag rather than a context processor: only pages that draw the navbar pay for it, and they pay
one COUNT query (core.selectors.unread_count), kept on the request so that the phone's link
(beside the menu button) and the menu's own share it."""

from typing import Any

from django import template

from core import selectors

register = template.Library()


@register.inclusion_tag("core/_notifications_link.html", takes_context=True)
def notifications_link(context: template.Context, compact: bool = False) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread = selectors.unread_count_for_request(request)
    return {"show": True, "unread": unread, "compact": compact, "request": request}
