"""Hostile .xlsx files for the upload tests, written part by part with zipfile (openpyxl would
never write them): a few kilobytes on the wire that unpack to tens of megabytes, a million empty
rows, a cell in the last column, a size in the zip's directory that lies.

`Bounded` measures what refusing one costs: CPU seconds (`time.process_time`) and the peak of
memory allocated meanwhile (`tracemalloc`), for assertions with generous margins.
"""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Iterable, Iterator
from types import TracebackType

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>
</Types>""".encode()
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_REL}">
<Relationship Id="rId1" Type="{OFFICE_DOC}" Target="xl/workbook.xml"/>
</Relationships>""".encode()
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}">
<sheets><sheet name="Staffing" sheetId="1" r:id="rId1"/></sheets>
</workbook>""".encode()
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_REL}">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>""".encode()

MB = 1024 * 1024


def _chunks(parts: Iterable[bytes], size: int = MB) -> Iterator[bytes]:
    """The parts joined into chunks of about `size` bytes (zipfile writes faster in bulk)."""
    buffer: list[bytes] = []
    length = 0
    for part in parts:
        buffer.append(part)
        length += len(part)
        if length >= size:
            yield b"".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield b"".join(buffer)


def workbook(sheet: Iterable[bytes], strings: Iterable[bytes] = ()) -> bytes:
    """A minimal one-sheet workbook ("Staffing"): the sheet's and the shared strings' XML as
    given, in pieces, deflated. openpyxl opens it as it opens one written by Excel."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, parts in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", strings)):
            with archive.open(name, "w") as member:
                for chunk in _chunks(parts):
                    member.write(chunk)
    return out.getvalue()


def sheet_xml(rows: Iterable[bytes], *, dimension: str = "") -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'.encode()
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    yield from rows
    yield b"</sheetData></worksheet>"


def strings_xml(strings: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
    for text in strings:
        yield b"<si><t>" + text + b"</t></si>"
    yield b"</sst>"


def header_row(cells: Iterable[str]) -> bytes:
    """Row 1 as inline strings."""
    row = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{cell}</t></is></c>'
        for i, cell in enumerate(cells)
    )
    return f'<row r="1">{row}</row>'.encode()


def string_bomb(megabytes: int, header: Iterable[str] = ("entity",), length: int = 16) -> bytes:
    """A header row, and `megabytes` MB of shared strings: the same text of `length` characters
    again and again, which deflates a few hundred times ((1) and (5) of the adversarial run)."""
    text = b"A" * length
    count = megabytes * MB // (len(text) + 16)  # <si><t>…</t></si>
    return workbook(sheet_xml([header_row(header)]), strings_xml(text for _ in range(count)))


def many_strings(count: int, header: Iterable[str] = ("entity",)) -> bytes:
    """`count` distinct short shared strings: a modest part that deflates as text does, but more
    distinct strings than the table has cells."""
    return workbook(sheet_xml([header_row(header)]), strings_xml(b"s%d" % n for n in range(count)))


def empty_rows(count: int, header: Iterable[str] = ("entity",)) -> bytes:
    """A header row, then `count` empty `<row r="N"/>` elements."""
    rows = (f'<row r="{n}"/>'.encode() for n in range(2, count + 2))
    return workbook(sheet_xml([header_row(header), *rows]), strings_xml([]))


def far_cell(header: Iterable[str] = ("entity",), rows: int = 3) -> bytes:
    """A header row and `rows` rows, each with one cell in the sheet's last column (XFD): openpyxl
    would hand back 16,384 cells a row."""
    cells = (f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>'.encode() for n in range(2, rows + 2))
    return workbook(sheet_xml([header_row(header), *cells]), strings_xml([]))


def wide_dimension(header: Iterable[str] = ("entity",), rows: int = 3) -> bytes:
    """A sheet whose <dimension> claims every column (A1:XFD…): openpyxl pads each row to it."""
    cells = (f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>'.encode() for n in range(2, rows + 2))
    return workbook(
        sheet_xml([header_row(header), *cells], dimension=f"A1:XFD{rows + 1}"), strings_xml([])
    )


def lying_size(data: bytes, name: str, declared: int) -> bytes:
    """The archive with `name`'s uncompressed size in the central directory (the one zipfile
    reads) set to `declared`, whatever the member really unpacks to."""
    patched = bytearray(data)
    encoded = name.encode()
    position = patched.find(b"PK\x01\x02")
    while position >= 0:
        length = struct.unpack_from("<H", patched, position + 28)[0]
        if bytes(patched[position + 46 : position + 46 + length]) == encoded:
            struct.pack_into("<I", patched, position + 24, declared)
            return bytes(patched)
        position = patched.find(b"PK\x01\x02", position + 4)
    raise KeyError(name)


class Bounded:
    """`with Bounded() as cost: …` then cost.seconds (CPU, `time.process_time`) and cost.peak
    (bytes allocated at the peak, from tracemalloc) of the block. tracemalloc slows allocation-heavy
    code down several times: Bounded(memory=False) measures the time alone."""

    seconds: float = 0.0
    peak: int = 0

    def __init__(self, *, memory: bool = True) -> None:
        self.memory = memory

    def __enter__(self) -> Bounded:
        if self.memory:
            tracemalloc.start()
        self._start = time.process_time()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.seconds = time.process_time() - self._start
        if self.memory:
            self.peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
