"""UN names of countries and territories in the six languages, and finding a country from what a
person typed.

The names come from hdx-python-country, which ships OCHA's Countries & Territories Taxonomy: the
UNTERM short names and the UN Statistics Division's M49 names in Arabic, Chinese, English,
French, Russian and Spanish ("Viet Nam", "Türkiye", "Republic of Moldova"), kept up to date by
OCHA and read offline. We read the package's data file with the csv module instead of going
through its `Country` class: that class's import pulls in frictionless and its loading costs
about 57 MB per process (measured), for a 100 kB table. Updating the names = upgrading the
package.
"""

from __future__ import annotations

import csv
import importlib.resources
import re
from dataclasses import dataclass
from functools import cache

from django.utils.translation import get_language

TAXONOMY = "Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"
# The taxonomy's name for each of our languages, as its column headings spell it.
LANGUAGE_COLUMNS = {
    "ar": "Arabic",
    "zh-hans": "Chinese",
    "en": "English",
    "fr": "French",
    "ru": "Russian",
    "es": "Spanish",
}
# Every column that holds a name someone may type: the same set hdx-python-country matches on.
NAME_COLUMNS = (
    "Preferred Term",
    "ISO Alt Term",
    "DGACM Alt Term",
    "HPC Tools Alt Term",
    "RW Short Name",
    "RW API Alt Term",
    "English Formal",
    *(f"{language} Short" for language in LANGUAGE_COLUMNS.values()),
    *(f"M49 {language}" for language in LANGUAGE_COLUMNS.values()),
)


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-3
    names: dict[str, str]  # language code → name; every language has one (English fallback)
    pattern: re.Pattern[str] | None  # OCHA's expression for common variants ("turkey")

    def name(self, language: str | None = None) -> str:
        return self.names.get(_language(language), self.names["en"])


def _language(language: str | None) -> str:
    code = (language or get_language() or "en").lower()
    return code if code in LANGUAGE_COLUMNS else code.split("-")[0]


def _names(row: dict[str, str]) -> dict[str, str]:
    # English: the UN's preferred term ("China, Macao Special Administrative Region"); the other
    # languages: the UNTERM short name, else M49's, else the English one.
    english = row["Preferred Term"] or row["English Short"]
    names = {"en": english}
    for code, column in LANGUAGE_COLUMNS.items():
        if code != "en":
            names[code] = row[f"{column} Short"] or row[f"M49 {column}"] or english
    return names


@cache
def _taxonomy() -> tuple[dict[str, Country], dict[str, str]]:
    """(code → Country, casefolded name in any language → code), read once per process."""
    source = importlib.resources.files("hdx.location") / TAXONOMY
    countries: dict[str, Country] = {}
    by_name: dict[str, str] = {}
    with source.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            # Rows without an ISO code (Kosovo's unofficial XKX, the Azores, ...) are left out, as
            # hdx-python-country does by default.
            code = row["ISO 3166-1 Alpha 3-Codes"].strip().upper()
            if not code or row["Deprecated"] == "Y":
                continue
            regex = row["Regex"].strip()
            countries[code] = Country(
                code, _names(row), re.compile(regex, re.IGNORECASE) if regex else None
            )
            for column in NAME_COLUMNS:
                if row[column]:
                    by_name.setdefault(_key(row[column]), code)
    return countries, by_name


def _key(text: str) -> str:
    # Typographic and straight apostrophes are the same letter to a reader ("Côte d’Ivoire").
    return " ".join(text.replace("’", "'").split()).casefold()


def codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code the UN taxonomy knows."""
    return frozenset(_taxonomy()[0])


def get(code: str) -> Country | None:
    return _taxonomy()[0].get(code.strip().upper())


def name(code: str, language: str | None = None) -> str:
    """The UN name of the country in `language` (default: the active one); "" when unknown."""
    country = get(code) if code else None
    return country.name(language) if country else ""


def find(text: str) -> str | None:
    """The code of the country `text` names exactly: its alpha-3 code, or one of its names in any
    of the six languages (case, spacing and apostrophes aside). None when none does."""
    countries, by_name = _taxonomy()
    if text.strip().upper() in countries:
        return text.strip().upper()
    return by_name.get(_key(text))


def suggest(text: str) -> str | None:
    """The code of the one country whose common variants match `text` ("Vietnam", "Turkey"), for a
    "did you mean" message; None when none or several do. Never used to accept a value."""
    matches = {
        country.code
        for country in _taxonomy()[0].values()
        if country.pattern is not None and country.pattern.search(text)
    }
    return matches.pop() if len(matches) == 1 else None


def choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) of every country, by name in `language` (default: the active one)."""
    return sorted(
        ((country.code, country.name(language)) for country in _taxonomy()[0].values()),
        key=lambda pair: pair[1].casefold(),
    )
