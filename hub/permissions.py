"""The one gate to a hub item, and who may take each step.

Privacy first: an item that is not published stays inside its team. Its team's members and
administrators see it at every step; UN Women reviewers of the team's region see it only once
the team's IAT coordinator has agreed to share it (before that, nothing has left the team);
everyone else gets 404, exactly as if it did not exist. Published items are seen by every
logged-in user.

Each predicate also says whether the step fits the item's status, so a page can show only the
buttons that work; the services check the status again (a ValidationError, in words).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.models import Membership
from core.permissions import EDITOR_ROLES, is_admin, reviews_region, role_in

from .models import Practice

AnyUser = User | AnonymousUser
Status = Practice.Status
Role = Membership.Role

# Where each step may start from (the services raise ValidationError for any other status).
AGREE_FROM = frozenset({Status.PROPOSED})
PUBLISH_FROM = frozenset({Status.AGREED})
WITHDRAW_FROM = frozenset({Status.PROPOSED, Status.AGREED, Status.PUBLISHED})
CURATE_FROM = frozenset({Status.PUBLISHED})


def _is_team_coordinator(user: AnyUser, country_team_id: int) -> bool:
    # Not core's can_coordinate_team: that one lets administrators act for any team, and the
    # team's consent to share must be the team's own.
    return role_in(user, country_team_id) == Role.IAT_COORDINATOR


def _reviews(user: AnyUser, practice: Practice) -> bool:
    return reviews_region(user, practice.country_team.region_id)


def can_view_practice(user: AnyUser, practice: Practice) -> bool:
    if not user.is_authenticated:
        return False
    if practice.status == Status.PUBLISHED:
        return True
    if is_admin(user) or role_in(user, practice.country_team_id) is not None:
        return True
    return practice.agreed_at is not None and _reviews(user, practice)


def can_propose(user: AnyUser, country_team_id: int) -> bool:
    """The team's IAT members and coordinators, whatever the state of the assessment: an
    approved assessment's evidence is the best there is to share."""
    return role_in(user, country_team_id) in EDITOR_ROLES


def can_agree(user: AnyUser, practice: Practice) -> bool:
    """The team's IAT coordinator agrees to share (or refuses)."""
    return practice.status in AGREE_FROM and _is_team_coordinator(user, practice.country_team_id)


def can_publish(user: AnyUser, practice: Practice) -> bool:
    """A UN Women reviewer of the team's region, or an administrator, publishes (or refuses)."""
    return practice.status in PUBLISH_FROM and (is_admin(user) or _reviews(user, practice))


def can_withdraw(user: AnyUser, practice: Practice) -> bool:
    """Its author, or the team's IAT coordinator, takes an item back at any step before it is
    refused or retired."""
    return practice.status in WITHDRAW_FROM and (
        (practice.author_id is not None and practice.author_id == getattr(user, "pk", None))
        or _is_team_coordinator(user, practice.country_team_id)
    )


def can_curate(user: AnyUser, practice: Practice) -> bool:
    """Administrators feature and retire published items."""
    return practice.status in CURATE_FROM and is_admin(user)


ACTIONS = {
    "view": None,
    "agree": can_agree,
    "publish": can_publish,
    "withdraw": can_withdraw,
    "curate": can_curate,
}


def get_practice_for_user(user: AnyUser, pk: int, *, action: str = "view") -> Practice:
    """The item, 404 when the user may not know it exists, 403 when they see it but may not
    take the step (`agree` also covers refusing by the team, `publish` refusing by the
    reviewer, `curate` featuring and retiring)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown hub action {action!r}")
    practice = (
        Practice.objects.select_related("country_team__region", "dimension").filter(pk=pk).first()
    )
    if practice is None or not can_view_practice(user, practice):
        raise Http404
    check = ACTIONS[action]
    if check is not None and not check(user, practice):
        raise PermissionDenied
    return practice
