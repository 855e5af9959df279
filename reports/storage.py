"""Report files: their names, storing them once, checking them, sending them.

A file is named `reports/<CODE>-<YEAR>-<SHA-256 of the bytes>.pdf`, so jobs with the same
content share one file and a file is never overwritten with other bytes. The files are in
`default_storage`: MEDIA_ROOT, or the S3-compatible bucket (config/settings.py, STORAGE); the
storage's failures come out as core.storage's FileMissing and StorageUnavailable.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import Http404, HttpResponse
from django.utils import timezone

from core.storage import StorageError, StorageUnavailable, send_file, storage_errors

from .models import ReportJob

Status = ReportJob.Status
Kind = ReportJob.Kind


def file_name(data: dict[str, Any], sha256: str) -> str:
    team = data["document"]["country_team"]["code"]
    return f"reports/{team}-{data['document']['year']}-{sha256}.pdf"


def download_name(job: ReportJob) -> str:
    """The name the browser saves: UNCT-SWAP-KAZ-2022.pdf, UNCT-SWAP-KAZ-2022-as-approved.pdf,
    and in another language than the site's, UNCT-SWAP-KAZ-2022-fr.pdf."""
    assessment = job.assessment
    suffix = "" if job.kind == Kind.DRAFT else "-" + job.kind.replace("_", "-")
    if job.language != settings.LANGUAGE_CODE:
        suffix += f"-{job.language}"
    return f"UNCT-SWAP-{assessment.country_team.code}-{assessment.year}{suffix}.pdf"


def file_response(job: ReportJob) -> HttpResponse:
    """The job's PDF as a download (the page and the API both send it this way: streamed from
    disk, or a redirect to a short-lived URL of the bucket); 404 until the job is done. Call it
    only after the permission gate (get_report_job_for_user). Raises core.storage's FileMissing
    or StorageUnavailable when the storage does not have the file or cannot be reached."""
    if job.status != Status.DONE or not job.file:
        raise Http404
    return send_file(job.file, filename=download_name(job), content_type="application/pdf")


def _intact(name: str, sha256: str) -> bool:
    with storage_errors(name):
        if not name or not default_storage.exists(name):
            return False
        with default_storage.open(name, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest() == sha256


def file_ok(name: str, sha256: str) -> bool:
    """The file is there with these bytes. A storage that cannot be reached says no (logged): the
    report is then made again, and the worker waits for the storage to store it."""
    try:
        return _intact(name, sha256)
    except StorageError:
        return False


def stored_done_job(digest: str) -> ReportJob | None:
    """A finished job with this content hash whose file is still there and intact."""
    for job in ReportJob.objects.filter(content_hash=digest, status=Status.DONE).exclude(file=""):
        if file_ok(job.file.name, job.sha256):
            return job
    return None


def copy_result(job: ReportJob, source: ReportJob) -> None:
    job.status = Status.DONE
    job.file = source.file.name
    job.sha256, job.size, job.pages = source.sha256, source.size, source.pages
    job.render_seconds = 0.0
    job.finished_at = timezone.now()


def store(name: str, content: bytes, sha256: str) -> None:
    """Write the file once: a copy with the right bytes is kept, a damaged one replaced, and a
    write interrupted half-way never leaves a file under the final name (on disk: a temporary
    file renamed; in the bucket: an object appears only once its upload is complete). Raises
    core.storage.StorageUnavailable when the storage cannot be reached."""
    with storage_errors(name):
        _store(name, content, sha256)


def _store(name: str, content: bytes, sha256: str) -> None:
    if default_storage.exists(name):
        if _intact(name, sha256):
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
        # The bucket never overwrites (AWS_S3_FILE_OVERWRITE=False): if another worker stored
        # this name meanwhile, ours lands under a suffixed name, which goes; theirs has our bytes.
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:
            default_storage.delete(saved)
            if not _intact(name, sha256):
                raise StorageUnavailable(name)
