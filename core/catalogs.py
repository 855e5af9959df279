"""Checks of the translation catalogs, shared by `compile_translations` and the tests.

A message is in order when its translation keeps every placeholder of the English text
(%(name)s, %s, {name}) and is not marked fuzzy; a complete catalog translates every message.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def catalog_problems(path: Path, *, complete: bool = True) -> list[str]:
    """What is wrong with one .po file, one line per message (empty when all is well)."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        if not message.id:
            continue  # the header
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        where = f"{path}: {ids[0]!r}"
        if message.fuzzy:
            problems.append(f"{where}: marked fuzzy")
        if not all(strings):
            if complete:
                problems.append(f"{where}: not translated")
            continue
        expected = placeholders(ids[-1])
        for text in strings:
            found = placeholders(text)
            # A plural form may leave the count out ("un élément"), never add or rename one.
            plural_ok = len(ids) > 1 and set(found) <= set(expected)
            if found != expected and not plural_ok:
                problems.append(f"{where}: placeholders {found} instead of {expected}")
    return problems
