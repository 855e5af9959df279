"""What every API error looks like, and the schema that says so.

Every error under /api/ is a JSON object with a readable `detail` message; a validation error
keeps its field errors beside it, under the field names (DRF's usual shape), e.g.

    {"detail": "Say why the request is refused.", "comment": ["Say why the request is refused."]}

That holds for DRF's own errors (401, 403, 404, 405, 415, 429, parse errors), for the Django
ValidationError a service raises (400, not a 500), and for what Django answers before DRF is
reached (a bad request, a refusal, an unknown URL, a server error): see `bad_request`,
`permission_denied`, `not_found` and `server_error`; outside /api/ those are the site's error
pages (templates/400.html, 403.html, 404.html, 500.html).

Also here: `documented`, which tags a viewset's operations and gives each its summary in the
schema. The API's throttles are in core/throttle.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import selectors, services
from .models import Notification
from .permissions import get_notification_for_user
from .storage import StorageError

API_PREFIX = "/api/"


def _messages(errors: Any) -> Iterator[str]:
    """Every message in DRF's error structure (lists and dicts, nested for list/dict fields)."""
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, list):
        for value in errors:
            yield from _messages(value)
    else:
        yield str(errors)


def readable(errors: Any) -> dict[str, Any]:
    """DRF's error data as an object with a `detail` message (field errors kept beside it)."""
    if isinstance(errors, dict) and isinstance(errors.get("detail"), str):
        return errors
    if not isinstance(errors, dict):  # ValidationError("…") or a list of messages
        messages = list(_messages(errors))
        return {"detail": " ".join(messages), "non_field_errors": messages}
    fields = [name for name in errors if name != "non_field_errors"]
    messages = list(_messages(errors))
    if len(messages) == 1:
        detail = messages[0]
    elif not fields:
        detail = " ".join(messages)
    else:
        detail = _("Some fields are not valid: %(fields)s.") % {"fields": ", ".join(fields)}
    return {"detail": detail or _("Invalid input."), **errors}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a service's Django ValidationError is a 400 with its field errors
    (not a 500), the file storage's failures are a 404 or 503 saying so, and every error body
    carries a readable `detail`."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    if isinstance(exc, StorageError):  # the file storage: a missing file, or out of reach
        return Response({"detail": str(exc.message)}, status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = readable(response.data)
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: e.g. a request for a host not in ALLOWED_HOSTS; JSON under /api/."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Malformed request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: a PermissionDenied raised outside DRF; JSON under /api/. The page never shows
    the exception's message."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": _("You do not have permission to perform this action.")}, status=403
        )
    return defaults.permission_denied(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an /api/ URL that matches no route (e.g. /assessments/abc/) is a JSON 404."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: API clients get JSON even when something broke."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return defaults.server_error(request)


ViewSet = TypeVar("ViewSet", bound=type)


def documented(tag: str, **summaries: Any) -> Callable[[ViewSet], ViewSet]:
    """A viewset's operations, by action name (list, retrieve, create, update, an @action's
    method), under one tag (the resource, as in its path) with a summary each (lazy gettext:
    the schema and the docs speak the reader's language)."""
    return extend_schema_view(
        **{name: extend_schema(tags=[tag], summary=summary) for name, summary in summaries.items()}
    )


class FileErrorsAsJSON:
    """For a viewset with actions that answer a file (a PDF, a Word document, a workbook): their
    errors are JSON too, even for a client that accepted only the file's type, which DRF would
    otherwise ask the file's renderer to draw. `file_renderers` names those renderers."""

    file_renderers: tuple[type[BaseRenderer], ...] = ()

    def finalize_response(
        self, request: Request, response: HttpResponse, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), self.file_renderers
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


class ErrorSerializer(serializers.Serializer):
    """An error: a readable message; a validation error has its field errors beside it, each a
    list of messages under the field's name (nested for list and dictionary fields)."""

    detail = serializers.CharField()


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with the errors every operation can answer documented."""

    def _error_codes(self) -> dict[str, str]:
        public = any(isinstance(permission, AllowAny) for permission in self.view.get_permissions())
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        codes = {}
        if writes or self._is_list_view():
            # invalid input, or a filter value that is not one
            codes["400"] = _("Invalid input: `detail` says why, field errors are beside it.")
        if not public:
            codes["401"] = _("Not logged in (no session, no valid token).")
            codes["403"] = _("Not yours to see or change.")
        # Unknown (or not yours to know about), also a page number past the end of a list.
        codes["404"] = _("Not found.")
        if writes:
            codes["415"] = _("Unsupported media type.")
        if self.view.throttle_classes:
            codes["429"] = _("Too many requests: try again after the seconds in `Retry-After`.")
        return codes

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        """An id whose route only takes digits (lookup_value_regex "[0-9]+") is an integer,
        not drf-spectacular's "string matching ^[0-9]+$"."""
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"] == {"type": "string", "pattern": "^[0-9]+$"}:
                parameter["schema"] = {"type": "integer", "minimum": 0}
        return parameters

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code, description in self._error_codes().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description),
                    code,
                    direction=direction,
                )
        return responses


# --- Notifications: the API of the notification list (core/views.py) --------------------------


class NotificationSerializer(serializers.ModelSerializer):
    """A notification as its recipient reads it: the text in the request's language."""

    text = serializers.SerializerMethodField()
    unread = serializers.BooleanField(source="is_unread", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "text", "url", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_text(self, obj: Notification) -> str:
        """The notification in the reader's language."""
        return selectors.notification_text(obj)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(
        help_text=gettext_lazy("How many notifications were marked read.")
    )


@documented(
    "notifications",
    list=gettext_lazy("List your notifications, newest first"),
    retrieve=gettext_lazy("Get one of your notifications"),
    read=gettext_lazy("Mark one of your notifications read"),
    read_all=gettext_lazy("Mark all your notifications read"),
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The user's own notifications only: anyone else's is a 404, as on the pages."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notifications_of(self.request.user)

    def get_object(self) -> Notification:
        return get_notification_for_user(self.request.user, int(self.kwargs["pk"]))

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = get_notification_for_user(request.user, int(pk or 0))
        services.mark_notification_read(notification=notification)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.mark_all_notifications_read(user=request.user)})
