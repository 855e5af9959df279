"""Commitments fixtures: the reference data, makers and one persona per role.

Personas: `gov_editor` edits the Government of Kazakhstan's commitments, `gov_viewer` has a
viewer role there, `stranger` is logged in with no role at all, `other_editor` edits another
maker's; the shared `admin_user` is an administrator.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings

from commitments import services
from commitments.models import ActionCoalition, CompactArea, MakerCategory, MakerMembership
from tests.commitments.factories import CommitmentMakerFactory, MakerMembershipFactory
from tests.factories import UserFactory

REFERENCE = Path(settings.BASE_DIR) / "fixtures" / "commitments" / "reference.json"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas are logged in with force_login; no need to pay for PBKDF2 on every user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reference(db) -> dict[str, ActionCoalition | CompactArea]:
    """The six coalitions by code and the five Compact areas by letter."""
    services.load_reference_data(document=json.loads(REFERENCE.read_text(encoding="utf-8")))
    return {
        **{c.code: c for c in ActionCoalition.objects.all()},
        **{a.letter: a for a in CompactArea.objects.all()},
    }


@pytest.fixture
def kazakhstan(reference):
    return CommitmentMakerFactory(
        name="Government of Kazakhstan",
        category=MakerCategory.MEMBER_STATE,
        country_code="KAZ",
        country_name="Kazakhstan",
    )


@pytest.fixture
def leader(reference):
    """A (fictional) leader of the Gender-Based Violence Action Coalition."""
    return CommitmentMakerFactory(
        name="Northwind Foundation",
        category=MakerCategory.PHILANTHROPY,
        country_code="",
        country_name="",
        leads=[reference["gbv"]],
    )


@pytest.fixture
def other_maker(reference):
    return CommitmentMakerFactory(
        name="Aurora Telecom",
        category=MakerCategory.PRIVATE_SECTOR,
        country_code="",
        country_name="",
    )


@pytest.fixture
def gov_editor(kazakhstan):
    user = UserFactory(username="gov-editor")
    MakerMembershipFactory(user=user, maker=kazakhstan, role=MakerMembership.Role.EDITOR)
    return user


@pytest.fixture
def gov_viewer(kazakhstan):
    user = UserFactory(username="gov-viewer")
    MakerMembershipFactory(user=user, maker=kazakhstan, role=MakerMembership.Role.VIEWER)
    return user


@pytest.fixture
def other_editor(other_maker):
    user = UserFactory(username="aurora-editor")
    MakerMembershipFactory(user=user, maker=other_maker, role=MakerMembership.Role.EDITOR)
    return user


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")
