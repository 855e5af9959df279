"""The API docs: Swagger UI (/api/docs/) and Redoc (/api/redoc/) from our static files under the
site's Content-Security-Policy (Redoc alone may use inline styles and a blob: worker), and a
schema whose every operation has its resource's tag and a summary (lazily translated).
tests/e2e/test_api_docs.py opens both pages in Chromium."""

from __future__ import annotations

import pytest

METHODS = {"get", "put", "patch", "post", "delete"}


def policy(response) -> dict[str, str]:
    parts = response["Content-Security-Policy"].split(";")
    return dict(part.strip().split(" ", 1) for part in parts)


def operations(schema: dict) -> list[dict]:
    return [op for path in schema["paths"].values() for m, op in path.items() if m in METHODS]


@pytest.mark.django_db
def test_swagger_ui_is_ours_under_the_sites_policy(client):
    response = client.get("/api/docs/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert '<script src="/api/docs/?script="></script>' in body
    assert "<script>" not in body
    assert "<style" not in body
    assert policy(response)["script-src"] == "'self'"
    assert policy(response)["style-src"] == "'self'"

    script = client.get("/api/docs/?script=")

    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_redoc_is_ours_with_inline_styles_on_that_page_only(client):
    response = client.get("/api/redoc/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in body
    assert "fonts.googleapis.com" not in body
    assert "<script>" not in body
    assert policy(response)["script-src"] == "'self'"
    assert policy(response)["style-src"] == "'self' 'unsafe-inline'"
    assert policy(response)["worker-src"] == "blob:"
    assert policy(client.get("/accounts/login/"))["style-src"] == "'self'"


@pytest.mark.django_db
def test_every_operation_has_its_resources_tag_and_a_summary(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    ops = operations(schema)
    assert len(ops) > 40
    assert all(op.get("summary") for op in ops)
    tags = {tag for op in ops for tag in op["tags"]}
    assert {"country-teams", "assessments", "report-jobs", "parity-snapshots"} <= tags
    assert "v1" not in tags
    teams = schema["paths"]["/api/v1/country-teams/"]["get"]
    assert (teams["tags"], teams["summary"]) == (
        ["country-teams"],
        "List the country teams you can see",
    )
