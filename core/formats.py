"""Numbers as the reader writes them: 57.9 % in English, 57,9 % in French and Russian.

Django's locale formats give the decimal separator of the active language; pages, charts and the
PDF format percentages and percentage points through here.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format

NOTHING = "—"


def number(value: Decimal | float | int, decimal_pos: int | None = None) -> str:
    """The number with the active language's decimal separator (no grouping)."""
    return number_format(value, decimal_pos)


def percent(value: Decimal | float | int | None, decimal_pos: int | None = None) -> str:
    return NOTHING if value is None else f"{number(value, decimal_pos)} %"
