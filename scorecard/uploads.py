"""What evidence files we accept: the types users need, recognised by their content.

The extension alone proves nothing, so each file must both carry an allowed extension and have
content that matches it. Content that is hostile although of the right type is refused too: web
page code (HTML or script) hidden in a PDF, an image or a text file, JavaScript in a PDF, and
Office or OpenDocument files that unpack to far more than they weigh (zip bombs). Anything else is
refused with a message saying why, before storage.

Every check reads the file in chunks of SCAN_CHUNK bytes, at most EVIDENCE_MAX_BYTES in all, and
unpacks at most UNPACKED_MAX_BYTES of a zip (PDF_OBJECT_STREAMS_MAX_BYTES of a PDF): a hostile
file costs bounded time (about a second at worst for a 20 MB file) and memory.
"""

from __future__ import annotations

import codecs
import copy
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import AnyStr

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
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
# The kinds scanned for web page code: what a browser could be talked into rendering as a page.
# Office files are zip archives (compressed: nothing to see) and old Office files hold the
# document's own text, where a report quoting HTML is no attack.
BINARY_SCANNED = {"pdf", "png", "jpg", "gif", "webp"}

# Files are read in chunks of this size; each chunk is scanned together with the end of the one
# before it (SCAN_OVERLAP bytes: every pattern below is bounded to match fewer), so a sign split
# across two chunks is still seen whole.
SCAN_CHUNK = 1024 * 1024
SCAN_OVERLAP = 2048

# Zip bombs. A 20 MB Office file of text XML (a big spreadsheet) unpacks to 10 to 12 times its
# size, about 240 MB at EVIDENCE_MAX_BYTES's default; beyond 256 MB it is not a document but a
# bomb, and unpacking that much takes well under a second. EVIDENCE_UNPACKED_MAX_BYTES in the
# settings overrides it.
UNPACKED_MAX_BYTES = 256 * 1024 * 1024
# A document holds tens of parts, a big presentation a few thousand; past this, a bomb (and
# Python's zipfile takes seconds to read the list of a few hundred thousand).
MAX_ENTRIES = 10_000
# Deflate can pack a run of zeros more than 1,000 times; real parts (XML, images) pack at most a
# few dozen times, so a part over RATIO_FLOOR that packs more than MAX_RATIO times is a bomb.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
CENTRAL_DIRECTORY_SIGN = b"PK\x01\x02"
# A PDF's object streams hold only its dictionaries (a few megabytes in a large report; the page
# content and images are elsewhere): unpacking and searching more than this is refused.
PDF_OBJECT_STREAMS_MAX_BYTES = 64 * 1024 * 1024

# Web page code, in a file read by a browser that sniffs it (or in a page that shows its text):
# searched in the lowercased bytes of PDFs and images. Only signs specific enough never to turn up
# by chance in the binary streams of a real PDF or image: a tag name of four letters or more
# followed by what ends a tag name (about one chance in 10^12 per byte of random data; `<svg` or
# `<img` alone would match a few random files in a thousand, so they count only with an event
# handler, below). A PDF's own `<<` dictionaries and `<4f6b>` hex strings never match. Left out on
# purpose: `<body`, `<form` and `<template`, which real PDFs hold in plain text (the XHTML rich
# text of comments, `/RC`, and XFA forms); a script there is still caught, by `<script` or its
# event handler.
BINARY_MARKUP = re.compile(
    rb"<(?:!doctype\s{1,64}html|html|head|script|iframe|frame|frameset|object|embed|applet|style"
    rb"|meta|link|base)(?=[\s/>])"
)
# A tag with an event handler, which runs script: <svg onload=...>, <img src=x onerror=...>.
BINARY_HANDLER = re.compile(
    rb"<(?:svg|img|image|video|audio|source|body|input|details|math|marquee|iframe|object"
    rb"|embed|animate|set|a)(?=[\s/])[^<>]{0,256}?[\s/\"']on[a-z]{3,30}\s{0,64}="
)
JAVASCRIPT_URL = b"javascript:"
# The same in the decoded text of .txt and .csv files, where `<` is only ever followed by a tag
# name in markup: "a < b" and "<5 years" stay plain text.
TEXT_MARKUP = re.compile(
    r"<(?:"
    r"(?:script|iframe|frame|frameset|img|image|svg|html|head|body|object|embed|applet|a|style"
    r"|link|meta|form|input|button|textarea|select|math|details|video|audio|source|base|template"
    r"|noscript|marquee|xmp|plaintext)(?=[\s/>])"
    r"|!doctype\s{1,64}html|\?xml"
    # any tag with an event handler: <x onclick=...>, <p/onmouseover="...">
    r"|[a-z][^\s/<>]{0,30}(?=[\s/])[^<>]{0,1000}?[\s/\"']on[a-z]{3,30}\s{0,64}="
    r")"
)


def _pdf_name(name: str) -> bytes:
    """A pattern for the PDF name /name: also written with #xx escapes (/J#53 is /JS), and not a
    longer name that starts with it (/JSXKLM+Arial is a font)."""
    letters = b"".join(
        b"(?:%s|#(?i:%02x))" % (re.escape(char.encode()), ord(char)) for char in name
    )
    return b"/" + letters + rb"(?![^\x00\t\n\f\r ()<>\[\]{}/%])"


# JavaScript in a PDF (a /JS action, a /JavaScript name tree): Acrobat runs it, and so do the
# viewers of Chrome (PDFium) and Firefox (PDF.js), in a sandbox whose escapes keep being found.
# Evidence is a report to read, never a program, so a PDF carrying JavaScript is refused rather
# than trusted to every reader's viewer. The names are searched in the file and in its object
# streams (/ObjStm, compressed), where a modern PDF keeps most of its dictionaries.
# Best effort: a stream packed with another filter than Flate is not unpacked.
PDF_JAVASCRIPT = re.compile(_pdf_name("JS") + b"|" + _pdf_name("JavaScript"))
PDF_OBJECT_STREAM = re.compile(_pdf_name("ObjStm"))
PDF_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")


@dataclass(frozen=True)
class CheckedFile:
    safe_name: str
    extension: str
    content_type: str


def allowed_extensions() -> str:
    return ", ".join(sorted(ext.lstrip(".").upper() for ext in ALLOWED))


def unpacked_max_bytes() -> int:
    return getattr(settings, "EVIDENCE_UNPACKED_MAX_BYTES", UNPACKED_MAX_BYTES)


def _head(uploaded: UploadedFile, size: int = 8192) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(size)
    uploaded.seek(0)
    return head


def _chunks(uploaded: UploadedFile) -> Iterator[bytes]:
    """The file's bytes from the start, SCAN_CHUNK at a time, EVIDENCE_MAX_BYTES at most."""
    uploaded.seek(0)
    budget = settings.EVIDENCE_MAX_BYTES
    while budget > 0:
        chunk = uploaded.read(min(SCAN_CHUNK, budget))
        if not chunk:
            return
        budget -= len(chunk)
        yield chunk


def _decoded(chunks: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 text, chunk by chunk (a chunk boundary may split a character); UnicodeDecodeError
    if it is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    for chunk in chunks:
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def _overlapping(chunks: Iterable[AnyStr], overlap: int) -> Iterator[tuple[int, AnyStr, bool]]:
    """Each chunk after the last `overlap` items of the ones before it, so that a sign split
    across two chunks is seen whole: (offset of the window, window, whether it is the last)."""
    iterator = (chunk for chunk in chunks if chunk)
    current = next(iterator, None)
    tail = None
    consumed = 0
    while current is not None:
        following = next(iterator, None)
        window = current if tail is None else tail + current
        yield consumed - (len(window) - len(current)), window, following is None
        consumed += len(current)
        tail = window[-overlap:]
        current = following


def _first(pattern: re.Pattern, window: AnyStr, last: bool) -> re.Match | None:
    """The first match in the window, unless it starts in the part the next window repeats:
    there the text after it is not all seen yet, and the next window decides."""
    limit = len(window) if last else len(window) - SCAN_OVERLAP
    match = pattern.search(window)
    return match if match is not None and match.start() < limit else None


def _web_code() -> ValidationError:
    return ValidationError(
        _("This file contains web page code (HTML or script), which is not allowed in evidence.")
    )


def _pdf_javascript() -> ValidationError:
    return ValidationError(_("This PDF contains JavaScript, which is not allowed in evidence."))


def _too_large_unpacked(limit: int) -> ValidationError:
    return ValidationError(
        _("This document is too large once unpacked (more than %(size)s).")
        % {"size": filesizeformat(limit)}
    )


def _too_many_parts() -> ValidationError:
    return ValidationError(
        _("This document holds too many parts (more than %(count)s).")
        % {"count": number_format(MAX_ENTRIES, force_grouping=True)}
    )


def _zip_bomb() -> ValidationError:
    return ValidationError(
        _(
            "This document looks like a zip bomb: part of it unpacks to more than %(ratio)s "
            "times its packed size."
        )
        % {"ratio": MAX_RATIO}
    )


# --- Packages: Office (OOXML) and OpenDocument files are zip archives ---------------------------


def _package_matches(uploaded: UploadedFile, how: str) -> bool:
    """Whether the file is the zip package `how` names, unpacked within bounds to be sure.

    ValidationError if it is a zip bomb: too many parts, too large once unpacked (as declared
    or as actually unpacked: the sizes an archive declares are the attacker's to write), or a
    part packed far more tightly than real content packs."""
    # Count the parts before zipfile reads their list: its time grows with their number. Every
    # entry of the central directory starts with this signature, so its count bounds theirs.
    count = sum(
        window.count(CENTRAL_DIRECTORY_SIGN)
        for _offset, window, _last in _overlapping(
            _chunks(uploaded), len(CENTRAL_DIRECTORY_SIGN) - 1
        )
    )
    if count > MAX_ENTRIES:
        raise _too_many_parts()
    cap = unpacked_max_bytes()
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if how.startswith("ooxml:"):
                prefix = how.split(":", 1)[1]
                if "[Content_Types].xml" not in names or not any(
                    name.startswith(prefix) for name in names
                ):
                    return False
            elif "mimetype" not in names:
                return False
            if len(infos) > MAX_ENTRIES:
                raise _too_many_parts()
            if sum(info.file_size for info in infos) > cap:
                raise _too_large_unpacked(cap)
            if any(_packed_too_tightly(info.file_size, info) for info in infos):
                raise _zip_bomb()
            spent = 0
            for info in infos:
                unpacked = _unpack(archive, info, cap - spent, cap)
                if unpacked != info.file_size:  # None: the checksum does not match
                    return False
                spent += unpacked
            return True
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,  # a part cut short
        NotImplementedError,  # a compression method zipfile does not know
        RuntimeError,  # an encrypted part: Office documents never encrypt their zip
        OSError,
        ValueError,
        struct.error,
    ):
        return False
    finally:
        uploaded.seek(0)


def _packed_too_tightly(unpacked: int, info: zipfile.ZipInfo) -> bool:
    return unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(info.compress_size, 1)


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, cap: int) -> int | None:
    """Unpack the part for real and say how many bytes it holds, or None if they do not match its
    checksum. ValidationError as soon as it holds more than the budget or packs too tightly."""
    # zipfile stops reading a part at its declared size; declare it larger (one byte past the
    # budget) to see what the part really unpacks to, still stopping once the budget is spent.
    # zipfile would check the checksum there, on the bytes read so far: it is checked below.
    probe = copy.copy(info)
    probe.file_size = budget + 1
    probe.CRC = None
    unpacked = 0
    checksum = 0
    with archive.open(probe) as member:
        while chunk := member.read(SCAN_CHUNK):
            unpacked += len(chunk)
            if unpacked > budget:
                raise _too_large_unpacked(cap)
            if _packed_too_tightly(unpacked, info):
                raise _zip_bomb()
            checksum = zlib.crc32(chunk, checksum)
    return unpacked if checksum == info.CRC else None


# --- Web page code and JavaScript -------------------------------------------------------------


def _refuse_binary_markup(uploaded: UploadedFile) -> None:
    """A PDF or image that also holds web page code (a polyglot), anywhere in the file."""
    for _offset, window, last in _overlapping(_chunks(uploaded), SCAN_OVERLAP):
        lowered = window.lower()
        if (
            _first(BINARY_MARKUP, lowered, last)
            or _first(BINARY_HANDLER, lowered, last)
            or JAVASCRIPT_URL in lowered
        ):
            raise _web_code()


def _refuse_text_markup(uploaded: UploadedFile) -> None:
    """Markup anywhere in a text file (already known to be UTF-8)."""
    for _offset, window, last in _overlapping(_decoded(_chunks(uploaded)), SCAN_OVERLAP):
        if _first(TEXT_MARKUP, window.lower(), last):
            raise _web_code()


def _inflated(uploaded: UploadedFile, offset: int, budget: int) -> Iterator[bytes]:
    """The unpacked data of the Flate stream whose dictionary holds `offset`, at most one chunk
    past the budget; nothing if it is not a Flate stream."""
    uploaded.seek(offset)
    start = PDF_STREAM_START.search(uploaded.read(4096))
    if start is None:
        return
    uploaded.seek(offset + start.end())
    inflater = zlib.decompressobj()
    produced = 0
    try:
        while not inflater.eof and produced <= budget:
            packed = inflater.unconsumed_tail or uploaded.read(64 * 1024)
            if not packed:
                return
            data = inflater.decompress(packed, SCAN_CHUNK)
            produced += len(data)
            yield data
    except zlib.error:
        return


def _refuse_pdf_javascript(uploaded: UploadedFile) -> None:
    object_streams: set[int] = set()
    for offset, window, last in _overlapping(_chunks(uploaded), SCAN_OVERLAP):
        if _first(PDF_JAVASCRIPT, window, last):
            raise _pdf_javascript()
        object_streams.update(
            offset + match.start()
            for match in PDF_OBJECT_STREAM.finditer(window)
            if last or match.start() < len(window) - SCAN_OVERLAP
        )
        if len(object_streams) > MAX_ENTRIES:
            raise _too_many_parts()
    budget = PDF_OBJECT_STREAMS_MAX_BYTES
    for position in sorted(object_streams):
        spent = 0
        for offset, window, last in _overlapping(
            _inflated(uploaded, position, budget), SCAN_OVERLAP
        ):
            if _first(PDF_JAVASCRIPT, window, last):
                raise _pdf_javascript()
            spent = offset + len(window)
        budget -= spent
        if budget < 0:
            raise _too_large_unpacked(PDF_OBJECT_STREAMS_MAX_BYTES)


# --- The check --------------------------------------------------------------------------------


def _is_text(uploaded: UploadedFile) -> bool:
    """UTF-8 without NUL bytes: the whole file, not just its start."""
    try:
        for text in _decoded(_chunks(uploaded)):
            if "\x00" in text:
                return False
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
        return head.startswith(b"PK\x03\x04") and _package_matches(uploaded, how)
    if how == "odf":
        return (
            head.startswith(b"PK\x03\x04")
            and b"mimetypeapplication/vnd.oasis" in head[:200]
            and _package_matches(uploaded, how)
        )
    kind = filetype.guess(head)
    return kind is not None and kind.extension == how


def _refuse_hostile_content(uploaded: UploadedFile, how: str) -> None:
    """ValidationError if a file of the right type carries web page code or JavaScript."""
    try:
        if how == "text":
            _refuse_text_markup(uploaded)
        elif how in BINARY_SCANNED:
            _refuse_binary_markup(uploaded)
            if how == "pdf":
                _refuse_pdf_javascript(uploaded)
    finally:
        uploaded.seek(0)


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
    _refuse_hostile_content(uploaded, how)
    return CheckedFile(safe_name=safe_name, extension=extension, content_type=content_type)
