"""A PDF's text as pypdf reads it, in a module that imports nothing but pypdf: the language tests
(test_report_languages.py) read each report in a worker process while the next one is rendered,
since reading takes about as long as rendering."""

from __future__ import annotations

import io

from pypdf import PdfReader


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
