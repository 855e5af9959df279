"""The translation catalogs: complete in every language, nothing fuzzy, every placeholder kept;
compiled without GNU gettext; a broken one refused before it reaches a page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from core.catalogs import catalog_problems

LOCALE = Path(settings.BASE_DIR) / "locale"
# Django's language codes and their locale folders (zh-hans → zh_Hans).
TRANSLATED = {code: translation.to_locale(code) for code, _n in settings.LANGUAGES if code != "en"}


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_is_complete_with_no_fuzzy_entry_and_every_placeholder_kept(code):
    po = LOCALE / TRANSLATED[code] / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"no catalog for {code}: run makemessages -l {TRANSLATED[code]}"
    assert catalog_problems(po) == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalog_is_what_pages_use(code):
    mo = LOCALE / TRANSLATED[code] / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), "not compiled: `make install` runs compile_translations"
    with translation.override(code):
        assert translation.gettext("Gender parity") != "Gender parity"
        years = translation.ngettext("%(years)s year", "%(years)s years", 3) % {"years": 3}
        assert "3" in years
        assert years != "3 years"


PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: fr\\n"

#, python-format
msgid "Report of %(team)s for %(year)s"
msgstr "{first}"

msgid "Save"
msgstr "{second}"
"""


def write_po(tmp_path: Path, first: str, second: str) -> Path:
    folder = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "django.po"
    po.write_text(PO.format(first=first, second=second), encoding="utf-8")
    return po


def test_problems_name_a_dropped_or_renamed_placeholder_and_an_empty_message(tmp_path):
    po = write_po(tmp_path, "Rapport de %(equipe)s", "")
    problems = catalog_problems(po)
    assert len(problems) == 2
    assert "'Report of %(team)s for %(year)s'" in problems[0]
    assert "placeholders ['%(equipe)s'] instead of ['%(team)s', '%(year)s']" in problems[0]
    assert problems[1].endswith("'Save': not translated")
    assert (
        catalog_problems(write_po(tmp_path / "ok", "Rapport %(year)s de %(team)s", "Enregistrer"))
        == []
    )


def test_compile_refuses_a_broken_catalog_and_compiles_a_good_one(tmp_path, settings):
    broken = write_po(tmp_path / "broken", "Rapport de %(team)s", "Enregistrer")
    settings.LOCALE_PATHS = [broken.parents[2]]
    with pytest.raises(CommandError, match="placeholders"):
        call_command("compile_translations", quiet=True)
    assert not broken.with_suffix(".mo").exists()

    good = write_po(tmp_path / "good", "Rapport %(year)s de %(team)s", "")
    settings.LOCALE_PATHS = [good.parents[2]]
    call_command(
        "compile_translations", quiet=True
    )  # incomplete is fine here; the test above is not
    assert good.with_suffix(".mo").stat().st_size > 0
