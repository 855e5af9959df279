"""The report as a Word document (reports/docx.py): the PDF's sections and words, read back.

Every document here is made by real python-docx from the same input and context as the PDF
(`document.report_input` → `report_context`), and read back by python-docx: the headings as
Word's heading styles, in the PDF's order; the 15 PIs with their ratings in Table 1, in cells
shaded in the level colours; right to left and the language in the Arabic document; the page,
the API and the CLI that hand it out. Nothing is stored, no job is made: it takes ~0.3 s.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from docx import Document
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from rest_framework.test import APIClient

from reports import document, docx
from reports.models import ReportJob
from tests.reports.test_reports import SEED_TABLE_1

WORD_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
URL = "/teams/KAZ/2022/report.docx"
API = "/api/v1/report-jobs/docx/"
# Seed 001's level colours, as report.css prints them (.level-*).
LEVEL_FILL = {"MISSING": "C0392B", "APPROACHING": "E67E22", "MEETS": "2E86C1", "EXCEEDS": "1E8449"}
# The annual report's outline: (Word style, text) as the PDF's h2/h3 headings (and the Title).
OUTLINE = [
    ("Title", "UNCT-SWAP Gender Equality Scorecard"),
    ("TOC Heading", "Contents"),
    ("Heading 1", "1. Background"),
    ("Heading 1", "2. The UNCT-SWAP Framework"),
    ("Heading 2", "2.1 Performance Dimensions and Indicators"),
    ("Heading 2", "2.2 Performance Indicator Ratings and Explanation"),
    ("Heading 1", "3. The UNCT-SWAP Methodology – Annual Progress Reporting"),
    ("Heading 2", "3.1 Participatory Self-Assessment"),
    ("Heading 2", "3.2 UNCT-SWAP Annual Progress Assessments"),
    ("Heading 2", "3.3 Supporting Evidence and Knowledge Hub"),
    ("Heading 1", "4. Quality Assurance and Global Reporting"),
    ("Heading 1", "5. The UNCT-SWAP Process in Kazakhstan"),
    ("Heading 2", "Members of the IAT"),
    (
        "Heading 1",
        "6. Overview of Performance Indicators Reassessed, and Performance Indicator Ratings",
    ),
    ("Heading 1", "7. UNCT-SWAP Detailed Findings by Performance Indicator"),
    ("Heading 2", "Dimension Area 1: Planning"),
    ("Heading 3", "PI 1.1 Common Country Analysis"),
    ("Heading 3", "PI 1.2 Cooperation Framework Outcomes"),
    ("Heading 3", "PI 1.3 Cooperation Framework Indicators"),
    ("Heading 2", "Dimension Area 2: Programming and M&E"),
    ("Heading 3", "PI 2.1 Joint Programmes"),
    ("Heading 3", "PI 2.2 Communication & Advocacy"),
    ("Heading 3", "PI 2.3 Cooperation Framework M & E"),
    ("Heading 2", "Dimension Area 3: Partnerships"),
    ("Heading 3", "PI 3.1 Engagement with Government"),
    ("Heading 3", "PI 3.2 Engagement with GEWE CSO"),
    ("Heading 2", "Dimension Area 4: Leadership and Organizational Culture"),
    ("Heading 3", "PI 4.1 Leadership for Gender Equality"),
    ("Heading 3", "PI 4.2 Organizational Culture"),
    ("Heading 3", "PI 4.3 Gender Parity"),
    ("Heading 2", "Dimension Area 5: Gender Architecture and Capacities"),
    ("Heading 3", "PI 5.1 Gender Coordination Mechanism"),
    ("Heading 3", "PI 5.2 Gender Mainstreaming Capacities"),
    ("Heading 2", "Dimension Area 6: Financial Resources"),
    ("Heading 3", "PI 6.1 Resource Allocation & Tracking"),
    ("Heading 2", "Dimension Area 7: Results"),
    ("Heading 3", "PI 7.1 GEWE Results"),
    ("Heading 1", "8. UNCT in Kazakhstan Action Plan"),
    ("Heading 1", "9. Supporting Evidence"),
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def word(assessment, language: str = "en") -> WordDocument:
    content = docx.render_input_docx(document.report_input(assessment, language=language))
    return Document(io.BytesIO(content))


def outline(doc: WordDocument) -> list[tuple[str, str]]:
    """The headings down to the PIs (Heading 3), in order, as Word's navigation pane lists them;
    with the cover's Title and the contents' heading."""
    names = ("Title", "TOC Heading", "Heading 1", "Heading 2", "Heading 3")
    return [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(names)]


def table_after(doc: WordDocument, caption: str) -> Table:
    blocks = list(doc.iter_inner_content())
    for block, following in zip(blocks, blocks[1:], strict=False):
        if isinstance(block, Paragraph) and block.text == caption:
            assert isinstance(following, Table), caption
            return following
    raise AssertionError(f"No table after {caption!r}")


def fill(cell) -> str | None:
    shading = cell._tc.tcPr.find(qn("w:shd"))
    return None if shading is None else shading.get(qn("w:fill"))


def is_rtl(paragraph: Paragraph) -> bool:
    properties = paragraph._p.pPr
    return properties is not None and properties.find(qn("w:bidi")) is not None


# --- What the document says -------------------------------------------------------------------


@pytest.mark.django_db
def test_word_report_has_the_pdfs_sections_as_heading_styles_in_order(kaz_2022):
    doc = word(kaz_2022)

    assert outline(doc) == OUTLINE
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions == [
        "Dimensions and Performance Indicators (framework 2018)",
        "Table 1: Performance Indicator ratings",
        "Table 2: Overview of UNCT-SWAP Cumulative Results in 2022",
    ]
    # Sub-sections under each PI, as the PDF's h5.
    fourth = [p.text for p in doc.paragraphs if p.style.name == "Heading 4"]
    pis = document.report_context(document.report_input(kaz_2022))["pis"]
    assert fourth.count("Findings and Explanation") == sum(
        1 for pi in pis if pi.findings or pi.explanation
    )
    assert "Means of verification" in fourth
    # The contents: a TOC field (Word adds the page numbers) holding the PDF's list.
    body = doc.element.body.xml
    assert 'TOC \\o "1-3"' in body
    entries = [p.text for p in doc.paragraphs if p.style.name.startswith("toc ")]
    assert entries[0] == "1. Background"
    assert entries[-1] == "9. Supporting Evidence"
    assert "PI 4.3 Gender Parity" in entries
    properties = doc.core_properties
    assert properties.title == (
        "UNCT-SWAP Gender Equality Scorecard: Annual progress assessment report and action plan, "
        "UNCT Kazakhstan 2022"
    )
    assert properties.language == "en-US"


@pytest.mark.django_db
def test_table_1_lists_the_15_pis_with_their_ratings_in_the_level_colours(kaz_2022):
    doc = word(kaz_2022)

    table = table_after(doc, "Table 1: Performance Indicator ratings")
    header, *rows = table.rows
    assert [c.text for c in header.cells] == ["Indicator", "Rating Level", "Reassessed"]
    assert fill(header.cells[0]) == "0B4F8A"
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    printed = [(r.cells[0].text, r.cells[1].text, r.cells[2].text) for r in rows]
    assert printed == [
        (f"PI {code} {title}", rating, reassessed)
        for code, title, rating, reassessed in SEED_TABLE_1
    ]
    assert [fill(r.cells[1]) for r in rows] == [LEVEL_FILL[row[2]] for row in SEED_TABLE_1]

    # Table 2 (an SVG chart in the PDF): the number of PIs per level, each in its colour.
    chart = table_after(doc, "Table 2: Overview of UNCT-SWAP Cumulative Results in 2022")
    levels, counts = chart.rows
    assert [fill(c) for c in levels.cells] == list(LEVEL_FILL.values())
    assert [c.text for c in counts.cells] == ["1", "6", "5", "3"]


@pytest.mark.django_db
def test_each_pi_has_its_rating_banner_and_the_action_plan_and_evidence_are_tables(kaz_2022):
    doc = word(kaz_2022)
    blocks = list(doc.iter_inner_content())
    banners = {}
    for block, following in zip(blocks, blocks[1:], strict=False):
        if isinstance(block, Paragraph) and block.style.name == "Heading 3":
            assert isinstance(following, Table), block.text
            cell = following.rows[0].cells[0]
            banners[block.text.split()[1]] = (cell.paragraphs[-1].text, fill(cell))
    expected_label = {
        "APPROACHING": "APPROACHES MINIMUM REQUIREMENTS",
        "MEETS": "MEETS MINIMUM REQUIREMENTS",
        "EXCEEDS": "EXCEEDS MINIMUM REQUIREMENTS",
        "MISSING": "MISSING REQUIREMENTS",
    }
    assert banners == {
        code: (expected_label[rating], LEVEL_FILL[rating]) for code, _t, rating, _r in SEED_TABLE_1
    }

    plan = [t for t in doc.tables if t.rows[0].cells[0].text == "Link to Performance Indicator"]
    assert len(plan) == 1
    assert [c.text for c in plan[0].rows[0].cells][2:] == [
        f"Activities undertaken in year {n}" for n in (1, 2, 3, 4)
    ]
    dimension_rows = [r for r in plan[0].rows if len(r._tr.tc_lst) == 1]  # one cell, spread
    assert dimension_rows[0].cells[0].text == "Dimension 1 – Planning"
    evidence = [t for t in doc.tables if t.rows[0].cells[0].text == "Category"]
    assert evidence  # one per PI with documents; the others say so
    assert any(p.text == "No documents uploaded" for p in doc.paragraphs)
    # The action plan is on landscape pages, between portrait ones, as in the PDF.
    assert [s.page_width > s.page_height for s in doc.sections] == [False, True, False, False]


@pytest.mark.django_db
def test_arabic_document_is_right_to_left_with_arabic_headings(kaz_2022):
    doc = word(kaz_2022, "ar")

    with translation.override("ar"):
        background = "1. " + gettext("Background")
        findings = gettext("Findings and Explanation")
    headings = [p for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0].text == background != "1. Background"
    assert findings in [p.text for p in headings]
    assert all(is_rtl(p) for p in headings if not p.text.startswith("PI"))
    # Runs of Arabic text are marked right to left; tables run from the right; so do the pages.
    run = headings[0].runs[0]._r
    assert run.rPr.find(qn("w:rtl")) is not None
    assert all(t._tbl.tblPr.find(qn("w:bidiVisual")) is not None for t in doc.tables)
    assert all(s._sectPr.find(qn("w:bidi")) is not None for s in doc.sections)
    # What the team typed in English keeps its own direction, as in the PDF (`text_dir`).
    process = next(p for p in doc.paragraphs if p.text.startswith("In November 2022"))
    assert not is_rtl(process)
    # The language of Arabic text (w:bidi) is Arabic; Latin words are English.
    language = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert (language.get(qn("w:bidi")), language.get(qn("w:val"))) == ("ar-SA", "en-US")
    fonts = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert fonts.get(qn("w:cs")) == "Noto Naskh Arabic"
    assert doc.core_properties.language == "ar-SA"


@pytest.mark.django_db
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_language_of_the_pdf_has_its_word_document(kaz_2022, language):
    doc = word(kaz_2022, language)

    assert len(outline(doc)) == len(OUTLINE)
    with translation.override(language):
        assert outline(doc)[2] == ("Heading 1", "1. " + gettext("Background"))
    language_of = doc.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    tag = docx.word_language(language)
    assert tag in {language_of.get(qn(f"w:{name}")) for name in ("val", "eastAsia", "bidi")}
    if language == "zh-hans":
        assert language_of.get(qn("w:eastAsia")) == "zh-CN"


@pytest.mark.django_db
def test_every_string_is_a_msgid_of_the_pdf_templates(kaz_2022, monkeypatch):
    """The document's words are the PDF's, translated by the same catalogs: a msgid that drifted
    from the template's would print in English in every language."""
    asked: list[str] = []

    def gettext_spy(message: str) -> str:
        asked.append(message)
        return gettext(message)

    def ngettext_spy(singular: str, plural: str, number: int) -> str:
        asked.append(singular)
        return translation.ngettext(singular, plural, number)

    monkeypatch.setattr(docx, "_", gettext_spy)
    monkeypatch.setattr(docx, "ngettext", ngettext_spy)
    data = document.report_input(kaz_2022)
    docx.render_input_docx(data)  # annual
    data["document"]["kind"] = "comprehensive"  # the other wording
    docx.render_input_docx(data)
    catalog = translation.trans_real.translation("fr")._catalog
    assert len(set(asked)) > 60
    missing = [m for m in set(asked) if m not in catalog and (m, 0) not in catalog]
    assert missing == []


@pytest.mark.django_db
def test_context_is_the_pdfs_and_the_render_reads_no_database(kaz_2022, django_assert_num_queries):
    data = document.report_input(kaz_2022, language="fr")
    with translation.override("fr"):
        context = document.report_context(data)
    with django_assert_num_queries(0):
        content = docx.render_docx(context)
    assert content.startswith(b"PK")
    assert translation.get_language() == settings.LANGUAGE_CODE  # left as it was


# --- The page, the API, the CLI ---------------------------------------------------------------


@pytest.mark.django_db
def test_viewer_downloads_the_word_document_in_the_language_asked(client, kaz_2022, viewer):
    client.force_login(viewer)

    response = client.get(URL, {"language": "fr"})

    assert response.status_code == 200
    assert response["Content-Type"] == WORD_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="UNCT-SWAP-KAZ-2022-fr.docx"'
    assert response["Cache-Control"] == "no-store"
    doc = Document(io.BytesIO(response.content))
    with translation.override("fr"):
        assert outline(doc)[2][1] == "1. " + gettext("Background")
    assert ReportJob.objects.count() == 0  # made at once, nothing stored

    english = client.get(URL, {"language": "en"})
    assert english["Content-Disposition"] == 'attachment; filename="UNCT-SWAP-KAZ-2022.docx"'


@pytest.mark.django_db
def test_word_document_is_gated_like_the_report_card(client, kaz_2022, outsider):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

    client.force_login(outsider)
    assert client.get(URL).status_code == 404


@pytest.mark.django_db
def test_an_unknown_language_goes_back_to_the_card_with_a_message(client, kaz_2022, viewer):
    client.force_login(viewer)
    response = client.get(URL, {"language": "xx"}, follow=True)
    assert response.redirect_chain[-1][0] == "/teams/KAZ/2022/report/"
    assert "is not a language of the report" in response.content.decode()
    # Nor is another format a server error.
    assert client.get(URL, {"format": "odt"}, follow=True).status_code == 200
    odd = client.post("/teams/KAZ/2022/report/request/", {"format": "odt"}, HTTP_HX_REQUEST="true")
    assert (odd.status_code, 'data-status="refused"' in odd.content.decode()) == (200, True)


@pytest.mark.django_db
def test_card_offers_word_beside_the_pdf_in_the_selected_language(client, kaz_2022, viewer):
    client.force_login(viewer)
    card = client.get("/teams/KAZ/2022/report/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="report-docx"' in card
    assert 'name="format" value="docx"' in card

    # The button submits the card's form: the language selected, then the download.
    data = {"language": "ar", "format": "docx"}
    htmx = client.post("/teams/KAZ/2022/report/request/", data, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == f"{URL}?language=ar"
    plain = client.post("/teams/KAZ/2022/report/request/", data)
    assert (plain.status_code, plain["Location"]) == (302, f"{URL}?language=ar")
    assert ReportJob.objects.count() == 0  # no PDF job for a Word document


@pytest.mark.django_db
def test_api_returns_the_word_document_through_the_same_gate(kaz_2022, viewer, outsider):
    api = APIClient()
    assert api.get(API, {"assessment": kaz_2022.pk}).status_code == 401

    api.force_authenticate(viewer)
    response = api.get(API, {"assessment": kaz_2022.pk, "language": "es"}, HTTP_ACCEPT=WORD_TYPE)
    assert response.status_code == 200
    assert response["Content-Type"] == WORD_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="UNCT-SWAP-KAZ-2022-es.docx"'
    with translation.override("es"):
        assert outline(Document(io.BytesIO(response.content)))[2][1] == (
            "1. " + gettext("Background")
        )

    refused = api.get(API, {"assessment": kaz_2022.pk, "language": "xx"}, HTTP_ACCEPT=WORD_TYPE)
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/json"
    assert "language" in refused.json()

    api.force_authenticate(outsider)
    hidden = api.get(API, {"assessment": kaz_2022.pk})
    assert hidden.status_code == 404
    assert hidden.json()["detail"]


@pytest.mark.django_db
def test_api_schema_documents_the_word_download(client, viewer):
    client.force_login(viewer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"][API]["get"]
    assert operation["tags"] == ["report-jobs"]
    assert operation["summary"]
    assert WORD_TYPE in operation["responses"]["200"]["content"]
    assert {"assessment", "language"} <= {p["name"] for p in operation["parameters"]}


@pytest.mark.django_db
def test_render_report_command_writes_the_word_document(kaz_2022, tmp_path: Path):
    out = io.StringIO()
    call_command(
        "render_report", "KAZ", "2022", "--format", "docx", "--language", "ru",
        "--out", str(tmp_path / "kaz.docx"), stdout=out,
    )  # fmt: skip
    doc = Document(str(tmp_path / "kaz.docx"))
    with translation.override("ru"):
        assert outline(doc)[2][1] == "1. " + gettext("Background")
    assert "kaz.docx: Word document" in out.getvalue()
