"""HTML views: fetch through the permission gate, validate with a form, call one service."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from core.bodies import body_limit, upload_limit
from core.models import Membership
from core.permissions import (
    can_coordinate_team,
    can_endorse_for_team,
    can_invite,
    can_review_team,
    can_view_global,
    country_teams_visible_to,
    get_country_team_for_user,
    is_admin,
    team_roles,
)
from core.storage import StorageError, is_remote, send_file, storage_error_pages
from core.tabular import XLSX_CONTENT_TYPE
from parity.selectors import pi43_summary

from . import selectors, services, workbook, workbook_import, workflow
from .forms import (
    ActionPointForm,
    AssessmentProcessForm,
    CommentForm,
    EvidenceForm,
    IATMemberFormSet,
    IndicatorAssessmentForm,
    NewAssessmentForm,
    ProblemsForm,
    ReopenDecisionForm,
    ReopenRequestForm,
    WorkbookUploadForm,
    WorkflowStepForm,
)
from .framework_cache import attach_framework_rows
from .models import Assessment, IndicatorAssessment, Rating, ReopenRequest
from .permissions import (
    can_comment,
    can_edit_assessment,
    can_view_assessment,
    get_action_point_for_user,
    get_assessment_for_user,
    get_comment_for_user,
    get_evidence_for_user,
    get_indicator_assessment_for_user,
    read_only_reason,
)


def _form_errors_from(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def home(request: HttpRequest) -> HttpResponse:
    """What waits for the user, and their country teams with the assessments they may see.

    A visitor who is not logged in gets the front page instead: what the product is, the public
    commitments dashboard and the way in (log in, or single sign-on when configured).
    """
    if not request.user.is_authenticated:
        return render(request, "scorecard/front.html")
    teams = country_teams_visible_to(request.user).prefetch_related(
        Prefetch("assessments", queryset=Assessment.objects.order_by("-year"))
    )
    roles = team_roles(request.user)
    rows = [
        (
            team,
            Membership.Role(roles[team.pk]).label if team.pk in roles else None,
            [a for a in team.assessments.all() if can_view_assessment(request.user, a)],
        )
        for team in teams
    ]
    return render(
        request,
        "scorecard/home.html",
        {
            "rows": rows,
            "waiting": selectors.waiting_for(request.user),
            "can_view_global": can_view_global(request.user),
        },
    )


@login_required
def team_assessments(request: HttpRequest, code: str) -> HttpResponse:
    team = get_country_team_for_user(request.user, code)
    can_start = can_coordinate_team(request.user, team.pk)
    assessments = list(selectors.assessments_for_team(team, request.user))
    initial = (
        {"year": assessments[0].year + 1, "kind": Assessment.Kind.ANNUAL}
        if assessments
        else {"kind": Assessment.Kind.COMPREHENSIVE}
    )
    latest = assessments[0] if assessments else None
    unapproved = latest if latest and latest.status != Assessment.Status.APPROVED else None
    form = NewAssessmentForm(request.POST or None, initial=initial, unapproved=unapproved)
    if request.method == "POST":
        if not can_start:
            raise PermissionDenied
        if form.is_valid():
            try:
                create = (
                    services.create_comprehensive_assessment
                    if form.cleaned_data["kind"] == Assessment.Kind.COMPREHENSIVE
                    else services.create_annual_assessment
                )
                assessment = create(
                    country_team=team, year=form.cleaned_data["year"], by=request.user
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                messages.success(
                    request, _("Assessment %(year)s created.") % {"year": assessment.year}
                )
                return redirect("scorecard:assessment", code=team.code, year=assessment.year)
    return render(
        request,
        "scorecard/team_assessments.html",
        {
            "team": team,
            "assessments": assessments,
            "form": form,
            "unapproved": unapproved,
            "can_start": can_start,
            "can_invite": can_invite(request.user, team.pk),
        },
    )


@login_required
def assessment_overview(request: HttpRequest, code: str, year: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, code, year)
    return _overview_page(request, assessment)


def _overview_page(
    request: HttpRequest, assessment: Assessment, *, refused: Any = None
) -> HttpResponse:
    """The overview; `refused`: a small form (workflow step, reopen request or decision) that
    was refused, re-shown with what was typed and its errors summarised at the top (status 400,
    on the overview's own address: static/js/page-url.js puts it back in the address bar)."""
    groups = selectors.assessment_overview(assessment)
    team_id = assessment.country_team_id
    return render(
        request,
        "scorecard/assessment_overview.html",
        {
            "refused": refused,
            "page_url": (
                reverse(
                    "scorecard:assessment", args=[assessment.country_team.code, assessment.year]
                )
                if refused is not None
                else None
            ),
            "assessment": assessment,
            "team": assessment.country_team,
            "groups": groups,
            # The "≠" sign gets a legend under the tables only when a row shows it.
            "any_differs": any(r.differs_from_suggestion for g in groups for r in g.rows),
            "status": selectors.completeness(assessment, groups),
            "checks": selectors.quality_checks(assessment, groups),
            "transitions": workflow.available_transitions(request.user, assessment),
            "history": (history := selectors.workflow_history(assessment)),
            # Why it came back to the team, on top of the page while that is the latest step.
            "current_return": selectors.current_return(assessment, history),
            "reopen_requests": list(assessment.reopen_requests.all()),
            "can_request_reopen": assessment.status == Assessment.Status.APPROVED
            and (
                can_coordinate_team(request.user, team_id)
                or can_endorse_for_team(request.user, team_id)
            ),
            "can_decide_reopen": can_review_team(request.user, assessment.country_team),
            "can_edit": can_edit_assessment(request.user, assessment),
        },
        status=400 if refused is not None else 200,
    )


# Steps that ask the person to confirm on the page before they are taken (the API's clients
# confirm in their own way).
CONFIRMED_STEPS = frozenset({"approve"})


@login_required
@require_POST
def workflow_action(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """One button per workflow step; the workflow module decides whether it is allowed."""
    assessment = get_assessment_for_user(request.user, code, year)
    action = request.POST.get("action", "")
    step = workflow.TRANSITIONS.get(action)
    form = WorkflowStepForm(
        request.POST,
        action=action if step else "step",  # the action names the field ids: only known ones
        label=(_("Reason") if step.needs_comment else _("Comment")) if step else None,
    )
    if not form.is_valid():  # only what no text may hold (a NUL character): the workflow decides
        return _overview_page(request, assessment, refused=form)
    if action in CONFIRMED_STEPS and request.POST.get("confirm") != "yes":
        # Approval is final: the reviewer ticks "I have checked…" first (a required box, so
        # the browser asks before sending; checked here too, for a form sent without it).
        form.add_error(None, _("Tick the box to confirm that you checked the assessment."))
        return _overview_page(request, assessment, refused=form)
    try:
        event = workflow.transition(
            assessment=assessment,
            action=action,
            by=request.user,
            comment=form.cleaned_data["comment"],
            indicator_codes=form.cleaned_data["indicators"],
        )
    except ValidationError as error:
        _form_errors_from(form, error)
        return _overview_page(request, assessment, refused=form)
    else:
        messages.success(
            request,
            _("Done: the assessment is now “%(status)s”.")
            % {"status": Assessment.Status(event.to_status).label},
        )
    return redirect("scorecard:assessment", code=code, year=year)


@login_required
@require_POST
def reopen_request(request: HttpRequest, code: str, year: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, code, year)
    form = ReopenRequestForm(request.POST)
    if not form.is_valid():
        return _overview_page(request, assessment, refused=form)
    try:
        workflow.request_reopen(
            assessment=assessment, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _form_errors_from(form, error)
        return _overview_page(request, assessment, refused=form)
    else:
        messages.success(request, _("Your request to reopen was sent to UN Women."))
    return redirect("scorecard:assessment", code=code, year=year)


@login_required
@require_POST
def reopen_decide(request: HttpRequest, code: str, year: int, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, code, year)
    reopen = get_object_or_404(ReopenRequest, pk=pk, assessment=assessment)
    form = ReopenDecisionForm(request.POST, request_pk=reopen.pk)
    if not form.is_valid():
        return _overview_page(request, assessment, refused=form)
    try:
        workflow.decide_reopen(
            reopen_request=reopen,
            by=request.user,
            grant=request.POST.get("decision") == "grant",
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        _form_errors_from(form, error)
        return _overview_page(request, assessment, refused=form)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("scorecard:assessment", code=code, year=year)


@login_required
def assessment_process(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Seed section 5: the process narrative and the IAT members, edited on one page."""
    assessment = get_assessment_for_user(request.user, code, year, write=request.method == "POST")
    members = assessment.iat_members.select_related("entity")
    form = AssessmentProcessForm(request.POST or None, instance=assessment)
    formset = IATMemberFormSet(
        request.POST or None,
        prefix="iat",
        initial=[
            {
                "name": m.name,
                "title": m.title,
                "entity": m.entity,
                "is_coordinator": m.is_coordinator,
            }
            for m in members
        ],
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            services.update_assessment_process(
                assessment=assessment, by=request.user, **form.cleaned_data
            )
            services.set_iat_members(
                assessment=assessment,
                by=request.user,
                members=[
                    f.cleaned_data
                    for f in formset.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")
                ],
            )
        messages.success(request, _("The process section is saved."))
        return redirect("scorecard:assessment", code=code, year=year)
    return render(
        request,
        "scorecard/assessment_process.html",
        {
            "assessment": assessment,
            "team": assessment.country_team,
            "form": form,
            "formset": formset,
            "can_edit": can_edit_assessment(request.user, assessment),
        },
    )


@login_required
def export_assessment(request: HttpRequest, code: str, year: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, code, year)
    body = json.dumps(selectors.assessment_document(assessment), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"unct-swap-{assessment.country_team.code}-{assessment.year}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _pi_context(request: HttpRequest, row: IndicatorAssessment, **extra: Any) -> dict[str, Any]:
    assessment = row.assessment
    indicator = row.indicator
    editable = can_edit_assessment(request.user, assessment)
    form = extra.pop("form")
    rules = sorted(indicator.rules.all(), key=lambda r: Rating(r.level).rank)
    evidence = selectors.evidence_for_row(row, include_withdrawn=True)
    suggestion, chosen = Rating(row.suggested_rating), row.rating
    evidence_form = extra.pop("evidence_form", None)
    action_point_form = extra.pop("action_point_form", None)
    comment_form = extra.pop("comment_form", None)
    pi_url = reverse(
        "scorecard:indicator", args=[assessment.country_team.code, assessment.year, indicator.code]
    )
    # The refused form (if any), the id its summary links its form-wide errors to, and what
    # did not happen: the PI form's own "Not saved" is in the page's header.
    refused, anchor, lead = next(
        (
            (f, anchor, lead)
            for f, anchor, lead in (
                (form, "pi-form", None),
                (evidence_form, "evidence-form", _("The evidence was not added.")),
                (action_point_form, "action-point-form", _("The action point was not added.")),
                (comment_form, "comment-form", _("The comment was not posted.")),
            )
            if f is not None and f.is_bound and f.errors
        ),
        (None, None, None),
    )
    if form.is_bound and hasattr(form, "cleaned_data"):
        # Re-shown after an error: suggest from what the user typed, not from what is saved.
        suggestion = services.suggested_rating_for(
            indicator,
            form.cleaned_data.get("criteria_met", []),
            form.cleaned_data.get("numeric_value"),
        )
        chosen = form.cleaned_data.get("rating", "")
    return {
        "form": form,
        "suggestion": suggestion,
        "differs": bool(chosen) and chosen != suggestion and not row.is_carried,
        "assessment": assessment,
        "team": assessment.country_team,
        "row": row,
        "indicator": indicator,
        "levels": _criteria_by_level(form, rules),
        "text_fields": [
            (form["override_justification"], 3),
            (form["explanation"], 4),
            (form["means_of_verification"], 4),
        ],
        "carried_source": selectors.carried_source(row) if row.is_carried else None,
        "evidence": [e for e in evidence if e.withdrawn_at is None],
        "withdrawn_evidence": [e for e in evidence if e.withdrawn_at is not None],
        "return_reasons": selectors.return_reasons_for(row),
        "threads": selectors.comment_threads(row),
        "can_comment": can_comment(request.user, assessment),
        "can_propose": can_comment(request.user, assessment)
        and can_review_team(request.user, assessment.country_team),
        "comment_form": comment_form or CommentForm(),
        "rating_choices": Rating.choices,
        "action_points": selectors.action_points_for(assessment, indicator=indicator),
        "parity": (
            pi43_summary(assessment.country_team, assessment.year)
            if indicator.code == "4.3"
            else None
        ),
        "can_edit": editable,
        # Why the page is read-only, said in words (the form alone just looks greyed out).
        "read_only_reason": read_only_reason(request.user, assessment),
        # "To verify" marks reconstructed framework text: a task for whoever can import the
        # official text (administrators), noise for everyone else.
        "show_to_verify": is_admin(request.user),
        "locked": row.is_carried,
        # The add-evidence and add-action-point forms and the history load when opened
        # (pi_part): rendering them on every view cost more than the rest of the page. A form
        # is here only when re-shown with the user's input after an error.
        "evidence_form": evidence_form,
        "action_point_form": action_point_form,
        "pi_url": pi_url,
        # The form that was refused, for the error summary at the top of the page; the address
        # bar goes back to the PI page when the form was posted elsewhere (templates/_page_url).
        # No #fragment: on load the browser would move the focus from the summary to it.
        "summary_form": refused,
        "summary_anchor": anchor,
        "summary_lead": lead,
        "page_url": pi_url if refused is not None and request.path != pi_url else None,
        # The PI form itself was refused: the header says that nothing was saved, so the
        # rating there (the saved one) is not taken for the choice in the form.
        "unsaved": form.is_bound,
        **extra,
    }


def _pi_page_refused(
    request: HttpRequest, row: IndicatorAssessment, *, status: int = 400, **refused_form: Any
) -> HttpResponse:
    """The PI page again, with the saved rating form and the one side form (evidence, action
    point, comment) that was refused, open with what was typed and summarised at the top."""
    form = IndicatorAssessmentForm(
        initial=IndicatorAssessmentForm.initial_for(row), indicator=row.indicator
    )
    return render(
        request,
        "scorecard/indicator.html",
        _pi_context(request, row, form=form, **refused_form),
        status=status,
    )


def _criteria_by_level(form: IndicatorAssessmentForm, rules: list[Any]) -> list[dict[str, Any]]:
    """Criteria grouped under the level that introduces them, each with its findings box."""
    by_level: dict[str, list[Any]] = {}
    for criterion in form.criteria:
        field = form[form.finding_field(criterion)]
        by_level.setdefault(criterion.level, []).append((criterion, field))
    return [
        {"level": Rating(rule.level), "rule": rule, "criteria": by_level.get(rule.level, [])}
        for rule in rules
    ]


def _load_row(
    request: HttpRequest, code: str, year: int, pi: str, *, write: bool
) -> IndicatorAssessment:
    row = get_indicator_assessment_for_user(request.user, code, year, pi, write=write)
    # The PI's criteria, rules and categories: from this process's cache, or one query each.
    attach_framework_rows(row.indicator, row.assessment.framework)
    return row


@login_required
def indicator_page(request: HttpRequest, code: str, year: int, pi: str) -> HttpResponse:
    row = _load_row(request, code, year, pi, write=request.method == "POST")
    if request.method == "POST":
        if row.is_carried:
            raise PermissionDenied
        form = IndicatorAssessmentForm(request.POST, indicator=row.indicator)
        if form.is_valid():
            try:
                services.save_indicator_assessment(
                    row=row,
                    by=request.user,
                    data=form.rating_input(),
                    expected_version=form.cleaned_data["version"],
                )
            except services.ConcurrentEditError as conflict:
                messages.error(
                    request,
                    _(
                        "%(who)s saved this PI while you were editing it. Your text is still in "
                        "the form below; compare it with their version and save again."
                    )
                    % {"who": conflict.current.updated_by or _("Someone")},
                )
                data = request.POST.copy()
                data["version"] = conflict.current.version
                form = IndicatorAssessmentForm(data, indicator=row.indicator)
                form.is_valid()
                return render(
                    request,
                    "scorecard/indicator.html",
                    _pi_context(request, row, form=form, conflict=conflict.current),
                    status=409,
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            else:
                messages.success(request, _("PI %(code)s saved.") % {"code": pi})
                return redirect("scorecard:indicator", code=code, year=year, pi=pi)
        return render(
            request, "scorecard/indicator.html", _pi_context(request, row, form=form), status=400
        )
    form = IndicatorAssessmentForm(
        initial=IndicatorAssessmentForm.initial_for(row), indicator=row.indicator
    )
    return render(request, "scorecard/indicator.html", _pi_context(request, row, form=form))


@login_required
@require_POST
def indicator_suggest(request: HttpRequest, code: str, year: int, pi: str) -> HttpResponse:
    """The suggested rating for what is ticked right now (htmx: updates as boxes are ticked)."""
    row = _load_row(request, code, year, pi, write=False)
    form = IndicatorAssessmentForm(request.POST, indicator=row.indicator)
    form.is_valid()  # partial input is fine here: use what parsed
    suggestion = services.suggested_rating_for(
        row.indicator,
        form.cleaned_data.get("criteria_met", []),
        form.cleaned_data.get("numeric_value"),
    )
    chosen = form.cleaned_data.get("rating", "")
    return render(
        request,
        "scorecard/_suggestion.html",
        {"suggestion": Rating(suggestion), "differs": bool(chosen) and chosen != suggestion},
    )


@login_required
@require_POST
def indicator_reassess(request: HttpRequest, code: str, year: int, pi: str) -> HttpResponse:
    row = _load_row(request, code, year, pi, write=True)
    services.start_reassessment(row=row, by=request.user)
    messages.info(request, _("PI %(code)s is now being reassessed this year.") % {"code": pi})
    return redirect("scorecard:indicator", code=code, year=year, pi=pi)


PI_PARTS = {
    # name: (template of the part, page title, needs write access)
    "evidence": ("scorecard/_evidence_form.html", gettext_lazy("Add evidence"), True),
    "action-point": (
        "scorecard/_action_point_form.html",
        gettext_lazy("Add an action point"),
        True,
    ),
    "history": ("scorecard/_history.html", gettext_lazy("History"), False),
}


@login_required
def pi_part(request: HttpRequest, code: str, year: int, pi: str, part: str) -> HttpResponse:
    """A section of the PI page loaded when opened: the fragment for htmx, otherwise a page
    of its own, so that every link works without JavaScript too."""
    if part not in PI_PARTS:
        raise Http404
    template, title, write = PI_PARTS[part]
    row = _load_row(request, code, year, pi, write=write)
    assessment = row.assessment
    context: dict[str, Any] = {
        "row": row,
        "assessment": assessment,
        "team": assessment.country_team,
        "indicator": row.indicator,
        "part_title": title,
        "pi_url": reverse("scorecard:indicator", args=[assessment.country_team.code, year, pi]),
    }
    if part == "evidence":
        context["evidence_form"] = EvidenceForm(indicator=row.indicator)
    elif part == "action-point":
        context["action_point_form"] = ActionPointForm(
            assessment=assessment, initial={"indicator": row.indicator}
        )
    else:
        context["history"] = selectors.row_history(row)
    if request.htmx:
        return render(request, template, context)
    return render(request, "scorecard/pi_part.html", {**context, "part_template": template})


@body_limit(upload_limit(lambda: settings.EVIDENCE_MAX_BYTES))
@login_required
@require_POST
def evidence_add(request: HttpRequest, code: str, year: int, pi: str) -> HttpResponse:
    row = _load_row(request, code, year, pi, write=True)
    form = EvidenceForm(request.POST, request.FILES, indicator=row.indicator)
    status = 400
    if form.is_valid():
        try:
            services.add_evidence(row=row, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors_from(form, error)
        except StorageError as error:  # nothing saved: the file storage is out of reach
            form.add_error(None, str(error.message))
            status = error.status
        else:
            messages.success(request, _("Evidence added."))
            return redirect(
                reverse("scorecard:indicator", kwargs={"code": code, "year": year, "pi": pi})
                + "#evidence"
            )
    return _pi_page_refused(request, row, status=status, evidence_form=form)


@login_required
@storage_error_pages
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The only way to an evidence file: after the permission gate, never from a public URL (from
    the bucket: a redirect to a URL that expires within minutes, made only past the gate)."""
    evidence = get_evidence_for_user(request.user, pk)
    if not evidence.file:
        raise Http404
    filename = evidence.original_name or evidence.file.name
    content_type = evidence.content_type or "application/octet-stream"
    backend = settings.EVIDENCE_DOWNLOAD_BACKEND
    if backend not in ("nginx", "sendfile") or is_remote(evidence.file.storage):
        return send_file(evidence.file, filename=filename, content_type=content_type)
    # The web server streams the bytes from MEDIA_ROOT; Django only decides whether it may.
    response = HttpResponse(content_type=content_type)
    if backend == "nginx":
        response["X-Accel-Redirect"] = settings.EVIDENCE_ACCEL_PREFIX + evidence.file.name
    else:
        response["X-Sendfile"] = evidence.file.path
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def action_plan(request: HttpRequest, code: str, year: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, code, year, write=request.method == "POST")
    form = ActionPointForm(request.POST or None, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        services.create_action_point(assessment=assessment, by=request.user, **form.cleaned_data)
        messages.success(request, _("Action point added."))
        next_url = request.POST.get("next", "")
        if next_url.startswith("/") and not next_url.startswith("//"):
            return redirect(next_url)
        return redirect("scorecard:action_plan", code=code, year=year)
    from_pi = request.POST.get("from_pi", "") if request.method == "POST" else ""
    if from_pi:
        # Added from a PI page: refused, it is re-shown there, the form open with what was typed.
        row = _load_row(request, code, year, from_pi, write=True)
        return _pi_page_refused(request, row, action_point_form=form)
    return render(
        request,
        "scorecard/action_plan.html",
        {
            "assessment": assessment,
            "team": assessment.country_team,
            "plan": selectors.action_plan(assessment),
            "form": form,
            "can_edit": can_edit_assessment(request.user, assessment),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def action_point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_action_point_for_user(request.user, pk, write=True)
    if point.withdrawn_at is not None:
        raise PermissionDenied  # withdrawn points stay as they were, for the history
    assessment = point.assessment
    form = ActionPointForm(request.POST or None, instance=point, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        services.update_action_point(action_point=point, by=request.user, **form.cleaned_data)
        messages.success(request, _("Action point saved."))
        return redirect(
            "scorecard:action_plan", code=assessment.country_team.code, year=assessment.year
        )
    return render(
        request,
        "scorecard/action_point_edit.html",
        {"assessment": assessment, "team": assessment.country_team, "form": form, "point": point},
    )


@login_required
@require_POST
def comment_add(request: HttpRequest, code: str, year: int, pi: str) -> HttpResponse:
    row = _load_row(request, code, year, pi, write=False)
    if not can_comment(request.user, row.assessment):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = get_comment_for_user(request.user, form.cleaned_data["parent"])
        proposed = form.cleaned_data.get("proposed_rating", "")
        if proposed and not can_review_team(request.user, row.assessment.country_team):
            raise PermissionDenied  # only reviewers propose ratings
        try:
            services.add_comment(
                row=row,
                by=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
                proposed_rating=proposed,
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("Comment posted."))
            return redirect(
                reverse("scorecard:indicator", kwargs={"code": code, "year": year, "pi": pi})
                + "#comments"
            )
    return _pi_page_refused(request, row, comment_form=form)


@login_required
@require_POST
def comment_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_comment_for_user(request.user, pk, write=True)
    services.resolve_comment(comment=comment, by=request.user)
    row = comment.indicator_assessment
    return redirect(
        reverse(
            "scorecard:indicator",
            kwargs={
                "code": row.assessment.country_team.code,
                "year": row.assessment.year,
                "pi": row.indicator.code,
            },
        )
        + "#comments"
    )


@login_required
@require_POST
def evidence_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_evidence_for_user(request.user, pk, write=True)
    row = evidence.indicator_assessment
    try:
        services.withdraw_evidence(
            evidence=evidence, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Evidence withdrawn. It stays in the history."))
    return redirect(
        reverse(
            "scorecard:indicator",
            kwargs={
                "code": row.assessment.country_team.code,
                "year": row.assessment.year,
                "pi": row.indicator.code,
            },
        )
        + "#evidence"
    )


@login_required
@require_POST
def action_point_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_action_point_for_user(request.user, pk, write=True)
    try:
        services.withdraw_action_point(
            action_point=point, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Action point withdrawn. It stays in the history."))
    return redirect(
        "scorecard:action_plan", code=point.assessment.country_team.code, year=point.assessment.year
    )


# --- The assessment workbook (scorecard/workbook.py, scorecard/workbook_import.py) ------------


@login_required
def workbook_download(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The assessment as an .xlsx workbook in the reader's language: anyone who sees it."""
    assessment = get_assessment_for_user(request.user, code, year)
    body = workbook.build_workbook(
        selectors.workbook_data(assessment), language=translation.get_language()
    )
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, workbook.filename(assessment)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _workbook_upload_page(
    request: HttpRequest,
    assessment: Assessment,
    form: WorkbookUploadForm,
    *,
    problems: ProblemsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "scorecard/workbook_upload.html",
        {
            "assessment": assessment,
            "team": assessment.country_team,
            "form": form,
            "summary": problems or form,  # what the error summary lists
        },
        status=status,
    )


def _workbook_preview(
    request: HttpRequest,
    assessment: Assessment,
    plan: workbook_import.ImportPlan,
    *,
    token: str,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "scorecard/workbook_preview.html",
        {
            "assessment": assessment,
            "team": assessment.country_team,
            "plan": plan,
            "token": token,
            "digest": plan.digest(),
        },
        status=status,
    )


@body_limit(upload_limit(workbook.MAX_BYTES))
@login_required
def workbook_upload(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Upload a filled-in workbook: every cell is checked, then every change is previewed."""
    assessment = get_assessment_for_user(request.user, code, year, write=True)
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            plan = workbook_import.plan_upload(assessment=assessment, data=data)
        except workbook.WorkbookRefused as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            token = workbook_import.upload_token(
                data=data, user=request.user, assessment=assessment
            )
            return _workbook_preview(request, assessment, plan, token=token)
    return _workbook_upload_page(
        request, assessment, form, status=400 if form.is_bound and form.errors else 200
    )


@body_limit(upload_limit(workbook_import.TOKEN_MAX_BYTES))
@login_required
@require_POST
def workbook_apply(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Apply a previewed workbook: the file comes back in the preview's signed token, is checked
    again, and is applied only if it still makes the changes that were shown."""
    assessment = get_assessment_for_user(request.user, code, year, write=True)
    token = request.POST.get("token", "")
    try:
        data = workbook_import.upload_from_token(token, user=request.user, assessment=assessment)
        plan = workbook_import.apply_upload(
            assessment=assessment,
            by=request.user,
            data=data,
            use_workbook=request.POST.getlist("use_workbook"),
            digest=request.POST.get("digest", ""),
        )
    except workbook.WorkbookRefused as refused:
        problems = ProblemsForm.listing(refused.messages)
        return _workbook_upload_page(
            request, assessment, WorkbookUploadForm(), problems=problems, status=400
        )
    except workbook_import.PlanChanged as changed:
        messages.warning(
            request,
            _(
                "The assessment changed since the preview: check the changes again before you "
                "apply them."
            ),
        )
        return _workbook_preview(request, assessment, changed.plan, token=token, status=409)
    applied, left = len(plan.applied_items), len(plan.items) - len(plan.applied_items)
    if not plan.has_changes:
        messages.info(request, _("No changes: the workbook matches the assessment."))
    elif applied:
        messages.success(
            request,
            ngettext(
                "Workbook applied: %(count)s change saved.",
                "Workbook applied: %(count)s changes saved.",
                applied,
            )
            % {"count": applied},
        )
    if left:
        messages.warning(
            request,
            ngettext(
                "%(count)s conflict was left as it is on the platform.",
                "%(count)s conflicts were left as they are on the platform.",
                left,
            )
            % {"count": left},
        )
    return redirect("scorecard:assessment", code=assessment.country_team.code, year=year)
