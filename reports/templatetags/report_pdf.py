"""Template filters of the PDF report (templates/reports/pdf/)."""

from __future__ import annotations

import unicodedata

from django import template

register = template.Library()


@register.filter
def text_dir(text: object) -> str:
    """The direction of a text people typed, for its block's `dir`: "rtl" when its first strong
    character is right to left (Arabic, Hebrew), "ltr" when it is left to right, "auto" when it
    has none. That is what HTML's dir="auto" does; WeasyPrint does not implement it, so an
    English finding in the Arabic report (or an Arabic one in the English report) would take the
    page's direction and see its full stops and brackets move to the wrong end."""
    for char in str(text or ""):
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "auto"
