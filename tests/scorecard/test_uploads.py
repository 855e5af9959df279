"""Evidence uploads: the file types users need, recognised by content, stored under our own name.

Every refused upload must leave nothing behind: no Evidence row and no file under MEDIA_ROOT.
"""

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from scorecard import services, uploads
from scorecard.models import Evidence, EvidenceCategory, IndicatorAssessment
from tests.factories import UNEntityFactory, UserFactory

ACCEPTED_TYPES = (
    "CSV, DOC, DOCX, GIF, JPEG, JPG, ODS, ODT, PDF, PNG, PPT, PPTX, TXT, WEBP, XLS, XLSX"
)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BOTH_OR_NEITHER = "Upload a file or give a link, not both and not neither."
WEB_CODE = "This file contains web page code (HTML or script), which is not allowed in evidence."

PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def png_bytes() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="xml" ContentType="application/xml"/></Types>'
            ),
            "word/document.xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>Gender Theme Group minutes</w:t></w:r></w:p></w:body>"
                "</w:document>"
            ),
        }
    )


CSV = "PI,rating\n2.2,Exceeds\n3.2,Meets\nÖskemen field visit,—\n".encode()


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def uploader(db):
    return UserFactory(username="aigerim", first_name="Aigerim", last_name="Sadykova")


@pytest.fixture
def row(assessment) -> IndicatorAssessment:
    return IndicatorAssessment.objects.select_related("indicator").get(
        assessment=assessment, indicator__code="2.2"
    )


@pytest.fixture
def category(framework) -> EvidenceCategory:
    return EvidenceCategory.objects.get(framework=framework, name="Communication/Advocacy")


# --- Accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_name", "extension"),
    [
        ("Annual report 2022.pdf", PDF, "application/pdf", "Annual_report_2022.pdf", ".pdf"),
        ("campaign.png", png_bytes(), "image/png", "campaign.png", ".png"),
        ("GTG minutes.docx", docx_bytes(), DOCX_TYPE, "GTG_minutes.docx", ".docx"),
        ("survey.csv", CSV, "text/csv", "survey.csv", ".csv"),
    ],
    ids=["pdf", "png", "docx", "csv"],
)
def test_add_evidence_accepts_file(
    row, category, uploader, name, content, content_type, stored_name, extension
):
    undp = UNEntityFactory(acronym="UNDP")
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")

    evidence = services.add_evidence(
        row=row,
        by=uploader,
        title=" 16 days of activism campaign ",
        category=category,
        entity=undp,
        file=upload,
    )

    stored = Evidence.objects.get(pk=evidence.pk)
    sha256 = hashlib.sha256(content).hexdigest()
    assert stored.title == "16 days of activism campaign"
    assert stored.size == len(content)
    assert stored.sha256 == sha256
    assert stored.content_type == content_type
    assert stored.original_name == stored_name
    assert stored.uploaded_by == uploader
    assert stored.uploaded_by_name == "Aigerim Sadykova"
    assert stored.category == category
    assert stored.entity == undp
    assert stored.url == ""
    on_disk = Path(settings.MEDIA_ROOT) / stored.file.name
    assert media_files() == [on_disk]
    assert on_disk.name == f"{sha256[:16]}{extension}"
    assert on_disk.name != name
    assert on_disk.parent.parent.parent == Path(settings.MEDIA_ROOT) / "evidence"
    assert on_disk.read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.PNG", png_bytes(), "image/png"),
        ("minutes.docx", docx_bytes(), DOCX_TYPE),
        ("data.csv", CSV, "text/csv"),
        ("notes.txt", "Réunion du groupe thématique.\n".encode(), "text/plain"),
    ],
)
def test_check_evidence_file_recognises_content(name, content, content_type):
    checked = uploads.check_evidence_file(SimpleUploadedFile(name, content))

    assert checked.safe_name == name
    assert checked.content_type == content_type


def test_add_evidence_link_only_has_no_file_fields(row, category, uploader):
    evidence = services.add_evidence(
        row=row,
        by=uploader,
        title="Kazakhstan 2022 report",
        category=category,
        url="https://unsdg.un.org/resources/unct-swap-gender-equality-scorecard",
    )

    stored = Evidence.objects.get(pk=evidence.pk)
    assert stored.url == "https://unsdg.un.org/resources/unct-swap-gender-equality-scorecard"
    assert stored.file.name == ""
    assert not stored.file
    assert stored.original_name == ""
    assert stored.content_type == ""
    assert stored.size is None
    assert stored.sha256 == ""
    assert stored.uploaded_by_name == "Aigerim Sadykova"
    assert media_files() == []


def test_add_evidence_orders_items_of_a_row(row, category, uploader):
    first = services.add_evidence(
        row=row, by=uploader, title="One", category=category, url="https://example.org/1"
    )
    second = services.add_evidence(
        row=row,
        by=uploader,
        title="Two",
        category=category,
        file=SimpleUploadedFile("two.pdf", PDF),
    )

    assert (first.order, second.order) == (0, 1)


# --- Refused --------------------------------------------------------------------------------


def _html() -> bytes:
    return b"<!DOCTYPE html>\n<html><body><h1>Minutes</h1></body></html>\n"


REFUSED = [
    pytest.param(
        "report.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"PE\x00\x00",
        "The content of report.pdf is not a valid PDF file.",
        id="executable-named-pdf",
    ),
    pytest.param(
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        f"Files of type .svg are not accepted. Accepted: {ACCEPTED_TYPES}.",
        id="svg",
    ),
    pytest.param(
        "notes.txt",
        _html(),
        WEB_CODE,
        id="html-named-txt",
    ),
    pytest.param(
        "minutes.txt",
        b"Meeting minutes\n<script>fetch('/admin/')</script>\n",
        WEB_CODE,
        id="txt-with-script",
    ),
    pytest.param(
        "minutes.CSV",
        b"a,b\n<SCRIPT src=x></SCRIPT>\n",
        WEB_CODE,
        id="csv-with-uppercase-script",
    ),
    pytest.param(
        "evidence.zip",
        zip_bytes({"report.pdf": "not really"}),
        f"Files of type .zip are not accepted. Accepted: {ACCEPTED_TYPES}.",
        id="zip",
    ),
    pytest.param(
        "report.docx",
        zip_bytes({"report.txt": "plain archive"}),
        "The content of report.docx is not a valid DOCX file.",
        id="zip-named-docx",
    ),
    pytest.param(
        "sheet.xlsx",
        docx_bytes(),
        "The content of sheet.xlsx is not a valid XLSX file.",
        id="docx-named-xlsx",
    ),
    pytest.param(
        "photo.png",
        PDF,
        "The content of photo.png is not a valid PNG file.",
        id="pdf-named-png",
    ),
    pytest.param(
        "data.csv",
        "Ökonomie;Gleichstellung\n".encode("latin-1"),
        "The content of data.csv is not a valid CSV file.",
        id="csv-not-utf8",
    ),
    pytest.param(
        "README",
        b"plain text without an extension\n",
        f"Files of type (none) are not accepted. Accepted: {ACCEPTED_TYPES}.",
        id="no-extension",
    ),
    pytest.param(
        "empty.pdf",
        b"",
        "The file is empty.",
        id="empty",
    ),
    pytest.param(
        ".hidden.pdf",
        PDF,
        "The file name .hidden.pdf is not allowed.",
        id="hidden-name",
    ),
    pytest.param(
        "..\\..\\windows\\system.pdf",
        PDF,
        "The file name ..\\..\\windows\\system.pdf is not allowed.",
        id="backslash-path",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_check_evidence_file_refuses(name, content, message):
    with pytest.raises(ValidationError) as excinfo:
        uploads.check_evidence_file(SimpleUploadedFile(name, content))

    assert excinfo.value.messages == [message]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_add_evidence_refused_file_stores_nothing(row, category, uploader, name, content, message):
    before = Evidence.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        services.add_evidence(
            row=row,
            by=uploader,
            title="Refused",
            category=category,
            file=SimpleUploadedFile(name, content),
        )

    assert excinfo.value.messages == [message]
    assert Evidence.objects.count() == before
    assert media_files() == []


def test_check_evidence_file_refuses_path_in_name():
    # UploadedFile keeps only the basename of any name it is given (also when .name is set after
    # construction), so a crafted path can only reach the check through a plain File.
    crafted = ContentFile(PDF, name="../../etc/passwd.pdf")

    with pytest.raises(ValidationError) as excinfo:
        uploads.check_evidence_file(crafted)

    assert excinfo.value.messages == ["The file name ../../etc/passwd.pdf is not allowed."]


def test_add_evidence_path_in_name_stores_nothing(row, category, uploader):
    crafted = ContentFile(PDF, name="../../etc/passwd.pdf")

    with pytest.raises(ValidationError) as excinfo:
        services.add_evidence(
            row=row, by=uploader, title="Crafted", category=category, file=crafted
        )

    assert excinfo.value.messages == ["The file name ../../etc/passwd.pdf is not allowed."]
    assert Evidence.objects.count() == 0
    assert media_files() == []
    assert not (Path(settings.MEDIA_ROOT).parent / "etc").exists()


def test_add_evidence_file_over_limit_refused(row, category, uploader, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    content = PDF + b"%" + b"x" * (2048 - len(PDF) - 1)
    assert len(content) == 2048

    with pytest.raises(ValidationError) as excinfo:
        services.add_evidence(
            row=row,
            by=uploader,
            title="Too big",
            category=category,
            file=SimpleUploadedFile("big.pdf", content),
        )

    assert excinfo.value.messages == ["The file is 2.0\xa0KB; the limit is 1.0\xa0KB."]
    assert Evidence.objects.count() == 0
    assert media_files() == []


def test_check_evidence_file_exactly_at_limit_accepted(settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    content = PDF + b"%" + b"x" * (1024 - len(PDF) - 1)

    checked = uploads.check_evidence_file(SimpleUploadedFile("limit.pdf", content))

    assert checked.content_type == "application/pdf"


def test_add_evidence_file_and_url_refused(row, category, uploader):
    with pytest.raises(ValidationError) as excinfo:
        services.add_evidence(
            row=row,
            by=uploader,
            title="Both",
            category=category,
            file=SimpleUploadedFile("report.pdf", PDF),
            url="https://example.org/report.pdf",
        )

    assert excinfo.value.messages == [BOTH_OR_NEITHER]
    assert Evidence.objects.count() == 0
    assert media_files() == []


def test_add_evidence_neither_file_nor_url_refused(row, category, uploader):
    with pytest.raises(ValidationError) as excinfo:
        services.add_evidence(row=row, by=uploader, title="Neither", category=category)

    assert excinfo.value.messages == [BOTH_OR_NEITHER]
    assert Evidence.objects.count() == 0
    assert media_files() == []


def test_add_evidence_unsafe_url_refused(row, category, uploader):
    with pytest.raises(ValidationError) as excinfo:
        services.add_evidence(
            row=row, by=uploader, title="Link", category=category, url="javascript:alert(1)"
        )

    assert list(excinfo.value.error_dict) == ["url"]
    assert Evidence.objects.count() == 0


def test_add_evidence_blank_title_refused_and_file_not_stored(row, category, uploader):
    with pytest.raises(ValidationError) as excinfo:
        services.add_evidence(
            row=row,
            by=uploader,
            title="   ",
            category=category,
            file=SimpleUploadedFile("report.pdf", PDF),
        )

    assert list(excinfo.value.error_dict) == ["title"]
    assert Evidence.objects.count() == 0
    assert media_files() == []
