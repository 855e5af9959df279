"""Fixtures shared by the report tests."""

from __future__ import annotations

import pytest

from core import pdf
from reports import document, worker


@pytest.fixture
def fake_render(monkeypatch):
    """A renderer that takes no time: a small PDF-looking file whose bytes depend on the input,
    as a real PDF's would. Returns the inputs it was asked to render."""
    calls: list[dict] = []

    def render(data):
        calls.append(data)
        body = b"%PDF-1.7\n% fake report " + document.content_hash(data).encode() + b"\n%%EOF\n"
        return "<html></html>", pdf.Pdf(content=body, pages=3)

    monkeypatch.setattr(document, "render_input", render)
    monkeypatch.setattr(worker, "render_input", render)
    return calls
