"""What evidence files we accept: the types users need, recognised by their content.

The extension alone proves nothing, so each file must both carry an allowed extension and have
content that matches it. Anything else is refused with a message saying why, before storage.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

# extension → (content type, how the content is recognised)
ALLOWED = {
    ".pdf": ("application/pdf", "pdf"),
    ".png": ("image/png", "png"),
    ".jpg": ("image/jpeg", "jpg"),
    ".jpeg": ("image/jpeg", "jpg"),
    ".gif": ("image/gif", "gif"),
    ".webp": ("image/webp", "webp"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "ooxml:word/",
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml:xl/"),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ooxml:ppt/",
    ),
    ".doc": ("application/msword", "ole"),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".ppt": ("application/vnd.ms-powerpoint", "ole"),
    ".odt": ("application/vnd.oasis.opendocument.text", "odf"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "odf"),
    ".csv": ("text/csv", "text"),
    ".txt": ("text/plain", "text"),
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MARKUP_SIGNS = (b"<script", b"<html", b"<!doctype html", b"<svg", b"<?xml", b"<iframe")


@dataclass(frozen=True)
class CheckedFile:
    safe_name: str
    extension: str
    content_type: str


def allowed_extensions() -> str:
    return ", ".join(sorted(ext.lstrip(".").upper() for ext in ALLOWED))


def _head(uploaded: UploadedFile, size: int = 8192) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(size)
    uploaded.seek(0)
    return head


def _ooxml_matches(uploaded: UploadedFile, prefix: str) -> bool:
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        uploaded.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)


def _is_text(uploaded: UploadedFile) -> bool:
    uploaded.seek(0)
    try:
        for chunk in uploaded.chunks():
            if b"\x00" in chunk:
                return False
            lowered = chunk.lower()
            if any(sign in lowered for sign in MARKUP_SIGNS):
                return False
            chunk.decode("utf-8", errors="strict")  # a chunk boundary may split a character
    except UnicodeDecodeError:
        return False
    finally:
        uploaded.seek(0)
    return True


def _content_matches(uploaded: UploadedFile, how: str) -> bool:
    head = _head(uploaded)
    if how == "text":
        return _is_text(uploaded)
    if how == "ole":
        return head.startswith(OLE_MAGIC)
    if how.startswith("ooxml:"):
        return head.startswith(b"PK\x03\x04") and _ooxml_matches(uploaded, how.split(":", 1)[1])
    if how == "odf":
        return head.startswith(b"PK\x03\x04") and b"mimetypeapplication/vnd.oasis" in head[:200]
    kind = filetype.guess(head)
    return kind is not None and kind.extension == how


def check_evidence_file(uploaded: UploadedFile) -> CheckedFile:
    """The file's safe name, extension and real type, or ValidationError saying why not."""
    raw_name = uploaded.name or ""
    # Browsers send a bare file name; a path, a hidden name or control characters mean a
    # crafted request (path traversal and friends), which we refuse rather than repair.
    if (
        not raw_name.strip()
        or "/" in raw_name
        or "\\" in raw_name
        or raw_name.startswith(".")
        or any(ord(ch) < 32 for ch in raw_name)
    ):
        raise ValidationError(
            _("The file name %(name)s is not allowed.") % {"name": raw_name or _("(empty)")}
        )
    safe_name = get_valid_filename(raw_name)
    if uploaded.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {
                "size": filesizeformat(uploaded.size),
                "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            }
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."))
    extension = os.path.splitext(safe_name)[1].lower()
    if extension not in ALLOWED:
        raise ValidationError(
            _("Files of type %(ext)s are not accepted. Accepted: %(allowed)s.")
            % {"ext": extension or _("(none)"), "allowed": allowed_extensions()}
        )
    content_type, how = ALLOWED[extension]
    if not _content_matches(uploaded, how):
        raise ValidationError(
            _("The content of %(name)s is not a valid %(ext)s file.")
            % {"name": safe_name, "ext": extension.lstrip(".").upper()}
        )
    return CheckedFile(safe_name=safe_name, extension=extension, content_type=content_type)
