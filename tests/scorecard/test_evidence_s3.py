"""Evidence files in an S3-compatible bucket (a real SeaweedFS: tests/s3.py).

Uploads go to the bucket, not to MEDIA_ROOT; a download passes the permission gate and only
then sends the browser to a presigned URL that expires within minutes; a missing object or a
bucket that does not answer is a page saying so (404, 503), not a server error.
"""

from __future__ import annotations

import hashlib
import html
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from scorecard.models import Evidence, IndicatorAssessment

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

PI_URL = "/teams/KAZ/2022/pi/2.2/"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
MISSING = "This file is missing from the file storage. Tell the platform's administrators."
DOWN = "The file storage cannot be reached just now."


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def upload(client, name: str = "campaign-report.pdf", content: bytes = PDF_BYTES):
    return client.post(
        f"{PI_URL}evidence/",
        {
            "title": "16 Days campaign report",
            "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
    )


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """What a browser following the redirect gets from the bucket."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 -- our loopback S3
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def local_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_upload_goes_to_the_bucket_and_the_download_is_a_short_lived_url_past_the_gate(
    client, iat, viewer, outsider, assessment, s3
):
    client.force_login(iat)
    assert upload(client).status_code == 302
    evidence = Evidence.objects.get()

    # In the bucket under the name we chose, with its bytes; nothing on this machine's disk.
    assert s3.keys() == [evidence.file.name]
    assert evidence.file.name.startswith("evidence/")
    assert evidence.file.name.endswith(f"/{hashlib.sha256(PDF_BYTES).hexdigest()[:16]}.pdf")
    assert s3.read(evidence.file.name) == PDF_BYTES
    assert local_files() == []

    # Pages and the API link to the gate, never to the bucket.
    client.force_login(viewer)
    api = APIClient()
    api.force_authenticate(viewer)
    for shown in (client.get(PI_URL), api.get(f"/api/v1/evidence/{evidence.pk}/")):
        assert shown.status_code == 200
        assert f"/evidence/{evidence.pk}/download/".encode() in shown.content
        assert s3.server.endpoint.encode() not in shown.content
        assert b"X-Amz" not in shown.content

    download = client.get(f"/evidence/{evidence.pk}/download/")
    assert download.status_code == 302
    assert download["Cache-Control"] == "no-store"
    location = download["Location"]
    assert location.startswith(f"{s3.server.endpoint}/{s3.name}/{evidence.file.name}?")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["300"]  # AWS_QUERYSTRING_EXPIRE: five minutes
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]

    status, headers, body = fetch(location)
    assert (status, body) == (200, PDF_BYTES)
    assert headers["Content-Disposition"] == 'attachment; filename="campaign-report.pdf"'
    assert headers["Content-Type"] == "application/pdf"

    # The signature covers the key: the URL opens this file and no other.
    assert fetch(location.replace(evidence.file.name, "evidence/other.pdf"))[0] == 403

    # Past the gate only: another team's member learns nothing, not even where the bucket is.
    client.force_login(outsider)
    refused = client.get(f"/evidence/{evidence.pk}/download/")
    assert refused.status_code == 404
    assert not refused.has_header("Location")
    assert s3.name.encode() not in refused.content
    assert b"X-Amz" not in refused.content
    client.logout()
    anonymous = client.get(f"/evidence/{evidence.pk}/download/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_an_upload_never_replaces_a_stored_file(client, iat, assessment, s3):
    """The same bytes make the same name: the second upload gets a name of its own."""
    client.force_login(iat)
    upload(client, "first.pdf")
    upload(client, "second.pdf")
    first, second = Evidence.objects.order_by("pk")

    assert first.file.name != second.file.name
    assert s3.keys() == sorted([first.file.name, second.file.name])
    assert s3.read(first.file.name) == s3.read(second.file.name) == PDF_BYTES


def test_an_object_missing_from_the_bucket_is_a_404_page_that_says_so(client, iat, assessment, s3):
    client.force_login(iat)
    upload(client)
    evidence = Evidence.objects.get()
    s3.client.delete_object(Bucket=s3.name, Key=evidence.file.name)

    response = client.get(f"/evidence/{evidence.pk}/download/")
    assert response.status_code == 404
    assert MISSING in text_of(response)
    assert not response.has_header("Location")


def test_a_bucket_that_does_not_answer_is_a_503_and_the_rest_of_the_site_works(
    client, iat, assessment, s3
):
    client.force_login(iat)
    upload(client)
    evidence = Evidence.objects.get()
    s3.unreachable()

    download = client.get(f"/evidence/{evidence.pk}/download/")
    assert download.status_code == 503
    assert DOWN in text_of(download)

    # An upload says so, keeps the form, and records nothing.
    refused = upload(client, "another.pdf", PDF_BYTES + b"\n")
    assert refused.status_code == 503
    assert DOWN in text_of(refused)
    assert Evidence.objects.count() == 1
    api = APIClient()
    api.force_authenticate(iat)
    row = IndicatorAssessment.objects.get(assessment=assessment, indicator__code="2.2")
    by_api = api.post(
        "/api/v1/evidence/",
        {
            "pi_rating": row.pk,
            "title": "Campaign report",
            "file": SimpleUploadedFile("api.pdf", PDF_BYTES, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert by_api.status_code == 503
    assert by_api.json()["detail"].startswith(DOWN)
    assert Evidence.objects.count() == 1

    # Pages that need no file are unaffected.
    assert client.get("/healthz").status_code == 200
    assert client.get(PI_URL).status_code == 200
