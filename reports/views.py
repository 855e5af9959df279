"""The report pages: the overview's Report card, asking for a PDF, its status, its download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.storage import storage_error_pages
from scorecard.permissions import get_assessment_for_user

from . import selectors, services
from .dispatch import ensure_dispatched
from .forms import ReportRequestForm
from .permissions import get_report_job_for_user
from .storage import file_response


@login_required
def report_card(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The overview's Report card (loaded by htmx), or a page of its own without JavaScript."""
    assessment = get_assessment_for_user(request.user, code, year)
    template = "reports/_report_card.html" if request.htmx else "reports/report.html"
    context = {
        "assessment": assessment,
        "team": assessment.country_team,
        "card": selectors.report_card(assessment),
        # The language the person reads the site in: for a user, their profile's, which the
        # session already holds (core.middleware), so the card pays no query for it.
        "default_language": services.default_language(None),
    }
    return render(request, template, context)


@login_required
@require_POST
def report_request(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Anyone who may see the assessment may ask for its PDF, in any of the site's languages (their
    own by default); unchanged data is served at once. An unknown language is a message."""
    assessment = get_assessment_for_user(request.user, code, year)
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        problem = " ".join(form.errors["language"])
        if request.htmx:  # in the card's status slot, where the job would have appeared
            return render(request, "reports/_report_status.html", {"job": None, "problem": problem})
        messages.error(request, problem)
        return redirect("reports:card", code=code, year=year)
    job = services.request_report(
        assessment=assessment, by=request.user, language=form.cleaned_data["language"] or None
    )
    job.refresh_from_db()  # embedded mode renders on commit: show where it is now
    if request.htmx:
        return render(request, "reports/_report_status.html", {"job": job})
    messages.success(
        request,
        _("Your PDF report is requested: %(status)s.")
        % {"status": job.get_status_display().lower()},
    )
    return redirect("reports:card", code=code, year=year)


@login_required
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's state, polled every 2 s while it is queued or rendering."""
    job = get_report_job_for_user(request.user, pk)
    ensure_dispatched(job)
    return render(request, "reports/_report_status.html", {"job": job})


@login_required
@storage_error_pages
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The only way to a report file: after the permission gate, never from a public URL (from
    the bucket: a redirect to a URL that expires within minutes, made only past the gate)."""
    return file_response(get_report_job_for_user(request.user, pk))
