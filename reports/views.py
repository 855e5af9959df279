"""The report pages: the overview's Report card, asking for a PDF, its status, its download;
the Word document, made at once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.storage import storage_error_pages
from scorecard.permissions import get_assessment_for_user

from . import docx, selectors, services
from .dispatch import ensure_dispatched
from .forms import ReportRequestForm
from .permissions import get_report_job_for_user
from .storage import file_response


def _problems(form: ReportRequestForm) -> str:
    """The form's errors as one message (the language's, in practice)."""
    return " ".join(message for errors in form.errors.values() for message in errors)


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
        problem = _problems(form)
        if request.htmx:  # in the card's status slot, where the job would have appeared
            return render(request, "reports/_report_status.html", {"job": None, "problem": problem})
        messages.error(request, problem)
        return redirect("reports:card", code=code, year=year)
    if form.cleaned_data["format"] == "docx":  # the card's "Word (.docx)" button
        language = form.cleaned_data["language"] or services.default_language(request.user)
        query = urlencode({"language": language})
        team = assessment.country_team.code
        url = f"{reverse('reports:docx', args=[team, assessment.year])}?{query}"
        # htmx follows HX-Redirect with the browser, which saves the file and stays on the page.
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    job = services.request_report(
        assessment=assessment, by=request.user, language=form.cleaned_data["language"] or None
    )
    job.refresh_from_db()  # a worker (or the embedded thread) may have started it by now
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


@login_required
@require_GET
def report_docx(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The report as a Word document, made now from the data as it is (no job: about 0.3 s, and
    about 1 s with every text at its limit, docs/report.md), for anyone who may see the
    assessment; `?language=` one of the site's (the person's own when empty)."""
    assessment = get_assessment_for_user(request.user, code, year)
    form = ReportRequestForm(request.GET)
    if not form.is_valid():
        messages.error(request, _problems(form))
        return redirect("reports:card", code=code, year=year)
    language = form.cleaned_data["language"] or services.default_language(request.user)
    response = HttpResponse(
        selectors.report_docx(assessment, language=language), content_type=docx.CONTENT_TYPE
    )
    name = docx.download_name(assessment.country_team.code, assessment.year, language)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"  # the data of the moment, and not for shared caches
    return response
