"""The PDF annual progress report: its input, its context, and its jobs.

The report is a pure function of one JSON-able dict, its *input* (`report_input`): the
assessment as `selectors.assessment_document` exports it, the framework text it prints, the PI 4.3
parity table, the language and the template version. The input is read with a fixed number of
queries whatever the number of PIs, evidence items or action points; `report_context` turns it
into the template's context without touching the database; `core.pdf.render_pdf` lays it out.

A request becomes a `ReportJob` that keeps its input, so the PDF shows the data of the moment it
was asked for even if the worker gets to it later (that is what makes "as submitted" and "as
approved" copies frozen). The SHA-256 of the canonical input is the job's `content_hash`: a
request for unchanged data gets the stored file at once, and jobs with the same hash share one
file, named `reports/<CODE>-<YEAR>-<SHA-256 of the bytes>.pdf`.

The job moves queued → running → done | failed. It is sent to Celery only after the transaction
commits; when the broker is down it stays queued with a note and is sent again by the next
request, the status poll, a worker starting, or the beat task (`dispatch_pending`). The task
(scorecard/tasks.py) is acks_late: a message can come twice, so every step is guarded here.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.mail import send_mail
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import pdf
from parity.selectors import parity_status_for

from . import selectors
from .models import ActionPoint, Assessment, Indicator, Rating, ReportJob

logger = logging.getLogger(__name__)

TEMPLATE = "pdf/report.html"
INPUT_FORMAT = "unct-swap-report-input/1"
# Bump for a change of meaning the digest of templates/pdf and static/pdf cannot see.
TEMPLATE_VERSION = "1"
# Files whose bytes decide the PDF's look: a change to any of them is a new template version.
TEMPLATE_FILES = (
    "templates/pdf",
    "static/pdf",
    "templates/parity/_status_table.html",
    "templates/parity/_status_row.html",
)
MAX_ATTEMPTS = 3
Status = ReportJob.Status
Kind = ReportJob.Kind
RATING_COLOURS = {
    Rating.MISSING: "#c0392b",
    Rating.APPROACHES: "#e67e22",
    Rating.MEETS: "#2e86c1",
    Rating.EXCEEDS: "#1e8449",
}
# Codes in ReportJob.note, worded by templates/scorecard/_report_status.html.
BROKER_DOWN_NOTE = "broker_down"
RETRYING_NOTE = "retrying"


class TransientError(Exception):
    """A failure that may pass by itself (database or storage briefly away): the task retries."""


class StillRunning(Exception):
    """Another attempt holds the job and may be alive: try again once its lease is over."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"held by another attempt for {seconds:.0f} s more")
        self.seconds = seconds


def knob(name: str, default: float) -> float:
    """An operator setting: Django settings first, then the environment (so a worker started
    for a test can be given one), then the default."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value in (None, "") else float(value)


def lease_seconds() -> float:
    """How long a running attempt is presumed alive: the task's hard time limit plus a margin."""
    return knob("REPORT_LEASE_SECONDS", 150)


# --- The input ----------------------------------------------------------------------------------


@functools.cache
def template_version() -> str:
    """TEMPLATE_VERSION, WeasyPrint's version and a digest of the template and asset files."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for entry in TEMPLATE_FILES:
        root = base / entry
        paths = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in paths:
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return f"{TEMPLATE_VERSION}-{package_version('weasyprint')}-{digest.hexdigest()[:16]}"


def _framework_input(assessment: Assessment) -> dict[str, Any]:
    indicators = list(
        Indicator.objects.filter(framework_id=assessment.framework_id)
        .select_related("dimension")
        .prefetch_related("criteria", "rules")
        .order_by("order")
    )
    dimensions: dict[int, dict[str, Any]] = {}
    for indicator in indicators:
        dimension = indicator.dimension
        dimensions.setdefault(
            dimension.number, {"number": dimension.number, "title": dimension.title}
        )
    return {
        "version": assessment.framework.version,
        "name": assessment.framework.name,
        "dimensions": [dimensions[n] for n in sorted(dimensions)],
        "indicators": [
            {
                "code": i.code,
                "dimension": i.dimension.number,
                "short_title": i.short_title,
                "statement": i.statement,
                "criteria": [
                    {"code": c.code, "letter": c.letter, "level": c.level, "text": c.text}
                    for c in i.criteria.all()
                ],
                "levels": {r.level: r.text for r in i.rules.all()},
            }
            for i in indicators
        ],
    }


def _parity_input(assessment: Assessment) -> dict[str, Any] | None:
    """PI 4.3's parity figures as the report prints them: small cells protected."""
    status = parity_status_for(assessment.country_team, assessment.year, protect_small_cells=True)
    if status is None:
        return None
    headline = status.headline
    return {
        "year": status.year,
        "as_of": status.as_of.isoformat(),
        "source": status.source,
        "entities": status.entities,
        "pct_women": None if headline.pct_women is None else str(headline.pct_women),
        "status_label": str(headline.status_label or ""),
        "table_html": render_to_string("parity/_status_table.html", {"status": status}),
    }


def report_input(assessment: Assessment) -> dict[str, Any]:
    """Everything the report prints, as plain data. A fixed number of queries (tests pin it)."""
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        return {
            "format": INPUT_FORMAT,
            "template": template_version(),
            "language": language,
            "document": selectors.assessment_document(assessment),
            "framework": _framework_input(assessment),
            "parity": _parity_input(assessment),
        }


def canonical_json(data: Any) -> bytes:
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical input: equal hashes print equal reports."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


# --- The context (no database) --------------------------------------------------------------------


@dataclass
class Finding:
    letter: str
    criterion: str
    text: str


@dataclass
class EvidenceItem:
    category: str
    title: str
    url: str
    entity: str


@dataclass
class PI:
    code: str
    short_title: str
    statement: str
    dimension_number: int
    dimension_title: str
    rating: str
    rating_label: str
    short_label: str
    reassessed: bool
    carried_from_year: int | None
    level_text: str
    findings: list[Finding]
    explanation: str
    justification: str
    means_of_verification: str
    evidence: list[EvidenceItem]

    @property
    def anchor(self) -> str:
        return "pi-" + self.code.replace(".", "-")


@dataclass
class DimensionBlock:
    number: int
    title: str
    pis: list[PI] = field(default_factory=list)
    action_points: list[dict[str, Any]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"dimension-{self.number}"


def _rating(value: str) -> tuple[str, str]:
    if not value:
        return _("Not rated"), _("NOT RATED")
    rating = Rating(value)
    return str(rating.label), rating.short_label


def _chart(pis: list[PI]) -> dict[str, Any]:
    """Table 2 of the seed, the chart lost in conversion: number of PIs per rating level."""
    counts = {level: 0 for level in Rating.ordered()}
    for pi in pis:
        if pi.rating:
            counts[Rating(pi.rating)] += 1
    top = max([*counts.values(), 1])
    # Geometry in SVG user units; the chart is 160 mm wide in the PDF.
    left, bottom, plot_height, slot = 34, 170, 140, 104
    ticks = list(range(0, top + 1, 1 if top <= 8 else 2))
    bars = []
    for index, (level, count) in enumerate(counts.items()):
        height = round(plot_height * count / top, 1)
        x = left + 12 + index * slot
        bars.append(
            {
                "level": level.value,
                "label": str(level.label),
                "short_label": level.short_label,
                "count": count,
                "colour": RATING_COLOURS[level],
                "x": x,
                "y": round(bottom - height, 1),
                "width": slot - 24,
                "height": height,
                "centre": x + (slot - 24) / 2,
            }
        )
    return {
        "bars": bars,
        "ticks": [{"value": t, "y": round(bottom - plot_height * t / top, 1)} for t in ticks],
        "left": left,
        "right": left + 12 + 4 * slot,
        "bottom": bottom,
        "width": left + 24 + 4 * slot,
        "height": bottom + 24,
        "rated": sum(counts.values()),
        "description": "; ".join(f"{b['label']}: {b['count']}" for b in bars),
    }


def _web_link(url: str) -> str:
    """Evidence links become PDF links only when they are web addresses."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _css_string(text: str) -> str:
    """Text as a CSS string literal, for the running header and footer that the template writes
    in its <style>: anything but letters, digits and spaces is escaped (no way out of the string
    or the element)."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def report_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template's context, from the input alone."""
    document = data["document"]
    framework = data["framework"]
    annual = document["kind"] == Assessment.Kind.ANNUAL
    team = document["country_team"]
    rows = {row["code"]: row for row in document["indicators"]}
    dimensions = {
        d["number"]: DimensionBlock(number=d["number"], title=d["title"])
        for d in framework["dimensions"]
    }
    pis: list[PI] = []
    for spec in framework["indicators"]:
        row = rows.get(spec["code"], {})
        rating = row.get("rating", "")
        label, short = _rating(rating)
        found = row.get("findings", {})
        dimension = dimensions[spec["dimension"]]
        pi = PI(
            code=spec["code"],
            short_title=spec["short_title"],
            statement=spec["statement"],
            dimension_number=dimension.number,
            dimension_title=dimension.title,
            rating=rating,
            rating_label=label,
            short_label=short,
            reassessed=bool(row.get("reassessed")) or not annual,
            carried_from_year=row.get("carried_from_year"),
            level_text=spec["levels"].get(rating, "") if rating else "",
            findings=[
                Finding(c["letter"], c["text"], found[c["code"]])
                for c in spec["criteria"]
                if (found.get(c["code"]) or "").strip()
            ],
            explanation=row.get("explanation", ""),
            justification=row.get("override_justification", ""),
            means_of_verification=row.get("means_of_verification", ""),
            evidence=[
                EvidenceItem(
                    category=e.get("category") or "",
                    title=e["title"],
                    url=_web_link(e.get("url") or ""),
                    entity=e.get("entity") or "",
                )
                for e in row.get("evidence", [])
            ],
        )
        pis.append(pi)
        dimension.pis.append(pi)
    titles = {pi.code: pi.short_title for pi in pis}
    dimension_of = {pi.code: pi.dimension_number for pi in pis}
    for point in document["action_points"]:
        number = dimension_of.get(point["indicator"])
        if number is not None:
            responsible = [point.get("responsible_entity") or "", point.get("responsible") or ""]
            dimensions[number].action_points.append(
                {
                    **point,
                    "indicator_title": titles[point["indicator"]],
                    "status_label": str(ActionPoint.Status(point["status"]).label),
                    "responsible_text": " · ".join(r for r in responsible if r),
                }
            )
    kind_title = (
        _("Annual progress assessment report and action plan")
        if annual
        else _("Comprehensive assessment report and action plan")
    )
    country = team["name"]
    year = document["year"]
    title = _("UNCT-SWAP Gender Equality Scorecard: %(kind)s, UNCT %(country)s %(year)s") % {
        "kind": kind_title,
        "country": country,
        "year": year,
    }
    members = document["iat_members"]
    return {
        "language": data["language"],
        "title": title,
        "author": _("United Nations Country Team in %(country)s") % {"country": country},
        "kind_title": kind_title,
        "annual": annual,
        "country": country,
        "team": team,
        "year": year,
        "status": document["status"],
        "status_label": str(Assessment.Status(document["status"]).label),
        "framework": framework,
        "process": document["process"],
        "iat_members": members,
        "coordinators": [m for m in members if m["coordinator"]],
        "dimensions": [d for d in dimensions.values() if d.pis],
        "pis": pis,
        "reassessed_count": sum(1 for pi in pis if pi.reassessed),
        "chart": _chart(pis),
        "ratings": [
            {"value": r.value, "label": str(r.label), "colour": RATING_COLOURS[r]}
            for r in Rating.ordered()
        ],
        "action_plan": [d for d in dimensions.values() if d.action_points],
        "parity": data["parity"],
        "running_title": _css_string(f"UNCT-SWAP · {country} {year}"),
        "page_of": {"page": _css_string(_("Page") + " "), "of": _css_string(" " + _("of") + " ")},
    }


def report_template() -> str:
    return getattr(settings, "REPORT_TEMPLATE", TEMPLATE)


def render_input(data: dict[str, Any]) -> tuple[str, pdf.Pdf]:
    """The report's HTML and PDF for an input, in the input's language."""
    with translation.override(data["language"]):
        return pdf.render_pdf_document(report_template(), report_context(data))


def render_assessment(assessment: Assessment) -> tuple[str, pdf.Pdf]:
    """The current report of an assessment, made now (CLI, tests); no job, nothing stored."""
    return render_input(report_input(assessment))


# --- Jobs: requesting, freezing, reading ---------------------------------------------------------


def file_name(data: dict[str, Any], sha256: str) -> str:
    team = data["document"]["country_team"]["code"]
    return f"reports/{team}-{data['document']['year']}-{sha256}.pdf"


def download_name(job: ReportJob) -> str:
    """The name the browser saves: UNCT-SWAP-KAZ-2022.pdf, UNCT-SWAP-KAZ-2022-as-approved.pdf."""
    assessment = job.assessment
    suffix = "" if job.kind == Kind.DRAFT else "-" + job.kind.replace("_", "-")
    return f"UNCT-SWAP-{assessment.country_team.code}-{assessment.year}{suffix}.pdf"


def file_response(job: ReportJob) -> FileResponse:
    """The job's PDF as a download (the page and the API both send it this way); 404 until the
    job is done. Call it only after the permission gate (get_report_job_for_user)."""
    if job.status != Status.DONE or not job.file:
        raise Http404
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=download_name(job),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_ok(name: str, sha256: str) -> bool:
    if not name or not default_storage.exists(name):
        return False
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == sha256


def _stored_done_job(digest: str) -> ReportJob | None:
    """A finished job with this content hash whose file is still there and intact."""
    for job in ReportJob.objects.filter(content_hash=digest, status=Status.DONE).exclude(file=""):
        if _file_ok(job.file.name, job.sha256):
            return job
    return None


def _copy_result(job: ReportJob, source: ReportJob) -> None:
    job.status = Status.DONE
    job.file = source.file.name
    job.sha256, job.size, job.pages = source.sha256, source.size, source.pages
    job.render_seconds = 0.0
    job.finished_at = timezone.now()


def _new_job(
    *, assessment: Assessment, kind: str, by: User | None, data: dict[str, Any], digest: str
) -> ReportJob:
    job = ReportJob(
        assessment=assessment,
        kind=kind,
        requested_by=by,
        requested_at=timezone.now(),
        content_hash=digest,
        framework_version=data["framework"]["version"],
        report_input=data,
    )
    reusable = _stored_done_job(digest)
    if reusable is not None:
        _copy_result(job, reusable)
    job.save()
    if job.status == Status.QUEUED:
        transaction.on_commit(lambda: dispatch(job.pk))
    return job


@transaction.atomic
def request_report(*, assessment: Assessment, by: User | None) -> ReportJob:
    """The report of the assessment as it is now: the stored one when the data has not changed,
    else a new queued job sent to the worker once the transaction commits."""
    # One request at a time per assessment, so two clicks make one job (as the workflow locks).
    list(Assessment.objects.select_for_update().filter(pk=assessment.pk).values_list("pk"))
    data = report_input(assessment)
    digest = content_hash(data)
    same = ReportJob.objects.filter(assessment=assessment, kind=Kind.DRAFT, content_hash=digest)
    done = same.filter(status=Status.DONE).first()
    if done is not None and _file_ok(done.file.name, done.sha256):
        return done
    active = same.filter(status__in=[Status.QUEUED, Status.RUNNING]).first()
    if active is not None:
        transaction.on_commit(lambda: ensure_dispatched(active))
        return active
    job = _new_job(assessment=assessment, kind=Kind.DRAFT, by=by, data=data, digest=digest)
    # A request is also a chance to send what the broker missed while it was down.
    transaction.on_commit(dispatch_pending)
    return job


def freeze_report(*, assessment: Assessment, kind: str, by: User | None) -> ReportJob:
    """Keep the report of this moment ("as submitted", "as approved"). Call it inside the
    workflow's transaction, after the state change: the input is read now, rendered later."""
    if kind == Kind.DRAFT:
        raise ValueError("A frozen report is as submitted or as approved.")
    data = report_input(assessment)
    digest = content_hash(data)
    existing = ReportJob.objects.filter(
        assessment=assessment, kind=kind, content_hash=digest
    ).first()
    if existing is not None:
        return existing
    return _new_job(assessment=assessment, kind=kind, by=by, data=data, digest=digest)


def get_report_job_for_user(user: User | AnonymousUser, pk: int) -> ReportJob:
    """The gate for report jobs: whoever may see the assessment may see its reports (404 else)."""
    from .permissions import get_assessment_for_user  # noqa: PLC0415 -- permissions → workflow → reports

    job = (
        ReportJob.objects.select_related("assessment__country_team")
        .defer("report_input")
        .filter(pk=pk)
        .first()
    )
    if job is None or job.assessment is None:
        raise Http404
    get_assessment_for_user(user, job.assessment.country_team.code, job.assessment.year)
    return job


@dataclass(frozen=True)
class ReportCard:
    job: ReportJob | None
    frozen: list[ReportJob]
    outdated: bool


def report_card(assessment: Assessment) -> ReportCard:
    """What the overview's Report card shows: the latest report, the frozen copies, and whether
    the data changed since the latest report was made."""
    jobs = list(ReportJob.objects.filter(assessment=assessment).defer("report_input"))
    latest = next((j for j in jobs if j.kind == Kind.DRAFT), None)
    frozen = sorted((j for j in jobs if j.kind != Kind.DRAFT), key=lambda j: (j.requested_at, j.pk))
    outdated = False
    if latest is not None and latest.status == Status.DONE:
        outdated = latest.content_hash != content_hash(report_input(assessment))
    return ReportCard(job=latest, frozen=frozen, outdated=outdated)


# --- Dispatch ----------------------------------------------------------------------------------


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as KombuOperationalError  # noqa: PLC0415

    errors: list[type[BaseException]] = [KombuOperationalError, ConnectionError, TimeoutError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError  # noqa: PLC0415
        from redis.exceptions import TimeoutError as RedisTimeoutError  # noqa: PLC0415
    except ImportError:  # pragma: no cover -- celery[redis] brings it
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    return tuple(errors)


def dispatch(job_pk: int) -> bool:
    """Hand the job to the broker. When the broker is down the job stays queued with a note
    (the page tells the user) and is sent again later; nothing is lost."""
    from .tasks import render_report  # noqa: PLC0415 -- tasks imports this module

    now = timezone.now()
    jobs = ReportJob.objects.filter(pk=job_pk, status__in=[Status.QUEUED, Status.RUNNING])
    if not jobs.update(dispatch_attempted_at=now, dispatched_at=now, note=""):
        return True  # finished or failed meanwhile: nothing to send
    if render_report.app.conf.task_always_eager:
        render_report.apply_async(args=[job_pk])  # embedded mode: runs here and now
        return True
    try:
        render_report.apply_async(args=[job_pk], retry=False)
    except _broker_errors() as error:
        logger.warning("Report job %s kept queued: the broker is unavailable (%s)", job_pk, error)
        jobs.filter(status=Status.QUEUED).update(dispatched_at=None, note=BROKER_DOWN_NOTE)
        return False
    return True


def _holder_is_dead(job: ReportJob) -> bool:
    """True when the process that holds the job ran on this host and is gone (or a zombie)."""
    host, _sep, pid = job.worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    except OSError:
        stat = ""
    if stat and stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def attempt_is_dead(job: ReportJob) -> bool:
    """A running job whose attempt can no longer finish: its lease is over (the hard time limit
    would have stopped it) or its process on this host has died."""
    if job.status != Status.RUNNING:
        return False
    if (
        job.started_at is None
        or job.started_at + timedelta(seconds=lease_seconds()) < timezone.now()
    ):
        return True
    return _holder_is_dead(job)


def ensure_dispatched(job: ReportJob) -> None:
    """Send a queued job again when the broker refused it earlier (at most every 10 s)."""
    if job.status != Status.QUEUED or job.dispatched_at is not None:
        return
    retry_after = knob("REPORT_REDISPATCH_SECONDS", 10)
    last = job.dispatch_attempted_at
    if last is None or last + timedelta(seconds=retry_after) <= timezone.now():
        dispatch(job.pk)
        job.refresh_from_db()


def dispatch_pending(*, older_than: float | None = None) -> int:
    """Send every job that needs it: queued ones the broker never got (or got so long ago that
    the message may be lost) and running ones whose attempt died. Stops at the first broker
    error. Called by requests, the status poll, a worker starting, and the beat task."""
    now = timezone.now()
    wait = knob("REPORT_REDISPATCH_SECONDS", 10) if older_than is None else older_than
    quiet = now - timedelta(seconds=wait)
    lost = now - timedelta(seconds=lease_seconds())
    queued = ReportJob.objects.filter(status=Status.QUEUED).filter(
        Q(dispatched_at__isnull=True)
        & (Q(dispatch_attempted_at__isnull=True) | Q(dispatch_attempted_at__lte=quiet))
        | Q(dispatched_at__lte=lost)
    )
    running = ReportJob.objects.filter(status=Status.RUNNING).only(
        "pk", "status", "started_at", "worker"
    )
    pks = list(queued.values_list("pk", flat=True)) + [
        job.pk for job in running if attempt_is_dead(job)
    ]
    sent = 0
    for pk in pks:
        if not dispatch(pk):
            break
        sent += 1
    return sent


# --- The worker's side ---------------------------------------------------------------------------


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _fail(job_pk: int, reason: str) -> None:
    ReportJob.objects.filter(pk=job_pk).exclude(status=Status.DONE).update(
        status=Status.FAILED, error=reason, finished_at=timezone.now()
    )


def _claim(job_pk: int) -> ReportJob | None:
    """Mark the job running for this attempt, or say why not (None: nothing to do)."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_pk).first()
        if job is None:
            logger.warning("Report job %s does not exist (any more).", job_pk)
            return None
        if job.status in (Status.DONE, Status.FAILED):
            logger.info(
                "Report job %s is %s already: duplicate delivery ignored.", job_pk, job.status
            )
            return None
        if job.status == Status.RUNNING and not attempt_is_dead(job):
            held_until = job.started_at + timedelta(seconds=lease_seconds())
            raise StillRunning(max((held_until - timezone.now()).total_seconds(), 1))
        if job.assessment_id is None:
            job.status, job.finished_at = Status.FAILED, timezone.now()
            job.error = _("The assessment was deleted before its report could be made.")
            job.save(update_fields=["status", "finished_at", "error"])
            return None
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.finished_at = Status.FAILED, timezone.now()
            job.error = _(
                "The report service stopped %(n)d times while making this report (it may have "
                "run out of memory or time), so it was given up. Try again later; if it fails "
                "again, tell the platform's administrators."
            ) % {"n": job.attempts}
            job.save(update_fields=["status", "finished_at", "error"])
            return None
        job.status = Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.worker = _holder()
        job.error = job.note = ""
        job.save(update_fields=["status", "attempts", "started_at", "worker", "error", "note"])
        return job


def _store(name: str, content: bytes, sha256: str) -> None:
    """Write the file once: a copy with the right bytes is kept, a damaged one replaced, and a
    write interrupted half-way never leaves a file under the final name."""
    if default_storage.exists(name):
        if _file_ok(name, sha256):
            return
        default_storage.delete(name)
    if isinstance(default_storage, FileSystemStorage):
        path = Path(default_storage.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
        with open(temporary, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    else:
        default_storage.save(name, ContentFile(content))


def _finish(job: ReportJob, result: ReportJob) -> None:
    """Record the result, unless another attempt took the job over meanwhile."""
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != Status.RUNNING or (locked.worker, locked.attempts) != (
            job.worker,
            job.attempts,
        ):
            logger.info("Report job %s was taken over; this attempt's result is dropped.", job.pk)
            return
        for name in ("status", "file", "sha256", "size", "pages", "render_seconds", "finished_at"):
            setattr(locked, name, getattr(result, name))
        locked.save(
            update_fields=[
                "status", "file", "sha256", "size", "pages", "render_seconds", "finished_at",
            ]
        )  # fmt: skip
        if locked.kind == Kind.DRAFT and locked.requested_by_id:
            transaction.on_commit(lambda: notify_done(locked.pk))


def readable_error(error: BaseException) -> str:
    if isinstance(error, TemplateDoesNotExist):
        return _("The report template “%(name)s” is missing.") % {"name": error}
    if isinstance(error, TemplateSyntaxError):
        return _("The report template has an error: %(message)s") % {"message": error}
    return _(
        "An unexpected error stopped the report (%(type)s: %(message)s). Try again; if it "
        "fails again, tell the platform's administrators."
    ) % {"type": type(error).__name__, "message": str(error)[:300]}


def run_job(job_pk: int, *, last_try: bool = True) -> str:
    """The task's body: claim, render (or reuse the file of the same content), store, finish.

    Safe to run twice for one job, at once or one after the other: a finished job is left as it
    is, and a file is only ever written under the SHA-256 of its bytes.
    """
    from celery.exceptions import SoftTimeLimitExceeded  # noqa: PLC0415

    try:
        job = _claim(job_pk)
    except (OperationalError, InterfaceError) as error:
        raise TransientError(str(error)) from error
    if job is None:
        return "skipped"
    try:
        delay = knob("REPORT_TEST_DELAY_SECONDS", 0)
        if delay:
            time.sleep(delay)  # tests only: a slow render to kill a worker in
        result = ReportJob(status=Status.DONE)
        reusable = _stored_done_job(job.content_hash)
        if reusable is not None:
            _copy_result(result, reusable)
        else:
            started = time.perf_counter()
            _html, made = render_input(job.report_input)
            sha256 = hashlib.sha256(made.content).hexdigest()
            name = file_name(job.report_input, sha256)
            _store(name, made.content, sha256)
            result.file, result.sha256 = name, sha256
            result.size, result.pages = len(made.content), made.pages
            result.render_seconds = round(time.perf_counter() - started, 3)
            result.finished_at = timezone.now()
        _finish(job, result)
        return "done"
    except SoftTimeLimitExceeded:
        _fail(job.pk, _("Making the report took too long, so it was stopped. Try again later."))
        return "failed"
    except (OperationalError, InterfaceError) as error:
        if last_try:
            _fail(job.pk, _("The database was unavailable while the report was made."))
            return "failed"
        ReportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
            status=Status.QUEUED, note=RETRYING_NOTE
        )
        raise TransientError(str(error)) from error
    except Exception as error:
        logger.exception("Report job %s failed", job.pk)
        _fail(job.pk, readable_error(error))
        return "failed"


def notify_done(job_pk: int) -> int:
    """E-mail the requester the download link (errors are logged, never raised)."""
    job = (
        ReportJob.objects.select_related("assessment__country_team", "requested_by")
        .defer("report_input")
        .filter(pk=job_pk)
        .first()
    )
    user = job.requested_by if job else None
    if job is None or user is None or not user.email or job.assessment is None:
        return 0
    assessment = job.assessment
    site = settings.SITE_URL.rstrip("/")
    link = site + reverse("scorecard:report_download", kwargs={"pk": job.pk})
    overview = site + reverse(
        "scorecard:assessment",
        kwargs={"code": assessment.country_team.code, "year": assessment.year},
    )
    subject = _("UNCT-SWAP %(team)s %(year)s: your PDF report is ready") % {
        "team": assessment.country_team.name,
        "year": assessment.year,
    }
    body = _(
        "The PDF report you asked for is ready (%(pages)s pages).\n\nDownload it: %(link)s\n\n"
        "The assessment: %(overview)s"
    ) % {"pages": job.pages, "link": link, "overview": overview}
    try:
        return send_mail(subject, body, None, [user.email])
    except Exception:
        logger.exception("Could not e-mail report job %s to its requester", job_pk)
        return 0
