"""Production hardening: deploy checks, the Content-Security-Policy, login throttling, and
evidence handed to the web server only after the permission check."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from scorecard import services

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_check_deploy_is_clean_with_production_settings(settings, monkeypatch):
    # The browser tests' conftest allows the ORM next to Playwright's event loop; that is the
    # test runner's environment, not a deployment's.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 64 + "production-secret-with-enough-entropy-0123456789"
    settings.ALLOWED_HOSTS = ["unct-swap.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    # Raises SystemCheckError on any warning.
    call_command("check", "--deploy", "--fail-level", "WARNING", verbosity=0)


def test_pages_carry_a_strict_content_security_policy(client, iat, assessment):
    client.force_login(iat)

    response = client.get("/teams/KAZ/2022/pi/2.2/")

    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "pattern",
    [
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",  # inline script
        r"\sstyle=\"",  # inline style attribute
        r"\son[a-z]+=\"",  # inline event handler
    ],
    ids=["inline-script", "inline-style", "inline-handler"],
)
def test_templates_have_nothing_inline_the_policy_would_block(pattern):
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        # Not the e-mails' (templates/email/): never served under the policy, and mail clients
        # drop stylesheets, so their look is in style attributes.
        if path.relative_to(TEMPLATES).parts[0] != "email"
        and re.search(pattern, path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_login_is_throttled_after_five_failures(client, iat, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    iat.set_password("the-right-password-42")
    iat.save()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "iat", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "iat", "password": "the-right-password-42"}
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.fixture
def stored_evidence(assessment, iat):
    row = assessment.indicator_assessments.get(indicator__code="2.2")
    upload = SimpleUploadedFile("plan.pdf", PDF_BYTES, content_type="application/pdf")
    return services.add_evidence(row=row, by=iat, title="Plan", category=None, file=upload)


def test_evidence_download_hands_over_to_nginx_after_the_gate(
    client, iat, outsider, stored_evidence, settings
):
    settings.EVIDENCE_DOWNLOAD_BACKEND = "nginx"
    url = f"/evidence/{stored_evidence.pk}/download/"

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(iat)
    response = client.get(url)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + stored_evidence.file.name
    assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert response.content == b""


def test_evidence_download_can_use_x_sendfile(client, iat, stored_evidence, settings):
    settings.EVIDENCE_DOWNLOAD_BACKEND = "sendfile"
    client.force_login(iat)

    response = client.get(f"/evidence/{stored_evidence.pk}/download/")

    assert response["X-Sendfile"] == stored_evidence.file.path
    assert response.content == b""
