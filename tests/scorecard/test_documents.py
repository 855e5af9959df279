"""The two JSON documents of docs/formats.md: framework versions and assessments.

Imports are all-or-nothing: a refused document must leave the database as it was.
"""

import copy
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.models import CountryTeam, Region, UNEntity
from scorecard import selectors, services
from scorecard.models import (
    ActionPoint,
    Assessment,
    Criterion,
    Evidence,
    Framework,
    Indicator,
    IndicatorAssessment,
)
from tests.conftest import FIXTURES, load_json

FRAMEWORK_FILE = FIXTURES / "framework_2018.json"
KAZ_FILE = FIXTURES / "demo" / "kaz-2022.json"


def find_pi(document: dict, code: str) -> dict:
    for dimension in document["dimensions"]:
        for indicator in dimension["indicators"]:
            if indicator["code"] == code:
                return indicator
    raise KeyError(code)


def scorecard_counts() -> dict[str, int]:
    return {
        "assessments": Assessment.objects.count(),
        "rows": IndicatorAssessment.objects.count(),
        "evidence": Evidence.objects.count(),
        "action_points": ActionPoint.objects.count(),
        "teams": CountryTeam.objects.count(),
        "regions": Region.objects.count(),
        "entities": UNEntity.objects.count(),
    }


@pytest.fixture
def framework_document():
    return copy.deepcopy(load_json("framework_2018.json"))


@pytest.fixture
def kaz_document():
    return copy.deepcopy(load_json("demo/kaz-2022.json"))


@pytest.fixture
def imported_kaz(framework, kaz_document):
    """Kazakhstan 2022 imported into a database holding only the framework."""
    assert CountryTeam.objects.count() == 0
    return services.import_assessment(document=kaz_document)


# --- Framework documents --------------------------------------------------------------------


def test_framework_document_round_trip_equals_fixture(framework):
    assert selectors.framework_document(framework) == load_json("framework_2018.json")


def test_validate_framework_document_fixture_has_no_problems(framework_document):
    assert services.validate_framework_document(framework_document) == []


def _unknown_criteria(document):
    find_pi(document, "1.1")["levels"]["approaches"]["criteria"].append("zz")


def _n_too_high(document):
    find_pi(document, "2.2")["levels"]["meets"]["n"] = 4


def _n_zero(document):
    find_pi(document, "2.2")["levels"]["meets"]["n"] = 0


def _missing_rule(document):
    del find_pi(document, "1.1")["levels"]["exceeds"]


def _band_without_label(document):
    find_pi(document, "4.3")["numeric_label"] = ""


def _band_rule_without_label(document):
    find_pi(document, "1.3")["numeric_label"] = ""


def _duplicate_pi(document):
    find_pi(document, "1.2")["code"] = "1.1"


def _wrong_format(document):
    document["format"] = "unct-swap-framework/2"


@pytest.mark.parametrize(
    ("defect", "message"),
    [
        (_unknown_criteria, "PI 1.1 approaches: unknown criteria zz"),
        (_n_too_high, "PI 2.2 meets: n must be between 1 and the criteria count"),
        (_n_zero, "PI 2.2 meets: n must be between 1 and the criteria count"),
        (_missing_rule, "PI 1.1: no rule for exceeds"),
        (_band_without_label, "PI 4.3: a band is used, so numeric_label is required"),
        (_band_rule_without_label, "PI 1.3: a band is used, so numeric_label is required"),
        (_duplicate_pi, "PI 1.1: duplicate PI code"),
        (_wrong_format, "format must be 'unct-swap-framework/1'"),
    ],
    ids=[
        "unknown-criteria",
        "n-too-high",
        "n-zero",
        "missing-rule",
        "band-criterion-without-label",
        "band-rule-without-label",
        "duplicate-pi",
        "wrong-format",
    ],
)
def test_validate_framework_document_reports_defect(framework_document, defect, message):
    defect(framework_document)

    assert services.validate_framework_document(framework_document) == [message]


def test_import_framework_bad_document_raises_and_writes_nothing(db, framework_document):
    _unknown_criteria(framework_document)
    _missing_rule(framework_document)

    with pytest.raises(services.DocumentError) as excinfo:
        services.import_framework(document=framework_document)

    assert excinfo.value.messages == [
        "PI 1.1 approaches: unknown criteria zz",
        "PI 1.1: no rule for exceeds",
    ]
    assert Framework.objects.count() == 0
    assert Indicator.objects.count() == 0


def test_import_framework_bad_new_version_leaves_existing_untouched(framework, framework_document):
    framework_document["version"] = "2024"
    _wrong_format(framework_document)

    with pytest.raises(services.DocumentError):
        services.import_framework(document=framework_document)

    assert list(Framework.objects.values_list("version", flat=True)) == ["2018"]


def test_import_framework_again_updates_text_in_place(kaz_2022, framework, framework_document):
    rows_before = dict(
        IndicatorAssessment.objects.filter(assessment=kaz_2022).values_list(
            "indicator__code", "indicator_id"
        )
    )
    pi = find_pi(framework_document, "2.2")
    pi["short_title"] = "Communication and advocacy (revised)"
    pi["criteria"][0]["text"] = "Revised text of criterion (a)."
    pi["levels"]["meets"]["text"] = "Revised meets text."
    framework_document["dimensions"][0]["title"] = "Planning (revised)"

    services.import_framework(document=framework_document)

    rows_after = dict(
        IndicatorAssessment.objects.filter(assessment=kaz_2022).values_list(
            "indicator__code", "indicator_id"
        )
    )
    assert rows_after == rows_before
    assert len(rows_after) == 15
    assert Framework.objects.count() == 1
    assert Indicator.objects.count() == 15
    indicator = Indicator.objects.get(framework=framework, code="2.2")
    assert indicator.pk == rows_before["2.2"]
    assert indicator.short_title == "Communication and advocacy (revised)"
    assert indicator.criteria.get(code="a").text == "Revised text of criterion (a)."
    assert indicator.rules.get(level="meets").text == "Revised meets text."
    assert indicator.dimension.number == 2
    assert framework.dimensions.get(number=1).title == "Planning (revised)"
    assert selectors.framework_document(framework) == framework_document


def test_import_framework_dropping_used_pi_refused(kaz_2022, framework, framework_document):
    criteria_before = Criterion.objects.count()
    find_pi(framework_document, "2.2")["short_title"] = "Changed in the refused document"
    framework_document["dimensions"] = [
        d for d in framework_document["dimensions"] if d["number"] != 7
    ]

    with pytest.raises(Exception) as excinfo:  # noqa: B017, PT011 -- see the assertion below
        services.import_framework(document=framework_document)

    # Nothing of the refused document is written.
    assert Indicator.objects.count() == 15
    assert Criterion.objects.count() == criteria_before
    assert Indicator.objects.get(code="2.2").short_title == "Communication & Advocacy"
    assert framework.dimensions.count() == 7
    assert selectors.framework_document(framework) == load_json("framework_2018.json")
    # BUG scorecard/services.py:200: `_` is rebound to the bool of update_or_create() earlier in
    # import_framework, so building this message raises TypeError instead of DocumentError.
    assert excinfo.type is services.DocumentError, (
        "import_framework must refuse a document dropping a used PI with DocumentError, "
        f"got {excinfo.type.__name__}: {excinfo.value}"
    )
    assert excinfo.value.messages == ["PIs that assessments use are missing from the document: 7.1"]


def test_assessment_document_round_trip_equals_fixture(imported_kaz):
    assert selectors.assessment_document(imported_kaz) == load_json("demo/kaz-2022.json")


def test_assessment_document_reimport_into_empty_database_is_identical(imported_kaz):
    exported = selectors.assessment_document(imported_kaz)
    Assessment.objects.all().delete()
    CountryTeam.objects.all().delete()
    UNEntity.objects.all().delete()
    Region.objects.all().delete()
    assert scorecard_counts() == {
        "assessments": 0,
        "rows": 0,
        "evidence": 0,
        "action_points": 0,
        "teams": 0,
        "regions": 0,
        "entities": 0,
    }

    again = services.import_assessment(document=exported)

    assert selectors.assessment_document(again) == exported
    assert selectors.assessment_document(again) == load_json("demo/kaz-2022.json")


def test_assessment_document_kazakhstan_2022_table_1(kaz_2022):
    document = selectors.assessment_document(kaz_2022)

    table = [(i["code"], i["rating"], i["reassessed"]) for i in document["indicators"]]

    assert table == [
        ("1.1", "approaches", False),
        ("1.2", "exceeds", False),
        ("1.3", "meets", False),
        ("2.1", "meets", False),
        ("2.2", "exceeds", True),
        ("2.3", "approaches", False),
        ("3.1", "exceeds", False),
        ("3.2", "meets", True),
        ("4.1", "meets", False),
        ("4.2", "meets", False),
        ("4.3", "approaches", False),
        ("5.1", "missing", False),
        ("5.2", "approaches", True),
        ("6.1", "approaches", True),
        ("7.1", "approaches", True),
    ]
    assert list(document) == [
        "format",
        "country_team",
        "year",
        "kind",
        "framework",
        "status",
        "process",
        "iat_members",
        "indicators",
        "action_points",
    ]
    assert document["country_team"]["code"] == "KAZ"
    assert document["year"] == 2022
    assert document["kind"] == "annual"
    assert document["framework"] == "2018"
    assert sum(len(i["evidence"]) for i in document["indicators"]) == 29
    assert len(document["action_points"]) == 15


def _broken(document: dict) -> dict:
    document["kind"] = "biennial"
    document["indicators"][0]["rating"] = "excellent"
    document["indicators"][1]["criteria_met"].append("zz")
    document["indicators"].append({**copy.deepcopy(document["indicators"][2]), "code": "9.9"})
    document["action_points"][0]["indicator"] = "9.9"
    return document


BROKEN_MESSAGES = [
    "kind must be one of comprehensive, annual",
    "indicators[1] (PI 1.1): rating must be missing, approaches, meets, exceeds or empty",
    "indicators[2] (PI 1.2): unknown criteria zz",
    "indicators[16] (PI 9.9): no such PI in framework 2018",
    "action_points[1]: unknown PI '9.9'",
]


def test_import_assessment_lists_every_problem_and_writes_nothing(framework, kaz_document):
    before = scorecard_counts()

    with pytest.raises(services.DocumentError) as excinfo:
        services.import_assessment(document=_broken(kaz_document))

    assert excinfo.value.messages == BROKEN_MESSAGES
    assert scorecard_counts() == before
    assert Assessment.objects.count() == 0
    assert CountryTeam.objects.count() == 0


def test_import_assessment_same_team_and_year_without_replace_refused(imported_kaz, kaz_document):
    before = scorecard_counts()

    with pytest.raises(services.DocumentError) as excinfo:
        services.import_assessment(document=kaz_document)

    assert excinfo.value.messages == ["KAZ 2022 exists already (replace it explicitly)"]
    assert scorecard_counts() == before
    assert list(Assessment.objects.values_list("pk", flat=True)) == [imported_kaz.pk]


def test_import_assessment_with_replace_replaces(imported_kaz, kaz_document):
    kaz_document["status"] = "approved"
    kaz_document["indicators"][0]["explanation"] = "Replaced explanation."

    replaced = services.import_assessment(document=kaz_document, replace=True)

    assert Assessment.objects.count() == 1
    assert Assessment.objects.get().pk == replaced.pk
    assert replaced.pk != imported_kaz.pk
    assert IndicatorAssessment.objects.count() == 15
    assert Evidence.objects.count() == 29
    assert ActionPoint.objects.count() == 15
    assert selectors.assessment_document(replaced) == kaz_document


# --- Management commands --------------------------------------------------------------------


def test_export_assessment_command_writes_the_document(imported_kaz, tmp_path):
    out = tmp_path / "kaz-2022.json"

    call_command("export_assessment", "KAZ", "2022", "--out", str(out))

    assert json.loads(out.read_text(encoding="utf-8")) == load_json("demo/kaz-2022.json")


def test_export_assessment_command_keeps_key_order_of_formats_doc(imported_kaz, tmp_path):
    out = tmp_path / "kaz-2022.json"

    call_command("export_assessment", "KAZ", "2022", "--out", str(out))

    # docs/formats.md: two-space indent, "keys in the order shown, so that an export diff is
    # readable"; findings are shown (and stored in the fixture) in criterion order.
    assert out.read_text(encoding="utf-8") == KAZ_FILE.read_text(encoding="utf-8"), (
        "export_assessment must reproduce fixtures/demo/kaz-2022.json byte for byte; on "
        "PostgreSQL the jsonb column IndicatorAssessment.findings returns its keys reordered "
        "(shortest first), and scorecard/selectors.py assessment_document exports them as is"
    )


def test_export_assessment_command_unknown_assessment_refused(imported_kaz, tmp_path):
    out = tmp_path / "none.json"

    with pytest.raises(CommandError) as excinfo:
        call_command("export_assessment", "kaz", "2019", "--out", str(out))

    assert str(excinfo.value) == "No assessment for KAZ 2019."
    assert not out.exists()


def test_import_assessment_command_broken_file_lists_problems(framework, kaz_document, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(_broken(kaz_document)), encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        call_command("import_assessment", str(path))

    assert str(excinfo.value) == "\n".join([f"{path} cannot be imported:", *BROKEN_MESSAGES])
    assert Assessment.objects.count() == 0
    assert CountryTeam.objects.count() == 0


def test_import_assessment_command_imports_file(framework):
    out = StringIO()

    call_command("import_assessment", str(KAZ_FILE), stdout=out)

    assert out.getvalue() == "Imported Kazakhstan 2022 (Annual progress assessment).\n"
    assert Assessment.objects.get().year == 2022


def test_export_framework_command_prints_fixture(framework):
    out = StringIO()

    call_command("export_framework", "2018", stdout=out)

    assert json.loads(out.getvalue()) == load_json("framework_2018.json")


def test_export_framework_command_keeps_key_order_of_formats_doc(framework):
    out = StringIO()

    call_command("export_framework", "2018", stdout=out)

    # docs/formats.md: "keys in the order shown, so that an export diff is readable"; an
    # at_least_n rule is shown as {"rule", "n", "criteria", ...}, as the fixture writes it.
    assert out.getvalue() == FRAMEWORK_FILE.read_text(encoding="utf-8"), (
        "export_framework must reproduce fixtures/framework_2018.json byte for byte; "
        "scorecard/selectors.py framework_document.rule_doc writes 'criteria' before 'n'"
    )
