"""Writes for country teams, entities, memberships and people's preferences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import languages
from .models import CountryTeam, Membership, Profile, Region, UNEntity


@transaction.atomic
def load_reference_data(*, document: Mapping[str, Any]) -> tuple[int, int]:
    """Create or update regions and UN entities from fixtures/reference.json; safe to re-run."""
    for region in document.get("regions", []):
        Region.objects.update_or_create(code=region["code"], defaults={"name": region["name"]})
    for entity in document.get("entities", []):
        UNEntity.objects.update_or_create(
            acronym=entity["acronym"], defaults={"name": entity["name"]}
        )
    return len(document.get("regions", [])), len(document.get("entities", []))


def set_membership(
    *, user: User, country_team: CountryTeam, role: str, entity: UNEntity | None = None
) -> Membership:
    """Give a user their (single) role in a country team, replacing any earlier one."""
    membership, _created = Membership.objects.update_or_create(
        user=user, country_team=country_team, defaults={"role": role, "entity": entity}
    )
    return membership


def set_language(*, user: User, language: str) -> Profile:
    """Keep the user's language on their profile: their pages, e-mails and reports follow it."""
    if not languages.is_supported(language):
        raise ValidationError(
            {
                "language": _("“%(code)s” is not one of the platform's languages.")
                % {"code": language}
            }
        )
    profile, _created = Profile.objects.update_or_create(user=user, defaults={"language": language})
    return profile
