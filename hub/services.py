"""Every write of the Knowledge Hub: proposing, the team's and UN Women's decisions, withdrawing,
curating. Each step is one transaction that locks the item, checks its status, records a
PracticeEvent and notifies the people the step concerns (core.services.notify, in the same
transaction: a notification exists exactly when the step does). Who may call which is decided
before, by hub.permissions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import limits
from core.models import CountryTeam, Membership, ReviewerScope
from core.services import notify, quote
from core.storage import storage_errors
from scorecard.models import Assessment, Dimension, Evidence, Indicator, IndicatorAssessment
from scorecard.uploads import check_evidence_file

from . import search, text
from .models import Practice, PracticeEvent, PracticeFile, PracticeIndicator, PracticeLink

Status = Practice.Status
Action = PracticeEvent.Action
Role = Membership.Role
ACTIVE = (Status.PROPOSED, Status.AGREED, Status.PUBLISHED)
# The files' text searched with an item, all files together (each is cut at text.MAX_CHARS):
# keeps search_text and the vector of an item with many files small.
FILES_TEXT_MAX = text.MAX_CHARS


@dataclass(frozen=True)
class Link:
    url: str
    title: str = ""


def _display_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _record(
    practice: Practice, *, action: str, from_status: str, by: User, reason: str = ""
) -> PracticeEvent:
    return PracticeEvent.objects.create(
        practice=practice,
        action=action,
        from_status=from_status,
        to_status=practice.status,
        by=by,
        by_name=_display_name(by),
        at=timezone.now(),
        reason=reason,
    )


def _check_texts(**texts: str) -> None:
    """Each text within its field's limit (the form's message), before anything is written."""
    errors = limits.length_errors(
        {name: (value, limits.field_limit(Practice, name)) for name, value in texts.items()}
    )
    if errors:
        raise ValidationError(errors)


def _reason(reason: str, *, required: bool) -> str:
    reason = search.clean(reason).strip()
    if required and not reason:
        raise ValidationError({"reason": _("Say why.")})
    message = limits.length_error(reason, limits.field_limit(PracticeEvent, "reason"))
    if message:
        raise ValidationError({"reason": message})
    return reason


def _locked(practice: Practice, allowed: Iterable[str]) -> Practice:
    """The item re-read under a row lock, so two people deciding at once do not both win."""
    fresh = Practice.objects.select_for_update().get(pk=practice.pk)
    if fresh.status not in allowed:
        raise ValidationError(
            _("Not possible now: the item's status is “%(status)s”.")
            % {"status": fresh.get_status_display()}
        )
    return fresh


def _files_text(practice: Practice) -> str:
    texts = PracticeFile.objects.filter(practice=practice).exclude(text="")
    return "\n".join(texts.values_list("text", flat=True))[:FILES_TEXT_MAX]


def refresh_search(practice: Practice) -> None:
    """The item's searchable text, and on PostgreSQL its vector in the item's language
    (title weighted above the summary, the summary above what was done and the result, those
    above the text of its files). The team's name is never in it: an anonymous item must not
    be found by it."""
    files_text = _files_text(practice)
    parts = [practice.title, practice.summary, practice.what_done, practice.result, files_text]
    practice.search_text = "\n".join(part for part in parts if part)
    if connection.vendor != "postgresql":
        Practice.objects.filter(pk=practice.pk).update(search_text=practice.search_text)
        return
    config = search.config_for(practice.language)
    prepare = search.cjk_grams if practice.language in search.CJK_LANGUAGES else str
    vector = (
        SearchVector(Value(prepare(practice.title)), config=config, weight="A")
        + SearchVector(Value(prepare(practice.summary)), config=config, weight="B")
        + SearchVector(
            Value(prepare(f"{practice.what_done}\n{practice.result}")), config=config, weight="C"
        )
        + SearchVector(Value(prepare(files_text)), config=config, weight="D")
    )
    Practice.objects.filter(pk=practice.pk).update(
        search_text=practice.search_text, search_vector=vector
    )


# --- Notifications ----------------------------------------------------------------------------
# Stored as msgids with their placeholders (core.services.notify): each reader sees them in
# their own language. Whoever took the step is not told. An anonymous item changes nothing here:
# its own team is told about it, and UN Women reviewers see the team anyway.


def _item_url(practice: Practice) -> str:
    """The item's page, where the one told acts (agree, publish, read the reason)."""
    return reverse("hub:detail", args=[practice.pk])


def _team_users(practice: Practice, roles: Iterable[str]) -> list[int]:
    return list(
        Membership.objects.filter(
            country_team_id=practice.country_team_id, role__in=list(roles)
        ).values_list("user_id", flat=True)
    )


def _reviewer_users(practice: Practice) -> list[int]:
    """The UN Women reviewers of the team's region, and those of every region."""
    scopes = ReviewerScope.objects.filter(is_global=True) | ReviewerScope.objects.filter(
        regions=practice.country_team.region_id
    )
    return list(scopes.values_list("user_id", flat=True).distinct())


def _author(practice: Practice) -> list[int]:
    return [practice.author_id] if practice.author_id else []


def _params(practice: Practice, by: User, reason: str = "") -> dict[str, Any]:
    team = practice.country_team
    return {
        "who": _display_name(by),
        "title": quote(practice.title),
        "team": {"country": team.code, "name": team.name},
        "reason": quote(reason),
    }


def _notify(
    practice: Practice, recipients: list[int], message: str, by: User, reason: str = ""
) -> int:
    return notify(
        recipients,
        message=message,
        params=_params(practice, by, reason),
        url=_item_url(practice),
        exclude=by,
    )


def _notify_step(practice: Practice, action: str, by: User, reason: str = "") -> int:
    coordinators = _team_users(practice, [Role.IAT_COORDINATOR])
    if action == Action.PROPOSE:
        return _notify(
            practice,
            coordinators,
            gettext_noop(
                "%(who)s proposes to share “%(title)s” in the Knowledge Hub: agree or refuse."
            ),
            by,
        )
    if action == Action.AGREE:
        return _notify(
            practice,
            _reviewer_users(practice),
            gettext_noop(
                "%(team)s agreed to share “%(title)s” in the Knowledge Hub: publish or refuse."
            ),
            by,
        )
    if action == Action.PUBLISH:
        return _notify(
            practice,
            _author(practice) + coordinators,
            gettext_noop("%(who)s published “%(title)s” in the Knowledge Hub."),
            by,
        )
    if action == Action.REFUSE_TEAM:
        return _notify(
            practice,
            _author(practice),
            gettext_noop("%(who)s refused to share “%(title)s” in the Knowledge Hub: %(reason)s"),
            by,
            reason,
        )
    if action == Action.REFUSE_REVIEW:
        return _notify(
            practice,
            _author(practice) + coordinators,
            gettext_noop("%(who)s refused to publish “%(title)s” in the Knowledge Hub: %(reason)s"),
            by,
            reason,
        )
    if action == Action.WITHDRAW:
        # The author withdrawing their own item is told nothing (exclude); a coordinator's
        # withdrawal tells the author.
        message = (
            gettext_noop("%(who)s withdrew “%(title)s” from the Knowledge Hub: %(reason)s")
            if reason
            else gettext_noop("%(who)s withdrew “%(title)s” from the Knowledge Hub.")
        )
        return _notify(practice, _author(practice), message, by, reason)
    if action == Action.RETIRE:
        message = (
            gettext_noop("%(who)s retired “%(title)s” from the Knowledge Hub: %(reason)s")
            if reason
            else gettext_noop("%(who)s retired “%(title)s” from the Knowledge Hub.")
        )
        return _notify(practice, _author(practice), message, by, reason)
    return 0


def _latest_rating(country_team: CountryTeam, indicator: Indicator) -> str:
    """The team's rating of the PI in its most recent assessment that rated it ('' if none)."""
    row = (
        IndicatorAssessment.objects.filter(
            assessment__country_team=country_team, indicator=indicator
        )
        .exclude(rating="")
        .order_by("-assessment__year")
        .values_list("rating", flat=True)
        .first()
    )
    return row or ""


def _new_practice(
    *,
    kind: str,
    country_team: CountryTeam,
    by: User,
    title: str,
    summary: str,
    what_done: str,
    result: str,
    dimension: Dimension | None,
    year: int,
    language: str,
    anonymous: bool,
    source_evidence: Evidence | None = None,
) -> Practice:
    texts = {
        "title": search.clean(title).strip(),
        "summary": search.clean(summary).strip(),
        "what_done": search.clean(what_done).strip(),
        "result": search.clean(result).strip(),
    }
    _check_texts(**texts)
    practice = Practice(
        kind=kind,
        country_team=country_team,
        author=by,
        author_name=_display_name(by),
        dimension=dimension,
        year=year,
        language=language,
        anonymous=anonymous,
        source_evidence=source_evidence,
        **texts,
    )
    practice.full_clean(exclude=["search_vector"])
    practice.save()
    return practice


@transaction.atomic
def propose_evidence(
    *,
    evidence: Evidence,
    by: User,
    summary: str,
    language: str,
    title: str = "",
    anonymous: bool = False,
) -> Practice:
    """Offer one of the team's evidence items to the hub. The file is copied now, through the
    storage API (disk or bucket alike): what the coordinator agrees to and the reviewer
    publishes is exactly what the hub keeps, whatever later happens to the evidence."""
    if evidence.withdrawn_at is not None:
        raise ValidationError(_("Withdrawn evidence cannot be shared."))
    if Practice.objects.filter(source_evidence=evidence, status__in=ACTIVE).exists():
        raise ValidationError(_("This evidence is already in the Knowledge Hub or proposed to it."))
    row = evidence.indicator_assessment
    assessment: Assessment = row.assessment
    practice = _new_practice(
        kind=Practice.Kind.EVIDENCE,
        country_team=assessment.country_team,
        by=by,
        title=title or evidence.title,
        summary=summary,
        what_done="",
        result="",
        dimension=row.indicator.dimension,
        year=assessment.year,
        language=language,
        anonymous=anonymous,
        source_evidence=evidence,
    )
    PracticeIndicator.objects.create(practice=practice, indicator=row.indicator, rating=row.rating)
    if evidence.file:
        _copy_evidence_file(practice, evidence)
    if evidence.url:
        PracticeLink.objects.create(practice=practice, url=evidence.url, title=evidence.title)
    refresh_search(practice)
    _record(practice, action=Action.PROPOSE, from_status="", by=by)
    _notify_step(practice, Action.PROPOSE, by)
    return practice


def _copy_evidence_file(practice: Practice, evidence: Evidence) -> PracticeFile:
    name = evidence.original_name or os.path.basename(evidence.file.name)
    extension = os.path.splitext(evidence.file.name)[1].lower()
    copy = PracticeFile(
        practice=practice,
        original_name=name,
        content_type=evidence.content_type,
        size=evidence.size or 0,
    )
    with storage_errors(evidence.file.name), evidence.file.open("rb") as source:
        copy.text = text.extract_text(source, extension)
        # A new object under hub/, never a second reference to the evidence's own.
        copy.file.save(f"{evidence.sha256[:16] or 'evidence'}{extension}", File(source), save=False)
        copy.size = copy.size or copy.file.size
    copy.save()
    return copy


@transaction.atomic
def propose_practice(
    *,
    country_team: CountryTeam,
    by: User,
    title: str,
    summary: str,
    what_done: str,
    result: str,
    indicators: Sequence[Indicator],
    dimension: Dimension | None,
    year: int,
    language: str,
    anonymous: bool = False,
    files: Sequence[UploadedFile] = (),
    links: Sequence[Link] = (),
) -> Practice:
    """A good practice the team wrote, with the PIs it serves (each with the team's latest
    rating of it), files (checked like evidence) and links."""
    if not indicators and dimension is None:
        raise ValidationError({"indicators": _("Choose the PIs or the dimension it serves.")})
    frameworks = {indicator.framework_id for indicator in indicators}
    if dimension is not None:
        frameworks.add(dimension.framework_id)
    if len(frameworks) > 1:
        raise ValidationError({"indicators": _("The PIs and dimension must be of one framework.")})
    checked_links = []
    for link in links:
        URLValidator(schemes=["http", "https"])(link.url)
        _check_texts(title=link.title)
        checked_links.append(link)
    checked_files = [(upload, check_evidence_file(upload)) for upload in files]
    practice = _new_practice(
        kind=Practice.Kind.GOOD_PRACTICE,
        country_team=country_team,
        by=by,
        title=title,
        summary=summary,
        what_done=what_done,
        result=result,
        dimension=dimension,
        year=year,
        language=language,
        anonymous=anonymous,
    )
    PracticeIndicator.objects.bulk_create(
        PracticeIndicator(
            practice=practice, indicator=indicator, rating=_latest_rating(country_team, indicator)
        )
        for indicator in dict.fromkeys(indicators)
    )
    for upload, checked in checked_files:
        stored = PracticeFile(
            practice=practice,
            original_name=checked.safe_name,
            content_type=checked.content_type,
            size=upload.size,
            text=text.extract_text(upload, checked.extension),
        )
        with storage_errors(checked.safe_name):
            stored.file.save(f"practice{checked.extension}", upload, save=False)
        stored.save()
    PracticeLink.objects.bulk_create(
        PracticeLink(practice=practice, url=link.url, title=search.clean(link.title).strip())
        for link in checked_links
    )
    refresh_search(practice)
    _record(practice, action=Action.PROPOSE, from_status="", by=by)
    _notify_step(practice, Action.PROPOSE, by)
    return practice


def _move(
    practice: Practice,
    *,
    allowed: Iterable[str],
    to: str,
    action: str,
    by: User,
    reason: str = "",
    **changes: object,
) -> Practice:
    fresh = _locked(practice, allowed)
    from_status = fresh.status
    fresh.status = to
    for field, value in changes.items():
        setattr(fresh, field, value)
    fresh.save(update_fields=["status", "updated_at", *changes])
    _record(fresh, action=action, from_status=from_status, by=by, reason=reason)
    _notify_step(fresh, action, by, reason)
    return fresh


@transaction.atomic
def agree_by_team(*, practice: Practice, by: User) -> Practice:
    """The team's IAT coordinator agrees to share: UN Women may now see and publish it."""
    return _move(
        practice,
        allowed=[Status.PROPOSED],
        to=Status.AGREED,
        action=Action.AGREE,
        by=by,
        agreed_at=timezone.now(),
    )


@transaction.atomic
def refuse_by_team(*, practice: Practice, by: User, reason: str) -> Practice:
    return _move(
        practice,
        allowed=[Status.PROPOSED],
        to=Status.REFUSED,
        action=Action.REFUSE_TEAM,
        by=by,
        reason=_reason(reason, required=True),
    )


@transaction.atomic
def publish(*, practice: Practice, by: User) -> Practice:
    return _move(
        practice,
        allowed=[Status.AGREED],
        to=Status.PUBLISHED,
        action=Action.PUBLISH,
        by=by,
        published_at=timezone.now(),
    )


@transaction.atomic
def refuse_by_reviewer(*, practice: Practice, by: User, reason: str) -> Practice:
    return _move(
        practice,
        allowed=[Status.AGREED],
        to=Status.REFUSED,
        action=Action.REFUSE_REVIEW,
        by=by,
        reason=_reason(reason, required=True),
    )


@transaction.atomic
def withdraw(*, practice: Practice, by: User, reason: str = "") -> Practice:
    """The author (or the team's coordinator) takes the item back: it leaves the hub at once."""
    return _move(
        practice,
        allowed=ACTIVE,
        to=Status.WITHDRAWN,
        action=Action.WITHDRAW,
        by=by,
        reason=_reason(reason, required=False),
        featured=False,
    )


@transaction.atomic
def feature(*, practice: Practice, by: User, featured: bool = True) -> Practice:
    fresh = _locked(practice, [Status.PUBLISHED])
    if fresh.featured == featured:
        return fresh
    fresh.featured = featured
    fresh.save(update_fields=["featured", "updated_at"])
    _record(
        fresh,
        action=Action.FEATURE if featured else Action.UNFEATURE,
        from_status=fresh.status,
        by=by,
    )
    return fresh


@transaction.atomic
def retire(*, practice: Practice, by: User, reason: str = "") -> Practice:
    """An administrator takes a published item out of the hub (outdated, superseded)."""
    return _move(
        practice,
        allowed=[Status.PUBLISHED],
        to=Status.RETIRED,
        action=Action.RETIRE,
        by=by,
        reason=_reason(reason, required=False),
        featured=False,
    )
