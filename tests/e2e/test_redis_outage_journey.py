"""Redis stops in the middle of an IAT coordinator's session (tests/redis_server.py: the cache
and the broker on a Redis of the test's own, configured as production is from REDIS_URL).

The coordinator stays logged in, moves between pages, saves a PI, and asks for the PDF: the Report
card says the request is kept. Redis comes back; the card's own poll hands the request to the
broker, and the card says it is waiting for the report service, without a reload.
"""

import pytest
import redis
from playwright.sync_api import expect

from reports.models import ReportJob
from scorecard.models import IndicatorAssessment
from tests.e2e.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_redis_stops_mid_journey_and_nothing_is_lost(page, on_private_redis, settings):
    settings.REPORT_REDISPATCH_SECONDS = 1  # the poll re-sends a kept request after 1 s
    login(page, "kaz-coordinator")
    page.get_by_role("link", name="2022 · Annual progress assessment").click()
    expect(page.get_by_test_id("report-card")).to_be_visible()

    on_private_redis.stop()

    page.get_by_role("link", name="PI 2.2 Communication & Advocacy").click()
    expect(page.get_by_role("heading", name="PI 2.2 Communication & Advocacy")).to_be_visible()
    page.get_by_text("Findings for (a)").click()
    page.locator("#id_finding_a").fill("Written while Redis was down.")
    page.get_by_role("button", name="Save PI").click()
    expect(page.get_by_role("alert")).to_have_text("PI 2.2 saved.")
    row = IndicatorAssessment.objects.get(
        assessment__country_team__code="KAZ", assessment__year=2022, indicator__code="2.2"
    )
    assert row.findings["a"] == "Written while Redis was down."

    page.goto("/teams/KAZ/2022/")
    card = page.get_by_test_id("report-card")
    card.get_by_role("button", name="Generate PDF").click()
    status = card.get_by_test_id("report-status")
    expect(status).to_contain_text("your request is kept")
    job = ReportJob.objects.get()
    assert job.dispatched_at is None

    on_private_redis.start()

    expect(status).to_contain_text("Waiting for the report service", timeout=15_000)
    job.refresh_from_db()
    assert job.dispatched_at is not None
    assert job.note == ""
    assert redis.Redis.from_url(on_private_redis.url).llen("celery") == 1
