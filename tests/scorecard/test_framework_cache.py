"""The PI's criteria, rules and categories are kept in process memory (scorecard.framework_cache)
and reloaded as soon as anyone changes the framework, through the admin or an import."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecard import framework_cache
from scorecard.models import Criterion, LevelRule

PI_URL = "/teams/KAZ/2022/pi/2.2/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def count_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_second_view_reads_the_framework_from_memory(client, iat, assessment):
    client.force_login(iat)
    client.get(PI_URL)  # sessions, content types: one-time lookups
    framework_cache.clear()

    cold, _ = count_queries(client, PI_URL)
    warm, html = count_queries(client, PI_URL)

    assert cold - warm == 3  # criteria, rules, categories
    assert "Findings for (b)" in html


def test_a_criterion_edited_in_the_admin_shows_at_once(client, iat, assessment):
    client.force_login(iat)
    client.get(PI_URL)
    criterion = Criterion.objects.get(
        indicator__framework=assessment.framework, indicator__code="2.2", code="b"
    )
    criterion.text = "A joint campaign, reworded by the framework's editor"
    criterion.save()  # what the admin does

    _, html = count_queries(client, PI_URL)

    assert "A joint campaign, reworded by the framework&#x27;s editor" in html


def test_a_rule_deleted_is_gone_at_once(client, iat, assessment):
    client.force_login(iat)
    _, before = count_queries(client, PI_URL)
    rule = LevelRule.objects.get(
        indicator__framework=assessment.framework, indicator__code="2.2", level="exceeds"
    )
    assert rule.text
    assert rule.text[:40] in before.replace("&#x27;", "'")

    rule.delete()
    _, after = count_queries(client, PI_URL)

    assert "level-exceeds" in before
    assert "level-exceeds" not in after
