"""One way to make a PDF: a Django template laid out by WeasyPrint.

`render_pdf(template_name, context) -> bytes` is the whole API (plus `html_to_pdf` for callers
that already hold the HTML, such as the benchmark). Stylesheets, fonts and images referenced
from the template are read from the static files on disk: WeasyPrint never goes out to the
network, and never reads `file://` URLs or anything outside the static files, because the
template prints text that users typed (maykin's render_template_to_pdf, django-weasyprint's
URL fetcher).

WeasyPrint is imported inside the functions: it is slow to import and only the PDF worker and
the operator's CLI need it. The default variant is PDF/UA-1: tagged, with a title, a language
and embedded (subset) fonts, which screen readers and UN accessibility rules expect.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import FileSystemStorage
from django.template.loader import render_to_string

DEFAULT_VARIANT = "pdf/ua-1"
# Relative URLs in the template (`{% static %}` gives "/static/…") are resolved against this
# base; it is never fetched, it only has to be absolute.
BASE_URL = "https://pdf.invalid/"


class ResourceRefused(ValueError):
    """The template asked WeasyPrint for something other than one of our static files."""


@dataclass(frozen=True)
class Pdf:
    content: bytes
    pages: int


def static_path(url: str) -> str | None:
    """The file on disk behind a static URL, or None when the URL is not one of ours."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
        return None
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not parts.path.startswith(prefix):
        return None
    relative = unquote(parts.path[len(prefix) :])
    if ".." in PurePosixPath(relative).parts:
        return None
    # Collected files first (hashed names in production), then the source tree.
    if isinstance(staticfiles_storage, FileSystemStorage) and staticfiles_storage.exists(relative):
        return staticfiles_storage.path(relative)
    return finders.find(relative)


# WeasyPrint reports every layout step at INFO ("Step 5 - Creating layout - Page 12"), from its
# import on: keep its warnings only, unless the LOGGING setting says otherwise.
if logging.getLogger("weasyprint.progress").level == logging.NOTSET:
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@functools.cache
def _fetcher_class() -> type:
    import weasyprint  # noqa: PLC0415 -- slow import, only where PDFs are made

    class StaticFilesFetcher(weasyprint.URLFetcher):
        """Serves our static files from disk and refuses every other URL but data: ones."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_path(url)
            if path is None:
                raise ResourceRefused(f"Not one of our static files: {url}")
            mime_type, _encoding = mimetypes.guess_type(path)
            with open(path, "rb") as handle:
                body = handle.read()
            return weasyprint.urls.URLFetcherResponse(
                url, body, {"Content-Type": mime_type or "application/octet-stream"}
            )

    return StaticFilesFetcher


def html_to_pdf(html: str, *, variant: str | None = DEFAULT_VARIANT) -> Pdf:
    """Lay out HTML that is already rendered (title, author and language come from its head)."""
    import weasyprint  # noqa: PLC0415 -- slow import, only where PDFs are made

    document = weasyprint.HTML(
        string=html, base_url=BASE_URL, url_fetcher=_fetcher_class()(allowed_protocols=None)
    ).render()
    content = document.write_pdf(pdf_variant=variant)
    return Pdf(content=content, pages=len(document.pages))


def render_pdf_document(
    template_name: str, context: dict[str, Any], *, variant: str | None = DEFAULT_VARIANT
) -> tuple[str, Pdf]:
    """The rendered HTML and the PDF made from it."""
    html = render_to_string(template_name, context)
    return html, html_to_pdf(html, variant=variant)


def render_pdf(
    template_name: str, context: dict[str, Any], *, variant: str | None = DEFAULT_VARIANT
) -> bytes:
    """The project's one way to make a PDF: render the template, lay it out, return the bytes."""
    return render_pdf_document(template_name, context, variant=variant)[1].content
