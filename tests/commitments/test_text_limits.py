"""A commitment's texts have the limits of their model fields (core/limits.py) in the form, the API,
the services and the spreadsheet import, where an over-long cell is refused with its row number
and nothing is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commitments import forms, services
from commitments.models import Commitment, CommitmentMaker, ProgressReport
from core import limits
from core.limits import LONG_TEXT, MEDIUM_TEXT
from tests.commitments.test_api import API, client_for, payload
from tests.commitments.test_import import csv_bytes, problems, row

THIS_YEAR = timezone.now().year


def text(length: int) -> str:
    # Commas, not semicolons: a CSV whose first 4 KB are full of semicolons is read with ";" as
    # its delimiter (csv.Sniffer in commitments/tabular.py), a problem of its own.
    sentence = "Grants and training for rural women, égalité, равенство, 平等.\n"
    return (sentence * (length // len(sentence) + 1))[: length - 1] + "."


def too_long(limit: int) -> str:
    return f"Ensure this value has at most {limit} characters (it has {limit + 1})."


def test_the_limits_are_the_models():
    assert limits.field_limit(Commitment, "description") == MEDIUM_TEXT
    assert limits.field_limit(ProgressReport, "narrative") == LONG_TEXT
    assert forms.CommitmentForm.base_fields["description"].max_length == MEDIUM_TEXT
    assert forms.ProgressReportForm.base_fields["narrative"].max_length == LONG_TEXT


def test_the_import_refuses_over_long_cells_with_their_row_and_column(reference, kazakhstan):
    content = csv_bytes(
        [
            row(),  # row 2: fine, and not written either
            row(title="Childcare", description=text(MEDIUM_TEXT + 1)),  # row 3
            row(title=text(301)),  # row 4
            row(maker=text(201), title="Hotline"),  # row 5
            row(title="Maps", geography=text(301)),  # row 6
        ]
    )

    found = problems(content)  # asserts that nothing was written

    assert f"Row 3: description: {too_long(MEDIUM_TEXT)}" in found
    assert f"Row 4: title: {too_long(300)}" in found
    assert f"Row 5: maker: {too_long(200)}" in found
    assert f"Row 6: geography: {too_long(300)}" in found
    # Said once per cell: the rules do not repeat the length problem in their own words.
    assert [m for m in found if m.startswith("Row 4:")] == [f"Row 4: title: {too_long(300)}"]
    assert not any(m.startswith("Row 2:") for m in found)


def test_the_import_takes_a_description_at_the_limit(reference):
    content = csv_bytes([row(description=text(MEDIUM_TEXT))])

    result = services.import_commitments(file_name="gef.csv", content=content, by=None)

    (commitment,) = result.commitments
    assert len(commitment.description) == MEDIUM_TEXT


def test_the_api_refuses_an_over_long_description(gov_editor, kazakhstan):
    response = client_for(gov_editor).post(
        f"{API}/",
        {"maker": kazakhstan.pk, **payload(description=text(MEDIUM_TEXT + 1))},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["description"] == [
        f"Ensure this field has no more than {MEDIUM_TEXT} characters."
    ]
    assert not Commitment.objects.exists()


def test_the_rules_check_the_lengths_for_every_caller(kazakhstan, reference):
    data = services.CommitmentInput(
        title="Equal pay audits",
        description=text(MEDIUM_TEXT + 1),
        start_year=THIS_YEAR,
        end_year=THIS_YEAR,
        coalitions=[reference["ejr"]],
    )

    errors = services.commitment_errors(data, maker_name=kazakhstan.name, leads=set())

    assert errors == {"description": too_long(MEDIUM_TEXT)}
    with pytest.raises(ValidationError):
        services.create_commitment(maker=kazakhstan, data=data, by=None)
    assert not Commitment.objects.exists()


def test_a_progress_narrative_over_the_limit_is_refused(gov_editor, kazakhstan, reference):
    commitment = services.create_commitment(
        maker=kazakhstan,
        data=services.CommitmentInput(
            title="Shelters",
            start_year=THIS_YEAR - 1,
            end_year=THIS_YEAR,
            coalitions=[reference["gbv"]],
        ),
        by=None,
    )

    response = client_for(gov_editor).post(
        f"{API}/progress-reports/",
        {
            "commitment": commitment.pk,
            "year": THIS_YEAR,
            "progress_status": "in_progress",
            "narrative": text(LONG_TEXT + 1),
        },
        format="json",
    )
    with pytest.raises(ValidationError) as raised:
        services.file_progress_report(
            commitment=commitment,
            data=services.ProgressInput(
                year=THIS_YEAR, progress_status="in_progress", narrative=text(LONG_TEXT + 1)
            ),
            by=gov_editor,
        )

    assert response.status_code == 400
    assert list(response.json()) == ["detail", "narrative"]
    assert raised.value.message_dict == {"narrative": [too_long(LONG_TEXT)]}
    assert not ProgressReport.objects.exists()


def test_a_maker_name_over_the_limit_is_refused(reference):
    with pytest.raises(ValidationError) as raised:
        services.create_maker(name=text(201), category="member_state")

    assert raised.value.message_dict == {"name": [too_long(200)]}
    assert not CommitmentMaker.objects.exists()
