"""The report as a Word document (.docx), made from the same context as the PDF.

`render_docx(report_context(input))` writes what templates/reports/pdf/ prints, section by section
and in the same words: the same msgids, translated in the report's language, and the same data,
so the two never say different things. It uses python-docx, and where python-docx has no API
(right to left, shading, borders, fields, the language) it sets the XML itself (OxmlElement).

- Structure: Word's own styles, so the navigation pane and a table of contents show it: the
  cover's Title, the PDF's h2 → Heading 1, h3 → Heading 2, h4 (each PI) → Heading 3, h5 →
  Heading 4; "Contents" is a TOC Heading (not in the outline) over a TOC field whose entries are
  written in advance (Word adds page numbers when the field is updated).
- Tables are tables: the framework, Table 1 (rating cells shaded in the level colours), Table 2
  (the PDF draws it as an SVG chart; here it is a table of the same counts), PI 4.3's parity
  table, the action plan (on landscape pages, as in the PDF) and the evidence of each PI.
- Language and direction: w:lang on the document defaults; the Arabic report has right-to-left
  paragraphs (w:bidi), runs (w:rtl), tables (w:bidiVisual) and sections. Text people typed takes
  the direction of its first strong letter, as in the PDF (`text_dir`).
- Fonts are named, not embedded: Arial for Latin and Cyrillic (on every reader's machine),
  Noto Naskh Arabic for Arabic (w:cs) and Noto Sans CJK SC for Chinese (w:eastAsia), which Word
  and LibreOffice replace by a font of the same script where they are not installed.
"""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from .document import report_context
from .templatetags.report_pdf import text_dir

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The PDF's colours (static/pdf/report.css), as Word writes them: hex without "#".
BLUE = "0B4F8A"  # headings, table heads, the cover band
INK = "1D232A"
MUTED = "5A6470"
RULE = "B8C2CC"  # table borders
QUOTE = "EEF3F8"
DIMENSION_ROW = "DDE6EF"
PARITY_ROW = "F1F4F7"
WHITE = "FFFFFF"
NOT_RATED = "7B8794"  # .level-none

# Word wants a language with its region to pick a spelling dictionary. A run has three: of its
# Latin or Cyrillic text (w:val), of its Chinese (w:eastAsia), of its Arabic (w:bidi); the report's
# language is the one of its script, and English the Latin one of the Arabic and Chinese reports
# (marking Latin words as Chinese lets a line break inside them).
WORD_LANGUAGE = {
    "ar": "ar-SA",
    "zh-hans": "zh-CN",
    "en": "en-US",
    "fr": "fr-FR",
    "es": "es-ES",
    "ru": "ru-RU",
}
LATIN_FONT = "Arial"
ARABIC_FONT = "Noto Naskh Arabic"
CJK_FONT = "Noto Sans CJK SC"

# A4 and the PDF's margins (@page in report.css).
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TEXT_WIDTH_MM = 210 - 2 * 17
WIDE_TEXT_WIDTH_MM = 297 - 2 * 15

# The order of child elements the schema requires (Word refuses a file with them out of order);
# only the elements this module writes, and what may follow them.
P_PR = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
    "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)  # fmt: skip
R_PR = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
    "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
    "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
    "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
    "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip
TBL_PR = (
    "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
)  # fmt: skip
TR_PR = (
    "w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter",
    "w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden",
)  # fmt: skip
TC_PR = (
    "w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
    "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
)  # fmt: skip
SECT_PR = (
    "w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
    "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
    "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter",
    "w:docGrid", "w:printerSettings", "w:sectPrChange",
)  # fmt: skip

STRONG = re.compile(r"<strong>(.*?)</strong>", re.S)
PARAGRAPHS = re.compile(r"\n\s*\n")


# --- XML helpers ----------------------------------------------------------------------------------


def _child(parent: Any, tag: str, order: tuple[str, ...], **attributes: str) -> Any:
    """`parent`'s child `tag` (made, in the schema's order, if missing) with these w: attributes."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        later = {qn(name) for name in order[order.index(tag) + 1 :]}
        following = next((c for c in parent if c.tag in later), None)
        if following is None:
            parent.append(found)
        else:
            following.addprevious(found)
    for name, value in attributes.items():
        found.set(qn(f"w:{name}"), value)
    return found


def _shade(properties: Any, order: tuple[str, ...], fill: str) -> None:
    _child(properties, "w:shd", order, val="clear", color="auto", fill=fill)


def _rule(side: str, colour: str, eighths: int, space: int = 0) -> Any:
    """A border line (`sz` in eighths of a point, `space` its distance from the text in points)."""
    rule = OxmlElement(f"w:{side}")
    attributes = {"val": "single", "sz": str(eighths), "space": str(space), "color": colour}
    for name, value in attributes.items():
        rule.set(qn(f"w:{name}"), value)
    return rule


def _border(paragraph: Paragraph, side: str, colour: str, eighths: int, space: int = 4) -> None:
    """A rule beside a paragraph (the quote's bar, the evidence head's top rule); `side` is
    "top", "left" or "right" (physical: the caller mirrors for right to left)."""
    _child(paragraph._p.get_or_add_pPr(), "w:pBdr", P_PR).append(
        _rule(side, colour, eighths, space)
    )


def _field(paragraph: Paragraph, instruction: str, shown: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, STYLEREF), computed when the page is laid out (LibreOffice
    7.4 computes PAGE and NUMPAGES, not STYLEREF: it shows `shown`)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# --- The writer: paragraphs, runs and tables in the report's direction ----------------------------


class Writer:
    """Adds paragraphs and tables to the document in the report's direction: standard text in
    the report's, what people typed in its own (its first strong letter)."""

    def __init__(self, document: WordDocument, rtl: bool) -> None:
        self.document = document
        self.rtl = rtl

    def is_rtl(self, text: str, typed: bool) -> bool:
        """Right to left: standard text in the report's direction; typed text in its own."""
        direction = text_dir(text) if typed else "auto"
        return self.rtl if direction == "auto" else direction == "rtl"

    def run(
        self,
        paragraph: Paragraph,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        colour: str | None = None,
        size: float | None = None,
        fill: str | None = None,
    ) -> None:
        run = paragraph.add_run(text)  # "\n" becomes a line break (<w:br/>), as linebreaksbr
        properties = run._r.get_or_add_rPr()
        # Bold, italic and size twice: Word applies the *Cs ones to Arabic (complex script) text.
        if bold:
            _child(properties, "w:b", R_PR)
            _child(properties, "w:bCs", R_PR)
        if italic:
            _child(properties, "w:i", R_PR)
            _child(properties, "w:iCs", R_PR)
        if colour:
            _child(properties, "w:color", R_PR, val=colour)
        if size:
            _child(properties, "w:sz", R_PR, val=str(round(size * 2)))
            _child(properties, "w:szCs", R_PR, val=str(round(size * 2)))
        if fill:  # a coloured label (the rating in the evidence section)
            _shade(properties, R_PR, fill)
        if text_dir(text) == "rtl":
            _child(properties, "w:rtl", R_PR)

    def paragraph(
        self,
        text: str = "",
        *,
        into: Any = None,
        style: str | None = None,
        typed: bool = False,
        direction_of: str | None = None,
        markup: bool = False,
        **run: Any,
    ) -> Paragraph:
        """One paragraph in `into` (the document, or a table cell). `typed`: text people typed,
        in its own direction (that of `direction_of` when the text is added later); `markup`:
        a msgid's <strong> and entities, as the PDF's template prints them."""
        container = into or self.document
        paragraph = container.add_paragraph(style=style)
        if into is not None:  # in a table: tight, as the PDF's cells
            paragraph.paragraph_format.space_after = Pt(2)
            paragraph.paragraph_format.line_spacing = 1.0
        if self.is_rtl(text if direction_of is None else direction_of, typed):
            _child(paragraph._p.get_or_add_pPr(), "w:bidi", P_PR)
        if markup:
            for index, part in enumerate(STRONG.split(text)):
                if part:  # odd parts were inside <strong>
                    self.run(paragraph, html.unescape(part), **{**run, "bold": index % 2 == 1})
        elif text:
            self.run(paragraph, text, **run)
        return paragraph

    def typed(self, text: str, *, into: Any = None, **run: Any) -> None:
        """Text as people typed it, as the PDF's `linebreaks`: a paragraph per blank line, a line
        break per newline, in its own direction."""
        for block in PARAGRAPHS.split(text.strip()):
            self.paragraph(block.strip("\n"), into=into, typed=True, **run)

    def heading(self, text: str, level: int, *, new_page: bool = False, **run: Any) -> Paragraph:
        """Word's Title (level 0) or Heading 1 to 4: the outline the navigation pane shows."""
        paragraph = self.paragraph(text, style="Title" if level == 0 else f"Heading {level}", **run)
        paragraph.paragraph_format.page_break_before = new_page
        return paragraph

    def muted(self, text: str) -> Paragraph:
        return self.paragraph(text, colour=MUTED)

    def caption(self, text: str) -> Paragraph:
        paragraph = self.paragraph(text, style="Caption")
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def table(
        self,
        widths_mm: list[float],
        header: list[str] | None = None,
        *,
        borders: bool = True,
        size: float | None = None,
    ) -> Table:
        """A table of fixed column widths (as the PDF's, table-layout: fixed), thin grey rules,
        from the right in a right-to-left report; a header row in white on blue, repeated on
        every page."""
        table = self.document.add_table(rows=0, cols=len(widths_mm))
        properties = table._tbl.tblPr
        if self.rtl:
            _child(properties, "w:bidiVisual", TBL_PR)
        _child(properties, "w:tblW", TBL_PR, w=str(sum(_twips(w) for w in widths_mm)), type="dxa")
        if borders:
            rules = _child(properties, "w:tblBorders", TBL_PR)
            for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
                rules.append(_rule(side, RULE, 4))  # half a point, as the PDF's 0.3pt rules
        _child(properties, "w:tblLayout", TBL_PR, type="fixed")
        margins = _child(properties, "w:tblCellMar", TBL_PR)
        for side, millimetres in (("top", 1), ("left", 1.6), ("bottom", 0.6), ("right", 1.6)):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), str(_twips(millimetres)))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
        if header:
            cells = self.row(table, fill=BLUE)
            self.header_row(table)
            for cell, text in zip(cells, header, strict=True):
                self.paragraph(text, into=cell, bold=True, colour=WHITE, size=size)
        return table

    def row(self, table: Table, *, fill: str | None = None, whole: bool = True) -> list[_Cell]:
        """A new row; its cells have the column's width and no paragraph yet (write with
        `into=cell`). `whole`: never split across pages (as the PDF's rows), for rows that are
        short whatever the data; an action point's row may be taller than a page."""
        row = table.add_row()
        if whole:
            _child(row._tr.get_or_add_trPr(), "w:cantSplit", TR_PR)
        cells = list(row.cells)
        for cell, column in zip(cells, table.columns, strict=True):
            cell.width = column.width
            cell._tc.remove(cell.paragraphs[0]._p)  # python-docx's empty first paragraph
            if fill:
                _shade(cell._tc.get_or_add_tcPr(), TC_PR, fill)
        return cells

    def shade(self, cell: _Cell, fill: str) -> None:
        _shade(cell._tc.get_or_add_tcPr(), TC_PR, fill)

    def header_row(self, table: Table) -> None:
        """The table's last row is a header: Word repeats it at the top of every page."""
        _child(table.rows[-1]._tr.get_or_add_trPr(), "w:tblHeader", TR_PR)

    def link(self, paragraph: Paragraph, text: str, url: str) -> None:
        """A web link (evidence, the closing page): python-docx writes no hyperlinks itself."""
        relationship = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), relationship)
        self.run(paragraph, text, colour=BLUE)
        run = paragraph._p.r_lst[-1]
        _child(run.get_or_add_rPr(), "w:u", R_PR, val="single")
        link.append(run)  # moves the run into the link
        paragraph._p.append(link)


def _twips(millimetres: float) -> int:
    return round(millimetres / 25.4 * 1440)


def _span(cells: list[_Cell]) -> _Cell:
    """The first cell spread over the others (w:gridSpan), which go."""
    first = cells[0]
    _child(first._tc.get_or_add_tcPr(), "w:gridSpan", TC_PR, val=str(len(cells)))
    first.width = sum(cell.width for cell in cells)
    for cell in cells[1:]:
        cell._tc.getparent().remove(cell._tc)
    return first


def _close_empty_cells(document: WordDocument) -> None:
    """A cell must end with a paragraph, even an empty one, or Word calls the file damaged."""
    for cell in document.element.body.iter(qn("w:tc")):
        if cell.find(qn("w:p")) is None:
            cell.append(OxmlElement("w:p"))


# --- Styles, language, pages ----------------------------------------------------------------------


def word_language(language: str) -> str:
    """The report's language as Word names it: zh-hans → zh-CN, ar → ar-SA, fr → fr-FR."""
    return WORD_LANGUAGE.get(language, language)


def _languages(language: str) -> tuple[str, str, str]:
    """w:lang's three: Latin (w:val), East Asian (w:eastAsia), complex script (w:bidi)."""
    tag = word_language(language)
    latin = "en-US" if language in ("ar", "zh-hans") else tag
    return latin, tag if language == "zh-hans" else latin, tag if language == "ar" else latin


def _styles(document: WordDocument, language: str) -> None:
    """Fonts, sizes, colours and the language on the styles: the defaults every run inherits,
    the headings in the PDF's blue, without the template's theme fonts."""
    latin, east_asian, bidi = _languages(language)
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    for name in list(fonts.attrib):
        del fonts.attrib[name]  # the theme's fonts would win over the ones named here
    for name, value in {
        "ascii": LATIN_FONT,
        "hAnsi": LATIN_FONT,
        "cs": ARABIC_FONT,
        "eastAsia": CJK_FONT,
    }.items():
        fonts.set(qn(f"w:{name}"), value)
    _child(defaults, "w:color", R_PR, val=INK)
    _child(defaults, "w:sz", R_PR, val="20")  # 10 pt
    _child(defaults, "w:szCs", R_PR, val="20")
    # The language of every run: spelling, hyphenation, and which font Word picks for a script.
    _child(defaults, "w:lang", R_PR, val=latin, eastAsia=east_asian, bidi=bidi)
    theme_language = document.settings.element.find(qn("w:themeFontLang"))
    if theme_language is not None:
        for name, value in {"val": latin, "eastAsia": east_asian, "bidi": bidi}.items():
            theme_language.set(qn(f"w:{name}"), value)
    sizes = {"Title": 26, "Heading 1": 16, "Heading 2": 13, "Heading 3": 11.5, "Heading 4": 10.5}
    for name, size in sizes.items():
        style = document.styles[name]
        properties = style.element.get_or_add_rPr()
        for fonts in properties.findall(qn("w:rFonts")):
            properties.remove(fonts)
        style.font.size = Pt(size)
        _child(properties, "w:szCs", R_PR, val=str(round(size * 2)))
        style.font.color.rgb = RGBColor.from_string(INK if name == "Heading 4" else BLUE)
        style.font.italic = False
        style.font.bold = True
    for name in ("Header", "Footer"):  # the template's tab stops (US Letter) would come first
        tabs = document.styles[name].element.pPr.find(qn("w:tabs"))
        if tabs is not None:
            tabs.getparent().remove(tabs)
    title = document.styles["Title"].element.pPr
    for rule in title.findall(qn("w:pBdr")):  # the template's underline: the cover is a band
        title.remove(rule)
    document.styles["Caption"].font.color.rgb = RGBColor.from_string(BLUE)
    document.styles["Caption"].font.size = Pt(9.5)
    for level in (1, 2, 3):  # the entries of the table of contents, as Word's own "toc N"
        name = f"toc {level}"
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.paragraph_format.space_after = Pt(2)
        # "left" is the start side: for a right-to-left paragraph Word indents from the right.
        style.paragraph_format.left_indent = Mm(6 * (level - 1))
        style.font.bold = level == 1


def _page(section: Section, *, landscape: bool, rtl: bool, title_page: bool) -> None:
    """A4, the PDF's margins; landscape for the action plan; right to left for Arabic; no
    running header or footer on the section's first page when `title_page` (cover, closing)."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (PAGE_HEIGHT, PAGE_WIDTH) if landscape else (PAGE_WIDTH, PAGE_HEIGHT)
    )
    margin = Mm(15) if landscape else Mm(17)
    section.left_margin = section.right_margin = margin
    section.top_margin, section.bottom_margin = Mm(20), Mm(18)
    section.header_distance = section.footer_distance = Mm(9)
    section.different_first_page_header_footer = title_page
    if rtl:
        _child(section._sectPr, "w:bidi", SECT_PR)


def _running_header(writer: Writer, section: Section, context: dict[str, Any]) -> None:
    """As the PDF's margin boxes: the report's name and the current section (Word's STYLEREF
    field: the last Heading 1 before the page's end) at the top, "Page N of M" at the bottom."""
    width = WIDE_TEXT_WIDTH_MM if section.orientation == WD_ORIENT.LANDSCAPE else TEXT_WIDTH_MM
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    header = section.header.paragraphs[0]
    if writer.rtl:
        _child(header._p.get_or_add_pPr(), "w:bidi", P_PR)
    header.paragraph_format.tab_stops.add_tab_stop(Mm(width), WD_TAB_ALIGNMENT.RIGHT)
    writer.run(
        header, f"UNCT-SWAP · {context['country']} {context['year']}\t", colour=MUTED, size=7.5
    )
    _field(header, "STYLEREF 1")  # Heading 1 by its level: the same in every Word language
    footer = section.footer.paragraphs[0]
    properties = footer._p.get_or_add_pPr()
    if writer.rtl:
        _child(properties, "w:bidi", P_PR)
    _child(properties, "w:jc", P_PR, val="end")  # logical: the left side in Arabic
    writer.run(footer, _("Page") + " ", colour=MUTED, size=7.5)
    _field(footer, "PAGE", "1")
    writer.run(footer, " " + _("of") + " ", colour=MUTED, size=7.5)
    _field(footer, "NUMPAGES", "1")


def _new_section(writer: Writer, context: dict[str, Any], *, landscape: bool) -> None:
    section = writer.document.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=landscape, rtl=writer.rtl, title_page=False)
    _running_header(writer, section, context)


# --- The sections, in the PDF's order (templates/reports/pdf/report.html) ------------------------


def _pi(code: str) -> str:
    return _("PI %(code)s") % {"code": code}


def _dimension_area(number: int, title: str) -> str:
    return _("Dimension Area %(number)s: %(title)s") % {"number": number, "title": title}


def _rating_colours(context: dict[str, Any]) -> dict[str, str]:
    return {r["value"]: _fill(r["colour"]) for r in context["ratings"]}


def _fill(colour: str) -> str:
    return colour.lstrip("#").upper()


def _cover(writer: Writer, context: dict[str, Any]) -> None:
    """_cover.html: the blue band (kicker, title, kind of report), the team, the tagline, the
    four level colours, status and framework."""
    band = [
        writer.paragraph(" ", size=60),  # the band's top, as the PDF's padding
        writer.paragraph("UNCT-SWAP", colour=WHITE, bold=True, size=10),
        writer.heading(_("UNCT-SWAP Gender Equality Scorecard"), 0, colour=WHITE),
        writer.paragraph(context["kind_title"], colour=WHITE, size=13),
        writer.paragraph(" ", size=24),
    ]
    for paragraph in band:  # consecutive shaded paragraphs make one blue band
        _shade(paragraph._p.get_or_add_pPr(), P_PR, BLUE)
        paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Mm(6)
    team = _("United Nations Country Team in %(country)s %(year)s")
    paragraph = writer.paragraph(
        team % {"country": context["country"], "year": context["year"]},
        bold=True,
        colour=BLUE,
        size=19,
    )
    paragraph.paragraph_format.space_before = Pt(36)
    writer.paragraph(
        _(
            "ACCOUNTABILITY FRAMEWORK FOR MAINSTREAMING GENDER EQUALITY AND THE EMPOWERMENT OF "
            "WOMEN INTO UNCT PROCESSES, INSTITUTIONAL ARRANGEMENTS, AND RESULTS"
        ),
        size=9,
        colour=MUTED,
    )
    levels = writer.table([TEXT_WIDTH_MM / 4] * 4, borders=False)
    for cell, rating in zip(writer.row(levels), context["ratings"], strict=True):
        writer.shade(cell, _fill(rating["colour"]))
        writer.paragraph(" ", into=cell, size=4)
    meta = writer.paragraph(_("Status") + ": ", size=9)
    meta.paragraph_format.space_before = Pt(140)
    writer.run(meta, context["status_label"], bold=True, size=9)
    framework = context["framework"]
    version = f"{_('Framework')}: {framework['name']} ({_('version')} {framework['version']})"
    writer.paragraph(version, size=9)
    if context["team"].get("cf_name"):
        writer.paragraph(f"{_('Cooperation Framework')}: {context['team']['cf_name']}", size=9)


def _methodology_title(annual: bool) -> str:
    if annual:
        return _("The UNCT-SWAP Methodology – Annual Progress Reporting")
    return _("The UNCT-SWAP Methodology – Comprehensive Assessment")


def _assessments_title(annual: bool) -> str:
    if annual:
        return _("UNCT-SWAP Annual Progress Assessments")
    return _("UNCT-SWAP Comprehensive Assessments")


def _contents_entries(context: dict[str, Any]) -> list[tuple[int, str]]:
    """_contents.html's list: (level, text)."""
    annual, country = context["annual"], context["country"]
    entries = [
        (1, "1. " + _("Background")),
        (1, "2. " + _("The UNCT-SWAP Framework")),
        (2, "2.1 " + _("Performance Dimensions and Indicators")),
        (2, "2.2 " + _("Performance Indicator Ratings and Explanation")),
        (1, "3. " + _methodology_title(annual)),
        (2, "3.1 " + _("Participatory Self-Assessment")),
        (2, "3.2 " + _assessments_title(annual)),
        (2, "3.3 " + _("Supporting Evidence and Knowledge Hub")),
        (1, "4. " + _("Quality Assurance and Global Reporting")),
        (1, "5. " + _("The UNCT-SWAP Process in %(country)s") % {"country": country}),
        (1, "6. " + _("Overview of Results by Performance Indicator")),
        (1, "7. " + _("UNCT-SWAP Detailed Findings by Performance Indicator")),
    ]
    for dimension in context["dimensions"]:
        entries.append((2, _dimension_area(dimension.number, dimension.title)))
        entries += [(3, f"{_pi(pi.code)} {pi.short_title}") for pi in dimension.pis]
    entries += [
        (1, "8. " + _("UNCT in %(country)s Action Plan") % {"country": country}),
        (1, "9. " + _("Supporting Evidence")),
    ]
    return entries


def _field_mark(paragraph: Paragraph, kind: str, instruction: str = "") -> None:
    """One part of a field that spans paragraphs: begin, the instruction, separate, end."""
    run = OxmlElement("w:r")
    if instruction:
        code = OxmlElement("w:instrText")
        code.set(qn("xml:space"), "preserve")
        code.text = instruction
        run.append(code)
    else:
        mark = OxmlElement("w:fldChar")
        mark.set(qn("w:fldCharType"), kind)
        run.append(mark)
    paragraph._p.append(run)


def _contents(writer: Writer, context: dict[str, Any]) -> None:
    """The PDF's contents list as the result of a TOC field: Word makes the same list with page
    numbers when the field is updated (F9); until then it reads as the PDF's list without them.
    Its heading is a "TOC Heading": in the table of contents and the outline it is not."""
    heading = writer.paragraph(_("Contents"), style="TOC Heading")
    heading.paragraph_format.page_break_before = True
    entries = _contents_entries(context)
    for index, (level, text) in enumerate(entries):
        paragraph = writer.paragraph(style=f"toc {level}")
        if index == 0:
            _field_mark(paragraph, "begin")
            _field_mark(paragraph, "instruction", ' TOC \\o "1-3" \\h \\z \\u ')
            _field_mark(paragraph, "separate")
        writer.run(paragraph, text)
        if index == len(entries) - 1:
            _field_mark(paragraph, "end")


# The standard text of sections 1 to 4 (_introduction.html), as its msgids: a paragraph each.
BACKGROUND = (
    "The UNCT-SWAP Gender Equality Scorecard is a globally standardized monitoring and "
    "accountability framework that promotes adherence with minimum gender mainstreaming "
    "requirements in the work of the UN system at the country level.",
    "The Scorecard was endorsed in 2008 by the United Nations Development Group (now UNSDG) "
    "in response to the 2006 UN Chief Executives Board for Coordination (CEB) Policy on "
    "Gender Equality and the Empowerment of Women (CEB/2006/2), which called for a "
    "system-wide action plan in order to operationalize the strategy of gender mainstreaming "
    "at the entity level and in the field. First known as the Gender Scorecard, its focus "
    "originally was on joint processes and institutional arrangements at the country level. "
    "The UN System-wide Action Plan for Gender Equality and the Empowerment of Women "
    "(UN-SWAP) formed the entity-specific part of the accountability framework.",
    "In 2018, the UNCT-SWAP Gender Equality Scorecard (UNCT-SWAP) was updated to ensure "
    "greater alignment with the UN-SWAP, and to reflect new guidance on common country "
    "processes in the context of the repositioning agenda of the United Nations Development "
    "System. Both SWAPs were expanded at this stage to cover also development and normative "
    "results tied to the SDGs.",
    "The mandate for UNCTs to implement the UNCT-SWAP emanates from the Quadrennial "
    "Comprehensive Policy Review (QCPR) and ECOSOC Resolutions on gender mainstreaming, which "
    "call for accelerating UN efforts to mainstream gender, including through the full "
    "implementation of the UNCT-SWAP.",
    "UNCT-SWAP reporting follows a two-prong methodology: Comprehensive Assessments occurring "
    "at the Cooperation Framework planning stage, and Annual Progress Updates, as highlighted "
    "in the UNCT-SWAP Gender Equality Scorecard: Framework &amp; Technical Guidance.",
)
GUIDANCE_QUOTE = (
    "Gender equality and women's empowerment are integral to realizing the 2030 Agenda and "
    "all of the SDGs. To integrate a focus on these issues throughout the Cooperation "
    "Framework, UN development entities should put gender equality at the heart of "
    "programming, driving the active and meaningful participation of both women and men, and "
    "consistently empowering women and girls, in line with the minimum requirements agreed "
    "upon by the United Nations Sustainable Development Group (UNSDG) in the UNCT System-wide "
    "Action Plan (SWAP) Gender Equality Scorecard."
)
RATINGS_BEFORE = (
    "Ratings against minimum UNCT-SWAP requirements allow UNCTs to self-assess and report on "
    "their standing with respect to each indicator and aspire towards higher levels of "
    "achievement. The four possible scores for each Performance Indicator are as follows:"
)
RATINGS_AFTER = (
    "If UNCTs fail to achieve the criteria under ‘approaching minimum requirements’, the "
    "indicator is scored as ‘missing requirements’. An indicator may score as ‘missing "
    "requirements’ in some cases where achievements have been made, if it nonetheless falls "
    "short of the criteria set forth in ‘approaches minimum requirements’.",
    "UNCTs should aim to meet minimum requirements in all indicators. However, this should be "
    "considered as a starting point, from which UNCTs should aim to strengthen their efforts "
    "to achieve better results and exceed minimum requirements.",
)
PARTICIPATORY = (
    "The UNCT-SWAP exercise is a transparent, evidence-based and participatory "
    "self-assessment of UN country level gender mainstreaming practices. Its focus is on the "
    "joint performance of the UN system at country level, rather than on the achievements of "
    "any single entity. The exercise is designed to promote internal dialogue and ownership "
    "of results."
)
PARTICIPATORY_ANNUAL = (
    "The process of Annual Progress Assessments is similar to that of Comprehensive "
    "Assessments. The exercise is implemented under the overall guidance of the UNCT. The "
    "(re)assessment of Performance Indicators is driven by an Interagency Assessment Team "
    "(IAT), which is appointed by UNCT Heads of Agency, ensuring broad representation of UN "
    "entities and participation of key interagency groups. The IAT is led and facilitated by "
    "a Coordinator(s). It works collaboratively to review past performance and select "
    "UNCT-SWAP Performance Indicators for reassessment in the reporting year (minimum 5, as "
    "indicated in 3.2 below), reassessing and reporting on performance and preparing a "
    "report-back on the implementation of the UNCT-SWAP Action Plan, proposing any necessary "
    "updates to the Action Plan.",
    "The UNCT-SWAP Annual Progress Report and updated Action Plan are shared with the UNCT "
    "for endorsement, enabling the UNCT to monitor and oversee progress in achievement of "
    "UNCT-SWAP minimum performance requirements and in the implementation of the UNCT-SWAP "
    "Action Plan to ensure all actions are completed.",
)
ASSESSMENTS_ANNUAL = (
    "UNCT-SWAP reporting takes place one time per Cooperation Framework cycle against all 15 "
    "Performance Indicators and <strong>annually against a minimum 5 Performance "
    "Indicators</strong>, and to <strong>report on progress in implementing the UNCT-SWAP "
    "Action Plan</strong>. The purpose of Annual Progress Assessments is to ensure that the "
    "UN in country is collectively making progress in meeting and exceeding UNCT-SWAP minimum "
    "performance requirements, and to support ongoing monitoring of achievements and course "
    "corrections needed. They are also intended to support coordinated monitoring and "
    "reporting on the implementation of the UNCT-SWAP Action Plan.",
    "In selecting Performance Indicators for reassessment, it is recommended to focus on "
    "those areas of performance where improvement is most critically needed. While UNCTs "
    "should strive for progress, sometimes performance may remain at the same level, or even "
    "regress – which is important to capture. Further, while some Performance Indicators lend "
    "themselves easily to annual reassessment, the Performance Indicators ratings pertaining "
    "to the Planning Dimension are likely to change only when a new Cooperation Framework is "
    "developed.",
    "Reassessment of Performance Indicators entails the selection of a performance rating and "
    "the provision of a justification for why a particular rating has been given. In "
    "addition, UNCTs are required to provide supporting evidence and documentation for each "
    "Performance Indicator rating (see 3.3 below). Reviewing the implementation of and "
    "updating the <strong>UNCT-SWAP Action Plan</strong> is a key part of the UNCT-SWAP "
    "Annual Progress Assessment.",
    "The finalization of the Annual Progress Report can be conducted through a single "
    "consolidation workshop, or through two dedicated workshops or meetings to agree on "
    "Performance Indicator ratings on the one hand, and to review the report-back on the "
    "Action Plan, revising the Action Plan to incorporate any proposed adjustments and "
    "additions.",
)
PARTICIPATORY_COMPREHENSIVE = (
    "The exercise is implemented under the overall guidance of the UNCT. The assessment of "
    "all Performance Indicators is driven by an Interagency Assessment Team (IAT), which is "
    "appointed by UNCT Heads of Agency, ensuring broad representation of UN entities and "
    "participation of key interagency groups. The IAT is led and facilitated by a "
    "Coordinator(s). It gathers and analyses evidence, rates each Performance Indicator and "
    "proposes the UNCT-SWAP Action Plan.",
    "The UNCT-SWAP Comprehensive Report and Action Plan are shared with the UNCT for "
    "endorsement, enabling the UNCT to monitor and oversee progress in achievement of "
    "UNCT-SWAP minimum performance requirements and in the implementation of the UNCT-SWAP "
    "Action Plan.",
)
ASSESSMENTS_COMPREHENSIVE = (
    "UNCT-SWAP reporting takes place <strong>one time per Cooperation Framework cycle against "
    "all 15 Performance Indicators</strong>, at the Cooperation Framework planning stage, and "
    "annually against a minimum 5 Performance Indicators. The Comprehensive Assessment "
    "establishes the baseline for the cycle: every Performance Indicator is rated and "
    "justified with supporting evidence, and the <strong>UNCT-SWAP Action Plan</strong> sets "
    "out the actions agreed to meet or exceed minimum requirements where they are not yet met.",
)
EVIDENCE_HUB = (
    "The Interagency Assessment Team has a collective responsibility to provide evidence and "
    "analysis to justify the rating given to each Performance Indicator. The Interagency "
    "Assessment Team gathers evidence, analyzes the data and then scores indicators. UNCTs "
    "are encouraged to share these supporting documents and best practices within the "
    "UNCT-SWAP Knowledge Hub, which is included in the UNCT-SWAP reporting platform.",
    "Supporting evidence, by Performance Indicator, is highlighted under Chapter 9 (below).",
)
STRUCTURE = (  # singular, plural: by the number of dimensions
    "The UNCT-SWAP is structured around %(dimensions)s dimension and %(pis)s Performance "
    "Indicators (PIs) that address key gender equality and empowerment of women and girls' "
    "components as agreed by the UNSDG, setting related benchmarks for gender mainstreaming "
    "minimum requirements.",
    "The UNCT-SWAP is structured around %(dimensions)s dimensions and %(pis)s Performance "
    "Indicators (PIs) that address key gender equality and empowerment of women and girls' "
    "components as agreed by the UNSDG, setting related benchmarks for gender mainstreaming "
    "minimum requirements.",
)
QUALITY = (
    "UN Women is responsible for supporting the implementation of the UNCT-SWAP, and provides "
    "guidance to UNCTs through a global helpdesk (genderscorecard.helpdesk@unwomen.org). As "
    "part of the quality assurance process, UN Women in collaboration with UNDCO reviews the "
    "UNCT-SWAP Gender Equality Scorecard reports submitted by UNCTs for thoroughness and "
    "consistency of ratings. This takes place through the annual Report of the "
    "Secretary-General on mainstreaming a gender perspective into all policies and programmes "
    "in the United Nations system."
)


def _standard(writer: Writer, msgids: tuple[str, ...] | str) -> None:
    """Paragraphs of the standard text, translated (their msgids are the template's, with its
    <strong> and &amp;: `markup`)."""
    for msgid in (msgids,) if isinstance(msgids, str) else msgids:
        writer.paragraph(_(msgid), markup=True)


def _introduction(writer: Writer, context: dict[str, Any]) -> None:
    """_introduction.html: sections 1 to 4, with the framework's dimensions, PIs and scale."""
    annual = context["annual"]
    writer.heading("1. " + _("Background"), 1, new_page=True)
    _standard(writer, BACKGROUND)

    writer.heading("2. " + _("The UNCT-SWAP Framework"), 1)
    writer.heading("2.1 " + _("Performance Dimensions and Indicators"), 2)
    dimensions, pis = len(context["dimensions"]), len(context["pis"])
    writer.paragraph(ngettext(*STRUCTURE, dimensions) % {"dimensions": dimensions, "pis": pis})
    _framework_table(writer, context)
    quote = [
        writer.paragraph(_("Cooperation Framework Guidance (2019)"), bold=True, colour=BLUE),
        writer.paragraph(_(GUIDANCE_QUOTE)),
        writer.paragraph(_("(Para 20, page 11)."), size=8),
    ]
    for paragraph in quote:  # .quote: a pale box with a blue bar at the start side
        properties = paragraph._p.get_or_add_pPr()
        _border(paragraph, "right" if writer.rtl else "left", BLUE, 24, space=8)
        _shade(properties, P_PR, QUOTE)

    writer.heading("2.2 " + _("Performance Indicator Ratings and Explanation"), 2)
    _standard(writer, RATINGS_BEFORE)
    scale = writer.table([TEXT_WIDTH_MM / 4] * 4, borders=False)
    for cell, rating in zip(writer.row(scale), context["ratings"], strict=True):
        writer.shade(cell, _fill(rating["colour"]))
        writer.paragraph(rating["label"], into=cell, bold=True, colour=WHITE, size=9)
    _standard(writer, RATINGS_AFTER)

    writer.heading("3. " + _methodology_title(annual), 1, new_page=True)
    writer.heading("3.1 " + _("Participatory Self-Assessment"), 2)
    _standard(writer, PARTICIPATORY)
    _standard(writer, PARTICIPATORY_ANNUAL if annual else PARTICIPATORY_COMPREHENSIVE)
    writer.heading("3.2 " + _assessments_title(annual), 2)
    _standard(writer, ASSESSMENTS_ANNUAL if annual else ASSESSMENTS_COMPREHENSIVE)
    writer.heading("3.3 " + _("Supporting Evidence and Knowledge Hub"), 2)
    _standard(writer, EVIDENCE_HUB)

    writer.heading("4. " + _("Quality Assurance and Global Reporting"), 1)
    _standard(writer, QUALITY)


def _framework_table(writer: Writer, context: dict[str, Any]) -> None:
    """The dimensions (one cell down the rows of their PIs) and each PI's title and statement."""
    version = context["framework"]["version"]
    writer.caption(
        _("Dimensions and Performance Indicators (framework %(version)s)") % {"version": version}
    )
    table = writer.table(
        [TEXT_WIDTH_MM * 0.28, TEXT_WIDTH_MM * 0.72],
        header=[_("Dimension"), _("Performance Indicator")],
    )
    for dimension in context["dimensions"]:
        for index, pi in enumerate(dimension.pis):
            first, second = writer.row(table)
            # A merged cell down the dimension's rows: "restart" on the first, "continue" after.
            merge = {"val": "restart"} if index == 0 else {}
            _child(first._tc.get_or_add_tcPr(), "w:vMerge", TC_PR, **merge)
            text = f"{dimension.number}. {dimension.title}" if index == 0 else ""
            writer.paragraph(text, into=first, bold=True)
            paragraph = writer.paragraph(f"{_pi(pi.code)} {pi.short_title}", into=second, bold=True)
            writer.run(paragraph, f": {pi.statement}")


def _process(writer: Writer, context: dict[str, Any]) -> None:
    """_process.html: the process fields under the reporting form's prompts, the IAT members."""
    annual, process = context["annual"], context["process"]
    writer.heading(
        "5. " + _("The UNCT-SWAP Process in %(country)s") % {"country": context["country"]}, 1
    )
    if annual:
        writer.muted(
            _(
                "Describe the process you undertook for UNCT-SWAP annual progress reporting. "
                "Include rationale for choice of selected performance indicators for "
                "re-assessment this reporting year and describe the role of the Inter-Agency "
                "Assessment Team and coordinator(s), and UNCT engagement."
            )
        )
    else:
        writer.muted(
            _(
                "Describe the process you undertook for the UNCT-SWAP comprehensive assessment. "
                "Describe the role of the Inter-Agency Assessment Team and coordinator(s), and "
                "UNCT engagement."
            )
        )
    if process["description"]:
        writer.typed(process["description"])
    else:
        writer.muted(_("Not provided."))
    if annual:
        writer.muted(
            _(
                "List the coordinator(s) and the UN entities that participated in the "
                "Inter-Agency Assessment Team for the UNCT-SWAP annual progress reporting."
            )
        )
    else:
        writer.muted(
            _(
                "List the coordinator(s) and the UN entities that participated in the "
                "Inter-Agency Assessment Team for the UNCT-SWAP comprehensive assessment."
            )
        )
    if process["participation"]:
        writer.typed(process["participation"])
    writer.heading(_("Members of the IAT"), 2)
    if not context["iat_members"]:
        writer.muted(_("No members listed."))
    for member in context["iat_members"]:
        text = member["name"] + (f", {member['title']}" if member["title"] else "")
        paragraph = writer.paragraph(text, style="List Number", typed=True)
        if member["coordinator"]:
            writer.run(paragraph, f" ({_('coordinator')})", bold=True)
    writer.muted(_("Additional comments, including on country context:"))
    if process["additional_comments"]:
        writer.typed(process["additional_comments"])
    else:
        writer.muted("—")


def _rating_cell(writer: Writer, cell: _Cell, pi: Any, colours: dict[str, str], text: str) -> None:
    writer.shade(cell, colours.get(pi.rating, NOT_RATED))
    writer.paragraph(text, into=cell, bold=True, colour=WHITE, size=9)


def _overview(writer: Writer, context: dict[str, Any]) -> None:
    """_overview.html: Table 1 (every PI, its rating in its level's colour, reassessed or not)
    and Table 2 (PIs per level: the PDF's SVG chart, here as a table of the same counts)."""
    annual, country, year = context["annual"], context["country"], context["year"]
    title = (
        _("Overview of Performance Indicators Reassessed, and Performance Indicator Ratings")
        if annual
        else _("Overview of Performance Indicator Ratings")
    )
    writer.heading("6. " + title, 1, new_page=True)
    writer.caption(_("Table 1: Performance Indicator ratings"))
    header = [_("Indicator"), _("Rating Level")] + ([_("Reassessed")] if annual else [])
    widths = [0.56, 0.22, 0.22] if annual else [0.78, 0.22]
    table = writer.table([TEXT_WIDTH_MM * w for w in widths], header=header)
    colours = _rating_colours(context)
    for pi in context["pis"]:
        cells = writer.row(table)
        writer.paragraph(f"{_pi(pi.code)} {pi.short_title}", into=cells[0], bold=True)
        _rating_cell(writer, cells[1], pi, colours, pi.short_label)
        if annual:
            reassessed = writer.paragraph(_("Yes") if pi.reassessed else _("No"), into=cells[2])
            if not pi.reassessed and pi.carried_from_year:
                carried = _("rating of %(year)s") % {"year": pi.carried_from_year}
                writer.run(reassessed, f" ({carried})", colour=MUTED)
    if annual:
        text = ngettext(
            "The findings presented in the table above indicate the ratings scored by the UNCT in "
            "%(country)s for each Performance Indicator across the dimensions of analysis as they "
            "stand in %(year)s. It includes the rating reassessed in %(year)s (%(reassessed)s "
            "Performance Indicator), and ratings carried from previous reporting years.",
            "The findings presented in the table above indicate the ratings scored by the UNCT in "
            "%(country)s for each Performance Indicator across the dimensions of analysis as they "
            "stand in %(year)s. It includes the ratings reassessed in %(year)s (%(reassessed)s "
            "Performance Indicators), and ratings carried from previous reporting years.",
            context["reassessed_count"],
        )
    else:
        text = _(
            "The findings presented in the table above indicate the ratings scored by the UNCT in "
            "%(country)s for each of the Performance Indicators across the dimensions of analysis, "
            "assessed in %(year)s."
        )
    writer.paragraph(
        text % {"country": country, "year": year, "reassessed": context["reassessed_count"]}
    ).paragraph_format.space_before = Pt(6)

    writer.caption(
        _("Table 2: Overview of UNCT-SWAP Cumulative Results in %(year)s") % {"year": year}
    )
    bars = context["chart"]["bars"]
    chart = writer.table([TEXT_WIDTH_MM / len(bars)] * len(bars))
    for cell, bar in zip(writer.row(chart), bars, strict=True):
        writer.shade(cell, _fill(bar["colour"]))
        writer.paragraph(bar["label"], into=cell, bold=True, colour=WHITE, size=9)
    for cell, bar in zip(writer.row(chart), bars, strict=True):
        count = writer.paragraph(str(bar["count"]), into=cell, bold=True, size=14)
        count.alignment = WD_ALIGN_PARAGRAPH.CENTER
    writer.muted(
        _("Number of Performance Indicators per rating level")
        + ": "
        + context["chart"]["description"]
    )


def _findings(writer: Writer, context: dict[str, Any]) -> None:
    """_findings.html: per dimension and PI, the rating banner, the level's criteria text, the
    findings per criterion, why this rating, PI 4.3's parity, reassessed, means of verification."""
    writer.heading(
        "7. " + _("UNCT-SWAP Detailed Findings by Performance Indicator"), 1, new_page=True
    )
    colours = _rating_colours(context)
    for dimension in context["dimensions"]:
        writer.heading(_dimension_area(dimension.number, dimension.title), 2)
        for pi in dimension.pis:
            _pi_findings(writer, context, pi, colours)


def _pi_findings(writer: Writer, context: dict[str, Any], pi: Any, colours: dict[str, str]) -> None:
    writer.heading(f"{_pi(pi.code)} {pi.short_title}", 3)
    banner = writer.table([TEXT_WIDTH_MM], borders=False)
    (cell,) = writer.row(banner, fill=colours.get(pi.rating, NOT_RATED))
    writer.paragraph(pi.dimension_title.upper(), into=cell, colour=WHITE, size=7.5)
    statement = _("Performance Indicator %(code)s:") % {"code": pi.code}
    writer.paragraph(f"{statement} {pi.statement}", into=cell, bold=True, colour=WHITE)
    writer.paragraph(pi.rating_label.upper(), into=cell, bold=True, colour=WHITE, size=9)
    for paragraph in cell.paragraphs:  # the banner stays with the text under it
        paragraph.paragraph_format.keep_with_next = True
    if pi.level_text:
        level = writer.paragraph(pi.level_text, typed=True, bold=True)
        _border(level, "right" if writer.is_rtl(pi.level_text, True) else "left", RULE, 16, 8)
    if pi.findings or pi.explanation:
        writer.heading(_("Findings and Explanation"), 4)
        for finding in pi.findings:
            criterion = writer.paragraph(
                f"{finding.letter}) {finding.criterion}", typed=True, bold=True
            )
            criterion.paragraph_format.keep_with_next = True
            writer.typed(finding.text)
        if pi.explanation:
            writer.typed(pi.explanation)
    if pi.justification:
        writer.heading(_("Why this rating"), 4)
        writer.typed(pi.justification)
    parity = context["parity"]
    if pi.code == "4.3" and parity:
        _parity(writer, parity)
    if context["annual"]:
        paragraph = writer.paragraph(
            _("Did you reassess the Performance Indicator in this reporting year?"), bold=True
        )
        answer = _("Yes") if pi.reassessed else _("No")
        if not pi.reassessed and pi.carried_from_year:
            carried = _("rating carried from %(year)s") % {"year": pi.carried_from_year}
            answer += f" ({carried})"
        writer.run(paragraph, " " + answer)
    if pi.means_of_verification:
        writer.heading(_("Means of verification"), 4)
        writer.typed(pi.means_of_verification)


class _TableReader(HTMLParser):
    """The parity table (parity/_status_table.html, pre-rendered in the input) as rows of cells:
    its caption, and for each cell its text, header or not, colspan, and the row's classes."""

    def __init__(self) -> None:
        super().__init__()
        self.caption = ""
        self.rows: list[tuple[str, list[dict[str, Any]]]] = []
        self._where: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "caption":
            self._where = "caption"
        elif tag == "tr":
            self.rows.append((attributes.get("class") or "", []))
        elif tag in ("th", "td") and self.rows:
            classes = attributes.get("class") or ""
            self.rows[-1][1].append(
                {
                    "text": "",
                    "header": tag == "th",
                    "span": int(attributes.get("colspan") or 1),
                    "italic": "fst-italic" in classes,  # the protected small cells' note
                    "end": "text-end" in classes,  # figures
                    "indent": "ps-4" in classes,  # grades under their category
                }
            )
            self._where = "cell"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("caption", "th", "td"):
            self._where = None

    def handle_data(self, data: str) -> None:
        if self._where == "caption":
            self.caption += data
        elif self._where == "cell":
            self.rows[-1][1][-1]["text"] += data


def _parity(writer: Writer, parity: dict[str, Any]) -> None:
    """PI 4.3's parity paragraph and table (small cells protected), from the input's HTML."""
    writer.heading(_("Gender parity in staffing, %(year)s") % {"year": parity["year"]}, 4)
    writer.paragraph(
        _("%(pct)s %% women (%(status)s); %(entities)s entities, figures as of %(as_of)s.")
        % {
            "pct": parity["pct_women"],
            "status": parity["status_label"],
            "entities": parity["entities"],
            "as_of": parity["as_of"],
        },
        size=9,
    )
    reader = _TableReader()
    reader.feed(parity["table_html"])
    columns = max(sum(cell["span"] for cell in cells) for _classes, cells in reader.rows)
    first = TEXT_WIDTH_MM * 0.24
    widths = [first] + [(TEXT_WIDTH_MM - first) / (columns - 1)] * (columns - 1)
    writer.paragraph(" ".join(reader.caption.split()), size=8, colour=MUTED)
    table = writer.table(widths)
    for index, (classes, cells) in enumerate(reader.rows):
        fill = BLUE if index == 0 else PARITY_ROW if "table-light" in classes else None
        row = writer.row(table, fill=fill)
        if index == 0:
            writer.header_row(table)
        position = 0
        for cell in cells:
            target = _span(row[position : position + cell["span"]])
            paragraph = writer.paragraph(
                " ".join(cell["text"].split()),
                into=target,
                size=8,
                bold=index == 0 or ("fw-" in classes and not cell["italic"]),
                italic=cell["italic"],
                colour=WHITE if index == 0 else None,
            )
            if cell["end"]:
                _child(paragraph._p.get_or_add_pPr(), "w:jc", P_PR, val="end")
            if cell["indent"]:
                paragraph.paragraph_format.left_indent = Mm(4)
            position += cell["span"]


def _action_plan(writer: Writer, context: dict[str, Any]) -> None:
    """_action_plan.html, on landscape pages: dimension header rows, then each action point with
    the four year columns (annual) or who, when, with what and its status (comprehensive)."""
    annual = context["annual"]
    writer.heading(
        "8. " + _("UNCT in %(country)s Action Plan") % {"country": context["country"]}, 1
    )
    if annual:
        writer.muted(
            _(
                "Agreed adjustments and additions to the action points. An action point that "
                "links to more than one Performance Indicator is placed under its primary "
                "Performance Indicator."
            )
        )
    if not context["action_plan"]:
        writer.muted(_("No action points."))
        return
    first = [_("Link to Performance Indicator"), _("Action Points")]
    if annual:
        header = first + [
            _("Activities undertaken in year 1"),
            _("Activities undertaken in year 2"),
            _("Activities undertaken in year 3"),
            _("Activities undertaken in year 4"),
        ]
    else:
        header = first + [_("Responsible"), _("Timeline"), _("Resources required"), _("Status")]
    rest = (WIDE_TEXT_WIDTH_MM * 0.64) / 4
    table = writer.table(
        [WIDE_TEXT_WIDTH_MM * 0.12, WIDE_TEXT_WIDTH_MM * 0.24] + [rest] * 4, header=header, size=8
    )
    for dimension in context["action_plan"]:
        cells = writer.row(table, fill=DIMENSION_ROW)
        merged = _span(cells)
        title = _("Dimension %(number)s – %(title)s") % {
            "number": dimension.number,
            "title": dimension.title,
        }
        writer.paragraph(title, into=merged, bold=True, colour=BLUE, size=8)
        for point in dimension.action_points:
            cells = writer.row(table, whole=False)
            texts = (
                point["activities"]
                if annual
                else [
                    point["responsible_text"],
                    point["timeline_text"],
                    point["resources"],
                    point["status_label"],
                ]
            )
            writer.paragraph(
                f"{point['indicator']} {point['indicator_title']}", into=cells[0], bold=True, size=8
            )
            for cell, text in zip(cells[1:], [point["text"], *texts], strict=True):
                writer.typed(text or "", into=cell, size=8)
            if annual:  # who, when and the status under the action point, as the PDF
                _point_meta(writer, cells[1], point)


def _point_meta(writer: Writer, cell: _Cell, point: dict[str, Any]) -> None:
    """The annual action point's responsible, due date and status (the PDF's .point-meta)."""
    lines = [
        (_("Responsible"), point["responsible_text"]),
        (_("Timeline"), point["timeline_text"]),
        (_("Status"), point["status_label"]),
    ]
    for label, value in lines:
        if not value:
            continue
        # In the report's direction, as its label: the typed name keeps its own (Writer.run).
        paragraph = writer.paragraph(into=cell)
        writer.run(paragraph, f"{label}: ", bold=True, colour=MUTED, size=7.5)
        writer.run(paragraph, value, colour=MUTED, size=7.5)


def _evidence(writer: Writer, context: dict[str, Any]) -> None:
    """_evidence.html: per PI, its dimension, statement and rating, then its documents by
    category, or "No documents uploaded"."""
    writer.heading("9. " + _("Supporting Evidence"), 1)
    colours = _rating_colours(context)
    for pi in context["pis"]:
        head = writer.paragraph(pi.dimension_title.upper(), colour=MUTED, size=7.5)
        _border(head, "top", BLUE, 18)
        head.paragraph_format.space_before = Pt(10)
        head.paragraph_format.keep_with_next = True
        # "PI 3.2: <statement>", as the PDF's heading (once: not "PI 3.2: Indicator 3.2: …").
        title = _("PI %(code)s") % {"code": pi.code}
        writer.paragraph(
            f"{title}: {pi.statement}", bold=True
        ).paragraph_format.keep_with_next = True
        rating = writer.paragraph()
        rating.paragraph_format.keep_with_next = bool(pi.evidence)
        writer.run(
            rating,
            f" {pi.rating_label.upper()} ",
            bold=True,
            colour=WHITE,
            size=8,
            fill=colours.get(pi.rating, NOT_RATED),
        )
        if not pi.evidence:
            writer.muted(_("No documents uploaded"))
            continue
        table = writer.table(
            [TEXT_WIDTH_MM * 0.32, TEXT_WIDTH_MM * 0.68], header=[_("Category"), _("Documents")]
        )
        for item in pi.evidence:
            category, document = writer.row(table)
            writer.paragraph(item.category or "—", into=category, typed=True, size=9)
            paragraph = writer.paragraph(into=document, typed=True, direction_of=item.title)
            if item.url:
                writer.link(paragraph, item.title, item.url)
            else:
                writer.run(paragraph, item.title, size=9)
            if item.entity:
                writer.run(paragraph, f" ({item.entity})", colour=MUTED, size=9)


def _closing(writer: Writer) -> None:
    """_closing.html: the back page, in the cover's blue."""
    lines = [
        writer.paragraph(_("UNCT-SWAP GENDER EQUALITY SCORECARD"), bold=True, colour=WHITE),
        writer.paragraph(
            _(
                "ACCOUNTABILITY FRAMEWORK FOR MAINSTREAMING GENDER EQUALITY AND THE EMPOWERMENT "
                "OF WOMEN IN UNITED NATIONS COUNTRY TEAMS"
            ),
            colour=WHITE,
        ),
        writer.paragraph(
            _("FOR MORE INFORMATION ON THE UNCT-SWAP GENDER EQUALITY SCORECARD PLEASE VISIT"),
            colour=WHITE,
        ),
    ]
    for text, url in CLOSING_LINKS:
        paragraph = writer.paragraph()
        writer.link(paragraph, text, url)
        lines.append(paragraph)
    for paragraph in lines:
        _shade(paragraph._p.get_or_add_pPr(), P_PR, BLUE)
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Mm(6)
        for run in paragraph._p.iter(qn("w:r")):
            _child(run.get_or_add_rPr(), "w:color", R_PR, val=WHITE)
    lines[0].paragraph_format.space_before = Pt(160)


_UNSDG = "https://unsdg.un.org/resources/unct-swap-gender-equality-scorecard"
_UN_WOMEN = (
    "https://www.unwomen.org/en/how-we-work/un-system-coordination/promoting-un-accountability"
)
CLOSING_LINKS = (
    (_UNSDG, _UNSDG),
    (_UN_WOMEN, _UN_WOMEN),
    ("GENDERSCORECARD.HELPDESK@UNWOMEN.ORG", "mailto:genderscorecard.helpdesk@unwomen.org"),
)


# --- The document ---------------------------------------------------------------------------------


def render_docx(context: dict[str, Any]) -> bytes:
    """The report as a .docx, from `report_context`'s context, in the context's language."""
    with translation.override(context["language"]):
        rtl = context["direction"] == "rtl"
        document = Document()
        writer = Writer(document, rtl)
        _styles(document, context["language"])
        properties = document.core_properties
        properties.title = context["title"]
        properties.author = context["author"]
        properties.subject = context["kind_title"]
        properties.language = word_language(context["language"])
        properties.keywords = f"UNCT-SWAP, {context['country']}, {context['year']}"
        properties.comments = ""
        # The template's dates are python-docx's (2013): the document is made now, from the data
        # as it is now.
        properties.created = properties.modified = timezone.now()
        properties.revision = 1
        first = document.sections[0]
        _page(first, landscape=False, rtl=rtl, title_page=True)
        _running_header(writer, first, context)

        _cover(writer, context)
        _contents(writer, context)
        _introduction(writer, context)
        _process(writer, context)
        _overview(writer, context)
        _findings(writer, context)
        _new_section(writer, context, landscape=True)
        _action_plan(writer, context)
        _new_section(writer, context, landscape=False)
        _evidence(writer, context)
        _new_section(writer, context, landscape=False)
        writer.document.sections[-1].different_first_page_header_footer = True  # the back page
        _closing(writer)
        _close_empty_cells(document)

        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def render_input_docx(data: dict[str, Any]) -> bytes:
    """The .docx of a report input (document.report_input), in the input's language: the context
    is made under that language, as for the PDF (document.render_input)."""
    with translation.override(data["language"]):
        return render_docx(report_context(data))


def download_name(code: str, year: int, language: str) -> str:
    """The name the browser saves, as the PDF's (storage.download_name): UNCT-SWAP-KAZ-2022.docx,
    and in another language than the site's, UNCT-SWAP-KAZ-2022-fr.docx."""
    suffix = "" if language == settings.LANGUAGE_CODE else f"-{language}"
    return f"UNCT-SWAP-{code}-{year}{suffix}.docx"
