"""ISO 4217 currencies: which codes a financial commitment may use, and their names in the six
languages, from Babel's copy of the Unicode CLDR (kept up to date by upgrading Babel)."""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.numbers import get_currency_name, get_territory_currencies
from django.utils.translation import get_language, to_locale


@cache
def codes() -> frozenset[str]:
    """The currencies legal tender today in some country or territory (CLDR): USD, EUR, KZT, XOF,
    ... without the withdrawn ones (HRK, SLL) and the funds and metals ISO also lists."""
    territories = (code for code in Locale("en").territories if len(code) == 2)
    return frozenset(
        currency for territory in territories for currency in get_territory_currencies(territory)
    )


def name(code: str, language: str | None = None) -> str:
    """The currency's name in `language` (default: the active one), e.g. "tenge kazakh"."""
    return get_currency_name(code, locale=to_locale(language or get_language() or "en"))


def choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, "code · name") of every currency in codes(), by code."""
    return [(code, f"{code} · {name(code, language)}") for code in sorted(codes())]
