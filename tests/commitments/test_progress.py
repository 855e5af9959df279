"""Annual progress reports: one per commitment and year, within the commitment's period."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commitments import services
from commitments.models import ProgressReport
from commitments.services import ProgressInput
from tests.commitments.factories import CommitmentFactory

THIS_YEAR = timezone.now().year


@pytest.fixture
def financial(kazakhstan):
    return CommitmentFactory(
        maker=kazakhstan,
        types=["financial"],
        amount=Decimal("1000000"),
        currency="KZT",
        start_year=THIS_YEAR - 2,
        end_year=THIS_YEAR + 1,
    )


@pytest.fixture
def advocacy(kazakhstan):
    return CommitmentFactory(
        maker=kazakhstan, types=["advocacy"], start_year=THIS_YEAR - 1, end_year=THIS_YEAR
    )


def errors_of(commitment, payload: ProgressInput) -> dict[str, list[str]]:
    before = ProgressReport.objects.count()
    with pytest.raises(ValidationError) as raised:
        services.file_progress_report(commitment=commitment, data=payload, by=None)
    assert ProgressReport.objects.count() == before
    return raised.value.message_dict


def test_file_a_report_for_this_year(financial, gov_editor):
    report = services.file_progress_report(
        commitment=financial,
        data=ProgressInput(
            year=THIS_YEAR,
            progress_status="in_progress",
            narrative="  Shelters opened in 3 regions.  ",
            amount_disbursed=Decimal("250000"),
            currency="kzt",
        ),
        by=gov_editor,
    )
    report.refresh_from_db()
    assert (report.year, report.narrative, report.amount_disbursed, report.currency) == (
        THIS_YEAR,
        "Shelters opened in 3 regions.",
        Decimal("250000.00"),
        "KZT",
    )
    assert report.reported_by_name == gov_editor.get_full_name()
    assert timezone.is_aware(report.reported_at)


def test_one_report_per_commitment_and_year(advocacy):
    services.file_progress_report(
        commitment=advocacy, data=ProgressInput(year=THIS_YEAR, progress_status="delayed"), by=None
    )
    assert errors_of(advocacy, ProgressInput(year=THIS_YEAR, progress_status="completed")) == {
        "year": [f"A progress report for {THIS_YEAR} exists already: edit it instead."]
    }


def test_year_within_the_commitment_period(advocacy):
    payload = ProgressInput(year=THIS_YEAR - 2, progress_status="in_progress")
    assert errors_of(advocacy, payload) == {
        "year": [f"Report on a year of the commitment's period, {THIS_YEAR - 1} to {THIS_YEAR}."]
    }


def test_year_not_in_the_future(financial):
    payload = ProgressInput(year=THIS_YEAR + 1, progress_status="in_progress")
    assert errors_of(financial, payload) == {
        "year": [f"{THIS_YEAR + 1} has not started yet: report on {THIS_YEAR} or earlier."]
    }


def test_amount_disbursed_needs_a_currency_and_is_not_negative(financial):
    payload = ProgressInput(
        year=THIS_YEAR, progress_status="in_progress", amount_disbursed=Decimal("5")
    )
    assert errors_of(financial, payload) == {
        "currency": ["Give the currency of the amount disbursed."]
    }
    payload = ProgressInput(
        year=THIS_YEAR,
        progress_status="in_progress",
        amount_disbursed=Decimal("-1"),
        currency="KZT",
    )
    assert errors_of(financial, payload) == {
        "amount_disbursed": ["The amount disbursed cannot be negative."]
    }


def test_only_financial_commitments_report_disbursements(advocacy):
    payload = ProgressInput(
        year=THIS_YEAR, progress_status="in_progress", amount_disbursed=Decimal("5"), currency="USD"
    )
    assert errors_of(advocacy, payload) == {
        "amount_disbursed": ["Only a financial commitment reports an amount disbursed."]
    }


def test_unknown_status_and_missing_year(advocacy):
    assert errors_of(advocacy, ProgressInput(year=None, progress_status="great")) == {
        "year": ["Enter the year reported on."],
        "progress_status": ["Choose a progress status from the list."],
    }


def test_update_keeps_its_own_year_and_refuses_another_taken_year(advocacy, gov_editor):
    last = services.file_progress_report(
        commitment=advocacy,
        data=ProgressInput(year=THIS_YEAR - 1, progress_status="in_progress"),
        by=None,
    )
    services.file_progress_report(
        commitment=advocacy, data=ProgressInput(year=THIS_YEAR, progress_status="delayed"), by=None
    )
    services.update_progress_report(
        report=last,
        data=ProgressInput(year=THIS_YEAR - 1, progress_status="completed", narrative="Done."),
        by=gov_editor,
    )
    last.refresh_from_db()
    assert (last.progress_status, last.narrative, last.reported_by) == (
        "completed",
        "Done.",
        gov_editor,
    )
    with pytest.raises(ValidationError) as raised:
        services.update_progress_report(
            report=last,
            data=ProgressInput(year=THIS_YEAR, progress_status="completed"),
            by=gov_editor,
        )
    assert raised.value.message_dict == {
        "year": [f"A progress report for {THIS_YEAR} exists already: edit it instead."]
    }
