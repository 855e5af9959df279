"""The text of shared PDF and Office files is read when the file is stored (hub/text.py), bounded,
and searched with the item: in the item's language on PostgreSQL, by icontains elsewhere."""

import io
import logging

import docx
import openpyxl
import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile

from hub import selectors, services, text
from hub.models import Practice, PracticeFile
from scorecard import services as scorecard_services
from tests.hub.test_search import postgres  # noqa: F401 -- the PostgreSQL-or-skip fixture

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Passes the upload checks (a PDF header, no web code, no JavaScript) but its cross-reference
# table and objects are garbage: pypdf cannot read it.
BROKEN_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\nxref\nbroken\n"
    b"trailer\n<< /Root 1 0 R >>\nstartxref\n99999\n%%EOF\n"
)


def pdf_of(html: str) -> bytes:
    return weasyprint.HTML(string=html).write_pdf()


def docx_of(*paragraphs: str, cell: str = "") -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if cell:
        document.add_table(rows=1, cols=1).cell(0, 0).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_of(*values) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data: bytes, extension: str) -> str:
    return text.extract_text(io.BytesIO(data), extension)


# --- Reading files (no database) --------------------------------------------------------------


def test_the_text_of_a_pdf_is_read():
    assert read(pdf_of("<p>Les stratégies d'égalité</p><p>Deuxième</p>"), ".pdf") == (
        "Les stratégies d'égalité\nDeuxième"
    )


def test_the_text_of_a_word_document_is_read_tables_included():
    assert read(docx_of("Политика равенства", cell="в таблице"), ".docx") == (
        "Политика равенства\nв таблице"
    )


def test_the_words_of_a_workbook_are_read_not_its_numbers():
    assert read(xlsx_of("budget sensible au genre", 2024, 3.5), ".xlsx") == (
        "budget sensible au genre"
    )


def test_plain_text_is_read_without_control_characters():
    assert read(b"ligne\x00 un\x07\n\n  deux  ", ".txt") == "ligne un\ndeux"


def test_a_broken_pdf_gives_no_text_and_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="hub.text"):
        assert read(BROKEN_PDF, ".pdf") == ""
    assert "No text read from a .pdf file" in caplog.text


def test_a_file_that_is_not_what_it_says_gives_no_text():
    assert read(b"not a zip at all", ".docx") == ""
    assert read(b"not a zip at all", ".xlsx") == ""


def test_types_without_a_reader_give_no_text():
    assert read(b"\x89PNG\r\n\x1a\n", ".png") == ""
    assert read(b"\xd0\xcf\x11\xe0", ".doc") == ""


def test_a_huge_text_is_cut():
    assert len(read(b"mot " * 200_000, ".txt")) == text.MAX_CHARS
    huge = docx_of(*["paragraphe " * 100] * 1000)
    assert len(read(huge, ".docx")) == text.MAX_CHARS


def test_only_the_first_pages_of_a_pdf_are_read(monkeypatch):
    monkeypatch.setattr(text, "MAX_PAGES", 2)
    pages = "".join(f'<p style="break-after: page">page{n}</p>' for n in range(1, 5))
    assert read(pdf_of(pages), ".pdf") == "page1\npage2"


# --- Stored with the file, searched with the item ---------------------------------------------


@pytest.fixture
def propose(make_practice):
    def make(name: str, data: bytes, content_type: str, **fields) -> Practice:
        upload = SimpleUploadedFile(name, data, content_type=content_type)
        return make_practice(files=[upload], **fields)

    return make


def test_a_good_practice_keeps_its_files_text(propose):
    practice = propose("plan.docx", docx_of("Plan d'action national"), DOCX, language="fr")
    assert practice.files.get().text == "Plan d'action national"
    practice.refresh_from_db()
    assert "Plan d'action national" in practice.search_text


def test_proposed_evidence_keeps_its_files_text(assessment, iat, pi):
    row = assessment.indicator_assessments.get(indicator=pi)
    evidence = scorecard_services.add_evidence(
        row=row,
        by=iat,
        title="Strategy",
        category=None,
        file=SimpleUploadedFile("s.pdf", pdf_of("<p>mainstreaming</p>"), "application/pdf"),
    )
    practice = services.propose_evidence(evidence=evidence, by=iat, summary="S", language="en")
    assert practice.files.get().text == "mainstreaming"


def test_a_broken_pdf_is_still_shared(propose):
    practice = propose("broken.pdf", BROKEN_PDF, "application/pdf")
    assert practice.status == Practice.Status.PUBLISHED
    assert practice.files.get().text == ""


def test_the_searched_text_of_many_files_is_capped(make_practice, monkeypatch):
    monkeypatch.setattr(services, "FILES_TEXT_MAX", 50)
    practice = make_practice(title="T", summary="S")
    for _ in range(3):
        PracticeFile.objects.create(
            practice=practice,
            file="hub/x.txt",
            original_name="x.txt",
            size=1,
            content_type="text/plain",
            text="x" * 40,
        )
    services.refresh_search(practice)
    practice.refresh_from_db()
    assert practice.search_text == "T\nS\n" + ("x" * 40 + "\n" + "x" * 9)


def test_the_fallback_finds_a_word_of_a_file(propose, outsider, monkeypatch):
    monkeypatch.setattr(selectors, "uses_postgres", lambda: False)
    propose("plan.docx", docx_of("budgétisation sensible"), DOCX, language="fr")
    page = selectors.search_practices("budgétisation", None, outsider)
    assert page.count == 1


@pytest.mark.usefixtures("postgres")
def test_a_word_of_a_pdf_is_found_in_another_form(propose, outsider):
    propose(
        "rapport.pdf",
        pdf_of("<p>Nous avons formé les budgétisations paritaires.</p>"),
        "application/pdf",
        title="Un rapport",
        summary="Le rapport de l'équipe.",
        language="fr",
    )
    propose("other.pdf", pdf_of("<p>Rien à voir.</p>"), "application/pdf", language="fr")
    page = selectors.search_practices("budgétisation paritaire", None, outsider)
    assert [result.practice.title for result in page.results] == ["Un rapport"]


@pytest.mark.usefixtures("postgres")
def test_a_word_of_a_word_document_is_found_in_another_form(propose, outsider):
    propose(
        "politique.docx",
        docx_of("Политика", cell="Гендерные стратегии страновой группы"),
        DOCX,
        title="Документ",
        summary="Краткое описание.",
        language="ru",
    )
    page = selectors.search_practices("стратегия", None, outsider)
    assert [result.practice.title for result in page.results] == ["Документ"]


@pytest.mark.usefixtures("postgres")
def test_the_item_text_ranks_above_its_files(propose, outsider):
    """A word in an item's title counts more than the same word in another item's file."""
    propose("a.docx", docx_of("mentorship programme"), DOCX, title="Annual plan", summary="Plan")
    propose("b.docx", docx_of("other"), DOCX, title="Mentorship network", summary="Network")
    page = selectors.search_practices("mentorship", None, outsider)
    assert [result.practice.title for result in page.results] == [
        "Mentorship network",
        "Annual plan",
    ]
