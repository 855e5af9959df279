"""Evidence files of an allowed type whose content is hostile all the same (issue "hostile input").

Each hostile file is built here: a PDF or image that also holds web page code (a polyglot), a PDF
carrying JavaScript (also inside a compressed object stream), Office and OpenDocument zip bombs,
and text files with markup past their first kilobytes. Each is refused with a message saying why,
in bounded time, and nothing is stored; ordinary files of the same types stay accepted.
"""

from __future__ import annotations

import base64
import html
import io
import random
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from scorecard import services, uploads
from scorecard.models import Evidence, EvidenceCategory, IndicatorAssessment
from tests.factories import UserFactory
from tests.scorecard.test_uploads import docx_bytes, png_bytes

WEB_CODE = "This file contains web page code (HTML or script), which is not allowed in evidence."
PDF_JAVASCRIPT = "This PDF contains JavaScript, which is not allowed in evidence."
TOO_LARGE = "This document is too large once unpacked (more than 256.0\xa0MB)."
TOO_MANY_PARTS = "This document holds too many parts (more than 10,000)."
ZIP_BOMB = (
    "This document looks like a zip bomb: part of it unpacks to more than 200 times its packed "
    "size."
)
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
ODT_TYPE = "application/vnd.oasis.opendocument.text"
PI_URL = "/teams/KAZ/2022/pi/2.2/"
MB = 1024 * 1024


def refusal(name: str, content: bytes) -> list[str]:
    with pytest.raises(ValidationError) as excinfo:
        uploads.check_evidence_file(SimpleUploadedFile(name, content))
    return excinfo.value.messages


def accepted(name: str, content: bytes) -> str:
    return uploads.check_evidence_file(SimpleUploadedFile(name, content)).content_type


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- Building the files -----------------------------------------------------------------------


def pdf_with(body: bytes = b"", *, filler: int = 100_000, version: bytes = b"1.4") -> bytes:
    """A small PDF: a page, `filler` bytes of binary stream (as images are), then `body`."""
    noise = random.Random(7).randbytes(filler)
    image = b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /Length %d >>" % len(noise)
    return (
        b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [4 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n" + image + b"\nstream\n" + noise + b"\nendstream\nendobj\n"
        b"4 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
        + body
        + b"\ntrailer\n<< /Root 1 0 R /ID [<4f6b3a9e> <4F6B3A9E>] >>\n%%EOF\n"
    )


def pdf_object_stream(objects: bytes, *, spaced: bool = True) -> bytes:
    """Object 9, an object stream (compressed: its dictionaries are not in the file's bytes)."""
    packed = zlib.compress(b"5 0 " + objects)
    dictionary = (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>"
        if spaced
        else b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length %d>>"
    ) % len(packed)
    return b"9 0 obj\n" + dictionary + b"\nstream\r\n" + packed + b"\nendstream\nendobj\n"


def weasyprint_pdf() -> bytes:
    """A real PDF from WeasyPrint: compressed streams, object streams, a subset font, a large
    image of noise (binary streams over a megabyte, so the scan crosses chunks)."""
    from weasyprint import HTML  # imported here: only this test needs it

    noise = Image.frombytes("RGB", (700, 700), random.Random(3).randbytes(700 * 700 * 3))
    image = io.BytesIO()
    noise.save(image, "PNG")
    data_url = "data:image/png;base64," + base64.b64encode(image.getvalue()).decode()
    page = (
        "<html><body><h1>Gender Theme Group minutes</h1>"
        "<p>Targets: a &lt; b and &lt;5 years; see https://example.org/report.</p>"
        f'<img src="{data_url}"></body></html>'
    )
    return HTML(string=page).write_pdf()


def zip_of(members: dict[str, bytes], *, stored: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def zeros_bomb(
    first: dict[str, bytes],
    name: str,
    size: int,
    *,
    stored: tuple[str, ...] = (),
    force_zip64: bool = True,
) -> bytes:
    """A zip with the members `first`, then `name`: `size` bytes of zeros, written a megabyte at a
    time so that neither the test nor the archive holds them (1 GB packs to about 1 MB)."""
    buffer = io.BytesIO(zip_of(first, stored=stored))
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=force_zip64) as member,
    ):
        zeros = bytes(MB)
        for _ in range(size // MB):
            member.write(zeros)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    return zeros_bomb(
        {"[Content_Types].xml": CONTENT_TYPES.encode()}, "word/document.xml", 1024 * MB
    )


def odt_members() -> dict[str, bytes]:
    return {
        "mimetype": ODT_TYPE.encode(),
        "META-INF/manifest.xml": b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        b'opendocument:xmlns:manifest:1.0"/>',
    }


def with_declared_size(archive: bytes, name: str, declared: int) -> bytes:
    """The archive with `name`'s unpacked size rewritten, in its local and central headers: the
    sizes a zip declares are whatever its maker wrote."""
    data = bytearray(archive)
    encoded = name.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        name_at = 30 if signature == b"PK\x03\x04" else 46
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                struct.pack_into("<I", data, start + size_at, declared)
            start += 4
    return bytes(data)


def text_after(prefix_bytes: int, payload: str) -> bytes:
    line = "Réunion du groupe thématique genre : compte rendu, décisions, suivi.\n"
    filler = (line * (prefix_bytes // len(line.encode()) + 1)).encode()[:prefix_bytes]
    return filler.decode("utf-8", errors="ignore").encode() + payload.encode() + b"\nEnd.\n"


# --- Polyglots: PDFs and images that also hold web page code -----------------------------------


def test_pdf_polyglot_with_html_after_100_kb_refused():
    polyglot = pdf_with(b"<html><script>alert(1)</script></html>")
    assert polyglot.startswith(b"%PDF-1.4")
    assert polyglot.index(b"<html>") > 100_000

    assert refusal("report.pdf", polyglot) == [WEB_CODE]


@pytest.mark.parametrize(
    "markup",
    [
        b"<!DOCTYPE html><p>hi</p>",
        b"<HTML><BODY>Minutes</BODY></HTML>",
        b"<ScRiPt>fetch('/admin/')</sCrIpT>",
        b'<iframe src="https://example.org/">',
        b"<svg onload=alert(1)>",
        b"<svg/onload=alert(1)>",
        b"<img src=x onerror=alert(1)>",
        b'<object data="x.swf">',
        b'<embed src="x.swf">',
        b'<meta http-equiv="refresh" content="0;url=https://example.org/">',
        b"5 0 obj\n<< /Type /Action /S /URI /URI (javascript:alert(1)) >>\nendobj\n",
    ],
)
def test_pdf_with_markup_refused(markup):
    assert refusal("report.pdf", pdf_with(markup)) == [WEB_CODE]


@pytest.mark.parametrize(
    ("name", "image"),
    [
        ("photo.png", png_bytes()),
        ("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
    ],
)
def test_image_polyglot_refused(name, image):
    polyglot = image + random.Random(1).randbytes(200_000) + b"<html><script>alert(1)</script>"

    assert refusal(name, polyglot) == [WEB_CODE]


def test_markup_split_across_two_chunks_is_found(monkeypatch):
    monkeypatch.setattr(uploads, "SCAN_CHUNK", 4096)
    polyglot = pdf_with(filler=0)
    polyglot = polyglot + b"%" + b"x" * (4096 - len(polyglot) - 4) + b"<script>alert(1)</script>"
    assert polyglot[4093:4096] == b"<sc"  # the sign starts in one chunk and ends in the next

    assert refusal("report.pdf", polyglot) == [WEB_CODE]


# --- JavaScript in PDFs -----------------------------------------------------------------------


def test_pdf_with_document_javascript_refused():
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_open_action(JavaScript("app.alert('Evidence');"))
    buffer = io.BytesIO()
    writer.write(buffer)

    assert refusal("report.pdf", buffer.getvalue()) == [PDF_JAVASCRIPT]


@pytest.mark.parametrize(
    "action",
    [
        b"5 0 obj\n<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>\nendobj\n",
        b"5 0 obj<</S/JavaScript/JS 6 0 R>>endobj\n",
        # names spelled with #xx escapes: /JS and /JavaScript to a PDF reader
        b"5 0 obj\n<< /S /Java#53cript /J#53 (app.alert(1)) >>\nendobj\n",
        b"5 0 obj\n<< /S /#4a#61vaScript /J#73 (app.alert(1)) >>\nendobj\n",
    ],
)
def test_pdf_with_javascript_action_refused(action):
    assert refusal("report.pdf", pdf_with(action)) == [PDF_JAVASCRIPT]


@pytest.mark.parametrize("spaced", [True, False])
def test_pdf_with_javascript_in_compressed_object_stream_refused(spaced):
    hidden = pdf_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>", spaced=spaced)
    pdf = pdf_with(hidden, version=b"1.5")
    assert b"/JS" not in pdf
    assert b"JavaScript" not in pdf

    assert refusal("report.pdf", pdf) == [PDF_JAVASCRIPT]


def test_pdf_object_stream_bomb_refused():
    packer = zlib.compressobj()
    packed = b"".join(packer.compress(bytes(MB)) for _ in range(80)) + packer.flush()
    bomb = b"9 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n"
    pdf = pdf_with(bomb + packed + b"\nendstream\nendobj\n", version=b"1.5")

    started = time.process_time()
    messages = refusal("report.pdf", pdf)

    assert messages == ["This document is too large once unpacked (more than 64.0\xa0MB)."]
    assert time.process_time() - started < 2


def test_pdf_object_stream_without_javascript_accepted():
    plain = pdf_object_stream(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")

    assert accepted("report.pdf", pdf_with(plain, version=b"1.5")) == "application/pdf"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        # a font subset whose random tag starts with JS; a name that only starts with JavaScript
        b"5 0 obj\n<< /Type /Font /BaseFont /JSKQWB+Arial-BoldMT /JavaScriptless 1 >>\nendobj\n",
        # an opening view, not a script: /OpenAction alone is ordinary
        b"6 0 obj\n<< /OpenAction [4 0 R /FitH null] /PageMode /UseOutlines >>\nendobj\n",
        # Acrobat's comments keep their rich text as XHTML, in plain text
        b'7 0 obj\n<< /Type /Annot /Subtype /Text /RC (<?xml version="1.0"?><body '
        b'xmlns="http://www.w3.org/1999/xhtml" xmlns:xfa="http://www.xfa.org/schema/xfa-data/1.0/"'
        b' xfa:APIVersion="Acrobat:11.0.0" xfa:spec="2.0.2"><p dir="ltr"><span style="font-size:'
        b'10.0pt">Looks good; a &lt; b</span></p></body>) >>\nendobj\n',
        # XMP metadata, in plain text in most PDFs
        b'8 0 obj\n<< /Type /Metadata /Subtype /XML >>\nstream\n<?xpacket begin="" id="W5M0Mp'
        b'CehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://'
        b'www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://'
        b'purl.org/dc/elements/1.1/"><dc:format>application/pdf</dc:format></rdf:Description>'
        b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>\nendstream\nendobj\n',
    ],
    ids=["binary-stream", "js-font-subset", "open-action-view", "comment-rich-text", "xmp"],
)
def test_ordinary_pdf_accepted(body):
    assert accepted("report.pdf", pdf_with(body)) == "application/pdf"


def test_real_pdf_with_large_image_accepted():
    pdf = weasyprint_pdf()
    assert len(pdf) > MB
    assert b"/ObjStm" in pdf

    assert accepted("minutes.pdf", pdf) == "application/pdf"


def test_real_photos_accepted():
    noise = Image.frombytes("RGB", (600, 600), random.Random(5).randbytes(600 * 600 * 3))
    xmp = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )
    for name, image_format, options in [
        ("photo.jpg", "JPEG", {"quality": 95, "xmp": xmp}),
        ("photo.png", "PNG", {}),
        ("photo.webp", "WEBP", {"lossless": True}),
        ("photo.gif", "GIF", {}),
    ]:
        buffer = io.BytesIO()
        noise.save(buffer, image_format, **options)
        assert accepted(name, buffer.getvalue()).startswith("image/"), name


# --- Zip bombs: Office and OpenDocument files ---------------------------------------------------


def test_docx_bomb_refused_fast(docx_bomb):
    assert len(docx_bomb) < 2 * MB  # about 1 MB that unpacks to 1 GB

    started = time.process_time()
    messages = refusal("minutes.docx", docx_bomb)
    spent = time.process_time() - started

    assert messages == [TOO_LARGE]
    assert spent < 2


def test_odt_bomb_refused():
    bomb = zeros_bomb(odt_members(), "content.xml", 300 * MB, stored=("mimetype",))

    assert refusal("minutes.odt", bomb) == [TOO_LARGE]


def test_docx_with_too_many_parts_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for number in range(20_000):
            archive.writestr(f"word/media/part{number}.xml", "")

    started = time.process_time()
    messages = refusal("minutes.docx", buffer.getvalue())

    assert messages == [TOO_MANY_PARTS]
    assert time.process_time() - started < 2


@pytest.mark.parametrize(
    ("name", "first", "member"),
    [
        ("sheet.xlsx", {"[Content_Types].xml": CONTENT_TYPES.encode()}, "xl/worksheets/s1.xml"),
        ("minutes.odt", odt_members(), "content.xml"),
    ],
)
def test_part_packed_too_tightly_refused(name, first, member):
    bomb = zeros_bomb(first, member, 5 * MB, stored=("mimetype",))  # 5 MB in about 5 KB

    assert refusal(name, bomb) == [ZIP_BOMB]


def test_bomb_that_declares_a_small_size_refused_once_unpacked():
    # without zip64 fields, so that the plain size fields are the ones zipfile reads
    bomb = zeros_bomb(
        {"[Content_Types].xml": CONTENT_TYPES.encode()},
        "word/document.xml",
        300 * MB,
        force_zip64=False,
    )
    lying = with_declared_size(bomb, "word/document.xml", 1000)
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert archive.getinfo("word/document.xml").file_size == 1000

    started = time.process_time()
    messages = refusal("minutes.docx", lying)

    assert messages == [ZIP_BOMB]
    assert time.process_time() - started < 2


def test_document_larger_than_declared_refused_at_the_cap(settings):
    settings.EVIDENCE_UNPACKED_MAX_BYTES = MB
    pick = random.Random(2).choice
    # about 3 MB that packs a few times only: no bomb by its ratio
    words = " ".join(pick(["gender", "parity", "UNCT", "GTG", "SWAP"]) for _ in range(500_000))
    docx = zip_of(
        {"[Content_Types].xml": CONTENT_TYPES.encode(), "word/document.xml": words.encode()}
    )
    lying = with_declared_size(docx, "word/document.xml", 1000)

    assert refusal("minutes.docx", lying) == [
        "This document is too large once unpacked (more than 1.0\xa0MB)."
    ]


def test_document_whose_size_is_wrong_is_not_valid():
    lying = with_declared_size(docx_bytes(), "word/document.xml", 20)

    assert refusal("minutes.docx", lying) == [
        "The content of minutes.docx is not a valid DOCX file."
    ]


def test_ordinary_office_files_accepted():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for number in range(5000):
        sheet.append([f"PI {number % 15}", "Meets", number, "Kazakhstan"])
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    odt = zip_of(
        {**odt_members(), "content.xml": b"<office:document-content/>" * 2000},
        stored=("mimetype",),
    )

    assert accepted("sheet.xlsx", xlsx.getvalue()).endswith(".sheet")
    assert accepted("minutes.odt", odt) == ODT_TYPE
    assert accepted("minutes.docx", docx_bytes()).endswith(".document")


# --- Markup anywhere in text files ------------------------------------------------------------


def test_txt_with_img_onerror_after_100_kb_refused():
    text = text_after(100_000, "<img src=x onerror=alert(1)>")

    assert refusal("minutes.txt", text) == [WEB_CODE]


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<iframe src="https://example.org">',
        "<svg/onload=alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
        '<A HREF="JAVASCRIPT:alert(1)">click</A>',
        "<x onclick=alert(1)>",
        '<p/onmouseover="alert(1)">',
        "<details open ontoggle=alert(1)>",
        "<math><mtext></mtext></math>",
    ],
)
@pytest.mark.parametrize("name", ["notes.txt", "data.csv"])
def test_text_with_markup_anywhere_refused(name, markup):
    assert refusal(name, text_after(300_000, markup)) == [WEB_CODE]


def test_text_markup_split_across_two_chunks_is_found(monkeypatch):
    monkeypatch.setattr(uploads, "SCAN_CHUNK", 4096)
    text = b"a" * 4090 + b"<img src=x onerror=alert(1)>"

    assert refusal("notes.txt", text) == [WEB_CODE]


@pytest.mark.parametrize(
    "text",
    [
        "Targets: a < b and <5 years; ratio <0.5 and x<y, arrows <- and <=> and i <3 this.\n",
        'PI,target\n2.2,<10%\n3.1,< 3 months\n4.3,"<>"\n',
        "Send feedback to <gtg@example.org> before 1 May; see the <UNCT-SWAP> guidance.\n",
    ],
)
def test_plain_text_with_less_than_signs_accepted(text):
    assert accepted("notes.txt", text_after(100_000, text)) == "text/plain"
    assert accepted("data.csv", text.encode()) == "text/csv"


def test_text_with_a_character_split_across_chunks_accepted():
    # A large upload is a file on disk, read 64 KB at a time (as ContentFile is): "é" is two
    # bytes, here one on each side of the first boundary.
    text = b"a" * (64 * 1024 - 1) + "é, Öskemen, Алматы.\n".encode()
    checked = uploads.check_evidence_file(ContentFile(text, name="notes.txt"))

    assert checked.content_type == "text/plain"


# --- Through the service and the page: refused, with the reason, and nothing stored --------------


@pytest.fixture
def row(assessment) -> IndicatorAssessment:
    return IndicatorAssessment.objects.select_related("indicator").get(
        assessment=assessment, indicator__code="2.2"
    )


def hostile_files(docx_bomb: bytes) -> list[tuple[str, bytes, str]]:
    return [
        ("report.pdf", pdf_with(b"<html><script>alert(1)</script></html>"), WEB_CODE),
        (
            "report.pdf",
            pdf_with(b"5 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj"),
            PDF_JAVASCRIPT,
        ),
        ("minutes.docx", docx_bomb, TOO_LARGE),
        ("notes.txt", text_after(100_000, "<img src=x onerror=alert(1)>"), WEB_CODE),
    ]


def test_add_evidence_hostile_file_stores_nothing(row, docx_bomb):
    uploader = UserFactory(username="aigerim")
    category = EvidenceCategory.objects.get(
        framework__version="2018", name="Communication/Advocacy"
    )
    for name, content, message in hostile_files(docx_bomb):
        with pytest.raises(ValidationError) as excinfo:
            services.add_evidence(
                row=row,
                by=uploader,
                title="Hostile",
                category=category,
                file=SimpleUploadedFile(name, content),
            )

        assert excinfo.value.messages == [message], name
    assert Evidence.objects.count() == 0
    assert media_files() == []


def test_evidence_page_refuses_hostile_file_with_the_reason(client, iat, assessment, docx_bomb):
    client.force_login(iat)
    for name, content, message in hostile_files(docx_bomb):
        response = client.post(
            f"{PI_URL}evidence/",
            {"title": "Hostile attachment", "file": SimpleUploadedFile(name, content)},
        )

        assert response.status_code == 400, name
        assert message in html.unescape(response.content.decode()), name
    assert Evidence.objects.count() == 0
    assert media_files() == []
