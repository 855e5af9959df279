"""The review workflow: the one place where an assessment changes state.

draft → awaiting endorsement → submitted → in review → returned | approved; returned is an
editable draft again; approved is final unless a reviewer grants a reopen request. Every
transition is allowed only to one role, only from given states, records who, when and why, and
tells the people who must act next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core import limits
from core.languages import language_of
from core.mail import Recipient, send_in_their_languages
from core.models import CountryTeam, Membership, ReviewerScope
from core.permissions import (
    AnyUser,
    can_coordinate_team,
    can_endorse_for_team,
    can_review_team,
)
from core.services import notify as notify_in_app
from core.services import quote

from . import selectors
from .models import Assessment, Indicator, ReopenRequest, WorkflowEvent
from .signals import assessment_transitioned
from .states import EDITABLE

Status = Assessment.Status


@dataclass(frozen=True)
class Transition:
    action: str
    label: object  # lazy translation
    sources: frozenset[str]
    target: str
    allowed: Callable[[AnyUser, Assessment], bool]
    needs_comment: bool = False
    runs_checks: bool = False


def _coordinator(user: AnyUser, a: Assessment) -> bool:
    return can_coordinate_team(user, a.country_team_id)


def _resident_coordinator(user: AnyUser, a: Assessment) -> bool:
    return can_endorse_for_team(user, a.country_team_id)


def _reviewer(user: AnyUser, a: Assessment) -> bool:
    return can_review_team(user, a.country_team)


TRANSITIONS = {
    t.action: t
    for t in [
        Transition(
            "send_for_endorsement",
            gettext_lazy("Send to the UNCT for endorsement"),
            EDITABLE,
            Status.AWAITING_ENDORSEMENT,
            _coordinator,
            runs_checks=True,
        ),
        Transition(
            "send_back_to_team",
            gettext_lazy("Send back to the assessment team"),
            frozenset({Status.AWAITING_ENDORSEMENT}),
            Status.DRAFT,
            _resident_coordinator,
            needs_comment=True,
        ),
        Transition(
            "endorse_and_submit",
            gettext_lazy("Endorse for the UNCT and submit to UN Women"),
            frozenset({Status.AWAITING_ENDORSEMENT}),
            Status.SUBMITTED,
            _resident_coordinator,
            runs_checks=True,
        ),
        Transition(
            "start_review",
            gettext_lazy("Start quality review"),
            frozenset({Status.SUBMITTED}),
            Status.IN_REVIEW,
            _reviewer,
        ),
        Transition(
            "return_for_revision",
            gettext_lazy("Return to the team for revision"),
            frozenset({Status.IN_REVIEW}),
            Status.RETURNED,
            _reviewer,
            needs_comment=True,
        ),
        Transition(
            "approve",
            gettext_lazy("Approve"),
            frozenset({Status.IN_REVIEW}),
            Status.APPROVED,
            _reviewer,
        ),
    ]
}


def available_transitions(user: AnyUser, assessment: Assessment) -> list[Transition]:
    return [
        t
        for t in TRANSITIONS.values()
        if assessment.status in t.sources and t.allowed(user, assessment)
    ]


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _check_length(name: str, text: str, model: type[Any], field: str) -> None:
    """The text within its field's limit, else a ValidationError on `name` (the input's name)."""
    message = limits.length_error(text, limits.field_limit(model, field))
    if message:
        raise ValidationError({name: message})


@transaction.atomic
def transition(
    *,
    assessment: Assessment,
    action: str,
    by: User,
    comment: str = "",
    indicator_codes: Iterable[str] = (),
) -> WorkflowEvent:
    """Move the assessment along the workflow, or refuse with the reason why.

    PermissionDenied when the user's role may not take this step; ValidationError when the
    state does not allow it, a required reason is missing, or blocking quality checks fail.
    """
    step = TRANSITIONS.get(action)
    if step is None:
        raise ValidationError(_("Unknown workflow action."))
    # Lock the row: two people pressing buttons at once must not both move it.
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not step.allowed(by, assessment):
        raise PermissionDenied
    if locked.status not in step.sources:
        raise ValidationError(
            _("This cannot be done while the assessment is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    if step.needs_comment and not comment.strip():
        raise ValidationError({"comment": _("Give the reason: the team will see it.")})
    _check_length("comment", comment.strip(), WorkflowEvent, "comment")
    if step.runs_checks:
        blocking = [c for c in selectors.quality_checks(locked) if c.blocking]
        if blocking:
            raise ValidationError([c.message for c in blocking])
    codes = [c for c in indicator_codes if c]
    indicators = list(Indicator.objects.filter(framework_id=locked.framework_id, code__in=codes))
    if len(indicators) != len(set(codes)):
        raise ValidationError({"indicators": _("Choose PIs of this assessment.")})

    event = WorkflowEvent.objects.create(
        assessment=locked,
        action=action,
        from_status=locked.status,
        to_status=step.target,
        actor=by,
        actor_name=_name(by),
        at=timezone.now(),
        comment=comment.strip(),
    )
    event.indicators.set(indicators)
    locked.status = step.target
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save(update_fields=["status", "updated_at"])
    assessment.status = locked.status
    # Inside the transaction: the reports app freezes the PDF of this moment (as submitted,
    # as approved), and if that fails the step is not taken.
    assessment_transitioned.send(sender=Assessment, assessment=locked, action=action, by=by)
    # In the same transaction: the notification exists exactly when the step does.
    notify_step(event)
    transaction.on_commit(lambda: notify(event))
    return event


@transaction.atomic
def request_reopen(*, assessment: Assessment, by: User, reason: str) -> ReopenRequest:
    """The team asks to reopen an approved assessment; a reviewer decides."""
    if not (
        can_coordinate_team(by, assessment.country_team_id)
        or can_endorse_for_team(by, assessment.country_team_id)
    ):
        raise PermissionDenied
    if assessment.status != Status.APPROVED:
        raise ValidationError(_("Only an approved assessment can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the assessment must be reopened.")})
    _check_length("reason", reason.strip(), ReopenRequest, "reason")
    if assessment.reopen_requests.filter(decision=ReopenRequest.Decision.PENDING).exists():
        raise ValidationError(_("A reopen request is already waiting for a decision."))
    request = ReopenRequest.objects.create(
        assessment=assessment,
        requested_by=by,
        requested_by_name=_name(by),
        reason=reason.strip(),
        requested_at=timezone.now(),
    )
    notify_in_app(
        _reviewer_users(assessment),
        message=gettext_noop("%(who)s asks to reopen %(team)s %(year)s: %(reason)s"),
        params={**_about(assessment, by), "reason": quote(request.reason)},
        url=_path(assessment),
        exclude=by,
    )
    transaction.on_commit(lambda: notify_reopen_requested(request))
    return request


@transaction.atomic
def decide_reopen(
    *, reopen_request: ReopenRequest, by: User, grant: bool, comment: str = ""
) -> ReopenRequest:
    """A reviewer grants (the assessment goes back to the team as returned) or refuses."""
    assessment = reopen_request.assessment
    if not can_review_team(by, assessment.country_team):
        raise PermissionDenied
    if reopen_request.decision != ReopenRequest.Decision.PENDING:
        raise ValidationError(_("This request has been decided already."))
    if not grant and not comment.strip():
        raise ValidationError({"comment": _("Say why the request is refused.")})
    _check_length("comment", comment.strip(), ReopenRequest, "decision_comment")
    reopen_request.decision = (
        ReopenRequest.Decision.GRANTED if grant else ReopenRequest.Decision.REFUSED
    )
    reopen_request.decided_by = by
    reopen_request.decided_by_name = _name(by)
    reopen_request.decided_at = timezone.now()
    reopen_request.decision_comment = comment.strip()
    reopen_request.save()
    if grant:
        event = WorkflowEvent.objects.create(
            assessment=assessment,
            action="reopen",
            from_status=assessment.status,
            to_status=Status.RETURNED,
            actor=by,
            actor_name=_name(by),
            at=timezone.now(),
            comment=_("Reopened at the team's request: %(reason)s")
            % {"reason": reopen_request.reason},
        )
        assessment.status = Status.RETURNED
        assessment._history_user = by  # type: ignore[attr-defined]
        assessment.save(update_fields=["status", "updated_at"])
        transaction.on_commit(lambda: notify(event))
    notify_reopen_decision(reopen_request, by)
    transaction.on_commit(lambda: notify_reopen_decided(reopen_request))
    return reopen_request


# --- Notifications --------------------------------------------------------------------------


def _team_emails(assessment: Assessment, roles: Iterable[str]) -> list[Recipient]:
    """The team's people in these roles who have an address, with their language."""
    return sorted(
        set(
            Membership.objects.filter(
                country_team_id=assessment.country_team_id, role__in=list(roles)
            )
            .exclude(user__email="")
            .values_list("user__email", "user__profile__language")
        ),
        key=lambda r: r[0],
    )


def _reviewer_emails(assessment: Assessment) -> list[Recipient]:
    scopes = ReviewerScope.objects.filter(is_global=True) | ReviewerScope.objects.filter(
        regions=assessment.country_team.region_id
    )
    recipients = scopes.exclude(user__email="").values_list(
        "user__email", "user__profile__language"
    )
    return sorted(set(recipients), key=lambda r: r[0])


Role = Membership.Role
# Who must act next after each step.
NEXT_ACTORS: dict[str, Callable[[Assessment], list[Recipient]]] = {
    "send_for_endorsement": lambda a: _team_emails(a, [Role.RESIDENT_COORDINATOR]),
    "send_back_to_team": lambda a: _team_emails(a, [Role.IAT_COORDINATOR]),
    "endorse_and_submit": _reviewer_emails,
    "start_review": lambda a: _team_emails(a, [Role.IAT_COORDINATOR, Role.RESIDENT_COORDINATOR]),
    "return_for_revision": lambda a: _team_emails(a, [Role.IAT_COORDINATOR, Role.IAT_MEMBER]),
    "approve": lambda a: _team_emails(a, [Role.IAT_COORDINATOR, Role.RESIDENT_COORDINATOR]),
    "reopen": lambda a: _team_emails(a, [Role.IAT_COORDINATOR, Role.IAT_MEMBER]),
}


def _link(assessment: Assessment) -> str:
    path = reverse(
        "scorecard:assessment",
        kwargs={"code": assessment.country_team.code, "year": assessment.year},
    )
    return settings.SITE_URL.rstrip("/") + path


def notify(event: WorkflowEvent) -> int:
    assessment = event.assessment
    recipients = NEXT_ACTORS.get(event.action, lambda a: [])(assessment)
    if not recipients:
        return 0

    def compose() -> tuple[str, str]:
        subject = _("UNCT-SWAP %(team)s %(year)s: %(status)s") % {
            "team": assessment.country_team.display_name,
            "year": assessment.year,
            "status": Status(event.to_status).label,
        }
        body = _("%(who)s: %(from)s → %(to)s.\n\n%(comment)s\n\n%(link)s") % {
            "who": event.actor_name,
            "from": Status(event.from_status).label,
            "to": Status(event.to_status).label,
            "comment": event.comment,
            "link": _link(assessment),
        }
        return subject, body

    return send_in_their_languages(recipients, compose)


def notify_reopen_requested(request: ReopenRequest) -> int:
    assessment = request.assessment
    recipients = _reviewer_emails(assessment)
    if not recipients:
        return 0

    def compose() -> tuple[str, str]:
        subject = _("UNCT-SWAP %(team)s %(year)s: reopen requested") % {
            "team": assessment.country_team.display_name,
            "year": assessment.year,
        }
        return subject, f"{request.requested_by_name}: {request.reason}\n\n{_link(assessment)}"

    return send_in_their_languages(recipients, compose)


def notify_reopen_decided(request: ReopenRequest) -> int:
    if request.requested_by is None or not request.requested_by.email:
        return 0
    assessment = request.assessment

    def compose() -> tuple[str, str]:
        subject = _("UNCT-SWAP %(team)s %(year)s: reopen request %(decision)s") % {
            "team": assessment.country_team.display_name,
            "year": assessment.year,
            "decision": request.get_decision_display().lower(),
        }
        decision = request.get_decision_display()
        comment = f"\n\n{request.decision_comment}" if request.decision_comment else ""
        return subject, f"{request.decided_by_name}: {decision}.{comment}\n\n{_link(assessment)}"

    requester = request.requested_by
    return send_in_their_languages([(requester.email, language_of(requester))], compose)


# --- In-app notifications (core.Notification) -------------------------------------------------
# Stored as msgids with their placeholders (core.services.notify): each reader sees them in
# their own language. Who is told is wider than who is e-mailed: the e-mail goes to who must act
# next, the notification also to the team members the step concerns.


def _team_users(assessment: Assessment, roles: Iterable[str]) -> list[int]:
    return list(
        Membership.objects.filter(
            country_team_id=assessment.country_team_id, role__in=list(roles)
        ).values_list("user_id", flat=True)
    )


def _reviewer_users(assessment: Assessment) -> list[int]:
    scopes = ReviewerScope.objects.filter(is_global=True) | ReviewerScope.objects.filter(
        regions=assessment.country_team.region_id
    )
    return list(scopes.values_list("user_id", flat=True).distinct())


def _team(team: CountryTeam) -> dict[str, str]:
    """A team's name as a placeholder: shown in the reader's language (core.selectors)."""
    return {"country": team.code, "name": team.name}


def _about(assessment: Assessment, by: User) -> dict[str, Any]:
    return {"who": _name(by), "team": _team(assessment.country_team), "year": assessment.year}


def _path(assessment: Assessment) -> str:
    return reverse(
        "scorecard:assessment",
        kwargs={"code": assessment.country_team.code, "year": assessment.year},
    )


TEAM = (Role.IAT_COORDINATOR, Role.IAT_MEMBER)
# action → (the message, who is told). Returns and send-backs quote the reason.
STEP_NOTICES: dict[str, tuple[str, Callable[[Assessment], list[int]]]] = {
    "send_for_endorsement": (
        gettext_noop("%(who)s sent %(team)s %(year)s to the UNCT for endorsement."),
        lambda a: _team_users(a, [Role.RESIDENT_COORDINATOR]),
    ),
    "send_back_to_team": (
        gettext_noop("%(who)s sent %(team)s %(year)s back to the assessment team: %(reason)s"),
        lambda a: _team_users(a, TEAM),
    ),
    "endorse_and_submit": (
        gettext_noop("%(who)s endorsed %(team)s %(year)s and submitted it to UN Women."),
        lambda a: _reviewer_users(a) + _team_users(a, [Role.IAT_COORDINATOR]),
    ),
    "start_review": (
        gettext_noop("%(who)s started the quality review of %(team)s %(year)s."),
        lambda a: _team_users(a, [Role.IAT_COORDINATOR, Role.RESIDENT_COORDINATOR]),
    ),
    "return_for_revision": (
        gettext_noop("%(who)s returned %(team)s %(year)s for revision: %(reason)s"),
        lambda a: _team_users(a, TEAM),
    ),
    "approve": (
        gettext_noop("%(who)s approved %(team)s %(year)s."),
        lambda a: _team_users(a, [*TEAM, Role.RESIDENT_COORDINATOR]),
    ),
}


def notify_step(event: WorkflowEvent) -> int:
    """Tell the people a workflow step concerns, in the app (not the one who took it)."""
    notice = STEP_NOTICES.get(event.action)
    if notice is None or event.actor is None:
        return 0
    message, recipients = notice
    assessment = event.assessment
    return notify_in_app(
        recipients(assessment),
        message=message,
        params={**_about(assessment, event.actor), "reason": quote(event.comment)},
        url=_path(assessment),
        exclude=event.actor,
    )


def notify_reopen_decision(request: ReopenRequest, by: User) -> int:
    """Granted: the requester and the team that will revise it; refused: the requester, with
    the reviewer's reason."""
    assessment = request.assessment
    params = {**_about(assessment, by), "reason": quote(request.decision_comment)}
    requester = [request.requested_by_id] if request.requested_by_id else []
    if request.decision == ReopenRequest.Decision.GRANTED:
        return notify_in_app(
            requester + _team_users(assessment, TEAM),
            message=gettext_noop("%(who)s reopened %(team)s %(year)s at the team's request."),
            params=params,
            url=_path(assessment),
            exclude=by,
        )
    return notify_in_app(
        requester,
        message=gettext_noop("%(who)s refused to reopen %(team)s %(year)s: %(reason)s"),
        params=params,
        url=_path(assessment),
        exclude=by,
    )
