"""The PDF annual progress report as a pure function of one JSON-able dict, its *input*.

`report_input` reads the assessment as `scorecard.selectors.assessment_document` exports it, the
framework text it prints, the PI 4.3 parity table, the language and the template version, with a
fixed number of queries whatever the number of PIs, evidence items or action points; all of it
under the report's language (one of settings.LANGUAGES), so each language is an input of its own.
`report_context` turns the input into the template's context without touching the database;
`core.pdf.render_pdf_document` lays it out. The SHA-256 of the canonical input is a job's
`content_hash`: equal hashes print equal reports (docs/report.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from core import countries, languages, pdf
from core.charts import Scale, count_ticks
from parity.selectors import parity_status_for
from scorecard import selectors
from scorecard.models import ActionPoint, Assessment, Indicator, Rating

TEMPLATE = "reports/pdf/report.html"
INPUT_FORMAT = "unct-swap-report-input/1"
# Bump for a change of meaning the digest of templates/reports/pdf and static/pdf cannot see.
TEMPLATE_VERSION = "1"
# Files whose bytes decide the PDF's look: a change to any of them is a new template version.
TEMPLATE_FILES = (
    "templates/reports/pdf",
    "static/pdf",
    "templates/parity/_status_table.html",
    "templates/parity/_status_row.html",
)
CHART_WIDTH_MM = 160  # .chart svg in static/pdf/report.css
RATING_COLOURS = {
    Rating.MISSING: "#c0392b",
    Rating.APPROACHES: "#e67e22",
    Rating.MEETS: "#2e86c1",
    Rating.EXCEEDS: "#1e8449",
}


# --- The input ----------------------------------------------------------------------------------


@functools.cache
def template_version() -> str:
    """TEMPLATE_VERSION, WeasyPrint's version and a digest of the template and asset files."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for entry in TEMPLATE_FILES:
        root = base / entry
        paths = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in paths:
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return f"{TEMPLATE_VERSION}-{package_version('weasyprint')}-{digest.hexdigest()[:16]}"


def _framework_input(assessment: Assessment) -> dict[str, Any]:
    indicators = list(
        Indicator.objects.filter(framework_id=assessment.framework_id)
        .select_related("dimension")
        .prefetch_related("criteria", "rules")
        .order_by("order")
    )
    dimensions: dict[int, dict[str, Any]] = {}
    for indicator in indicators:
        dimension = indicator.dimension
        dimensions.setdefault(
            dimension.number, {"number": dimension.number, "title": dimension.title}
        )
    return {
        "version": assessment.framework.version,
        "name": assessment.framework.name,
        # The document names a category by its English name (the key): what the report prints
        # is its text in the report's language.
        "evidence_categories": {
            c.name: str(c) for c in assessment.framework.evidence_categories.all()
        },
        "dimensions": [dimensions[n] for n in sorted(dimensions)],
        "indicators": [
            {
                "code": i.code,
                "dimension": i.dimension.number,
                "short_title": i.short_title,
                "statement": i.statement,
                "criteria": [
                    {"code": c.code, "letter": c.letter, "level": c.level, "text": c.text}
                    for c in i.criteria.all()
                ],
                "levels": {r.level: r.text for r in i.rules.all()},
            }
            for i in indicators
        ],
    }


def _parity_input(assessment: Assessment) -> dict[str, Any] | None:
    """PI 4.3's parity figures as the report prints them: small cells protected."""
    status = parity_status_for(assessment.country_team, assessment.year, protect_small_cells=True)
    if status is None:
        return None
    headline = status.headline
    return {
        "year": status.year,
        "as_of": status.as_of.isoformat(),
        "source": status.source,
        "entities": status.entities,
        "pct_women": None if headline.pct_women is None else str(headline.pct_women),
        "status_label": str(headline.status_label or ""),
        "table_html": render_to_string("parity/_status_table.html", {"status": status}),
    }


def report_language(code: str | None) -> str:
    """The report's language from a code as people type it (`fr`, `zh-Hans`, `zh_hans`): one of
    settings.LANGUAGES, or a ValidationError on the `language` field that says which are."""
    normal = (code or "").strip().lower().replace("_", "-")
    if not languages.is_supported(normal):
        raise ValidationError(
            {
                "language": _(
                    "“%(code)s” is not a language of the report. Choose one of: %(codes)s."
                )
                % {"code": code, "codes": ", ".join(languages.codes())}
            },
            code="invalid_choice",
        )
    return normal


def report_input(assessment: Assessment, *, language: str | None = None) -> dict[str, Any]:
    """Everything the report prints, as plain data, in `language` (settings.LANGUAGE_CODE when
    not given): the language is part of the input, so each language has its own content hash
    and its own file. A fixed number of queries (tests pin it)."""
    language = report_language(language or settings.LANGUAGE_CODE)
    with translation.override(language):
        return {
            "format": INPUT_FORMAT,
            "template": template_version(),
            "language": language,
            "document": selectors.assessment_document(assessment),
            "framework": _framework_input(assessment),
            "parity": _parity_input(assessment),
        }


def canonical_json(data: Any) -> bytes:
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


def content_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the canonical input: equal hashes print equal reports."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


# --- The context (no database) --------------------------------------------------------------------


@dataclass
class Finding:
    letter: str
    criterion: str
    text: str


@dataclass
class EvidenceItem:
    category: str
    title: str
    url: str
    entity: str


@dataclass
class PI:
    code: str
    short_title: str
    statement: str
    dimension_number: int
    dimension_title: str
    rating: str
    rating_label: str
    short_label: str
    reassessed: bool
    carried_from_year: int | None
    level_text: str
    findings: list[Finding]
    explanation: str
    justification: str
    means_of_verification: str
    evidence: list[EvidenceItem]

    @property
    def anchor(self) -> str:
        return "pi-" + self.code.replace(".", "-")


@dataclass
class DimensionBlock:
    number: int
    title: str
    pis: list[PI] = field(default_factory=list)
    action_points: list[dict[str, Any]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"dimension-{self.number}"


def _rating(value: str) -> tuple[str, str]:
    if not value:
        return _("Not rated"), _("NOT RATED")
    rating = Rating(value)
    return str(rating.label), rating.short_label


def _chart(pis: list[PI]) -> dict[str, Any]:
    """Table 2 of the seed, the chart lost in conversion: number of PIs per rating level."""
    counts = {level: 0 for level in Rating.ordered()}
    for pi in pis:
        if pi.rating:
            counts[Rating(pi.rating)] += 1
    top = max([*counts.values(), 1])
    # Geometry in SVG user units; the chart is CHART_WIDTH_MM wide in the PDF (report.css). The
    # level names under the bars are HTML (see .chart-axis in report.css), placed in millimetres.
    left, bottom, plot_height, slot = 34, 170, 140, 104
    width = left + 24 + 4 * slot
    millimetres = CHART_WIDTH_MM / width
    height_of = Scale(0, plot_height, top)
    bars = []
    for index, (level, count) in enumerate(counts.items()):
        height = round(height_of(count), 1)
        x = left + 12 + index * slot
        bars.append(
            {
                "level": level.value,
                "label": str(level.label),
                "short_label": level.short_label,
                "count": count,
                "colour": RATING_COLOURS[level],
                "x": x,
                "y": round(bottom - height, 1),
                "width": slot - 24,
                "height": height,
                "centre": x + (slot - 24) / 2,
            }
        )
    return {
        "bars": bars,
        "ticks": [{"value": t, "y": round(bottom - height_of(t), 1)} for t in count_ticks(top)],
        "left": left,
        "right": left + 12 + 4 * slot,
        "bottom": bottom,
        "width": width,
        "height": bottom + 4,
        # The axis labels: each centred under its bar, in a column as wide as the bar's slot
        # (slot i spans left + i * slot to left + (i + 1) * slot; its bar is in the middle).
        "axis_start_mm": round(left * millimetres, 2),
        "slot_mm": round(slot * millimetres, 2),
        "rated": sum(counts.values()),
        "description": "; ".join(f"{b['label']}: {b['count']}" for b in bars),
    }


def _web_link(url: str) -> str:
    """Evidence links become PDF links only when they are web addresses."""
    return url if url.lower().startswith(("https://", "http://")) else ""


def _css_string(text: str) -> str:
    """Text as a CSS string literal, for the running header and footer that the template writes
    in its <style>: anything but letters, digits and spaces is escaped (no way out of the string
    or the element)."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def report_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template's context, from the input alone."""
    document = data["document"]
    framework = data["framework"]
    annual = document["kind"] == Assessment.Kind.ANNUAL
    team = document["country_team"]
    rows = {row["code"]: row for row in document["indicators"]}
    # An input stored before categories had a text per language prints the key, as it did then.
    category_text = framework.get("evidence_categories", {})
    dimensions = {
        d["number"]: DimensionBlock(number=d["number"], title=d["title"])
        for d in framework["dimensions"]
    }
    pis: list[PI] = []
    for spec in framework["indicators"]:
        row = rows.get(spec["code"], {})
        rating = row.get("rating", "")
        label, short = _rating(rating)
        found = row.get("findings", {})
        dimension = dimensions[spec["dimension"]]
        pi = PI(
            code=spec["code"],
            short_title=spec["short_title"],
            statement=spec["statement"],
            dimension_number=dimension.number,
            dimension_title=dimension.title,
            rating=rating,
            rating_label=label,
            short_label=short,
            reassessed=bool(row.get("reassessed")) or not annual,
            carried_from_year=row.get("carried_from_year"),
            level_text=spec["levels"].get(rating, "") if rating else "",
            findings=[
                Finding(c["letter"], c["text"], found[c["code"]])
                for c in spec["criteria"]
                if (found.get(c["code"]) or "").strip()
            ],
            explanation=row.get("explanation", ""),
            justification=row.get("override_justification", ""),
            means_of_verification=row.get("means_of_verification", ""),
            evidence=[
                EvidenceItem(
                    category=category_text.get(e.get("category") or "", e.get("category") or ""),
                    title=e["title"],
                    url=_web_link(e.get("url") or ""),
                    entity=e.get("entity") or "",
                )
                for e in row.get("evidence", [])
            ],
        )
        pis.append(pi)
        dimension.pis.append(pi)
    titles = {pi.code: pi.short_title for pi in pis}
    dimension_of = {pi.code: pi.dimension_number for pi in pis}
    for point in document["action_points"]:
        number = dimension_of.get(point["indicator"])
        if number is not None:
            responsible = [point.get("responsible_entity") or "", point.get("responsible") or ""]
            timeline = point.get("timeline")
            dimensions[number].action_points.append(
                {
                    **point,
                    "indicator_title": titles[point["indicator"]],
                    "status_label": str(ActionPoint.Status(point["status"]).label),
                    "responsible_text": " · ".join(r for r in responsible if r),
                    # The due date as the report's language writes dates ("30 juin 2024"), not
                    # the input's ISO form: the context is made under that language.
                    "timeline_text": (
                        formats.date_format(date.fromisoformat(timeline), "DATE_FORMAT")
                        if timeline
                        else ""
                    ),
                }
            )
    kind_title = (
        _("Annual progress assessment report and action plan")
        if annual
        else _("Comprehensive assessment report and action plan")
    )
    # The UN name in the report's language ("Казахстан"); the team's own for a code outside ISO.
    country = countries.name(team["code"], data["language"]) or team["name"]
    year = document["year"]
    title = _("UNCT-SWAP Gender Equality Scorecard: %(kind)s, UNCT %(country)s %(year)s") % {
        "kind": kind_title,
        "country": country,
        "year": year,
    }
    members = document["iat_members"]
    return {
        "language": data["language"],
        # Arabic is laid out right to left: <html dir="rtl">, mirrored margin boxes (report.html).
        "direction": "rtl" if translation.get_language_info(data["language"])["bidi"] else "ltr",
        "title": title,
        "author": _("United Nations Country Team in %(country)s") % {"country": country},
        "kind_title": kind_title,
        "annual": annual,
        "country": country,
        "team": team,
        "year": year,
        "status": document["status"],
        "status_label": str(Assessment.Status(document["status"]).label),
        "framework": framework,
        "process": document["process"],
        "iat_members": members,
        "coordinators": [m for m in members if m["coordinator"]],
        "dimensions": [d for d in dimensions.values() if d.pis],
        "pis": pis,
        "reassessed_count": sum(1 for pi in pis if pi.reassessed),
        "chart": _chart(pis),
        "ratings": [
            {"value": r.value, "label": str(r.label), "colour": RATING_COLOURS[r]}
            for r in Rating.ordered()
        ],
        "action_plan": [d for d in dimensions.values() if d.action_points],
        "parity": data["parity"],
        "running_title": _css_string(f"UNCT-SWAP · {country} {year}"),
        "page_of": {"page": _css_string(_("Page") + " "), "of": _css_string(" " + _("of") + " ")},
    }


def report_template() -> str:
    return getattr(settings, "REPORT_TEMPLATE", TEMPLATE)


def render_input(data: dict[str, Any]) -> tuple[str, pdf.Pdf]:
    """The report's HTML and PDF for an input, in the input's language."""
    with translation.override(data["language"]):
        return pdf.render_pdf_document(report_template(), report_context(data))


def render_assessment(
    assessment: Assessment, *, language: str | None = None
) -> tuple[str, pdf.Pdf]:
    """The current report of an assessment, made now (CLI, tests); no job, nothing stored."""
    return render_input(report_input(assessment, language=language))
