"""Parity test helpers: UN entities, staffing tables written as CSV or XLSX, and a reviewer.

The personas (team=KAZ, coordinator, iat, rc, viewer, outsider, admin_user) come from
tests/conftest.py.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.models import ReviewerScope
from parity import services
from tests.factories import RegionFactory, UNEntityFactory, UserFactory

ENTITIES = [
    "UNDP",
    "UNICEF",
    "UNFPA",
    "UN Women",
    "UNHCR",
    "IOM",
    "WHO",
    "UNESCO",
    "UNODC",
    "OHCHR",
    "FAO",
    "ILO",
]
HEADER = ["entity", "grade", "women", "men", "not_disclosed"]

# Twelve entities as a country team collects them; the expected figures are in
# tests/parity/test_status.py, computed by hand from this table.
TWELVE_ENTITIES = [
    ["UNDP", "D-1", 0, 1],
    ["UNDP", "P-4", 2, 2],
    ["UNDP", "NO-B", 6, 4],
    ["UNDP", "G-5", 8, 2],
    ["UNDP", "SC", 10, 10],
    ["UNICEF", "P-5", 1, 1],
    ["UNICEF", "NO-C", 4, 1],
    ["UNICEF", "G-6", 5, 0],
    ["UNFPA", "P-3", 1, 0],
    ["UNFPA", "NO-A", 3, 2],
    ["UNFPA", "G-4", 2, 2],
    ["UN Women", "P-4", 1, 0],
    ["UN Women", "NO-B", 3, 0],
    ["UN Women", "G-5", 2, 1],
    ["UN Women", "SC", 4, 1],
    ["UNHCR", "P-3", 0, 2],
    ["UNHCR", "G-3", 0, 4],
    ["IOM", "NO-A", 2, 2],
    ["IOM", "G-5", 3, 3],
    ["IOM", "SC", 5, 5],
    ["WHO", "P-5", 0, 1],
    ["WHO", "NO-C", 2, 2],
    ["UNESCO", "NO-B", 1, 1],
    ["UNODC", "G-4", 2, 4],
    ["OHCHR", "P-4", 1, 1],
    ["FAO", "NO-A", 1, 1],
    ["ILO", "G-6", 2, 0],
    ["ILO", "UNV", 1, 2],
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas are logged in with force_login; no need to pay for PBKDF2 on every user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def entities(db):
    return {acronym: UNEntityFactory(acronym=acronym) for acronym in ENTITIES}


def csv_bytes(rows, header=HEADER) -> bytes:
    lines = [",".join(str(v) for v in header)]
    lines += [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def csv_upload(rows, header=HEADER, name="staffing.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows, header), content_type="text/csv")


def xlsx_bytes(rows, header=HEADER, sheet="Staffing") -> bytes:
    """A workbook written cell by cell, so a `None` row stays an empty row in the file."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for column, value in enumerate(header, start=1):
        worksheet.cell(row=1, column=column, value=value)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row or [], start=1):
            if value is not None:
                worksheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_upload(rows, header=HEADER, name="staffing.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows, header))


def import_rows(team, year, rows, *, include_non_staff=None, as_of=None, source="HR focal points"):
    return services.import_staffing(
        country_team=team,
        year=year,
        file=csv_upload(rows),
        as_of=as_of or date(year, 12, 31),
        source=source,
        include_non_staff=include_non_staff,
        by=None,
    ).snapshot


@pytest.fixture
def twelve(team, entities):
    """KAZ 2022 imported from the twelve-entity table, non-staff in the headline."""
    return import_rows(team, 2022, TWELVE_ENTITIES)


@pytest.fixture
def reviewer(team):
    """A UN Women reviewer of KAZ's region: reads KAZ's parity from outside the team."""
    user = UserFactory(username="reviewer")
    scope = ReviewerScope.objects.create(user=user)
    scope.regions.add(RegionFactory())
    return user
