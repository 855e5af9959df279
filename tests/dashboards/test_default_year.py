"""Issue 15: the global dashboard opens on the latest year with submitted or approved work, not on
a year of drafts an administrator happens to see (its charts would be empty)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from scorecard import services
from scorecard.models import Assessment
from tests.dashboards.test_dashboards import GLOBAL_URL

Status = Assessment.Status


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _assessment(team, year, status, by):
    a = services.create_comprehensive_assessment(country_team=team, year=year, by=by)
    Assessment.objects.filter(pk=a.pk).update(status=status)
    return a


def test_admin_opens_on_the_latest_year_with_submitted_work(
    client, admin_user, framework, team, coordinator
):
    _assessment(team, 2021, Status.APPROVED, coordinator)
    _assessment(team, 2022, Status.SUBMITTED, coordinator)
    _assessment(team, 2023, Status.DRAFT, coordinator)  # only a draft: nothing to chart
    client.force_login(admin_user)

    html = client.get(GLOBAL_URL).content.decode()

    assert 'data-testid="selected-year">2022<' in html
    # The draft year can still be chosen.
    assert re.search(r"<option value=\"2023\"[^>]*>2023</option>", html)


def test_admin_with_drafts_only_opens_on_the_current_year_when_there_is_one(
    client, admin_user, framework, team, coordinator
):
    this_year = timezone.localdate().year
    _assessment(team, this_year - 1, Status.DRAFT, coordinator)
    _assessment(team, this_year, Status.DRAFT, coordinator)
    client.force_login(admin_user)

    html = client.get(GLOBAL_URL).content.decode()

    assert f'data-testid="selected-year">{this_year}<' in html


def test_admin_with_old_drafts_only_opens_on_the_latest_of_them(
    client, admin_user, framework, team, coordinator
):
    _assessment(team, 2019, Status.DRAFT, coordinator)
    _assessment(team, 2020, Status.DRAFT, coordinator)
    client.force_login(admin_user)

    html = client.get(GLOBAL_URL).content.decode()

    assert 'data-testid="selected-year">2020<' in html


def test_a_year_asked_for_is_kept(client, admin_user, framework, team, coordinator):
    _assessment(team, 2021, Status.APPROVED, coordinator)
    _assessment(team, 2023, Status.DRAFT, coordinator)
    client.force_login(admin_user)

    html = client.get(GLOBAL_URL + "?year=2023").content.decode()

    assert 'data-testid="selected-year">2023<' in html
