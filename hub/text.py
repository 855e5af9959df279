"""The text of a file shared in the hub (PDF, Office, OpenDocument, plain text), for search.

A file that passed the upload checks (scorecard.uploads) may still be unparseable, or built to
make a parser work hard. So the work is bounded — at most MAX_PAGES pages or slides, MAX_CELLS
spreadsheet cells, MAX_CHARS characters, read as a stream that stops there — and any failure
gives "" (with a warning in the log): a file whose text cannot be read is still shared, only not
found by its content.

Read: .pdf (pypdf), .docx and .pptx (their XML parts streamed with defusedxml's iterparse, so
reading stops at MAX_CHARS instead of loading a whole document; python-pptx is not installed),
.xlsx (openpyxl, read-only), .odt and .ods (content.xml, likewise), .txt and .csv. Not read: the
old binary Office formats (.doc, .xls, .ppt) and images.
"""

from __future__ import annotations

import contextlib
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import IO

from defusedxml.ElementTree import iterparse

from . import search

logger = logging.getLogger(__name__)

MAX_CHARS = 100_000
MAX_PAGES = 50
MAX_CELLS = 100_000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_SLIDE = re.compile(r"ppt/slides/slide(\d+)\.xml")


class _Enough(Exception):
    """MAX_CHARS reached: stop reading."""


class _Collector:
    """Pieces of text up to MAX_CHARS in all; raises _Enough once there."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0

    def add(self, piece: str | None) -> None:
        if not piece:
            return
        self.pieces.append(piece)
        self.length += len(piece)
        if self.length >= MAX_CHARS:
            raise _Enough

    def text(self) -> str:
        return "".join(self.pieces)


def _pdf(file: IO[bytes], out: _Collector) -> None:
    from pypdf import PdfReader

    reader = PdfReader(file)
    if reader.is_encrypted and not reader.decrypt(""):
        return  # a password we do not have: nothing to read
    for number, page in enumerate(reader.pages):
        if number >= MAX_PAGES:
            return
        out.add(page.extract_text())
        out.add("\n")


def _xml_parts(
    file: IO[bytes], names: Callable[[list[str]], list[str]], out: _Collector, handle
) -> None:
    with zipfile.ZipFile(file) as archive:
        for name in names(archive.namelist()):
            with archive.open(name) as part:
                handle(iterparse(part, events=("end",)), out)


def _ooxml_paragraphs(events: Iterator, out: _Collector, text_tag: str, paragraph_tag: str):
    for _event, element in events:
        if element.tag == text_tag:
            out.add(element.text)
        elif element.tag == paragraph_tag:
            out.add("\n")
            element.clear()  # what is read is dropped: memory stays small


def _docx(file: IO[bytes], out: _Collector) -> None:
    _xml_parts(
        file,
        lambda names: [name for name in names if name == "word/document.xml"],
        out,
        lambda events, out: _ooxml_paragraphs(events, out, f"{_W}t", f"{_W}p"),
    )


def _pptx(file: IO[bytes], out: _Collector) -> None:
    def slides(names: list[str]) -> list[str]:
        found = sorted(
            (int(match.group(1)), name) for name in names if (match := _SLIDE.fullmatch(name))
        )
        return [name for _number, name in found[:MAX_PAGES]]

    _xml_parts(
        file, slides, out, lambda events, out: _ooxml_paragraphs(events, out, f"{_A}t", f"{_A}p")
    )


def _odf(file: IO[bytes], out: _Collector) -> None:
    def paragraphs(events: Iterator, out: _Collector) -> None:
        for _event, element in events:
            if element.tag in (f"{_TEXT_NS}p", f"{_TEXT_NS}h"):
                out.add("".join(element.itertext()))
                out.add("\n")
                element.clear()

    _xml_parts(file, lambda names: [n for n in names if n == "content.xml"], out, paragraphs)


def _xlsx(file: IO[bytes], out: _Collector) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(file, read_only=True, data_only=True)
    try:
        cells = 0
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    cells += 1
                    if cells > MAX_CELLS:
                        return
                    # Words only: numbers and dates are not what people search for.
                    if isinstance(value, str):
                        out.add(value)
                        out.add(" ")
                out.add("\n")
    finally:
        workbook.close()


def _plain(file: IO[bytes], out: _Collector) -> None:
    # Four bytes per character at most in UTF-8: enough bytes for MAX_CHARS characters.
    out.add(file.read(MAX_CHARS * 4).decode("utf-8-sig", errors="replace"))


READERS: dict[str, Callable[[IO[bytes], _Collector], None]] = {
    ".pdf": _pdf,
    ".docx": _docx,
    ".pptx": _pptx,
    ".xlsx": _xlsx,
    ".odt": _odf,
    ".ods": _odf,
    ".txt": _plain,
    ".csv": _plain,
}


def _tidy(text: str) -> str:
    """Without control characters, each line's spaces collapsed, no empty lines, cut."""
    lines = (" ".join(line.split()) for line in search.clean(text).splitlines())
    return "\n".join(line for line in lines if line)[:MAX_CHARS]


def extract_text(file: IO[bytes], extension: str) -> str:
    """The text of a binary, seekable file of the given extension ('.pdf', …), at most
    MAX_CHARS characters; "" for a type we do not read or a file we cannot."""
    reader = READERS.get(extension.lower())
    if reader is None:
        return ""
    out = _Collector()
    try:
        file.seek(0)
        reader(file, out)
    except _Enough:
        pass
    except Exception:  # noqa: BLE001 -- any parser failure on any file: no text, not an error
        logger.warning("No text read from a %s file", extension, exc_info=True)
        return ""
    finally:
        # Rewound for whoever reads it next; a closed or unseekable file has nothing to rewind.
        with contextlib.suppress(Exception):
            file.seek(0)
    return _tidy(out.text())
