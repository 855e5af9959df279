"""UN country names (hdx-python-country's taxonomy) and currency names (Babel) in six languages,
and what the pages and the commitments importer make of them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from commitments import services as commitment_services
from commitments.models import CommitmentMaker
from core import countries, currencies
from tests.factories import CountryTeamFactory

LANGUAGES = ["ar", "zh-hans", "en", "fr", "ru", "es"]


@pytest.mark.parametrize(
    ("code", "language", "name"),
    [
        ("VNM", "en", "Viet Nam"),
        ("TUR", "en", "Türkiye"),
        ("MDA", "en", "Republic of Moldova"),
        ("MDA", "fr", "République de Moldova"),
        ("KAZ", "ru", "Казахстан"),
        ("KAZ", "zh-hans", "哈萨克斯坦"),
        ("KAZ", "ar", "كازاخستان"),
        ("KAZ", "es", "Kazajstán"),
        # A territory without a UNTERM short name in French: the M49 name.
        ("FLK", "fr", "Îles Falkland (Malvinas)"),
    ],
)
def test_un_names_in_each_language(code, language, name):
    assert countries.name(code, language) == name


def test_every_country_has_a_name_in_every_language():
    assert len(countries.codes()) > 240
    for code in countries.codes():
        for language in LANGUAGES:
            assert countries.name(code, language).strip(), (code, language)


def test_the_active_language_is_the_default():
    with translation.override("ru"):
        assert countries.name("KAZ") == "Казахстан"
        assert dict(countries.choices())["VNM"] == "Вьетнам"
    assert countries.name("ZZZ") == ""
    assert countries.name("") == ""


@pytest.mark.parametrize(
    "text", ["KAZ", "kaz", "Kazakhstan", " kazakhstan ", "Казахстан", "哈萨克斯坦", "Kazajstán"]
)
def test_find_takes_a_code_or_a_name_in_any_language(text):
    assert countries.find(text) == "KAZ"


def test_find_is_exact_and_suggest_only_suggests():
    # The common English short names are not the UN's: not accepted, but recognised.
    for text, code in (("Vietnam", "VNM"), ("Turkey", "TUR"), ("Laos", "LAO")):
        assert countries.find(text) is None
        assert countries.suggest(text) == code
    assert countries.find("Côte d’Ivoire") == countries.find("Côte d'Ivoire") == "CIV"
    assert countries.find("Atlantis") is None
    assert countries.suggest("Atlantis") is None


def test_currencies_are_todays_iso_4217_tenders_named_by_babel():
    assert {"USD", "EUR", "KZT", "XOF"} <= currencies.codes()
    # Withdrawn (Croatian kuna, old leone) and non-currencies (gold) are not offered.
    assert not {"HRK", "SLL", "XAU", "XXX"} & currencies.codes()
    assert currencies.name("KZT", "fr") == "tenge kazakh"
    assert currencies.name("KZT", "zh-hans") == "哈萨克斯坦坚戈"
    with translation.override("es"):
        assert dict(currencies.choices())["USD"] == "USD · dólar estadounidense"


@pytest.mark.django_db
def test_a_maker_is_shown_with_the_un_name_in_the_readers_language():
    maker = commitment_services.create_maker(
        name="Ministry", category="member_state", country_code="vnm"
    )
    maker.refresh_from_db()
    assert (maker.country_code, maker.country_name) == ("VNM", "Viet Nam")
    with translation.override("zh-hans"):
        assert maker.country == "越南"
    # A name in another language is taken too.
    other = commitment_services.create_maker(
        name="Ministerio", category="member_state", country_code="República de Moldova"
    )
    assert other.country_code == "MDA"


@pytest.mark.django_db
def test_a_common_name_is_refused_with_the_un_name_suggested():
    with pytest.raises(ValidationError) as caught:
        commitment_services.create_maker(
            name="Ministry", category="member_state", country_code="Vietnam"
        )
    assert caught.value.message_dict["country_code"] == [
        "Unknown country “Vietnam”: did you mean Viet Nam (VNM)?"
    ]
    assert not CommitmentMaker.objects.exists()


@pytest.mark.django_db
def test_a_country_team_is_named_in_the_readers_language():
    team = CountryTeamFactory(code="KAZ", name="Kazakhstan")
    with translation.override("ar"):
        assert str(team) == team.display_name == "كازاخستان"
    # A code outside ISO 3166 (the demo's fictional country) keeps the administrator's name.
    assert CountryTeamFactory(code="XYZ", name="Freedonia").display_name == "Freedonia"


@pytest.mark.django_db
def test_pages_show_the_team_in_the_readers_language(client, django_user_model):
    team = CountryTeamFactory(code="KAZ", name="Kazakhstan")
    user = django_user_model.objects.create_user("viewer", password="x", is_superuser=True)
    client.force_login(user)
    response = client.get(reverse("scorecard:team", args=[team.code]), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert "Казахстан" in response.content.decode()
