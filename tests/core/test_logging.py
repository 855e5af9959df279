"""Logs for operations (config/observability.py, core/observability.py): one JSON line per request
and per task, the request's id in the X-Request-ID header and on the lines, LOG_LEVEL and
LOG_FORMAT from the environment, Sentry only with SENTRY_DSN."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import logging.config
import os
import uuid
from pathlib import Path
from unittest import mock

import pytest
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.conf import settings as django_settings
from django_guid import clear_guid, get_guid, set_guid

from config import observability
from core.tasks import heartbeat

SETTINGS_FILE = Path(django_settings.BASE_DIR) / "config" / "settings.py"


@pytest.fixture
def json_lines():
    """The lines the production configuration writes (LOG_FORMAT=json), for the request and task
    loggers: its formatter and filter, built by logging's own dictConfig machinery."""
    config = observability.logging_config(level="INFO", fmt="json")
    configurator = logging.config.DictConfigurator(config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(config["formatters"]["json"]))
    handler.addFilter(configurator.configure_filter(config["filters"]["request_id"]))
    loggers = [logging.getLogger("unct_swap.request"), logging.getLogger("unct_swap.task")]
    for logger in loggers:
        logger.addHandler(handler)
    clear_guid()

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield read
    for logger in loggers:
        logger.removeHandler(handler)
    clear_guid()


@pytest.mark.django_db
def test_a_request_is_one_json_line_with_its_id(client, json_lines):
    response = client.get("/accounts/login/?next=/secret-query")

    [line] = json_lines()
    request_id = response["X-Request-ID"]
    assert uuid.UUID(request_id).version == 4
    assert line["request_id"] == request_id
    assert line["level"] == "INFO"
    assert line["logger"] == "unct_swap.request"
    assert line["method"] == "GET"
    assert line["path"] == "/accounts/login/"  # no query string
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["user_id"] is None
    assert line["time"].endswith("+00:00")
    assert "secret-query" not in json.dumps(line)
    assert get_guid() is None  # nothing after the request carries its id


@pytest.mark.django_db
def test_the_user_is_named_by_id(client, json_lines, iat):
    client.force_login(iat)

    client.get("/accounts/profile/")

    [line] = json_lines()
    assert line["user_id"] == iat.pk
    assert iat.username not in json.dumps(line)


@pytest.mark.django_db
def test_no_body_or_password_is_logged(client, json_lines, iat):
    client.post("/accounts/login/", {"username": "iat", "password": "Secret-passw0rd-42"})

    logged = json.dumps(json_lines())
    assert "Secret-passw0rd-42" not in logged
    assert '"status": 200' in logged


@pytest.mark.django_db
def test_secret_tokens_in_links_are_not_logged(client, json_lines):
    token = "k3y-0f-an-1nv1tat10n"

    client.get(f"/accounts/invitation/{token}/")

    [line] = json_lines()
    assert line["path"] == "/accounts/invitation/<token>/"
    assert token not in json.dumps(line)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent",
    # A UUID as load balancers send it, or as nginx's $request_id (32 hex digits).
    [str(uuid.uuid4()), uuid.uuid4().hex],
    ids=["uuid", "uuid-hex"],
)
def test_a_sane_incoming_request_id_is_kept(client, json_lines, sent):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-ID"] == sent
    assert json_lines()[0]["request_id"] == sent


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent",
    [
        str(uuid.uuid4()) * 10,  # too long
        "abc<script>alert(1)</script>",  # characters no id has
        "1; DROP TABLE",
        "not-a-uuid",
    ],
    ids=["too-long", "markup", "injection", "free-text"],
)
def test_an_insane_incoming_request_id_is_replaced(client, json_lines, sent):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)

    made = response["X-Request-ID"]
    assert made != sent
    assert uuid.UUID(made).version == 4
    [line] = json_lines()
    assert line["request_id"] == made
    assert sent not in json.dumps(line)


@pytest.mark.django_db
def test_each_request_gets_its_own_id(client, json_lines):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert first != second
    assert [line["request_id"] for line in json_lines()] == [first, second]


def test_a_task_run_is_one_json_line(json_lines, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    result = heartbeat.apply()

    [line] = json_lines()
    assert line["logger"] == "unct_swap.task"
    assert line["task_id"] == result.id
    assert line["task_name"] == "core.tasks.heartbeat"
    assert line["state"] == "SUCCESS"
    assert isinstance(line["duration_ms"], float)


def test_a_task_in_the_worker_carries_the_id_of_the_request_that_queued_it(json_lines, settings):
    """What the worker does with a message published during a request: the signals as Celery
    sends them around the task (not eager), the request's id in the message's headers."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    request_id = str(uuid.uuid4())
    headers: dict = {}
    set_guid(request_id)
    before_task_publish.send(sender="core.tasks.heartbeat", headers=headers, body=())
    clear_guid()
    assert headers["request_id"] == request_id

    task_id = str(uuid.uuid4())
    heartbeat.push_request(id=task_id, is_eager=False, request_id=request_id)
    try:
        task_prerun.send(sender=heartbeat, task_id=task_id, task=heartbeat, args=(), kwargs={})
        assert get_guid() == request_id
        heartbeat.run()
        task_postrun.send(
            sender=heartbeat, task_id=task_id, task=heartbeat, args=(), kwargs={}, state="SUCCESS"
        )
    finally:
        heartbeat.pop_request()

    [line] = json_lines()
    assert line["request_id"] == request_id
    assert line["task_id"] == task_id
    assert get_guid() is None  # the worker's next task starts clean


def test_task_arguments_and_request_objects_stay_out_of_the_lines(json_lines):
    """Celery logs a failed task with its arguments as `data` (a mail's recipients and text),
    Django an error with the request, whose repr has the query string."""
    logging.getLogger("unct_swap.task").error(
        "Task %s failed",
        "core.tasks.send_message",
        extra={
            "data": {"args": "('Subject', 'text', ['someone@example.org'])"},
            "request": "<WSGIRequest: GET '/x/?key=secret'>",
            "status_code": 500,
        },
    )

    [line] = json_lines()
    assert line["message"] == "Task core.tasks.send_message failed"
    assert line["status_code"] == 500
    assert "someone@example.org" not in json.dumps(line)
    assert "secret" not in json.dumps(line)


def load_settings(**environment: str):
    """config/settings.py as a deployment with this environment would load it."""
    spec = importlib.util.spec_from_file_location("_settings_under_test", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, environment):
        spec.loader.exec_module(module)
    return module


def test_log_level_and_format_come_from_the_environment():
    with mock.patch.dict(os.environ):
        for name in ("LOG_LEVEL", "LOG_FORMAT", "DEBUG", "SENTRY_DSN"):
            os.environ.pop(name, None)
        production = load_settings()
        readable = load_settings(LOG_LEVEL="warning", LOG_FORMAT="text")
        debugging = load_settings(DEBUG="true")

    assert production.LOGGING["root"]["level"] == "INFO"
    assert production.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert readable.LOGGING["root"]["level"] == "WARNING"
    assert readable.LOGGING["handlers"]["console"]["formatter"] == "text"
    assert debugging.LOGGING["handlers"]["console"]["formatter"] == "text"
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        observability.logging_config(level="INFO", fmt="xml")


def test_sentry_only_with_a_dsn():
    with mock.patch("sentry_sdk.init") as init:
        assert observability.init_sentry("") is False
        init.assert_not_called()

        assert observability.init_sentry("https://key@sentry.example.org/1") is True

    [call] = init.call_args_list
    options = call.kwargs
    assert options["dsn"] == "https://key@sentry.example.org/1"
    assert options["send_default_pii"] is False
    assert options["max_request_body_size"] == "never"
    assert options["before_send"] is observability.tag_request_id
    assert {type(integration).__name__ for integration in options["integrations"]} == {
        "DjangoIntegration",
        "CeleryIntegration",
    }


def test_sentry_errors_carry_the_request_id():
    set_guid("4c7d1a9e-5d2b-4b0e-9a6c-2f1d3e4b5a6c")
    try:
        event = observability.tag_request_id({"tags": {"k": "v"}}, {})
    finally:
        clear_guid()

    assert event["tags"] == {"k": "v", "request_id": "4c7d1a9e-5d2b-4b0e-9a6c-2f1d3e4b5a6c"}
    assert observability.tag_request_id({}, {}) == {}


def test_settings_start_sentry_when_sentry_dsn_is_set():
    with mock.patch("sentry_sdk.init") as init, mock.patch.dict(os.environ):
        os.environ.pop("SENTRY_DSN", None)
        load_settings()
        init.assert_not_called()

        load_settings(SENTRY_DSN="https://key@sentry.example.org/1", SENTRY_ENVIRONMENT="staging")

    [call] = init.call_args_list
    assert call.kwargs["environment"] == "staging"
    assert call.kwargs["send_default_pii"] is False
