"""PDF reports in an S3-compatible bucket (a real SeaweedFS: tests/s3.py).

A report is written once, under the SHA-256 of its bytes, and never again: a second request,
another job with the same content, a second store call, or a concurrent writer of the same file
make no second object. The job is done only once its file is stored. The download passes the
gate, then redirects to a URL that expires within minutes; a missing object is a 404 and a
bucket that does not answer a 503, each saying so. The web and the worker share nothing but
the bucket and the database: a file stored by another process, with a MEDIA_ROOT of its own,
is downloaded here with an empty one.

No WeasyPrint: the renderer is the fake of conftest.py (the storage only sees bytes).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from reports import document, storage, worker
from reports import services as report_services
from reports.models import ReportJob
from scorecard.models import Evidence

pytestmark = [pytest.mark.s3, pytest.mark.django_db]
Status = ReportJob.Status
MISSING = "This file is missing from the file storage. Tell the platform's administrators."
DOWN = "The file storage cannot be reached just now."


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def puts(s3) -> list[str]:
    """The keys default_storage's S3 client writes (PutObject, or a multipart upload)."""
    written: list[str] = []
    events = default_storage.connection.meta.client.meta.events
    for operation in ("PutObject", "CreateMultipartUpload"):
        events.register(
            f"before-parameter-build.s3.{operation}",
            lambda params, **kwargs: written.append(params["Key"]),
        )
    return written


def request(assessment, by, capture) -> ReportJob:
    with capture(execute=True):
        job = report_services.request_report(assessment=assessment, by=by)
    job.refresh_from_db()
    return job


def queued(assessment, by) -> ReportJob:
    data = document.report_input(assessment)
    return ReportJob.objects.create(
        assessment=assessment,
        requested_by=by,
        requested_at=timezone.now(),
        content_hash=document.content_hash(data),
        framework_version="2018",
        report_input=data,
    )


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """What a browser following the redirect gets from the bucket."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 -- our loopback S3
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def files_under(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


def test_report_is_stored_once_under_its_hash_and_downloaded_past_the_gate(
    client, assessment, coordinator, viewer, outsider, fake_render, s3, puts,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    job = request(assessment, coordinator, django_capture_on_commit_callbacks)
    assert job.status == Status.DONE
    name = f"reports/KAZ-2022-{job.sha256}.pdf"
    assert job.file.name == name  # the hash-named path as it is, no suffix
    assert s3.keys() == [name]
    assert s3.sha256(name) == job.sha256
    assert puts == [name]
    assert files_under(settings.MEDIA_ROOT) == []
    stored = s3.client.head_object(Bucket=s3.name, Key=name)

    # Asked again, unchanged: the same job. Another job with the same content: the same file,
    # not rendered. The file stored again: kept as it is.
    assert request(assessment, viewer, django_capture_on_commit_callbacks).pk == job.pk
    twin = queued(assessment, viewer)
    assert worker.run_job(twin.pk) == "done"
    twin.refresh_from_db()
    assert (twin.status, twin.file.name, twin.render_seconds) == (Status.DONE, name, 0.0)
    storage.store(name, s3.read(name), job.sha256)
    assert len(fake_render) == 1
    assert puts == [name]
    assert s3.keys() == [name]
    again = s3.client.head_object(Bucket=s3.name, Key=name)
    assert (again["ETag"], again["LastModified"]) == (stored["ETag"], stored["LastModified"])

    client.force_login(viewer)
    download = client.get(f"/reports/{job.pk}/download/")
    assert download.status_code == 302
    assert download["Location"].startswith(f"{s3.server.endpoint}/{s3.name}/{name}?")
    assert "X-Amz-Expires=300&" in download["Location"]
    status, headers, body = fetch(download["Location"])
    assert (status, hashlib.sha256(body).hexdigest()) == (200, job.sha256)
    assert headers["Content-Disposition"] == 'attachment; filename="UNCT-SWAP-KAZ-2022.pdf"'
    assert headers["Content-Type"] == "application/pdf"
    by_api = api_for(viewer).get(f"/api/v1/report-jobs/{job.pk}/download/")
    assert by_api.status_code == 302
    assert fetch(by_api["Location"])[2] == body

    client.force_login(outsider)
    for response in (
        client.get(f"/reports/{job.pk}/download/"),
        api_for(outsider).get(f"/api/v1/report-jobs/{job.pk}/download/"),
    ):
        assert response.status_code == 404
        assert not response.has_header("Location")
        assert s3.name.encode() not in response.content


def test_a_concurrent_writer_of_the_same_report_leaves_one_object_under_the_hash_name(
    s3, puts, monkeypatch
):
    """Another worker stores the same file between our check and our write: the bucket never
    overwrites, so ours lands under a suffixed name, which goes; the hash-named one stays."""
    content = b"%PDF-1.7\n% the same report made twice\n%%EOF\n"
    sha = hashlib.sha256(content).hexdigest()
    name = f"reports/KAZ-2022-{sha}.pdf"
    s3.client.put_object(Bucket=s3.name, Key=name, Body=content)  # the other worker's
    bucket = storages["default"]  # what default_storage stands for
    real_exists, looks = bucket.exists, []

    def exists(key: str) -> bool:  # our first look finds nothing; every later look is real
        looks.append(key)
        return len(looks) > 1 and real_exists(key)

    monkeypatch.setattr(bucket, "exists", exists)

    storage.store(name, content, sha)

    [ours] = puts
    assert ours != name
    assert ours.startswith(name.removesuffix(".pdf") + "_")
    assert s3.keys() == [name]
    assert s3.read(name) == content


def test_a_bucket_that_fails_while_storing_leaves_the_job_not_done(
    assessment, viewer, fake_render, s3
):
    job = queued(assessment, viewer)
    s3.unreachable()

    with pytest.raises(worker.TransientError):
        worker.run_job(job.pk, last_try=False)
    job.refresh_from_db()
    assert (job.status, job.note, job.file.name) == (Status.QUEUED, worker.RETRYING_NOTE, "")

    assert worker.run_job(job.pk, last_try=True) == "failed"
    job.refresh_from_db()
    assert (job.status, job.file.name, job.sha256) == (Status.FAILED, "", "")
    assert job.error == "The file storage was unavailable while the report was made."
    assert s3.keys() == []


def test_a_report_missing_from_the_bucket_is_a_404_that_says_so_and_a_request_makes_it_again(
    client, assessment, coordinator, viewer, fake_render, s3, django_capture_on_commit_callbacks
):
    job = request(assessment, coordinator, django_capture_on_commit_callbacks)
    s3.client.delete_object(Bucket=s3.name, Key=job.file.name)

    client.force_login(viewer)
    page = client.get(f"/reports/{job.pk}/download/")
    assert page.status_code == 404
    assert MISSING in text_of(page)
    by_api = api_for(viewer).get(f"/api/v1/report-jobs/{job.pk}/download/")
    assert (by_api.status_code, by_api.json()) == (404, {"detail": MISSING})

    again = request(assessment, viewer, django_capture_on_commit_callbacks)
    assert again.pk != job.pk
    assert (again.status, again.file.name) == (Status.DONE, job.file.name)
    assert s3.keys() == [job.file.name]


def test_a_bucket_that_does_not_answer_is_a_503_and_the_rest_of_the_site_works(
    client, assessment, coordinator, viewer, fake_render, s3, django_capture_on_commit_callbacks
):
    job = request(assessment, coordinator, django_capture_on_commit_callbacks)
    s3.unreachable()

    client.force_login(viewer)
    page = client.get(f"/reports/{job.pk}/download/")
    assert page.status_code == 503
    assert DOWN in text_of(page)
    by_api = api_for(viewer).get(f"/api/v1/report-jobs/{job.pk}/download/")
    assert by_api.status_code == 503
    assert by_api.json()["detail"].startswith(DOWN)

    assert client.get("/healthz").status_code == 200
    assert client.get("/teams/KAZ/2022/report/").status_code == 200
    assert client.get(f"/reports/{job.pk}/").status_code == 200


# The other process: the worker's side, with a MEDIA_ROOT and a database of its own. It reads the
# evidence the web stored and stores a report with the worker's code (reports.storage.store).
WORKER_SIDE = """
import hashlib, json, os
from django.core.files.storage import default_storage, storages
from reports.storage import store

evidence = default_storage.open(os.environ["TEST_EVIDENCE_NAME"]).read()
report = b"%PDF-1.7\\n% stored by process " + str(os.getpid()).encode() + b"\\n%%EOF\\n"
sha = hashlib.sha256(report).hexdigest()
name = f"reports/KAZ-2022-{sha}.pdf"
store(name, report, sha)
print(json.dumps({
    "storage": type(default_storage._wrapped).__name__,
    "evidence_sha256": hashlib.sha256(evidence).hexdigest(),
    "name": name, "sha256": sha, "size": len(report), "pid": os.getpid(),
}))
"""


def test_web_and_worker_share_nothing_but_the_bucket_and_the_database(
    client, assessment, iat, viewer, s3, tmp_path
):
    evidence_bytes = b"%PDF-1.4\n% evidence uploaded through the web\n%%EOF\n"
    client.force_login(iat)
    client.post(
        "/teams/KAZ/2022/pi/2.2/evidence/",
        {
            "title": "Uploaded on the web",
            "file": SimpleUploadedFile("web.pdf", evidence_bytes, content_type="application/pdf"),
        },
    )
    evidence = Evidence.objects.get()

    worker_media = tmp_path / "worker-media"
    done = subprocess.run(  # noqa: S603 -- our own interpreter and manage.py
        [sys.executable, "manage.py", "shell", "-c", WORKER_SIDE],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            **s3.env,  # what a deployment sets: config/settings.py makes the S3 storage of it
            "MEDIA_ROOT": str(worker_media),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
            "TEST_EVIDENCE_NAME": evidence.file.name,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    stored = json.loads(done.stdout.strip().splitlines()[-1])
    assert stored["storage"] == "S3Storage"
    assert stored["pid"] != os.getpid()
    assert stored["evidence_sha256"] == hashlib.sha256(evidence_bytes).hexdigest()

    # What the worker's _finish writes to the shared database.
    job = ReportJob.objects.create(
        assessment=assessment,
        requested_at=timezone.now(),
        content_hash="0" * 64,
        framework_version="2018",
        status=Status.DONE,
        file=stored["name"],
        sha256=stored["sha256"],
        size=stored["size"],
        pages=1,
        finished_at=timezone.now(),
    )
    client.force_login(viewer)
    download = client.get(f"/reports/{job.pk}/download/")
    assert download.status_code == 302
    status, _headers, body = fetch(download["Location"])
    assert (status, hashlib.sha256(body).hexdigest()) == (200, stored["sha256"])
    assert f"stored by process {stored['pid']}".encode() in body

    # Neither side wrote a file to its own disk.
    assert files_under(settings.MEDIA_ROOT) == []
    assert not worker_media.exists() or files_under(worker_media) == []
