"""The framework's text in the six languages: the JSON document carries each language's text
(`translations`), import and export keep every language, a language's text must be complete and
use the English codes, pages show the reader's language and fall back to English, marked."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from scorecard import selectors, services
from scorecard.models import Criterion, Indicator
from scorecard.services import DocumentError
from tests.conftest import load_json

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "framework_2018.json"


def english_only() -> dict:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    document.pop("translations", None)
    return document


def french_for(document: dict) -> dict:
    """A complete French block: every text marked, so the test can see which one is shown."""
    indicators = {}
    for dimension in document["dimensions"]:
        for i in dimension["indicators"]:
            indicators[i["code"]] = {
                "short_title": f"FR {i['short_title']}",
                "statement": f"FR {i['statement']}",
                "mov_hint": f"FR {i['mov_hint']}" if i.get("mov_hint") else "",
                "numeric_label": f"FR {i['numeric_label']}" if i.get("numeric_label") else "",
                "criteria": {c["code"]: f"FR {c['text']}" for c in i["criteria"]},
                "levels": {k: f"FR {v['text']}" for k, v in i["levels"].items() if v.get("text")},
            }
    return {
        "status": "unofficial",
        "dimensions": {str(d["number"]): f"FR {d['title']}" for d in document["dimensions"]},
        "indicators": indicators,
    }


@pytest.fixture
def bilingual(db) -> dict:
    document = english_only()
    document["translations"] = {"fr": french_for(document)}
    return document


@pytest.mark.django_db
def test_import_keeps_each_language_and_reading_follows_the_active_one(bilingual):
    services.import_framework(document=bilingual)
    indicator = Indicator.objects.get(code="2.2")
    criterion = Criterion.objects.filter(indicator=indicator).first()
    with translation.override("fr"):
        assert indicator.short_title == "FR Communication & Advocacy"
        assert criterion.text.startswith("FR ")
    with translation.override("es"):  # no Spanish text: the English one
        assert indicator.short_title == "Communication & Advocacy"
    assert indicator.short_title == "Communication & Advocacy"
    assert indicator.short_title_fr == "FR Communication & Advocacy"
    assert indicator.short_title_es is None


@pytest.mark.django_db
def test_export_gives_back_every_language_as_imported(bilingual):
    framework = services.import_framework(document=bilingual)
    with translation.override("ru"):  # the exporting user's language changes nothing
        exported = selectors.framework_document(framework)
    assert exported == bilingual


@pytest.mark.django_db
def test_reimport_without_a_language_removes_its_text(bilingual):
    services.import_framework(document=bilingual)
    framework = services.import_framework(document=english_only())
    assert Indicator.objects.get(code="2.2").short_title_fr is None
    assert "translations" not in selectors.framework_document(framework)
    assert framework.translation_status == {}


def refused(document: dict) -> list[str]:
    with pytest.raises(DocumentError) as error:
        services.import_framework(document=document)
    return error.value.messages


@pytest.mark.django_db
def test_a_language_block_with_other_criteria_codes_is_refused_naming_pi_and_language(bilingual):
    criteria = bilingual["translations"]["fr"]["indicators"]["4.3"]["criteria"]
    criteria["z"] = criteria.pop("c")
    errors = refused(bilingual)
    assert errors == ["PI 4.3 (fr): criteria codes a, b, z differ from the English a, b, c"]
    assert not Indicator.objects.exists()


@pytest.mark.django_db
def test_missing_text_in_a_language_is_refused_naming_pi_and_language(bilingual):
    bilingual["translations"]["fr"]["indicators"]["1.1"]["statement"] = ""
    del bilingual["translations"]["fr"]["indicators"]["5.2"]
    bilingual["translations"]["fr"]["indicators"]["6.1"]["levels"]["meets"] = ""
    bilingual["translations"]["fr"]["dimensions"]["3"] = ""
    assert refused(bilingual) == [
        "Dimension 3 (fr): the title is missing",
        "PI 1.1 (fr): statement is missing",
        "PI 5.2 (fr): the text in this language is missing",
        "PI 6.1 (fr): a level's text is missing",
    ]


@pytest.mark.django_db
def test_an_unknown_language_or_status_is_refused(bilingual):
    bilingual["translations"]["xx"] = copy.deepcopy(bilingual["translations"]["fr"])
    bilingual["translations"]["fr"]["status"] = "draft"
    errors = refused(bilingual)
    assert "translations (fr): status is official or unofficial" in errors
    assert any(e.startswith("translations: unknown language 'xx'") for e in errors)


@pytest.mark.django_db
def test_the_pi_page_shows_the_readers_language_and_says_whose_text_it_is(bilingual, team, iat):
    services.import_framework(document=bilingual)
    services.import_assessment(document=load_json("demo/kaz-2022.json"))
    client = Client()
    client.force_login(iat)

    client.post("/i18n/language/", {"language": "fr", "next": "/"})
    page = client.get("/teams/KAZ/2022/pi/2.2/").content.decode()
    assert "FR Communication &amp; Advocacy" in page
    assert 'data-testid="framework-language"' in page
    with translation.override("fr"):
        note = translation.gettext(
            "Unofficial translation of the framework's text by the platform's team; UN Women's "
            "published text replaces it once imported."
        )
    assert note in page.replace("&#x27;", "'")

    client.post("/i18n/language/", {"language": "es", "next": "/"})
    page = client.get("/teams/KAZ/2022/pi/2.2/").content.decode()
    assert "FR Communication" not in page
    assert "Communication &amp; Advocacy" in page
    with translation.override("es"):
        note = translation.gettext(
            "The framework's text is not yet in this language: it is shown in English."
        )
    assert note in page.replace("&#x27;", "'")

    client.post("/i18n/language/", {"language": "en", "next": "/"})
    page = client.get("/teams/KAZ/2022/pi/2.2/").content.decode()
    assert 'data-testid="framework-language"' not in page
