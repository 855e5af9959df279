"""setup_commitments_demo and load_commitments_reference: idempotent, honest demo data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from commitments.models import (
    ActionCoalition,
    Commitment,
    CommitmentMaker,
    CompactArea,
    MakerMembership,
    ProgressReport,
)

DEMO = json.loads(
    (Path(settings.BASE_DIR) / "fixtures" / "commitments" / "demo.json").read_text("utf-8")
)
DEMO_COMMITMENTS = sum(len(m["commitments"]) for m in DEMO["makers"])


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests-123")


def test_reference_data_matches_domain_reference(db):
    call_command("load_commitments_reference", verbosity=0)
    assert list(ActionCoalition.objects.values_list("code", "name")) == [
        ("gbv", "Gender-Based Violence"),
        ("ejr", "Economic Justice and Rights"),
        ("srhr", "Bodily Autonomy and Sexual and Reproductive Health and Rights (SRHR)"),
        ("climate-justice", "Feminist Action for Climate Justice"),
        ("technology-innovation", "Technology and Innovation for Gender Equality"),
        ("feminist-movements", "Feminist Movements and Leadership"),
    ]
    assert list(CompactArea.objects.values_list("letter", "name")) == [
        ("A", "Financing WPS and gender in humanitarian action"),
        ("B", "Women's meaningful participation in peace processes"),
        ("C", "Women's economic security and access to resources and essential services"),
        ("D", "Women's leadership and agency across peace, security and humanitarian sectors"),
        ("E", "Protection of women in conflict and crisis, including women human rights defenders"),
    ]


def test_demo_without_kazakhstan_team_loads_without_links(db):
    call_command("setup_commitments_demo", verbosity=0)
    kazakhstan = CommitmentMaker.objects.get(name="Government of Kazakhstan")
    assert (kazakhstan.category, kazakhstan.country_code, kazakhstan.country_team) == (
        "member_state",
        "KAZ",
        None,
    )
    assert Commitment.objects.count() == DEMO_COMMITMENTS
    assert not Commitment.objects.filter(indicator_assessment__isnull=False).exists()
    assert not Commitment.objects.filter(country_team__isnull=False).exists()


def test_demo_links_kazakhstan_to_pi_7_1_and_is_idempotent(kaz_2022, team, other_team):
    call_command("setup_commitments_demo", verbosity=0)
    call_command("setup_commitments_demo", verbosity=0)
    assert Commitment.objects.count() == DEMO_COMMITMENTS
    assert CommitmentMaker.objects.count() == len(DEMO["makers"])
    kaz = Commitment.objects.filter(maker__name="Government of Kazakhstan").order_by("title")
    assert [(c.coalitions.get().code, c.start_year, c.end_year) for c in kaz] == [
        ("ejr", 2021, 2025),
        ("gbv", 2021, 2025),
    ]
    for commitment in kaz:
        assert commitment.country_team == team
        row = commitment.indicator_assessment
        assert (row.assessment.year, row.indicator.code) == (2022, "7.1")
        assert commitment.description.startswith(
            "Placeholder: the commitment text is not in our sources."
        )
        assert commitment.types == []  # not in our sources either
        assert (commitment.endorsement, commitment.is_strong) == (True, False)
    assert ProgressReport.objects.filter(commitment__in=kaz, year=2022).count() == 2
    assert ProgressReport.objects.count() == sum(
        len(c["progress_reports"]) for m in DEMO["makers"] for c in m["commitments"]
    )
    others = CommitmentMaker.objects.exclude(name="Government of Kazakhstan")
    assert all("(fictional)" in maker.name for maker in others)


def test_demo_editor_can_log_in_and_edits_kazakhstan(db):
    call_command("setup_commitments_demo", verbosity=0)
    membership = MakerMembership.objects.get(user__username="kaz-gov-editor")
    assert (membership.maker.name, membership.role) == ("Government of Kazakhstan", "editor")
    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username="kaz-gov-editor", password="demo-password-for-tests-123")
    assert user is not None
