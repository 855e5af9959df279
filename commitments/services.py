"""Writes: every change to commitments data goes through a function here.

The rules of a commitment (seed 002, the Action Coalitions FAQ, Q9/Q12/Q16 and Q6):

- its duration is end_year - start_year + 1 years; a leader's commitment to a coalition it leads
  runs exactly 5 years, any other commitment 1 to 5 years;
- a financial commitment needs an amount (> 0) and an ISO 4217 currency; only a financial one has
  an amount;
- it is under at least one Action Coalition or WPS-HA Compact area;
- a link to a PI rating or an action point needs the country team they belong to.

Every problem is collected (field → message) before anything is written, as scorecard/services.py
does, so the user sees them all at once. A bulk import is validated whole, row by row, and nothing
is written unless every row is valid.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import countries, currencies, limits
from core.languages import language_of
from core.mail import send_in_their_languages
from core.models import CountryTeam
from core.permissions import can_view_team
from core.tabular import choice_lookup, fold, yes_no_words
from scorecard.models import ActionPoint, IndicatorAssessment

from . import selectors, tabular
from .models import (
    MAX_YEARS,
    ActionCoalition,
    Commitment,
    CommitmentMaker,
    CommitmentType,
    CompactArea,
    MakerCategory,
    MakerMembership,
    ProgressReport,
    ReportReminder,
)
from .selectors import makers_missing_report  # noqa: F401 -- part of this module's interface

MIN_YEAR, MAX_YEAR = 2000, 2100
CRITERIA = ("impact", "funding", "endorsement", "collective", "smart")
# A commitment's free texts: each within its model field's max_length, in the form, the API and
# the import alike.
TEXT_COLUMNS = ("title", "description", "geography")
AMOUNT_LIMIT = Decimal(10) ** 14  # max_digits=16, decimal_places=2


class ImportFileError(ValidationError):
    """A file that cannot be imported; `messages` lists every problem, with its row number."""


# --- Reference data -------------------------------------------------------------------------


@transaction.atomic
def load_reference_data(*, document: Mapping[str, Any]) -> tuple[int, int]:
    """Create or update the Action Coalitions and Compact areas (fixtures/commitments/
    reference.json); safe to re-run."""
    for order, coalition in enumerate(document.get("action_coalitions", []), start=1):
        ActionCoalition.objects.update_or_create(
            code=coalition["code"], defaults={"name": coalition["name"], "order": order}
        )
    for area in document.get("compact_areas", []):
        CompactArea.objects.update_or_create(letter=area["letter"], defaults={"name": area["name"]})
    return len(document.get("action_coalitions", [])), len(document.get("compact_areas", []))


# --- Makers ---------------------------------------------------------------------------------


def resolve_country(value: str, extra: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(ISO alpha-3 code, English UN name) for a code or a name in any of the six languages;
    `extra` adds country-team codes outside ISO 3166 (e.g. a fictional demo country). None when
    unknown."""
    text = value.strip()
    code = countries.find(text)
    if code:
        return code, countries.name(code, "en")
    known = extra or {}
    if text.upper() in known:
        return text.upper(), known[text.upper()]
    by_name = {name.casefold(): code for code, name in known.items()}
    code = by_name.get(text.casefold())
    return (code, known[code]) if code else None


def unknown_country_message(value: str) -> str:
    """Why `value` is not a country, with the one it probably means ("Vietnam" → Viet Nam)."""
    guess = countries.suggest(value)
    if guess:
        return _("Unknown country “%(value)s”: did you mean %(name)s (%(code)s)?") % {
            "value": value,
            "name": countries.name(guess),
            "code": guess,
        }
    return _("Unknown country “%(value)s”: use an ISO 3166-1 alpha-3 code such as KAZ.") % {
        "value": value
    }


def _team_countries() -> dict[str, str]:
    return dict(CountryTeam.objects.values_list("code", "name"))


@transaction.atomic
def create_maker(
    *,
    name: str,
    category: str,
    country_code: str = "",
    leads: Sequence[ActionCoalition] = (),
    country_team: CountryTeam | None = None,
) -> CommitmentMaker:
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = _("Give the commitment maker's name.")
    elif message := limits.length_error(name, limits.field_limit(CommitmentMaker, "name")):
        errors["name"] = message
    elif CommitmentMaker.objects.filter(name__iexact=name).exists():
        errors["name"] = _("A commitment maker called %(name)s exists already.") % {"name": name}
    if category not in MakerCategory.values:
        errors["category"] = _("Choose a category from the list.")
    country = resolve_country(country_code, _team_countries()) if country_code else ("", "")
    if country is None:
        errors["country_code"] = unknown_country_message(country_code)
    if errors or country is None:
        raise ValidationError(errors)
    maker = CommitmentMaker.objects.create(
        name=name,
        category=category,
        country_code=country[0],
        country_name=country[1],
        country_team=country_team,
    )
    maker.leads.set(leads)
    return maker


def set_maker_membership(*, user: User, maker: CommitmentMaker, role: str) -> MakerMembership:
    """Give a user their (single) role for a maker, replacing any earlier one."""
    if role not in MakerMembership.Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    membership, _created = MakerMembership.objects.update_or_create(
        user=user, maker=maker, defaults={"role": role}
    )
    return membership


# --- Commitments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentInput:
    title: str
    start_year: int | None
    end_year: int | None
    description: str = ""
    coalitions: Sequence[ActionCoalition] = ()
    compact_areas: Sequence[CompactArea] = ()
    types: Sequence[str] = ()
    amount: Decimal | None = None
    currency: str = ""
    geography: str = ""
    status: str = Commitment.Status.PLANNED
    impact: bool = False
    funding: bool = False
    endorsement: bool = False
    collective: bool = False
    smart: bool = False
    country_team: CountryTeam | None = None
    indicator_assessment: IndicatorAssessment | None = None
    action_point: ActionPoint | None = None

    @property
    def clean_types(self) -> list[str]:
        """Known types, once each, in the Forum's order."""
        return [t for t in CommitmentType.values if t in set(self.types)]

    @property
    def clean_currency(self) -> str:
        return self.currency.strip().upper()


def _year_error(value: int | None, missing: str) -> str | None:
    if value is None:
        return missing
    if not MIN_YEAR <= value <= MAX_YEAR:
        return _("Enter a year between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
    return None


def _commitment_length_errors(data: CommitmentInput) -> dict[str, str]:
    """The texts as they are saved (stripped) within their fields' limits."""
    return limits.length_errors(
        {
            name: (getattr(data, name).strip(), limits.field_limit(Commitment, name))
            for name in TEXT_COLUMNS
        }
    )


def commitment_errors(
    data: CommitmentInput, *, maker_name: str, leads: Collection[int]
) -> dict[str, str]:
    """field → message for everything wrong with a commitment of a maker leading `leads` (ids of
    coalitions). No database access: the import checks every row of a file with it."""
    errors: dict[str, str] = _commitment_length_errors(data)
    if not data.title.strip():
        errors["title"] = _("Give the commitment a title.")
    if not data.coalitions and not data.compact_areas:
        errors["coalitions"] = _("Choose at least one Action Coalition or WPS-HA Compact area.")
    unknown_types = sorted(set(data.types) - set(CommitmentType.values))
    if unknown_types:
        errors["types"] = _("Unknown commitment type: %(types)s.") % {
            "types": ", ".join(unknown_types)
        }
    if data.status not in Commitment.Status.values:
        errors["status"] = _("Choose a status from the list.")

    start_error = _year_error(data.start_year, _("Enter the year the commitment starts."))
    end_error = _year_error(data.end_year, _("Enter the year the commitment ends."))
    if start_error:
        errors["start_year"] = start_error
    if end_error:
        errors["end_year"] = end_error
    if (
        data.start_year is not None
        and data.end_year is not None
        and not start_error
        and not end_error
    ):
        duration = data.end_year - data.start_year + 1
        led = [c for c in data.coalitions if c.pk in leads]
        last_year = data.start_year + MAX_YEARS - 1
        if data.end_year < data.start_year:
            errors["end_year"] = _("The end year cannot be before the start year.")
        elif led and duration != MAX_YEARS:
            errors["end_year"] = _(
                "%(maker)s leads the %(coalition)s Action Coalition: a leader's commitment to "
                "the coalition it leads runs 5 years, so the end year must be %(end)s."
            ) % {"maker": maker_name, "coalition": led[0].name, "end": last_year}
        elif duration > MAX_YEARS:
            errors["end_year"] = _(
                "A commitment runs for at least 1 and at most 5 years: the end year can be "
                "%(end)s at the latest."
            ) % {"end": last_year}

    currency = data.clean_currency
    if CommitmentType.FINANCIAL in data.types:
        if data.amount is None or not currency:
            errors["amount"] = _("A financial commitment needs an amount and a currency.")
        elif data.amount <= 0:
            errors["amount"] = _("The amount must be greater than zero.")
    elif data.amount is not None or currency:
        errors["amount"] = _(
            "Only a financial commitment has an amount: tick Financial, or leave the amount and "
            "the currency empty."
        )
    if "amount" not in errors and data.amount is not None:
        amount_error = _amount_error(data.amount)
        if amount_error:
            errors["amount"] = amount_error
    if currency and currency not in currencies.codes():
        errors["currency"] = _currency_message(currency)

    team = data.country_team
    if (data.indicator_assessment or data.action_point) and team is None:
        errors["country_team"] = _(
            "Choose the country team whose PI rating or action point this commitment supports."
        )
    if (
        team is not None
        and data.indicator_assessment is not None
        and data.indicator_assessment.assessment.country_team_id != team.pk
    ):
        errors["indicator_assessment"] = _(
            "This PI rating belongs to another country team's assessment, not %(team)s's."
        ) % {"team": team.display_name}
    if (
        team is not None
        and data.action_point is not None
        and data.action_point.assessment.country_team_id != team.pk
    ):
        errors["action_point"] = _(
            "This action point belongs to another country team's action plan, not %(team)s's."
        ) % {"team": team.display_name}
    return errors


def _amount_error(amount: Decimal) -> str | None:
    if amount >= AMOUNT_LIMIT:
        return _("The amount is too large.")
    if amount != amount.quantize(Decimal("0.01")):
        return _("Give the amount with at most 2 decimals.")
    return None


def _currency_message(code: str) -> str:
    return _("%(code)s is not an ISO 4217 currency code such as USD, EUR or KZT.") % {"code": code}


def _link_errors(
    data: CommitmentInput, *, by: User | None, current: Commitment | None
) -> dict[str, str]:
    """A user links a commitment only to country teams they belong to. Links they did not
    change (set by a country team member or an administrator) are kept as they are."""
    if by is None:
        return {}
    errors: dict[str, str] = {}
    links = (
        ("country_team", data.country_team),
        ("indicator_assessment", data.indicator_assessment),
        ("action_point", data.action_point),
    )
    for name, value in links:
        unchanged = current is not None and getattr(current, f"{name}_id") == (
            value.pk if value else None
        )
        if value is None or unchanged:
            continue
        team_id = value.pk if isinstance(value, CountryTeam) else value.assessment.country_team_id
        if not can_view_team(by, team_id):
            errors[name] = _("You can only link to a country team you are a member of.")
    return errors


def _validate(
    data: CommitmentInput, *, maker: CommitmentMaker, by: User | None, current: Commitment | None
) -> None:
    leads = {c.pk for c in maker.leads.all()}
    errors = commitment_errors(data, maker_name=maker.name, leads=leads)
    for name, message in _link_errors(data, by=by, current=current).items():
        errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)


def _apply(commitment: Commitment, data: CommitmentInput) -> None:
    commitment.title = data.title.strip()
    commitment.description = data.description.strip()
    commitment.types = data.clean_types
    commitment.start_year = data.start_year
    commitment.end_year = data.end_year
    commitment.amount = data.amount
    commitment.currency = data.clean_currency
    commitment.geography = data.geography.strip()
    commitment.status = data.status
    for name in CRITERIA:
        setattr(commitment, name, getattr(data, name))
    commitment.country_team = data.country_team
    commitment.indicator_assessment = data.indicator_assessment
    commitment.action_point = data.action_point


@transaction.atomic
def create_commitment(
    *, maker: CommitmentMaker, data: CommitmentInput, by: User | None
) -> Commitment:
    """File a commitment for `maker`. ValidationError (field → message) lists every problem."""
    _validate(data, maker=maker, by=by, current=None)
    commitment = Commitment(maker=maker, created_by=by, updated_by=by)
    _apply(commitment, data)
    commitment.full_clean()
    commitment.save()
    commitment.coalitions.set(data.coalitions)
    commitment.compact_areas.set(data.compact_areas)
    return commitment


COMMITMENT_FIELDS = [
    "title",
    "description",
    "types",
    "start_year",
    "end_year",
    "amount",
    "currency",
    "geography",
    "status",
    *CRITERIA,
    "country_team",
    "indicator_assessment",
    "action_point",
    "updated_by",
    "updated_at",
]


@transaction.atomic
def update_commitment(*, commitment: Commitment, data: CommitmentInput, by: User) -> Commitment:
    current = Commitment.objects.get(pk=commitment.pk)
    _validate(data, maker=commitment.maker, by=by, current=current)
    _apply(commitment, data)
    commitment.updated_by = by
    commitment.full_clean()
    commitment.save(update_fields=COMMITMENT_FIELDS)
    commitment.coalitions.set(data.coalitions)
    commitment.compact_areas.set(data.compact_areas)
    return commitment


# --- Progress reports -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressInput:
    year: int | None
    progress_status: str
    narrative: str = ""
    amount_disbursed: Decimal | None = None
    currency: str = ""


def progress_errors(
    commitment: Commitment, data: ProgressInput, *, report: ProgressReport | None = None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    this_year = timezone.now().year
    if data.year is None:
        errors["year"] = _("Enter the year reported on.")
    elif not commitment.start_year <= data.year <= commitment.end_year:
        errors["year"] = _("Report on a year of the commitment's period, %(start)s to %(end)s.") % {
            "start": commitment.start_year,
            "end": commitment.end_year,
        }
    elif data.year > this_year:
        errors["year"] = _("%(year)s has not started yet: report on %(now)s or earlier.") % {
            "year": data.year,
            "now": this_year,
        }
    elif (
        ProgressReport.objects.filter(commitment=commitment, year=data.year)
        .exclude(pk=report.pk if report else None)
        .exists()
    ):
        errors["year"] = _("A progress report for %(year)s exists already: edit it instead.") % {
            "year": data.year
        }
    if data.progress_status not in ProgressReport.ProgressStatus.values:
        errors["progress_status"] = _("Choose a progress status from the list.")
    errors.update(
        limits.length_errors(
            {"narrative": (data.narrative.strip(), limits.field_limit(ProgressReport, "narrative"))}
        )
    )
    currency = data.currency.strip().upper()
    if data.amount_disbursed is not None:
        if not commitment.is_financial:
            errors["amount_disbursed"] = _(
                "Only a financial commitment reports an amount disbursed."
            )
        elif data.amount_disbursed < 0:
            errors["amount_disbursed"] = _("The amount disbursed cannot be negative.")
        elif not currency:
            errors["currency"] = _("Give the currency of the amount disbursed.")
        else:
            amount_error = _amount_error(data.amount_disbursed)
            if amount_error:
                errors["amount_disbursed"] = amount_error
    if currency and currency not in currencies.codes():
        errors["currency"] = _currency_message(currency)
    return errors


def _display_name(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


@transaction.atomic
def file_progress_report(
    *, commitment: Commitment, data: ProgressInput, by: User | None
) -> ProgressReport:
    """The maker's report on one year of a commitment; one per commitment and year."""
    errors = progress_errors(commitment, data)
    if errors:
        raise ValidationError(errors)
    report = ProgressReport(
        commitment=commitment,
        year=data.year,
        progress_status=data.progress_status,
        narrative=data.narrative.strip(),
        amount_disbursed=data.amount_disbursed,
        currency=data.currency.strip().upper() if data.amount_disbursed is not None else "",
        reported_by=by,
        reported_by_name=_display_name(by),
        reported_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as error:  # someone filed the same year a moment ago
        raise ValidationError(
            {
                "year": _("A progress report for %(year)s exists already: edit it instead.")
                % {"year": data.year}
            }
        ) from error
    return report


@transaction.atomic
def update_progress_report(
    *, report: ProgressReport, data: ProgressInput, by: User
) -> ProgressReport:
    errors = progress_errors(report.commitment, data, report=report)
    if errors:
        raise ValidationError(errors)
    report.year = data.year
    report.progress_status = data.progress_status
    report.narrative = data.narrative.strip()
    report.amount_disbursed = data.amount_disbursed
    report.currency = data.currency.strip().upper() if data.amount_disbursed is not None else ""
    report.reported_by = by
    report.reported_by_name = _display_name(by)
    report.reported_at = timezone.now()
    report.save(
        update_fields=[
            "year",
            "progress_status",
            "narrative",
            "amount_disbursed",
            "currency",
            "reported_by",
            "reported_by_name",
            "reported_at",
        ]
    )
    return report


# --- Reminders ------------------------------------------------------------------------------


@dataclass
class ReminderResult:
    sent: list[CommitmentMaker] = field(default_factory=list)
    already_reminded: list[CommitmentMaker] = field(default_factory=list)
    no_editor: list[CommitmentMaker] = field(default_factory=list)
    emails: int = 0


def _site_url() -> str:
    return str(getattr(settings, "SITE_URL", "")).rstrip("/")


def send_missing_report_reminders(*, year: int) -> ReminderResult:
    """E-mail the editors of every maker whose progress report for `year` is missing.

    Each maker is reminded at most once per year: a ReportReminder row is written, and the
    e-mails are queued once its transaction commits (core.mail: a Celery task sends each one and
    retries while the mail server is down). Makers without an editor with an e-mail address are
    skipped, not recorded, so they are reminded once someone is given the role.
    """
    result = ReminderResult()
    missing = selectors.makers_missing_report(year)
    editors: dict[int, list[User]] = {}
    for membership in MakerMembership.objects.filter(
        maker__in=[m.maker for m in missing],
        role=MakerMembership.Role.EDITOR,
        user__is_active=True,
    ).select_related("user__profile"):
        if membership.user.email:
            editors.setdefault(membership.maker_id, []).append(membership.user)
    for entry in missing:
        maker = entry.maker
        recipients = sorted(editors.get(maker.pk, []), key=lambda u: u.email)
        if not recipients:
            result.no_editor.append(maker)
            continue
        with transaction.atomic():
            reminder, created = ReportReminder.objects.select_for_update().get_or_create(
                maker=maker, year=year, defaults={"sent_at": timezone.now()}
            )
            if not created:
                result.already_reminded.append(maker)
                continue
            context = {
                "maker": maker,
                "year": year,
                "commitments": entry.commitments,
                "site_url": _site_url(),
                "mine_path": reverse("commitments:mine"),
            }
            # One message per editor (the body greets them by name), in their language.
            emails = sum(
                send_in_their_languages(
                    [(user.email, language_of(user))], partial(_reminder, context, user)
                )
                for user in recipients
            )
            reminder.recipients = [user.email for user in recipients]
            reminder.save(update_fields=["recipients"])
        result.sent.append(maker)
        result.emails += emails
    return result


def _reminder(context: dict[str, Any], user: User) -> tuple[str, str]:
    """One editor's reminder (subject, body); send_in_their_languages activates their language."""
    subject = " ".join(
        render_to_string("commitments/email/missing_report_subject.txt", context).split()
    )
    body = render_to_string("commitments/email/missing_report_body.txt", {**context, "user": user})
    return subject, body


# --- Bulk import ----------------------------------------------------------------------------

REQUIRED_COLUMNS = ("maker", "title", "start_year", "end_year")
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}
THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass
class _NewMaker:
    name: str
    category: str
    country: tuple[str, str]
    row: int


@dataclass
class _PlannedRow:
    row: int
    maker_key: str
    data: CommitmentInput


@dataclass
class ImportResult:
    commitments: list[Commitment]
    makers_created: list[CommitmentMaker]


def _row_message(row: int, message: str) -> str:
    return _("Row %(row)s: %(message)s") % {"row": row, "message": message}


def _parse_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(selectors.LIST_SEPARATOR) if part.strip()]


def _parse_year(value: str, column: str) -> tuple[int | None, str | None]:
    if not value:
        return None, None  # the rules report it missing, with the form's wording
    try:
        return int(value), None
    except ValueError:
        return None, _("%(column)s must be a year such as 2024.") % {"column": column}


def _parse_amount(value: str) -> tuple[Decimal | None, str | None]:
    text = value.replace(" ", "")
    if THOUSANDS.match(text):
        text = text.replace(",", "")
    if not text:
        return None, None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, _("amount must be a number such as 250000 or 1250000.50.")
    if not amount.is_finite():
        return None, _("amount must be a number such as 250000 or 1250000.50.")
    return amount, None


def _choice(value: str, choices: type[Any]) -> str | None:
    """A choice's value from its value or its label in any of the languages (the exports write
    labels in their reader's language), whatever the case; None when unknown."""
    return choice_lookup(choices).get(fold(value))


class _Importer:
    """Validates every row of a table, then writes them all in one transaction."""

    def __init__(self, header: list[str], rows: list[tabular.Row]):
        self.header = header
        self.rows = rows
        self.errors: list[str] = []
        self.coalitions = {c.code.casefold(): c for c in ActionCoalition.objects.all()}
        self.coalitions_by_name = {c.name.casefold(): c for c in self.coalitions.values()}
        self.areas = {a.letter.upper(): a for a in CompactArea.objects.all()}
        self.makers = {
            m.name.casefold(): m for m in CommitmentMaker.objects.prefetch_related("leads")
        }
        self.existing_titles = {
            (maker_id, title.casefold())
            for maker_id, title in Commitment.objects.values_list("maker_id", "title")
        }
        self.team_countries = _team_countries()
        self.new_makers: dict[str, _NewMaker] = {}
        self.planned: list[_PlannedRow] = []
        self.seen: dict[tuple[str, str], int] = {}

    def check_header(self) -> bool:
        known = {*selectors.COLUMNS, *selectors.EXTRA_COLUMNS}
        missing = [c for c in REQUIRED_COLUMNS if c not in self.header]
        unknown = [c for c in self.header if c and c not in known]
        if missing:
            self.errors.append(
                _("The file has no column %(columns)s: start from the template.")
                % {"columns": ", ".join(missing)}
            )
        if unknown:
            self.errors.append(
                _("Unknown columns: %(columns)s. The template lists the columns.")
                % {"columns": ", ".join(unknown)}
            )
        if not self.rows and not missing:
            self.errors.append(_("The file has no commitments in it."))
        return not self.errors

    def run(self) -> None:
        if not self.check_header():
            return
        for number, cells in self.rows:
            self.check_row(number, cells)

    def _maker(self, number: int, cells: dict[str, str], problems: list[str]) -> tuple[str, Any]:
        """(key, existing maker or None); records a new maker's details on first sight."""
        name = " ".join(cells.get("maker", "").split())
        if not name:
            problems.append(_("Give the commitment maker's name in the maker column."))
            return "", None
        key = name.casefold()
        category_text = cells.get("maker_category", "")
        country_text = cells.get("country", "")
        category = _choice(category_text, MakerCategory) if category_text else None
        if category_text and category is None:
            problems.append(
                _("Unknown maker_category “%(value)s” (use one of: %(choices)s).")
                % {"value": category_text, "choices": ", ".join(MakerCategory.values)}
            )
        country = resolve_country(country_text, self.team_countries) if country_text else ("", "")
        if country is None:
            problems.append(unknown_country_message(country_text))
        existing = self.makers.get(key)
        if existing is not None:
            if category and category != existing.category:
                problems.append(
                    _(
                        "%(maker)s is already registered as “%(category)s”: leave maker_category "
                        "empty or use that category."
                    )
                    % {"maker": existing.name, "category": existing.category}
                )
            if country_text and country and country[0] != existing.country_code:
                problems.append(
                    _(
                        "%(maker)s is already registered with country “%(country)s”: leave "
                        "country empty or use that code."
                    )
                    % {"maker": existing.name, "country": existing.country_code or "—"}
                )
            return key, existing
        if key in self.new_makers:
            first = self.new_makers[key]
            same_category = category is None or category == first.category
            same_country = not country_text or country == first.country
            if not (same_category and same_country):
                problems.append(
                    _("%(maker)s has another maker_category or country in row %(row)s.")
                    % {"maker": first.name, "row": first.row}
                )
            return key, None
        if category_text == "":
            problems.append(
                _(
                    "%(maker)s is a new commitment maker: give its maker_category (one of: "
                    "%(choices)s)."
                )
                % {"maker": name, "choices": ", ".join(MakerCategory.values)}
            )
        if category and country is not None:
            self.new_makers[key] = _NewMaker(
                name=name, category=category, country=country, row=number
            )
        return key, None

    @staticmethod
    def _length_problems(cells: dict[str, str]) -> dict[str, str]:
        """column → "column: message" for each cell longer than its field allows (the maker's
        name as it would be saved, with its spaces joined)."""
        texts = {
            "maker": (" ".join(cells.get("maker", "").split()), CommitmentMaker, "name"),
            **{c: (cells.get(c, "").strip(), Commitment, c) for c in TEXT_COLUMNS},
        }
        problems = {}
        for column, (text, model, name) in texts.items():
            message = limits.length_error(text, limits.field_limit(model, name))
            if message:
                problems[column] = f"{column}: {message}"
        return problems

    def check_row(self, number: int, cells: dict[str, str]) -> None:
        too_long = self._length_problems(cells)
        problems: list[str] = list(too_long.values())
        maker_key, maker = self._maker(number, cells, problems)

        coalitions: list[ActionCoalition] = []
        for code in _parse_list(cells.get("coalitions", "")):
            coalition = self.coalitions.get(code.casefold()) or self.coalitions_by_name.get(
                code.casefold()
            )
            if coalition is None:
                problems.append(
                    _("Unknown Action Coalition “%(value)s” (codes: %(codes)s).")
                    % {"value": code, "codes": ", ".join(c.code for c in self.coalitions.values())}
                )
            elif coalition not in coalitions:
                coalitions.append(coalition)
        areas: list[CompactArea] = []
        for letter in _parse_list(cells.get("compact_areas", "")):
            area = self.areas.get(letter.upper())
            if area is None:
                problems.append(
                    _("Unknown WPS-HA Compact area “%(value)s” (letters: %(letters)s).")
                    % {"value": letter, "letters": ", ".join(self.areas)}
                )
            elif area not in areas:
                areas.append(area)
        types: list[str] = []
        for value in _parse_list(cells.get("types", "")):
            kind = _choice(value, CommitmentType)
            if kind is None:
                problems.append(
                    _("Unknown commitment type “%(value)s” (use: %(choices)s).")
                    % {"value": value, "choices": ", ".join(CommitmentType.values)}
                )
            else:
                types.append(kind)
        start_year, start_problem = _parse_year(cells.get("start_year", ""), "start_year")
        end_year, end_problem = _parse_year(cells.get("end_year", ""), "end_year")
        problems += [p for p in (start_problem, end_problem) if p]
        amount, amount_problem = _parse_amount(cells.get("amount", ""))
        if amount_problem:
            problems.append(amount_problem)
        status_text = cells.get("status", "")
        status = (
            _choice(status_text, Commitment.Status) if status_text else Commitment.Status.PLANNED
        )
        if status is None:
            problems.append(
                _("Unknown status “%(value)s” (use: %(choices)s).")
                % {"value": status_text, "choices": ", ".join(Commitment.Status.values)}
            )
        criteria: dict[str, bool] = {}
        yes, no = yes_no_words()  # an export says yes/no in its user's language
        for name in CRITERIA:
            text = cells.get(name, "").strip().casefold()
            if text in YES or text in yes:
                criteria[name] = True
            elif text in NO or text in no:
                criteria[name] = False
            else:
                problems.append(_("%(column)s must be yes or no.") % {"column": name})
        data = CommitmentInput(
            title=cells.get("title", ""),
            description=cells.get("description", ""),
            coalitions=coalitions,
            compact_areas=areas,
            types=types,
            start_year=start_year,
            end_year=end_year,
            amount=amount,
            currency=cells.get("currency", ""),
            geography=cells.get("geography", ""),
            status=status or Commitment.Status.PLANNED,
            **criteria,
        )
        leads = {c.pk for c in maker.leads.all()} if maker else set()
        maker_name = maker.name if maker else " ".join(cells.get("maker", "").split())
        rule_errors = commitment_errors(data, maker_name=maker_name, leads=leads)
        parsed_fields = {"start_year": start_problem, "end_year": end_problem}
        for name, message in rule_errors.items():
            if parsed_fields.get(name) or name in too_long:
                continue  # "must be a year" or "at most … characters" already said it
            problems.append(message)

        title_key = data.title.strip().casefold()
        if maker_key and title_key:
            first_row = self.seen.get((maker_key, title_key))
            if first_row is not None:
                problems.append(_("The same maker and title as row %(row)s.") % {"row": first_row})
            else:
                self.seen[(maker_key, title_key)] = number
            if maker is not None and (maker.pk, title_key) in self.existing_titles:
                problems.append(
                    _("%(maker)s already has a commitment titled “%(title)s”.")
                    % {"maker": maker.name, "title": data.title.strip()}
                )
        self.errors += [_row_message(number, p) for p in problems]
        if not problems:
            self.planned.append(_PlannedRow(row=number, maker_key=maker_key, data=data))

    @transaction.atomic
    def write(self, by: User | None) -> ImportResult:
        created_makers: list[CommitmentMaker] = []
        makers = dict(self.makers)
        for key, new in self.new_makers.items():
            maker = CommitmentMaker.objects.create(
                name=new.name,
                category=new.category,
                country_code=new.country[0],
                country_name=new.country[1],
            )
            makers[key] = maker
            created_makers.append(maker)
        commitments = [
            create_commitment(maker=makers[planned.maker_key], data=planned.data, by=by)
            for planned in self.planned
        ]
        return ImportResult(commitments=commitments, makers_created=created_makers)


def _by_key(header: list[str], rows: list[tabular.Row]) -> tuple[list[str], list[tabular.Row]]:
    """The columns under their keys: exports and templates write the headers in their user's
    language, and a file must import for a user of any language. A header that names no column
    keeps its name, for the "Unknown columns" message. (tabular.normalise_header only lowercases
    and joins words with "_", which Columns.key_for folds back, so its names can be looked up.)"""
    keys = {name: selectors.EXPORT_COLUMNS.key_for(name) or name for name in header if name}
    return [keys.get(name, name) for name in header], [
        (number, {keys.get(name, name): value for name, value in cells.items()})
        for number, cells in rows
    ]


def import_commitments(*, file_name: str, content: bytes, by: User | None) -> ImportResult:
    """Create commitments (and their makers when new, matched by name) from an .xlsx or .csv
    file laid out like the template. ImportFileError lists every problem with its row number
    ("Row 5: …", the header being row 1); nothing is written unless the whole file is valid."""
    try:
        header, rows = tabular.read_table(file_name, content)
    except tabular.TableError as error:
        raise ImportFileError(error.messages) from error
    header, rows = _by_key(header, rows)
    importer = _Importer(header, rows)
    importer.run()
    if importer.errors:
        raise ImportFileError(importer.errors)
    return importer.write(by)
