"""The IAT member's way in French and in Arabic: switch the language on the log-in page, log in,
open the assessment and PI 2.2, tick criteria (the suggestion follows), save. No English word of
the interface is met on the way (data typed in English aside); Arabic is laid out right to left.
The public commitments dashboard in Chinese and Russian."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.db.models import CharField, TextField
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

LOCALE = Path(settings.BASE_DIR) / "locale"
DATA_APPS = {"core", "scorecard", "parity", "commitments", "auth"}


def data_text() -> list[str]:
    """Every text stored in the database (the framework's English text, what users typed, demo
    names), longest first: what a page shows of it is data, not interface."""
    values: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (CharField, TextField)) and not f.choices
        ]
        if fields and model._meta.app_label in DATA_APPS:
            for row in model.objects.values_list(*fields):
                values.update(v for v in row if isinstance(v, str) and len(v) > 3)
    return sorted(values, key=len, reverse=True)


def interface_words_left_in_english(language: str, text: str) -> list[str]:
    """English messages of our catalog (two words or more, translated differently) that a page
    of `language` still shows, once the data is taken out: words of the interface that escaped
    translation."""
    for value in data_text():
        text = text.replace(value, " ")
    with (LOCALE / translation.to_locale(language) / "LC_MESSAGES" / "django.po").open("rb") as f:
        catalog = read_po(f)
    seen = []
    for message in catalog:
        english = message.id if isinstance(message.id, str) else message.id[0]
        plain = re.sub(r"%\(\w+\)s|%s|<[^>]+>", "", english).strip(" .:")
        translated_away = plain.count(" ") >= 1 and "%" not in plain and message.string != english
        if translated_away and re.search(rf"(?<!\w){re.escape(plain)}(?!\w)", text):
            seen.append(plain)
    return seen


def switch_language(page, language: str) -> None:
    page.get_by_test_id("language-switcher").get_by_role("button").first.click()
    page.locator(f'button[name="language"][value="{language}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def log_in(page, username: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


def gettext_in(language: str, message: str, **values: str) -> str:
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_iat_member_rates_a_pi_in_their_language(page, language, tmp_path):
    page.goto("/accounts/login/")
    switch_language(page, language)
    log_in(page, "kaz-iat")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    texts = [page.locator("body").inner_text()]

    page.locator('a[href="/teams/KAZ/2022/"]').first.click()
    texts.append(page.locator("body").inner_text())
    page.locator('a[href="/teams/KAZ/2022/pi/2.2/"]').first.click()
    suggestion = page.get_by_test_id("suggested-rating")
    expect(suggestion).to_have_attribute("data-rating", "exceeds")
    page.locator("#crit-d").uncheck()
    expect(suggestion).to_have_attribute("data-rating", "meets")
    expect(suggestion).to_have_text(gettext_in(language, "Meets minimum requirements"))
    page.locator("#crit-d").check()
    page.locator("#id_rating").select_option("exceeds")
    page.locator("details:has(#id_finding_a) > summary").click()
    expect(page.locator("#id_finding_a")).to_have_attribute("dir", "auto")
    page.locator("#id_finding_a").fill("Joint radio spots on GBV with three agencies.")
    texts.append(page.locator("body").inner_text())
    page.locator("#pi-form button[type=submit]").click()
    expect(page.get_by_role("alert").first).to_have_text(
        gettext_in(language, "PI %(code)s saved.", code="2.2")
    )
    texts.append(page.locator("body").inner_text())
    page.screenshot(path=str(tmp_path / f"pi-{language}.png"), full_page=True)

    if language == "ar":
        # Right to left: the navbar starts at the right edge, the switcher sits at the left.
        width = page.viewport_size["width"]
        brand = page.locator(".navbar-brand").bounding_box()
        switcher = page.get_by_test_id("language-switcher").bounding_box()
        assert brand["x"] + brand["width"] > width / 2
        assert switcher["x"] < brand["x"]
    assert interface_words_left_in_english(language, "\n".join(texts)) == []


@pytest.mark.parametrize("language", ["zh-hans", "ru"])
def test_public_commitments_dashboard_in_chinese_and_russian(page, language):
    page.goto("/commitments/")
    switch_language(page, language)
    expect(page.locator("h1")).to_have_text(gettext_in(language, "Generation Equality commitments"))
    text = page.locator("body").inner_text()
    assert interface_words_left_in_english(language, text) == []


def test_arabic_pages_fit_a_phone(page):
    """At 375 px, right to left: the menu folds behind its button (which opens it), and no page of
    the journey is wider than the screen (wide tables scroll inside their own box)."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/accounts/login/")
    switcher = page.get_by_test_id("language-switcher")
    expect(switcher).to_be_hidden()
    page.get_by_role("button", name="Main menu").click()
    # The menu slides open: wait until it is open before using the switcher inside it (a click
    # during the slide can miss the dropdown's button under a loaded CI machine).
    expect(page.locator("#main-menu")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    switch_language(page, "ar")
    expect(switcher).to_be_hidden()  # folded again on the new page, its button now in Arabic
    page.get_by_role("button", name=gettext_in("ar", "Main menu")).click()
    expect(page.locator("#main-menu")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(switcher).to_be_visible()
    log_in(page, "kaz-iat")
    for path in ("/", "/teams/KAZ/", "/teams/KAZ/2022/", "/teams/KAZ/2022/pi/2.2/", "/parity/"):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        # The brand keeps to the right-hand edge.
        brand = page.locator(".navbar-brand").bounding_box()
        assert brand["x"] + brand["width"] > 375 / 2, path
