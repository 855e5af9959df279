"""The file storage's edge: evidence files and PDF reports, on local disk or in a bucket.

Files go to `default_storage`: local disk (MEDIA_ROOT) by default, an S3-compatible bucket when
AWS_STORAGE_BUCKET_NAME is set (config/settings.py, STORAGE). Whatever the backend raises is
turned here, and only here, into two errors a person can act on:

- `FileMissing` (404): the record names a file the storage does not have;
- `StorageUnavailable` (503): the storage cannot be reached or refuses us (down, timed out,
  wrong credentials, no such bucket).

`send_file` is the download every permission-checked view ends with: from disk Django streams
the bytes; from the bucket the browser is redirected to a presigned URL valid for a few minutes
(AWS_QUERYSTRING_EXPIRE), after a HEAD request that tells a missing file or an unreachable
bucket apart before anyone is sent there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

NOT_FOUND_CODES = {"NoSuchKey", "NotFound", "404"}


class StorageError(Exception):
    """A file could not be read or written; `message` says so to the person, `status` is the
    HTTP status that answers it."""

    status = 503
    message = _(
        "The file storage cannot be reached just now. Try again in a few minutes; if it keeps "
        "failing, tell the platform's administrators."
    )


class StorageUnavailable(StorageError):
    """The storage is down, too slow, or refuses our credentials."""


class FileMissing(StorageError):
    """The storage answers, and does not have the file."""

    status = 404
    message = _("This file is missing from the file storage. Tell the platform's administrators.")


@contextmanager
def storage_errors(name: str = "") -> Iterator[None]:
    """Run storage calls; their failures come out as FileMissing or StorageUnavailable."""
    try:
        yield
    except StorageError:
        raise
    except FileNotFoundError as error:
        raise FileMissing(name) from error
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in NOT_FOUND_CODES or status == 404:
            raise FileMissing(name) from error
        logger.error("The file storage refused a request for %r: %s", name, error)
        raise StorageUnavailable(name) from error
    except (BotoCoreError, OSError) as error:
        logger.warning("The file storage is unavailable (%r): %s", name, error)
        raise StorageUnavailable(name) from error


def is_remote(storage: Storage) -> bool:
    """True for a storage whose files have no path on this machine (the bucket)."""
    try:
        storage.path("")
    except NotImplementedError:
        return True
    return False


def send_file(file: FieldFile, *, filename: str, content_type: str) -> HttpResponse:
    """The file as a download named `filename`. Call it only after the permission gate.

    Raises FileMissing or StorageUnavailable (see `error_page`, and core.api for JSON)."""
    with storage_errors(file.name):
        if is_remote(file.storage):
            if not file.storage.exists(file.name):
                raise FileMissing(file.name)
            # Signed here, without a request; the bucket sends our name and type with the bytes.
            url = file.storage.url(
                file.name,
                parameters={
                    "ResponseContentDisposition": content_disposition_header(True, filename),
                    "ResponseContentType": content_type,
                },
            )
            response: HttpResponse = HttpResponseRedirect(url)
            # The URL is a short-lived key to the file: no cache keeps it.
            response["Cache-Control"] = "no-store"
        else:
            response = FileResponse(
                file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
            )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def error_page(request: HttpRequest, error: StorageError) -> HttpResponse:
    return render(
        request, "core/file_unavailable.html", {"message": error.message}, status=error.status
    )


def storage_error_pages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page view whose storage failures are a page saying so (404 or 503), not a 500."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except StorageError as error:
            return error_page(request, error)

    return wrapped
