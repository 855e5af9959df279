"""A fixed-window request counter in Django's cache (Redis in production, shared by every web
process; the process's memory when embedded). Used where django-axes does not reach: the
password reset form, counted per client IP and per e-mail address.

Keys hold a hash of what is counted, never the address itself.

The API's throttles are DRF's (REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES), in the same cache.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from rest_framework import throttling


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()
    return f"throttle:{scope}:{digest}"


def hit(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one request for `value` in `scope`; True while at most `limit` were counted in the
    window, which starts at the first request and lasts `window` seconds."""
    key = _key(scope, value)
    cache.add(key, 0, timeout=window)  # a new window, unless one is running
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    if count is None:  # the cache is away (Redis down: django-redis drops the call): let it by
        return True
    return count <= limit


def reset(scope: str, value: str) -> None:
    cache.delete(_key(scope, value))


class AnonRateThrottle(throttling.AnonRateThrottle):
    """Anonymous API calls per client IP, at API_THROTTLE_ANON (None: no limit). The rate is read
    at each request, not when DRF is imported, so a changed setting takes effect (tests do)."""

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_ANON


class UserRateThrottle(throttling.UserRateThrottle):
    """API calls per user (per client IP when anonymous), at API_THROTTLE_USER (None: no limit)."""

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_USER
