"""The framework's text in the six languages: the JSON document carries each language's text
(`translations`), import and export keep every language, a language's text must be complete and
use the English codes, pages show the reader's language and fall back to English, marked."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from scorecard import selectors, services
from scorecard.models import Criterion, Evidence, EvidenceCategory, Indicator
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
        "evidence_categories": {name: f"FR {name}" for name in document["evidence_categories"]},
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


# --- Evidence categories: the English name is the key, each language has its text ---------------


@pytest.mark.django_db
def test_import_stores_each_categorys_text_per_language_and_keeps_the_english_name_as_key():
    services.import_framework(document=load_json("framework_2018.json"))
    category = EvidenceCategory.objects.get(name="Common Country Analysis")
    assert (category.label_en, category.label_fr, category.label_es) == (
        "Common Country Analysis",
        "Analyse commune de pays",
        "Análisis común sobre el país",
    )
    assert category.label_zh_hans == "共同国家分析"
    with translation.override("fr"):
        assert str(category) == category.label == "Analyse commune de pays"
        assert category.name == "Common Country Analysis"  # the key, whatever the language
        assert EvidenceCategory.objects.filter(name="Common Country Analysis").exists()
    with translation.override("ru"):
        assert str(EvidenceCategory.objects.get(name="Other")) == "Прочее"
    assert str(category) == "Common Country Analysis"
    for language in selectors.TRANSLATED_LANGUAGES:
        column = selectors.column("label", language)
        assert all(getattr(c, column) for c in EvidenceCategory.objects.all()), language


@pytest.mark.django_db
def test_a_category_without_text_in_a_language_shows_the_english(bilingual):
    del bilingual["translations"]["fr"]
    bilingual["translations"]["es"] = french_for(bilingual)  # "FR …": only its presence counts
    services.import_framework(document=bilingual)
    with translation.override("fr"):
        assert str(EvidenceCategory.objects.get(name="Other")) == "Other"
    with translation.override("es"):
        assert str(EvidenceCategory.objects.get(name="Other")) == "FR Other"


@pytest.mark.django_db
def test_a_language_missing_a_category_or_naming_an_unknown_one_is_refused(bilingual):
    texts = bilingual["translations"]["fr"]["evidence_categories"]
    del texts["Gender parity data"]
    texts["RC communications"] = " "
    texts["Press clippings"] = "Revue de presse"
    assert refused(bilingual) == [
        "Evidence category 'RC communications' (fr): the text is missing",
        "Evidence category 'Gender parity data' (fr): the text is missing",
        "Evidence category 'Press clippings' (fr): not one of the English evidence_categories",
    ]
    assert not EvidenceCategory.objects.exists()
    assert not Indicator.objects.exists()


@pytest.mark.django_db
def test_a_refused_category_text_leaves_the_imported_framework_untouched(bilingual):
    services.import_framework(document=bilingual)
    bilingual["translations"]["fr"]["evidence_categories"]["Other"] = "Autres (révisé)"
    del bilingual["translations"]["fr"]["evidence_categories"]["Financial resources"]
    assert refused(bilingual) == [
        "Evidence category 'Financial resources' (fr): the text is missing"
    ]
    assert EvidenceCategory.objects.get(name="Other").label_fr == "FR Other"

    bilingual["translations"]["fr"]["evidence_categories"] = ["Autres"]
    assert refused(bilingual) == [
        "translations (fr): evidence_categories maps English names to texts"
    ]


@pytest.mark.django_db
def test_export_reproduces_the_shipped_fixture_byte_for_byte():
    services.import_framework(document=load_json("framework_2018.json"))
    out = io.StringIO()
    with translation.override("fr"):  # the exporting user's language changes nothing
        call_command("export_framework", "2018", stdout=out)
    assert out.getvalue() == FIXTURE.read_text(encoding="utf-8")


def evidence_options(html: str) -> dict[str, str]:
    """The evidence form's category select: option value → the text a person reads."""
    select = re.search(r'<select name="category".*?</select>', html, re.S).group(0)
    return {
        value: text.strip()
        for value, text in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)
    }


@pytest.mark.django_db
def test_pages_show_the_category_in_the_readers_language_and_post_the_same_value(team, iat):
    framework = services.import_framework(document=load_json("framework_2018.json"))
    services.import_assessment(document=load_json("demo/kaz-2022.json"))
    categories = {c.name: c for c in framework.evidence_categories.all()}
    client = Client()
    client.force_login(iat)

    english = evidence_options(client.get("/teams/KAZ/2022/pi/2.2/open/evidence/").content.decode())
    client.post("/i18n/language/", {"language": "fr", "next": "/"})
    page = client.get("/teams/KAZ/2022/pi/2.2/").content.decode()
    assert ">Communication et plaidoyer</td>" in page  # KAZ 2022's evidence of PI 2.2
    assert "Communication/Advocacy" not in page
    french = evidence_options(client.get("/teams/KAZ/2022/pi/2.2/open/evidence/").content.decode())
    advocacy, other = str(categories["Communication/Advocacy"].pk), str(categories["Other"].pk)
    assert english == {advocacy: "Communication/Advocacy", other: "Other"}
    assert french == {advocacy: "Communication et plaidoyer", other: "Autres"}  # same values

    response = client.post(
        "/teams/KAZ/2022/pi/2.2/evidence/",
        {
            "title": "Plan de communication 2023",
            "category": advocacy,
            "url": "https://example.org/p",
        },
    )
    assert response.status_code == 302
    added = Evidence.objects.get(title="Plan de communication 2023")
    assert added.category.name == "Communication/Advocacy"

    api = APIClient()
    api.force_authenticate(iat)
    item = api.get(f"/api/v1/evidence/{added.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert (item["category"], item["category_label"]) == (
        "Communication/Advocacy",
        "Communication et plaidoyer",
    )


@pytest.mark.django_db
def test_an_assessment_file_names_categories_in_english_whatever_the_readers_language(team):
    services.import_framework(document=load_json("framework_2018.json"))
    with translation.override("fr"):
        assessment = services.import_assessment(document=load_json("demo/kaz-2022.json"))
        evidence = Evidence.objects.filter(indicator_assessment__assessment=assessment)
        government = [
            e for e in evidence if e.category and e.category.name == "Government engagement"
        ]
        assert len(government) == 5
        assert str(government[0].category) == "Collaboration avec le gouvernement"
        exported = selectors.assessment_document(assessment)
    row = next(r for r in exported["indicators"] if r["code"] == "3.1")
    assert {e["category"] for e in row["evidence"]} == {"Government engagement"}
