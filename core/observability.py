"""One log line per request and one per Celery task, with the request's id.

The id comes from django-guid (its middleware, just inside `RequestLogMiddleware`): the client's
`X-Request-ID` when it is a UUID, else a new uuid4; it is sent back in the `X-Request-ID`
response header and put on every log line of the request (config/observability.py). A task
queued during a request carries the id along (a message header), so the worker's lines for it
name the same request; a task nobody's request queued (beat's) uses its own task id.

Fields of a request's line: `method`, `path` (secret tokens of invitation and password-reset
links replaced), `status`, `duration_ms`, `user_id` (null when anonymous). A task's: `task_id`,
`task_name`, `state`, `duration_ms`. Never a body, a query string or a header.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty
from django_guid import clear_guid, get_guid, set_guid

request_logger = logging.getLogger("unct_swap.request")
task_logger = logging.getLogger("unct_swap.task")

REQUEST_ID_HEADER = "request_id"  # the task message's header that carries the request's id
SECRET_URL_KWARGS = ("token",)  # URL parts that are keys: invitation and password-reset links
_task_started: dict[str, float] = {}


def _path(request: HttpRequest) -> str:
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name in SECRET_URL_KWARGS:
        value = match.kwargs.get(name) if match else None
        if value:
            path = path.replace(str(value), f"<{name}>")
    return path


def _user_id(request: HttpRequest) -> int | None:
    """The logged-in user's id, without loading the session only for the log line."""
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """First in MIDDLEWARE: times the whole answer and logs it once it is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            status = response.status_code
            request_logger.log(
                logging.WARNING if status >= 500 else logging.INFO,
                "%s %s %s",
                request.method,
                _path(request),
                status,
                extra={
                    "request_id": getattr(request, "correlation_id", None) or get_guid(),
                    "method": request.method,
                    "path": _path(request),
                    "status": status,
                    "duration_ms": duration_ms,
                    "user_id": _user_id(request),
                },
            )
            return response
        finally:
            # The thread serves another request next: no line of it may carry this id.
            clear_guid()


@before_task_publish.connect(dispatch_uid="core.observability.request_id_to_task")
def _request_id_to_task(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = get_guid()
    if request_id and headers is not None:
        headers[REQUEST_ID_HEADER] = request_id


@task_prerun.connect(dispatch_uid="core.observability.task_started")
def _task_started_(task_id: str, task: Any, **kwargs: Any) -> None:
    _task_started[task_id] = time.perf_counter()
    if not task.request.is_eager:  # eager: inside the request, whose id stays
        set_guid(task.request.get(REQUEST_ID_HEADER) or task_id)


@task_postrun.connect(dispatch_uid="core.observability.task_done")
def _task_done(task_id: str, task: Any, state: str | None = None, **kwargs: Any) -> None:
    started = _task_started.pop(task_id, None)
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    level = {"FAILURE": logging.WARNING, "RETRY": logging.WARNING}.get(state or "", logging.INFO)
    task_logger.log(
        level,
        "task %s %s",
        task.name,
        state,
        extra={
            "task_id": task_id,
            "task_name": task.name,
            "state": state,
            "duration_ms": duration_ms,
        },
    )
    if not task.request.is_eager:
        clear_guid()
