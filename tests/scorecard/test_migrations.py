"""scorecard 0006 gives the framework's text a column per language: a database made before it
keeps every text, which becomes the English one (what the pages show when no other exists).
0007 does the same for an evidence category's text, from its name."""

from __future__ import annotations

import pytest

BEFORE = [("scorecard", "0005_report_jobs_move_to_reports")]
AFTER = [("scorecard", "0006_framework_text_per_language")]


@pytest.mark.django_db(transaction=True)
def test_existing_framework_text_becomes_the_english_text(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    Framework = old.apps.get_model("scorecard", "Framework")
    Dimension = old.apps.get_model("scorecard", "Dimension")
    Indicator = old.apps.get_model("scorecard", "Indicator")
    Criterion = old.apps.get_model("scorecard", "Criterion")
    LevelRule = old.apps.get_model("scorecard", "LevelRule")
    framework = Framework.objects.create(version="2018", name="UNCT-SWAP 2018")
    dimension = Dimension.objects.create(framework=framework, number=4, title="Leadership")
    indicator = Indicator.objects.create(
        framework=framework,
        dimension=dimension,
        code="4.3",
        short_title="Gender Parity",
        statement="Gender parity in staffing is achieved",
        mov_hint="Staffing data",
        numeric_label="Share of women (%)",
    )
    Criterion.objects.create(indicator=indicator, code="b", letter="b", level="meets", text="47-53")
    LevelRule.objects.create(indicator=indicator, level="meets", kind="band", text="Band met")

    new = migrator.apply_tested_migration(AFTER)

    indicator = new.apps.get_model("scorecard", "Indicator").objects.get(code="4.3")
    assert (indicator.short_title_en, indicator.statement_en) == (
        "Gender Parity",
        "Gender parity in staffing is achieved",
    )
    assert (indicator.mov_hint_en, indicator.numeric_label_en) == (
        "Staffing data",
        "Share of women (%)",
    )
    assert indicator.short_title_fr is None
    assert new.apps.get_model("scorecard", "Dimension").objects.get().title_en == "Leadership"
    assert new.apps.get_model("scorecard", "Criterion").objects.get().text_en == "47-53"
    assert new.apps.get_model("scorecard", "LevelRule").objects.get().text_en == "Band met"
    assert new.apps.get_model("scorecard", "Framework").objects.get().translation_status == {}


@pytest.mark.django_db(transaction=True)
def test_a_categorys_english_name_becomes_its_english_text_and_the_step_goes_back(migrator):
    """scorecard 0007: each evidence category gets a text per language (the name stays the key);
    the name is its English text until the framework is imported again."""
    old = migrator.apply_initial_migration(AFTER)
    Framework = old.apps.get_model("scorecard", "Framework")
    framework = Framework.objects.create(version="2018", name="UNCT-SWAP 2018")
    old.apps.get_model("scorecard", "EvidenceCategory").objects.create(
        framework=framework, name="Gender parity data", order=9
    )

    new = migrator.apply_tested_migration([("scorecard", "0007_evidencecategory_label")])
    category = new.apps.get_model("scorecard", "EvidenceCategory").objects.get()
    assert (category.name, category.label, category.label_en) == ("Gender parity data",) * 3
    assert category.label_fr is None

    back = migrator.apply_tested_migration(AFTER)
    category = back.apps.get_model("scorecard", "EvidenceCategory").objects.get()
    assert category.name == "Gender parity data"
    assert not hasattr(category, "label_en")
