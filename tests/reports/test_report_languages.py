"""The PDF report in the six UN languages (docs/report.md, "Languages").

The KAZ 2022 demo report is rendered once per language for the whole module, by real WeasyPrint
(`rendered`), and read back: pypdf for its text, its /Lang and its fonts, fontTools for what the
fonts shipped in static/pdf/fonts/ cover, poppler's pdffonts when it is installed. The language's
way through requests, jobs, files, the page, the API and the CLI runs with the fake renderer.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from rest_framework.test import APIClient

from config.celery import app as celery_app
from core import countries
from core import services as core_services
from core.models import Profile
from reports import document, storage
from reports import services as report_services
from reports.models import ReportJob
from reports.templatetags.report_pdf import text_dir
from scorecard import framework_cache, services
from tests.conftest import load_json
from tests.factories import CountryTeamFactory
from tests.reports.pdf_text import text_of

LANGUAGES = [code for code, _name in settings.LANGUAGES]
FONTS = Path(settings.BASE_DIR) / "static" / "pdf" / "fonts"
# The font families of report.css and the files behind them: nothing else may be embedded.
FAMILIES = {
    "Report-Sans": ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf"],
    "Report-Arabic": ["NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"],
    "Report-CJK": ["NotoSansCJKsc-Regular-subset.otf", "NotoSansCJKsc-Bold-subset.otf"],
}
# Section headings and labels of the report, as msgids: each language prints its translation.
HEADINGS = [
    "Contents",
    "Background",
    "Performance Dimensions and Indicators",
    "Performance Indicator Ratings and Explanation",
    "Participatory Self-Assessment",
    "Supporting Evidence and Knowledge Hub",
    "Quality Assurance and Global Reporting",
    "Members of the IAT",
    "Overview of Performance Indicators Reassessed, and Performance Indicator Ratings",
    "Findings and Explanation",
    "Supporting Evidence",
]
# What may not begin a line of Chinese (closing punctuation): the line breaker knows the language.
NOT_AT_LINE_START = "，。、：；）》」』】？！"


@dataclass(frozen=True)
class Rendered:
    data: dict
    html: str
    content: bytes
    text: str  # pypdf's, read once: it takes longer than the render

    @property
    def reader(self) -> PdfReader:
        return PdfReader(io.BytesIO(self.content))


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker) -> dict[str, Rendered]:
    """KAZ 2022 (with PI 4.3's parity table) in every language, each rendered and read once; the
    data is rolled back after."""
    made: dict[str, tuple] = {}
    # pypdf reads a report in about the time WeasyPrint makes one: read each in another process
    # (spawned: nothing of this one's state) while the next one is rendered here.
    reading = ProcessPoolExecutor(
        max_workers=max(1, (os.cpu_count() or 2) - 1), mp_context=get_context("spawn")
    )
    with reading, django_db_blocker.unblock(), transaction.atomic():
        services.import_framework(document=load_json("framework_2018.json"))
        CountryTeamFactory(code="KAZ", name="Kazakhstan")
        assessment = services.import_assessment(document=load_json("demo/kaz-2022.json"))
        core_services.load_reference_data(document=load_json("reference.json"))
        call_command("setup_parity_demo", stdout=io.StringIO())
        for code in LANGUAGES:
            data = document.report_input(assessment, language=code)
            html, result = document.render_input(data)
            made[code] = (data, html, result.content, reading.submit(text_of, result.content))
        transaction.set_rollback(True)
        framework_cache.clear()
        return {
            code: Rendered(data, html, content, text.result())
            for code, (data, html, content, text) in made.items()
        }


def squash(text: str) -> str:
    """Without whitespace: a heading wrapped over two lines is still found."""
    return re.sub(r"\s+", "", text)


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Each font's name without its subset tag (Report-Sans-Bold) → whether its program is in the
    file."""
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            name = str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1]
            fonts[name] = any(f"/FontFile{n}" in descriptor for n in ("", "2", "3"))
    return fonts


def family_of(font_name: str) -> str | None:
    """Report-Sans-Bold → Report-Sans; None for a font that is not one of ours."""
    for family in sorted(FAMILIES, key=len, reverse=True):
        if font_name == family or font_name.startswith(family + "-"):
            return family
    return None


def coverage(families: set[str]) -> set[int]:
    """Every character the shipped files of these families have a glyph for."""
    covered: set[int] = set()
    for family in families:
        for name in FAMILIES[family]:
            covered |= set(TTFont(FONTS / name, lazy=True).getBestCmap())
    return covered


def text_positions(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of every piece of text drawn on the page, in PDF points from bottom left."""
    found: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x, y, text))

    page.extract_text(visitor_text=visit)
    return found


# --- The PDF in each language (real WeasyPrint) --------------------------------------------------


@pytest.mark.parametrize("code", LANGUAGES)
def test_report_prints_its_headings_in_its_language(rendered, code):
    text = squash(rendered[code].text)
    with translation.override(code):
        headings = {msgid: translation.gettext(msgid) for msgid in HEADINGS}
    for msgid, heading in headings.items():
        assert squash(heading) in text, (code, heading)
        if code != "en":
            assert heading != msgid, (code, msgid)  # translated, not the English left in place
    # The country by its UN name in the report's language ("Казахстан", "哈萨克斯坦").
    assert squash(countries.name("KAZ", code)) in text, code
    assert rendered[code].data["language"] == code


@pytest.mark.parametrize("code", LANGUAGES)
def test_pdf_lang_is_the_reports_language_and_still_pdf_ua(rendered, code):
    reader = rendered[code].reader
    root = reader.trailer["/Root"]

    assert root["/Lang"] == code
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged
    assert "/StructTreeRoot" in root
    assert reader.metadata.title  # translated title in the document information
    assert f'<html lang="{code}" dir="{"rtl" if code == "ar" else "ltr"}">' in rendered[code].html


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_character_has_a_glyph_in_an_embedded_font_we_ship(rendered, code):
    reader = rendered[code].reader
    fonts = embedded_fonts(reader)
    families = {family_of(name) for name in fonts}

    assert all(fonts.values()), fonts  # every font's program is embedded
    assert None not in families, fonts  # no system font slipped in
    expected = {"ar": "Report-Arabic", "zh-hans": "Report-CJK"}.get(code, "Report-Sans")
    assert expected in families
    covered = coverage(families)
    missing = sorted({c for c in rendered[code].text if not c.isspace()} - set(map(chr, covered)))
    assert missing == [], (code, missing)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler's pdffonts is not installed")
@pytest.mark.parametrize("code", LANGUAGES)
def test_pdffonts_lists_only_our_fonts_all_embedded(rendered, code, tmp_path):
    path = tmp_path / f"kaz-{code}.pdf"
    path.write_bytes(rendered[code].content)
    listing = subprocess.run(  # noqa: S603 -- a fixed tool on a file we wrote
        [shutil.which("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]

    assert listing
    for line in listing:
        name, emb = line.split()[0], line.split()[-5]
        assert family_of(name.split("+", 1)[-1]) is not None, line
        assert emb == "yes", line


def test_evidence_categories_are_printed_in_the_reports_language(rendered):
    """The frozen document names a category by its English name, the key; the report prints the
    framework's text for it in the report's language (KAZ 2022 files 5 documents of PI 3.1 under
    Government engagement)."""
    french = rendered["fr"]
    rows = {row["code"]: row for row in french.data["document"]["indicators"]}
    assert {e["category"] for e in rows["3.1"]["evidence"]} == {"Government engagement"}
    assert french.data["framework"]["evidence_categories"]["Government engagement"] == (
        "Collaboration avec le gouvernement"
    )
    assert '<td dir="ltr">Collaboration avec le gouvernement</td>' in french.html
    text = squash(french.text)
    assert squash("Collaboration avec le gouvernement") in text
    assert squash("Communication et plaidoyer") in text
    assert squash("Government engagement") not in text
    assert '<td dir="rtl">التعاون مع الحكومة</td>' in rendered["ar"].html
    assert '<td dir="ltr">Government engagement</td>' in rendered["en"].html


def test_arabic_report_is_laid_out_right_to_left(rendered):
    """Mirrored: the page number at the bottom left, the running title at the top right, Table
    1's first column (the indicator) on the right; the English report the other way round."""
    for code, rtl in (("ar", True), ("en", False)):
        reader = rendered[code].reader
        with translation.override(code):
            page_word, indicator, rating = (
                translation.gettext(m) for m in ("Page", "Indicator", "Rating Level")
            )
        width = float(reader.pages[0].mediabox.width)
        for page in reader.pages[2:4]:
            pieces = text_positions(page)
            footer = [x for x, y, text in pieces if y < 60 and page_word in text]
            running = [
                x for x, y, text in pieces if y > 780 and "UNCT-SWAP" in text and "·" in text
            ]
            assert footer, code
            assert running, code
            assert (footer[0] < width / 3) is rtl, (code, footer)
            assert (running[0] > width / 2) is rtl, (code, running)
        header = {}
        for page in reader.pages[4:]:  # Table 1 opens section 6
            for x, _y, text in text_positions(page):
                if text.strip() in (indicator, rating):
                    header.setdefault(text.strip(), x)
            if len(header) == 2:
                break
        assert (header[indicator] > header[rating]) is rtl, (code, header)


def test_chinese_lines_break_between_characters_and_never_before_closing_punctuation(rendered):
    lines = [line for line in rendered["zh-hans"].text.split("\n") if line]
    ideograph = re.compile(r"[\u4e00-\u9fff]")
    wrapped = [
        (a, b)
        for a, b in zip(lines, lines[1:], strict=False)
        if ideograph.fullmatch(a[-1]) and ideograph.fullmatch(b[0])
    ]
    assert len(wrapped) > 20  # running text wraps inside sentences, where there are no spaces
    assert [line for line in lines if line[0] in NOT_AT_LINE_START] == []


def test_each_language_is_its_own_input(rendered):
    hashes = {code: document.content_hash(r.data) for code, r in rendered.items()}
    assert len(set(hashes.values())) == len(LANGUAGES)
    # The chart's numbers are the same in every language (SVG and CSS numbers never localised).
    assert ".chart-axis { padding-left: 11.48mm; }" in rendered["fr"].html
    assert ".chart-axis { padding-left: 11.48mm; }" in rendered["ar"].html


def test_text_people_type_keeps_its_own_direction():
    assert text_dir("CCA includes a gender analysis.") == "ltr"
    assert text_dir("  (2022) تحليل جنساني") == "rtl"
    assert text_dir("«Гендерный анализ»") == "ltr"
    assert text_dir("2022 — 5.1") == "auto"
    assert text_dir(None) == "auto"


# --- The language from the request to the file ---------------------------------------------------


@pytest.fixture(autouse=True)
def _eager_celery():
    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


def request(assessment, by, django_capture_on_commit_callbacks, **kwargs) -> ReportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = report_services.request_report(assessment=assessment, by=by, **kwargs)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_request_in_another_language_is_a_job_and_a_file_of_its_own(
    kaz_2022, viewer, fake_render, django_capture_on_commit_callbacks
):
    english = request(kaz_2022, viewer, django_capture_on_commit_callbacks)
    french = request(kaz_2022, viewer, django_capture_on_commit_callbacks, language="fr")
    again = request(kaz_2022, viewer, django_capture_on_commit_callbacks, language="fr")

    assert (english.language, french.language) == ("en", "fr")
    assert french.pk != english.pk
    assert again.pk == french.pk  # unchanged data in the same language: the stored file
    assert french.content_hash != english.content_hash
    assert french.content_hash == document.content_hash(
        document.report_input(kaz_2022, language="fr")
    )
    assert french.report_input["language"] == "fr"
    assert french.file.name != english.file.name
    assert [data["language"] for data in fake_render] == ["en", "fr"]
    assert storage.download_name(english) == "UNCT-SWAP-KAZ-2022.pdf"
    assert storage.download_name(french) == "UNCT-SWAP-KAZ-2022-fr.pdf"


@pytest.mark.django_db
def test_the_default_is_the_requesters_language_else_the_one_they_read(
    kaz_2022, viewer, rc, fake_render, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=viewer, language="ru")
    assert request(kaz_2022, viewer, django_capture_on_commit_callbacks).language == "ru"
    with translation.override("es"):
        assert request(kaz_2022, rc, django_capture_on_commit_callbacks).language == "es"
    assert request(kaz_2022, rc, django_capture_on_commit_callbacks).language == "en"
    assert report_services.default_language(None) == "en"


@pytest.mark.django_db
def test_frozen_copies_are_in_the_sites_language_whoever_takes_the_step(
    kaz_2022, rc, fake_render, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=rc, language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        frozen = report_services.freeze_report(
            assessment=kaz_2022, kind=ReportJob.Kind.AS_SUBMITTED, by=rc
        )
    assert frozen.language == frozen.report_input["language"] == settings.LANGUAGE_CODE


@pytest.mark.django_db
def test_unknown_language_is_a_validation_error_in_the_service(kaz_2022, viewer, fake_render):
    with pytest.raises(ValidationError) as refused:
        report_services.request_report(assessment=kaz_2022, by=viewer, language="xx")
    assert refused.value.message_dict["language"] == [
        "“xx” is not a language of the report. Choose one of: ar, zh-hans, en, fr, ru, es."
    ]
    assert ReportJob.objects.count() == 0
    assert document.report_language("zh_Hans") == "zh-hans"


@pytest.mark.django_db(transaction=True)  # real commits: the job is sent when the request commits
def test_the_card_asks_in_the_chosen_language_and_shows_each_jobs_language(
    client, kaz_2022, viewer, fake_render
):
    Profile.objects.create(user=viewer, language="fr")
    client.force_login(viewer)

    card = client.get("/teams/KAZ/2022/report/", HTTP_HX_REQUEST="true").content.decode()
    assert 'name="language"' in card
    assert '<option value="fr" lang="fr" selected>Français</option>' in card

    page = client.post(
        "/teams/KAZ/2022/report/request/", {"language": "ar"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    arabic = ReportJob.objects.get(language="ar")
    assert 'data-status="done"' in page
    assert 'data-language="ar"' in page
    assert '<bdi lang="ar">العربية</bdi>' in page
    download = client.get(f"/reports/{arabic.pk}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="UNCT-SWAP-KAZ-2022-ar.pdf"'

    client.post("/teams/KAZ/2022/report/request/", HTTP_HX_REQUEST="true")  # the default: fr
    french = ReportJob.objects.get(language="fr")
    card = client.get("/teams/KAZ/2022/report/", HTTP_HX_REQUEST="true").content.decode()
    assert f'href="/reports/{french.pk}/download/"' in card  # the latest, in French
    assert 'data-testid="report-other-languages"' in card  # and the Arabic one, still there
    assert f'href="/reports/{arabic.pk}/download/" lang="ar"' in card


@pytest.mark.django_db
def test_an_unknown_language_on_the_page_is_a_message_not_an_error(client, kaz_2022, viewer):
    client.force_login(viewer)

    response = client.post(
        "/teams/KAZ/2022/report/request/", {"language": "xx"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'data-testid="report-problem"' in response.content.decode()
    assert "is not a language of the report" in response.content.decode()

    response = client.post("/teams/KAZ/2022/report/request/", {"language": "klingon"}, follow=True)
    assert response.status_code == 200
    assert "“klingon” is not a language of the report" in response.content.decode()
    assert ReportJob.objects.count() == 0

    with translation.override("fr"):
        response = client.post(
            "/teams/KAZ/2022/report/request/",
            {"language": "xx"},
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert "n&#x27;est pas une langue du rapport. Choisissez parmi" in response.content.decode()


@pytest.mark.django_db
def test_api_takes_a_language_and_refuses_an_unknown_one_with_400(
    kaz_2022, viewer, fake_render, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(viewer)

    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/report-jobs/",
            {"assessment": kaz_2022.pk, "language": "zh-hans"},
            format="json",
        )
    assert created.status_code == 201
    assert created.json()["language"] == "zh-hans"
    assert ReportJob.objects.get().language == "zh-hans"

    refused = api.post(
        "/api/v1/report-jobs/", {"assessment": kaz_2022.pk, "language": "xx"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["language"] == ['"xx" is not a valid choice.']
    assert refused.json()["detail"] == '"xx" is not a valid choice.'
    assert ReportJob.objects.count() == 1


@pytest.mark.django_db
def test_render_report_takes_a_language_and_refuses_an_unknown_one(kaz_2022, tmp_path, fake_render):
    out = io.StringIO()
    call_command(
        "render_report",
        "KAZ",
        "2022",
        "--language",
        "zh-Hans",
        "--out",
        str(tmp_path / "zh.pdf"),
        stdout=out,
    )
    assert "language zh-hans" in out.getvalue()
    assert fake_render[-1]["language"] == "zh-hans"

    with pytest.raises(CommandError, match=r"invalid choice: 'xx'.*ar.*zh-hans.*es"):
        call_command(
            "render_report", "KAZ", "2022", "--language", "xx", "--out", str(tmp_path / "x")
        )
    with pytest.raises(CommandError, match="choose one of ar, zh-hans, en, fr, ru, es"):
        call_command("render_report", "KAZ", "2022", language="xx", out=tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
