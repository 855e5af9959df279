"""At log-in, the user's own language replaces whatever the browser or a cookie said."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from . import languages
from .models import Profile


@receiver(user_logged_in, dispatch_uid="core.language_at_login")
def language_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    if languages.is_supported(language):
        request.session[languages.SESSION_KEY] = language
