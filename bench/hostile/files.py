"""The hostile files bench/hostile/run.py sends, built here and cached in CACHE_DIR.

Each is small on the wire and large (or dangerous) once opened:

- `xlsx_shared_strings_bomb`: a valid workbook whose xl/sharedStrings.xml unpacks to tens of MB
  of short repeated strings (openpyxl reads them all, even in read-only mode, before row 1);
- `xlsx_many_rows`: a valid workbook with a header and a million empty rows;
- `docx_bomb`: a Word document carrying a member of 1 GB of zeros (about 1 MB deflated);
- `pdf_html_polyglot`: a minimal PDF with an HTML page and a script appended;
- `txt_markup`: plain text holding an `<img onerror>` tag.

Files are written once (named by their parameters) and reused by later runs.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

CACHE_DIR = Path(os.environ.get("BENCH_HOSTILE_CACHE", "/tmp/unct-swap-hostile"))  # noqa: S108
MB = 1024 * 1024

CONTENT_TYPES_XLSX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS_XLSX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
SST_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SST_TAIL = "</sst>"

# The parity import's columns and the commitments import's (their keys), as the header row.
PARITY_HEADER = ["entity", "grade", "women", "men", "not_disclosed"]
COMMITMENTS_HEADER = [
    "maker",
    "maker_category",
    "country",
    "title",
    "description",
    "coalitions",
    "compact_areas",
    "types",
    "start_year",
    "end_year",
    "amount",
    "currency",
    "geography",
    "status",
]


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _header_row(header: list[str], *, shared: bool) -> str:
    cells = []
    for i, text in enumerate(header):
        ref = f"{_column(i)}1"
        if shared:  # the header's strings are the first entries of the shared strings
            cells.append(f'<c r="{ref}" t="s"><v>{i}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    return f'<row r="1">{"".join(cells)}</row>'


def _write_xlsx_skeleton(archive: zipfile.ZipFile) -> None:
    archive.writestr("[Content_Types].xml", CONTENT_TYPES_XLSX)
    archive.writestr("_rels/.rels", ROOT_RELS_XLSX)
    archive.writestr("xl/workbook.xml", WORKBOOK_XML)
    archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)


def _done(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def _atomic(path: Path) -> Path:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    return path.with_name(path.name + f".part{os.getpid()}")


def xlsx_shared_strings_bomb(shared_bytes: int, header: list[str], name: str) -> Path:
    """A workbook whose sharedStrings.xml is about `shared_bytes` long: the header's strings, then
    short strings repeated (each its own <si>, so each its own Python object once parsed). The
    sheet has the header and one row using a few of them."""
    path = CACHE_DIR / f"{name}-{shared_bytes // MB}mb.xlsx"
    if _done(path):
        return path
    part = _atomic(path)
    item = "<si><t>bomb</t></si>"
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _write_xlsx_skeleton(archive)
        sheet = (
            SHEET_HEAD
            + _header_row(header, shared=True)
            + f'<row r="2"><c r="A2" t="s"><v>{len(header)}</v></c>'
            f'<c r="B2" t="s"><v>{len(header) + 1}</v></c></row>' + SHEET_TAIL
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            written = 0
            head = SST_HEAD + "".join(f"<si><t>{text}</t></si>" for text in header)
            member.write(head.encode())
            written += len(head)
            chunk = (item * 50_000).encode()
            target = shared_bytes - len(SST_TAIL)
            while written + len(chunk) <= target:
                member.write(chunk)
                written += len(chunk)
            rest = (target - written) // len(item)
            member.write((item * rest).encode())
            member.write(SST_TAIL.encode())
    part.rename(path)
    return path


def xlsx_many_rows(rows: int, header: list[str], name: str) -> Path:
    """A workbook with the header and then `rows` empty rows (one empty cell each)."""
    path = CACHE_DIR / f"{name}-{rows}-rows.xlsx"
    if _done(path):
        return path
    part = _atomic(path)
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _write_xlsx_skeleton(archive)
        archive.writestr("xl/sharedStrings.xml", SST_HEAD + SST_TAIL)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write((SHEET_HEAD + _header_row(header, shared=False)).encode())
            batch: list[str] = []
            for number in range(2, rows + 2):
                batch.append(f'<row r="{number}"><c r="A{number}"/></row>')
                if len(batch) == 10_000:
                    member.write("".join(batch).encode())
                    batch = []
            member.write(("".join(batch) + SHEET_TAIL).encode())
    part.rename(path)
    return path


DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="bin" ContentType="application/octet-stream"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    "</Relationships>"
)
DOCX_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Gender equality workplan, 2022 (evidence)</w:t></w:r></w:p>"
    "</w:body></w:document>"
)


def docx_bomb(unpacked_bytes: int = 1024 * MB) -> Path:
    """A Word document (opens as one) with word/media/zeros.bin: `unpacked_bytes` of zeros."""
    path = CACHE_DIR / f"docx-bomb-{unpacked_bytes // MB}mb.docx"
    if _done(path):
        return path
    part = _atomic(path)
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        archive.writestr("word/document.xml", DOCX_DOCUMENT)
        zeros = bytes(4 * MB)
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            for _ in range(unpacked_bytes // len(zeros)):
                member.write(zeros)
    part.rename(path)
    return path


def pdf_html_polyglot() -> bytes:
    """A minimal PDF (one empty page) followed by an HTML page with a script."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    out += b"<html><body><script>alert(1)</script></body></html>\n"
    return bytes(out)


def txt_markup() -> bytes:
    return b"Meeting notes, IAT 2022.\n<img src=x onerror=alert(1)>\n"


def csv_header() -> bytes:
    return b"entity,grade,women,men\n"
