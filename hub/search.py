"""How an item's text is prepared for search: no database here.

PostgreSQL stems each language with its own text search configuration; Chinese has none in
PostgreSQL 15 and no spaces between words, so Chinese text is cut into overlapping character
pairs (bigrams, as Elasticsearch's CJK analyzer does) plus single characters, and indexed with
the `simple` configuration: a query cut the same way finds them in any order of words.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The item's language → PostgreSQL's text search configuration.
CONFIGS = {
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "ru": "russian",
    "ar": "arabic",
    "zh-hans": "simple",
}
CJK_LANGUAGES = frozenset({"zh-hans"})
# Every configuration a query is tried in: the searcher's language says nothing about the
# language of what they look for.
QUERY_CONFIGS = tuple(dict.fromkeys(CONFIGS.values()))

QUERY_MAX_LENGTH = 200
# Marks ts_headline puts around a match: private-use characters, never in stored text (see
# `clean`), turned into <mark> after the rest is escaped, since ts_headline escapes nothing.
START, STOP = "\ue000", "\ue001"

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Control characters (NUL is refused by PostgreSQL in any string) and our highlight marks.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def clean(text: str) -> str:
    """Text without control characters or highlight marks."""
    return _UNSAFE.sub("", text)


def config_for(language: str) -> str:
    return CONFIGS.get(language, "simple")


def cjk_grams(text: str, *, unigrams: bool = True) -> str:
    """Each run of Chinese characters as its character pairs (and, for indexing, each
    character), separated by spaces; other text unchanged. A query is cut without single
    characters unless it is one character: every pair must then be in the item."""

    def cut(match: re.Match[str]) -> str:
        run = match.group(0)
        if len(run) == 1:
            return f" {run} "
        grams = [run[i : i + 2] for i in range(len(run) - 1)]
        if unigrams:
            grams += list(run)
        return " " + " ".join(grams) + " "

    return _CJK_RUN.sub(cut, text)


def query_text(query: str) -> str:
    """The user's query, safe to hand to websearch_to_tsquery and similarity(): cleaned,
    shortened, spaces collapsed. websearch_to_tsquery accepts any text (no syntax errors)."""
    return " ".join(clean(query).split())[:QUERY_MAX_LENGTH]


def mark(text: str) -> SafeString:
    """A ts_headline (with our marks) as HTML: everything escaped, the marks made <mark>."""
    html = escape(text).replace(START, "<mark>").replace(STOP, "</mark>")
    if html.count("<mark>") != html.count("</mark>"):
        html = html.replace("<mark>", "").replace("</mark>", "")
    return mark_safe(html)  # noqa: S308 -- escaped above; only our own tags added


def mark_words(text: str, query: str) -> SafeString:
    """The same highlighting in Python, where there is no ts_headline (SQLite): each place the
    whole query appears, case-insensitively."""
    if not query:
        return mark_safe(escape(text))  # noqa: S308 -- escaped
    pattern = re.compile(re.escape(query), re.IGNORECASE)
    parts, last = [], 0
    for found in pattern.finditer(text):
        parts += [escape(text[last : found.start()]), "<mark>", escape(found.group(0)), "</mark>"]
        last = found.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 -- every piece of text escaped
