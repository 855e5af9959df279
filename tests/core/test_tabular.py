"""core/tabular.py's columns: headers for people in the active language, keys for programs, and
headers (and yes/no) read back in any of the six languages, so a file exported by a French user
imports for an Arabic one."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from commitments.selectors import EXPORT_COLUMNS
from core.tabular import Column, Columns, fold, yes_no, yes_no_words
from dashboards.exports import ACTION_PLAN_COLUMNS, RATING_COLUMNS
from parity.selectors import ENTITY_COLUMNS, GRADE_COLUMNS
from parity.tables import TEMPLATE_COLUMNS

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# Every file the platform writes with a Columns header; the first two are also import formats.
IMPORTED = {
    "commitments export (and import)": EXPORT_COLUMNS,
    "parity staffing template (and import)": TEMPLATE_COLUMNS,
}
FILES = {
    **IMPORTED,
    "parity grades sheet": GRADE_COLUMNS,
    "parity entities sheet": ENTITY_COLUMNS,
    "dashboards ratings": RATING_COLUMNS,
    "dashboards action plans": ACTION_PLAN_COLUMNS,
}


@pytest.mark.parametrize("columns", FILES.values(), ids=FILES.keys())
def test_no_two_columns_share_a_header_in_any_language(columns):
    """Not in one language, nor across two: a file must say which column is which."""
    seen: dict[str, str] = {}
    for language in LANGUAGES:
        for column, header in zip(columns, columns.headers_in(language), strict=True):
            assert seen.setdefault(fold(header), column.key) == column.key, (language, header)


@pytest.mark.parametrize("columns", IMPORTED.values(), ids=IMPORTED.keys())
def test_an_import_reads_every_header_in_every_language_and_every_key(columns):
    """A header that folded to another column's key would be read as that column."""
    for key in columns.keys:
        assert columns.key_for(key) == key
    for language in LANGUAGES:
        for column, header in zip(columns, columns.headers_in(language), strict=True):
            assert columns.key_for(header) == column.key, (language, header)


def test_the_header_follows_the_active_language_and_marks_code_columns():
    columns = Columns(
        Column("rating", gettext_lazy("Rating"), code=True),
        Column("rating_label", gettext_lazy("Rating")),
        Column("team_name", gettext_lazy("Country team")),
    )
    assert columns.header() == ["Rating (code)", "Rating", "Country team"]
    with translation.override("fr"):
        french = columns.header()
        code = translation.gettext("%(column)s (code)") % {"column": "Notation"}
    assert french == [code, "Notation", "Équipe de pays"]
    assert columns.headers_in("fr") == french
    assert translation.get_language() == "en"  # headers_in leaves the language as it was


def test_a_header_is_read_whatever_its_case_spacing_or_language():
    assert TEMPLATE_COLUMNS.key_for("  NOT   disclosed ") == "not_disclosed"
    assert TEMPLATE_COLUMNS.key_for("not_disclosed") == "not_disclosed"
    assert TEMPLATE_COLUMNS.key_for("non communiqué") == "not_disclosed"
    assert TEMPLATE_COLUMNS.key_for("Женщины") == "women"
    assert TEMPLATE_COLUMNS.key_for("女性") == "women"
    assert TEMPLATE_COLUMNS.key_for("Colour") is None
    assert TEMPLATE_COLUMNS.key_for(None) is None


def test_yes_and_no_in_the_active_language_and_read_in_every_language():
    assert (yes_no(True), yes_no(False)) == ("Yes", "No")
    with translation.override("fr"):
        assert (yes_no(True), yes_no(False)) == ("Oui", "Non")
    yes, no = yes_no_words()
    assert {"yes", "oui", "sí", "да", "نعم", "是"} <= yes
    assert {"no", "non", "нет", "لا", "否"} <= no
    assert not yes & no
    for language in LANGUAGES:
        with translation.override(language):
            assert fold(yes_no(True)) in yes
            assert fold(yes_no(False)) in no
