"""The Knowledge Hub's pages. Thin: every item through hub.permissions' gate, every write
through hub.services, every read through hub.selectors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.bodies import body_limit, upload_limit
from core.models import Membership
from core.permissions import (
    EDITOR_ROLES,
    get_country_team_for_user,
    is_admin,
    is_reviewer,
    reviews_region,
    role_in,
    team_roles,
)
from core.storage import StorageError, send_file, storage_error_pages
from scorecard.permissions import get_evidence_for_user

from . import selectors, services
from .forms import MAX_FILES, ProposeForm, ProposePracticeForm, ReasonForm, SearchForm
from .models import Practice
from .permissions import (
    can_agree,
    can_curate,
    can_propose,
    can_publish,
    can_withdraw,
    get_practice_for_user,
)
from .selectors import HubFilters

Status = Practice.Status


def _form_errors_from(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


# --- Search ----------------------------------------------------------------------------------


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Every published item, searched and filtered; the featured first when nothing is asked."""
    choices = selectors.filter_choices(request.user)
    form = SearchForm(request.GET, choices=choices)
    data, ignored = form.usable()
    filters = HubFilters(
        indicator=data.get("pi"),
        dimension=data.get("dimension"),
        region=data.get("region"),
        language=data.get("language") or "",
        year=data.get("year"),
        rating=data.get("rating") or "",
    )
    page = selectors.search_practices(
        data.get("q") or "", filters, request.user, page=request.GET.get("page") or 1
    )
    filtered = any(value not in (None, "") for value in (*vars(filters).values(), page.query))
    return render(
        request,
        "hub/search.html",
        {
            "form": form,
            "page": page,
            "ignored": ignored,
            "filtered": filtered,
            "has_queue": choices.has_queue,
        },
    )


# --- An item ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    action: str  # the gate's action (hub.permissions.ACTIONS)
    run: Callable[..., Practice]
    reason: str  # "" (none), "optional" or "required"
    label: Any
    done: Any


STEPS: dict[str, Step] = {
    "agree": Step(
        "agree",
        services.agree_by_team,
        "",
        gettext_lazy("Agree to share"),
        gettext_lazy("You agreed to share it: a UN Women reviewer now decides on publishing it."),
    ),
    "refuse-team": Step(
        "agree",
        services.refuse_by_team,
        "required",
        gettext_lazy("Refuse to share"),
        gettext_lazy("Refused: it stays inside the team."),
    ),
    "publish": Step(
        "publish",
        services.publish,
        "",
        gettext_lazy("Publish"),
        gettext_lazy("Published: every user of the platform can now find it."),
    ),
    "refuse-review": Step(
        "publish",
        services.refuse_by_reviewer,
        "required",
        gettext_lazy("Refuse to publish"),
        gettext_lazy("Refused: it is not published."),
    ),
    "withdraw": Step(
        "withdraw",
        services.withdraw,
        "optional",
        gettext_lazy("Withdraw"),
        gettext_lazy("Withdrawn: it is no longer in the Knowledge Hub."),
    ),
    "feature": Step(
        "curate",
        lambda **kwargs: services.feature(featured=True, **kwargs),
        "",
        gettext_lazy("Feature"),
        gettext_lazy("Featured: it is shown first in the Knowledge Hub."),
    ),
    "unfeature": Step(
        "curate",
        lambda **kwargs: services.feature(featured=False, **kwargs),
        "",
        gettext_lazy("Stop featuring"),
        gettext_lazy("No longer featured."),
    ),
    "retire": Step(
        "curate",
        services.retire,
        "optional",
        gettext_lazy("Retire"),
        gettext_lazy("Retired: it is no longer in the Knowledge Hub."),
    ),
}


def _sees_history(user: Any, practice: Practice) -> bool:
    """The history (who decided what, and why) is the team's, its reviewers' and the
    administrators' business, not every reader's."""
    return (
        is_admin(user)
        or role_in(user, practice.country_team_id) is not None
        or reviews_region(user, practice.country_team.region_id)
    )


def _steps_for(user: Any, practice: Practice) -> list[str]:
    steps = []
    if can_agree(user, practice):
        steps += ["agree", "refuse-team"]
    if can_publish(user, practice):
        steps += ["publish", "refuse-review"]
    if can_curate(user, practice):
        steps += ["unfeature" if practice.featured else "feature", "retire"]
    if can_withdraw(user, practice):
        steps.append("withdraw")
    return steps


def _detail(
    request: HttpRequest,
    practice: Practice,
    *,
    refused_step: str = "",
    refused_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    history = _sees_history(request.user, practice)
    selectors.practice_details(practice, with_history=history)
    steps = [
        {
            "name": name,
            "step": STEPS[name],
            "form": refused_form if name == refused_step else ReasonForm(prefix=name),
            "refused": name == refused_step,
        }
        for name in _steps_for(request.user, practice)
    ]
    return render(
        request,
        "hub/detail.html",
        {
            "practice": practice,
            "team": practice.shown_team,
            "history": practice.events.all() if history else None,
            "steps": steps,
            "refused_form": refused_form,
            "refused_step": STEPS[refused_step] if refused_step else None,
        },
        status=status,
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_practice_for_user(request.user, pk))


@login_required
@require_POST
def step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of the item's way (agree, publish, refuse, withdraw, feature, retire); a
    refused one shows the item again with the reason typed and what to correct."""
    if step not in STEPS:
        raise Http404
    chosen = STEPS[step]
    practice = get_practice_for_user(request.user, pk, action=chosen.action)
    form = ReasonForm(request.POST, prefix=step)
    if form.is_valid():
        kwargs: dict[str, Any] = {"practice": practice, "by": request.user}
        if chosen.reason:
            kwargs["reason"] = form.cleaned_data["reason"]
        try:
            chosen.run(**kwargs)
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, str(chosen.done))
            return redirect("hub:detail", pk=practice.pk)
    return _detail(request, practice, refused_step=step, refused_form=form, status=400)


@login_required
@storage_error_pages
def file_download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """A file of an item, only past the item's gate (never from a public address)."""
    practice = get_practice_for_user(request.user, pk)
    stored = practice.files.filter(pk=file_pk).first()
    if stored is None or not stored.file:
        raise Http404
    return send_file(
        stored.file,
        filename=stored.original_name,
        content_type=stored.content_type or "application/octet-stream",
    )


# --- Proposing -------------------------------------------------------------------------------


def _interface_language() -> str:
    current = translation.get_language() or settings.LANGUAGE_CODE
    codes = dict(settings.LANGUAGES)
    return current if current in codes else settings.LANGUAGE_CODE


@body_limit(upload_limit(lambda: MAX_FILES * settings.EVIDENCE_MAX_BYTES))
@login_required
def propose(request: HttpRequest, team_code: str) -> HttpResponse:
    """A good practice the team wrote. Outsiders do not learn the team exists (404), the team's
    readers and reviewers may not propose for it (403)."""
    team = get_country_team_for_user(request.user, team_code)
    if not can_propose(request.user, team.pk):
        raise PermissionDenied
    indicators = selectors.team_framework_indicators(team.pk)
    dimensions = list({i.dimension_id: i.dimension for i in indicators}.values())
    pre_ticked = [i.pk for i in indicators if i.code == request.GET.get("pi")]
    form = ProposePracticeForm(
        request.POST or None,
        request.FILES or None,
        indicators=indicators,
        dimensions=dimensions,
        initial={
            "language": _interface_language(),
            "year": timezone.now().year,
            "indicators": pre_ticked,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                practice = services.propose_practice(
                    country_team=team,
                    by=request.user,
                    title=data["title"],
                    summary=data["summary"],
                    what_done=data["what_done"],
                    result=data["result"],
                    indicators=list(data["indicators"]),
                    dimension=data["dimension"],
                    year=data["year"],
                    language=data["language"],
                    anonymous=data["anonymous"],
                    files=data["files"],
                    links=[services.Link(url=url, title=title) for url, title in form.links()],
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            except StorageError as error:  # nothing saved: the file storage is out of reach
                form.add_error(None, str(error.message))
                status = error.status
            else:
                messages.success(
                    request,
                    _("Proposed. Your team's IAT coordinator decides whether to share it."),
                )
                return redirect("hub:detail", pk=practice.pk)
    return render(
        request,
        "hub/propose.html",
        {"form": form, "team": team, "indicator_dimensions": dimensions},
        status=status,
    )


@login_required
def propose_evidence(request: HttpRequest, evidence_pk: int) -> HttpResponse:
    """One of the team's evidence items offered to the hub (its file is copied)."""
    evidence = get_evidence_for_user(request.user, evidence_pk)
    row = evidence.indicator_assessment
    team = row.assessment.country_team
    if not can_propose(request.user, team.pk):
        raise PermissionDenied
    form = ProposeForm(
        request.POST or None,
        initial={"title": evidence.title, "language": _interface_language()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                practice = services.propose_evidence(
                    evidence=evidence, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            except StorageError as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                messages.success(
                    request,
                    _("Proposed. Your team's IAT coordinator decides whether to share it."),
                )
                return redirect("hub:detail", pk=practice.pk)
    return render(
        request,
        "hub/propose_evidence.html",
        {"form": form, "evidence": evidence, "row": row, "team": team},
        status=status,
    )


# --- Proposals -------------------------------------------------------------------------------


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """What waits for the user: as a reviewer (or administrator), the agreed items of their
    regions to publish; as a team's IAT coordinator, its proposals to agree; as an IAT member
    or coordinator, every item of the team, whatever its status."""
    user = request.user
    to_publish = list(selectors.review_queue(user)) if is_admin(user) or is_reviewer(user) else []
    roles = team_roles(user)
    editor_teams = [team_id for team_id, role in roles.items() if role in EDITOR_ROLES]
    team_items = list(selectors.practices_of_teams(editor_teams)) if editor_teams else []
    to_agree = [
        p
        for p in team_items
        if p.status == Status.PROPOSED
        and roles.get(p.country_team_id) == Membership.Role.IAT_COORDINATOR
    ]
    return render(
        request,
        "hub/queue.html",
        {
            "to_publish": to_publish,
            "to_agree": to_agree,
            "team_items": team_items,
            "reviews": is_admin(user) or is_reviewer(user),
            "coordinates": Membership.Role.IAT_COORDINATOR in roles.values(),
            "edits": bool(editor_teams),
        },
    )
