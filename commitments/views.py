"""HTML views: public reading (dashboard, commitment and maker pages, exports) and, behind a login
and a maker role, filing commitments and progress reports. Thin: gate, form, one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bodies import body_limit, upload_limit
from core.tabular import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_text, xlsx_table

from . import selectors, services
from .charts import bar_chart
from .filters import CommitmentFilter
from .forms import CommitmentForm, ImportForm, ProgressReportForm
from .models import STRONG_CRITERIA, Commitment, MakerCategory
from .permissions import (
    can_edit_maker,
    can_file_commitments,
    can_import,
    can_see_scorecard_link,
    get_commitment_for_user,
    get_maker_for_user,
    get_progress_report_for_user,
)

PAGE_SIZE = 25
IMPORT_MAX_BYTES = 5 * 1024 * 1024
EXPORT_TYPES = {
    "csv": CSV_CONTENT_TYPE,
    "xlsx": XLSX_CONTENT_TYPE,
}


def _form_errors_from(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, field_messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


def _filtered(request: HttpRequest) -> tuple[CommitmentFilter, QuerySet[Commitment]]:
    """The filters from the querystring and what they select (nothing when a value is unknown)."""
    filterset = CommitmentFilter(request.GET or None, queryset=selectors.public_commitments())
    if filterset.is_bound and not filterset.is_valid():
        return filterset, filterset.queryset.none()
    return filterset, filterset.qs


def _link(request: HttpRequest, **params: str) -> str:
    """The current querystring with `params` replaced and the page number dropped."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in params.items():
        query[name] = value
    return f"?{query.urlencode()}"


def dashboard(request: HttpRequest) -> HttpResponse:
    """The public dashboard: filters, totals, charts and the list, without a login."""
    filterset, commitments = _filtered(request)
    page = Paginator(selectors.listed(commitments), PAGE_SIZE).get_page(request.GET.get("page"))
    coalition_chart = bar_chart(
        _("Commitments per Action Coalition"),
        [
            (c.name, n, _link(request, coalition=c.code))
            for c, n in selectors.count_by_coalition(commitments)
        ],
    )
    area_chart = bar_chart(
        _("Commitments per WPS-HA Compact area"),
        [
            (str(a), n, _link(request, compact_area=a.letter))
            for a, n in selectors.count_by_compact_area(commitments)
        ],
    )
    type_chart = bar_chart(
        _("Commitments per type"),
        [
            (str(t.label), n, _link(request, type=t.value))
            for t, n in selectors.count_by_type(commitments)
        ],
    )
    return render(
        request,
        "commitments/dashboard.html",
        {
            "filter": filterset,
            "page_obj": page,
            "totals": selectors.totals(commitments),
            "charts": [coalition_chart, area_chart, type_chart],
            "can_file": can_file_commitments(request.user),
            "can_import": can_import(request.user),
            "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Exactly what the dashboard shows for the same querystring, every page of it."""
    if fmt not in EXPORT_TYPES:
        raise Http404
    _filterset, commitments = _filtered(request)
    header, rows = selectors.export_rows(commitments)
    body = (
        csv_text(header, rows) if fmt == "csv" else xlsx_table(header, rows, title=_("commitments"))
    )
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="commitments-{stamp}.{fmt}"'
    return response


def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_commitment_for_user(request.user, pk)
    reports = selectors.progress_reports_for(commitment)
    this_year = timezone.now().year
    can_edit = can_edit_maker(request.user, commitment.maker_id)
    leads = {c.pk for c in commitment.maker.leads.all()}
    return render(
        request,
        "commitments/detail.html",
        {
            "commitment": commitment,
            "maker": commitment.maker,
            "reports": reports,
            "can_edit": can_edit,
            "show_scorecard_link": can_see_scorecard_link(request.user, commitment),
            "led_coalitions": [c for c in commitment.coalitions.all() if c.pk in leads],
            "report_due": can_edit
            and commitment.start_year <= this_year <= commitment.end_year
            and commitment.status != Commitment.Status.DISCONTINUED
            and all(r.year != this_year for r in reports),
            "this_year": this_year,
        },
    )


def maker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    maker = get_maker_for_user(request.user, pk)
    return render(
        request,
        "commitments/maker.html",
        {
            "maker": maker,
            "commitments": selectors.commitments_of_maker(maker),
            "can_edit": can_edit_maker(request.user, maker.pk),
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The makers the user has a role for, and the progress reports still missing for last
    year and this year (a year's report is often filed early the next year)."""
    this_year = timezone.now().year
    years = [this_year - 1, this_year]
    return render(
        request,
        "commitments/mine.html",
        {"desks": selectors.makers_of_user(request.user, years=years)},
    )


def _criteria_context(form: CommitmentForm) -> dict[str, Any]:
    return {"criteria_fields": form.criteria_fields, "criteria_count": len(STRONG_CRITERIA)}


@login_required
def commitment_create(request: HttpRequest) -> HttpResponse:
    if not can_file_commitments(request.user):
        raise PermissionDenied
    initial = {"status": Commitment.Status.PLANNED, "start_year": timezone.now().year}
    if request.GET.get("maker", "").isdigit():
        initial["maker"] = int(request.GET["maker"])
    form = CommitmentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        maker = get_maker_for_user(request.user, form.cleaned_data["maker"].pk, write=True)
        try:
            commitment = services.create_commitment(
                maker=maker, data=form.commitment_input(), by=request.user
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("Commitment filed."))
            return redirect("commitments:detail", pk=commitment.pk)
    return render(
        request,
        "commitments/commitment_form.html",
        {"form": form, "commitment": None, **_criteria_context(form)},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_commitment_for_user(request.user, pk, write=True)
    form = CommitmentForm(request.POST or None, user=request.user, instance=commitment)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_commitment(
                commitment=commitment, data=form.commitment_input(), by=request.user
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(request, _("Commitment saved."))
            return redirect("commitments:detail", pk=commitment.pk)
    return render(
        request,
        "commitments/commitment_form.html",
        {"form": form, "commitment": commitment, "maker": commitment.maker}
        | _criteria_context(form),
        status=400 if form.is_bound and form.errors else 200,
    )


def _default_report_year(commitment: Commitment) -> int:
    return max(commitment.start_year, min(timezone.now().year, commitment.end_year))


@login_required
def progress_create(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_commitment_for_user(request.user, pk, write=True)
    year = request.GET.get("year", "")
    form = ProgressReportForm(
        request.POST or None,
        commitment=commitment,
        initial={"year": int(year) if year.isdigit() else _default_report_year(commitment)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.file_progress_report(
                commitment=commitment, data=form.progress_input(), by=request.user
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(
                request, _("Progress report for %(year)s filed.") % {"year": report.year}
            )
            return redirect("commitments:detail", pk=commitment.pk)
    return render(
        request,
        "commitments/progress_form.html",
        {"form": form, "commitment": commitment, "report": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def progress_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_progress_report_for_user(request.user, pk, write=True)
    commitment = report.commitment
    form = ProgressReportForm(
        request.POST or None,
        commitment=commitment,
        report=report,
        initial=ProgressReportForm.initial_for(report),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_progress_report(
                report=report, data=form.progress_input(), by=request.user
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(
                request, _("Progress report for %(year)s saved.") % {"year": report.year}
            )
            return redirect("commitments:detail", pk=commitment.pk)
    return render(
        request,
        "commitments/progress_form.html",
        {"form": form, "commitment": commitment, "report": report},
        status=400 if form.is_bound and form.errors else 200,
    )


@body_limit(upload_limit(IMPORT_MAX_BYTES))
@login_required
def import_file(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        if uploaded.size > IMPORT_MAX_BYTES:
            problems = [_("The file is larger than 5 MB: split it.")]
        else:
            try:
                result = services.import_commitments(
                    file_name=uploaded.name, content=uploaded.read(), by=request.user
                )
            except services.ImportFileError as error:
                problems = error.messages
            else:
                messages.success(
                    request,
                    _("Imported %(commitments)s commitments (%(makers)s new makers).")
                    % {
                        "commitments": len(result.commitments),
                        "makers": len(result.makers_created),
                    },
                )
                return redirect("commitments:dashboard")
    return render(
        request,
        "commitments/import.html",
        {
            "form": form,
            "problems": problems,
            "columns": selectors.COLUMNS,
            "categories": MakerCategory.values,
            "coalitions": selectors.coalitions(),
            "areas": selectors.compact_areas(),
            "statuses": Commitment.Status.values,
        },
        status=400 if problems or (form.is_bound and form.errors) else 200,
    )


def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """An empty file with the columns the import expects (the first sheet is the one read)."""
    if fmt not in EXPORT_TYPES:
        raise Http404
    header = selectors.IMPORT_COLUMNS.header()  # in the user's language; read back in any
    body = csv_text(header, []) if fmt == "csv" else xlsx_table(header, [], title=_("commitments"))
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="commitments-template.{fmt}"'
    return response
