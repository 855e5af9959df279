"""The 2018 framework fixture and the suggested-rating engine, without a database.

Expected ratings are written out from the decided rule table (codes, n, bands), never derived
from the fixture, so a wrong rule in fixtures/framework_2018.json fails here.
"""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from scorecard.rules import (
    Band,
    CriterionRule,
    IndicatorRules,
    LevelRuleSpec,
    criteria_satisfied,
    rules_from_document,
    suggest_rating,
)
from tests.conftest import PI_CODES

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "framework_2018.json"

D = Decimal


FRAMEWORK_CATEGORIES = [
    "Common Country Analysis",
    "Cooperation Framework documents",
    "Joint Program documents",
    "Communication/Advocacy",
    "Cooperation Framework reviews/monitoring data",
    "Government engagement",
    "GEWE CSO engagement",
    "RC communications",
    "Organizational culture survey",
    "Gender parity data",
    "Gender coordination mechanism",
    "Capacity development",
    "Financial resources",
    "Other",
]

LEVELS = ("approaches", "meets", "exceeds")


@pytest.fixture(scope="module")
def document():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rules(document):
    return rules_from_document(document)


def indicators(document):
    return [pi for dimension in document["dimensions"] for pi in dimension["indicators"]]


# --------------------------------------------------------------------------------------------
# Suggested rating for every PI: each level, and the edges of every band.
# (code, ticked criteria, numeric input, expected rating)
# --------------------------------------------------------------------------------------------

RATING_CASES = [
    # 1.1 approaches all[a_majority, b_some]; meets all[a_all, b_consistent]; exceeds meets+c
    ("1.1", [], None, "missing"),
    ("1.1", ["a_majority"], None, "missing"),
    ("1.1", ["b_some"], None, "missing"),
    ("1.1", ["c"], None, "missing"),
    ("1.1", ["a_majority", "b_some"], None, "approaches"),
    ("1.1", ["a_majority", "b_some", "c"], None, "approaches"),
    ("1.1", ["a_majority", "b_some", "a_all"], None, "approaches"),
    ("1.1", ["a_all", "b_consistent"], None, "meets"),
    ("1.1", ["a_majority", "b_some", "a_all", "b_consistent"], None, "meets"),
    ("1.1", ["a_all", "b_consistent", "c"], None, "exceeds"),
    ("1.1", ["a_majority", "b_some", "a_all", "b_consistent", "c"], None, "exceeds"),
    # 1.2 approaches all[a_some]; meets 1 of [a, b]; exceeds all[a, b]
    ("1.2", [], None, "missing"),
    ("1.2", ["a_some"], None, "approaches"),
    ("1.2", ["a"], None, "meets"),
    ("1.2", ["b"], None, "meets"),
    ("1.2", ["a_some", "b"], None, "meets"),
    ("1.2", ["a", "b"], None, "exceeds"),
    ("1.2", ["a_some", "a", "b"], None, "exceeds"),
    # 1.3 approaches [20, 33); meets [33, 50]; exceeds (50, ...)
    ("1.3", [], None, "missing"),
    ("1.3", [], D("0"), "missing"),
    ("1.3", [], D("19.99"), "missing"),
    ("1.3", [], D("20"), "approaches"),
    ("1.3", [], D("25"), "approaches"),
    ("1.3", [], D("32.99"), "approaches"),
    ("1.3", [], D("33"), "meets"),
    ("1.3", [], D("49"), "meets"),
    ("1.3", [], D("50"), "meets"),
    ("1.3", [], D("50.01"), "exceeds"),
    ("1.3", [], D("100"), "exceeds"),
    ("1.3", ["a"], D("19.99"), "missing"),
    # 2.1 approaches 1 of [a_majority, a, b]; meets all[a, b]; exceeds meets+c
    ("2.1", [], None, "missing"),
    ("2.1", ["c"], None, "missing"),
    ("2.1", ["a_majority"], None, "approaches"),
    ("2.1", ["a"], None, "approaches"),
    ("2.1", ["b"], None, "approaches"),
    ("2.1", ["a_majority", "b"], None, "approaches"),
    ("2.1", ["a", "c"], None, "approaches"),
    ("2.1", ["a", "b"], None, "meets"),
    ("2.1", ["a_majority", "a", "b"], None, "meets"),
    ("2.1", ["a", "b", "c"], None, "exceeds"),
    # 2.2 approaches 1 of [a, b, c]; meets 2 of [a, b, c]; exceeds meets+d
    ("2.2", [], None, "missing"),
    ("2.2", ["d"], None, "missing"),
    ("2.2", ["a"], None, "approaches"),
    ("2.2", ["b"], None, "approaches"),
    ("2.2", ["c"], None, "approaches"),
    ("2.2", ["a", "d"], None, "approaches"),
    ("2.2", ["a", "b"], None, "meets"),
    ("2.2", ["a", "c"], None, "meets"),
    ("2.2", ["b", "c"], None, "meets"),
    ("2.2", ["a", "b", "c"], None, "meets"),
    ("2.2", ["a", "b", "d"], None, "exceeds"),
    ("2.2", ["a", "b", "c", "d"], None, "exceeds"),
    # 2.3 approaches 1 of [a, b]; meets all[a, b, c]; exceeds meets+d
    ("2.3", [], None, "missing"),
    ("2.3", ["c"], None, "missing"),
    ("2.3", ["d"], None, "missing"),
    ("2.3", ["a"], None, "approaches"),
    ("2.3", ["b"], None, "approaches"),
    ("2.3", ["a", "b"], None, "approaches"),
    ("2.3", ["a", "c"], None, "approaches"),
    ("2.3", ["a", "b", "d"], None, "approaches"),
    ("2.3", ["a", "b", "c"], None, "meets"),
    ("2.3", ["a", "b", "c", "d"], None, "exceeds"),
    # 3.1 approaches 1 of [a, b, c]; meets 2 of [a, b, c]; exceeds all[a, b, c]
    ("3.1", [], None, "missing"),
    ("3.1", ["a"], None, "approaches"),
    ("3.1", ["b"], None, "approaches"),
    ("3.1", ["c"], None, "approaches"),
    ("3.1", ["a", "b"], None, "meets"),
    ("3.1", ["a", "c"], None, "meets"),
    ("3.1", ["b", "c"], None, "meets"),
    ("3.1", ["a", "b", "c"], None, "exceeds"),
    # 3.2 approaches 1 of [a, b, c]; meets 2 of [a, b, c]; exceeds all[a, b, c]
    ("3.2", [], None, "missing"),
    ("3.2", ["a"], None, "approaches"),
    ("3.2", ["b"], None, "approaches"),
    ("3.2", ["c"], None, "approaches"),
    ("3.2", ["a", "b"], None, "meets"),
    ("3.2", ["a", "c"], None, "meets"),
    ("3.2", ["b", "c"], None, "meets"),
    ("3.2", ["a", "b", "c"], None, "exceeds"),
    # 4.1 approaches 2 of [a..d]; meets 3 of [a..d]; exceeds all[a..d]
    ("4.1", [], None, "missing"),
    ("4.1", ["a"], None, "missing"),
    ("4.1", ["d"], None, "missing"),
    ("4.1", ["a", "b"], None, "approaches"),
    ("4.1", ["c", "d"], None, "approaches"),
    ("4.1", ["a", "b", "c"], None, "meets"),
    ("4.1", ["a", "b", "d"], None, "meets"),
    ("4.1", ["b", "c", "d"], None, "meets"),
    ("4.1", ["a", "b", "c", "d"], None, "exceeds"),
    # 4.2 approaches [50, 65); meets [65, 80); exceeds [80, ...)
    ("4.2", [], None, "missing"),
    ("4.2", [], D("0"), "missing"),
    ("4.2", [], D("49.99"), "missing"),
    ("4.2", [], D("50"), "approaches"),
    ("4.2", [], D("64.99"), "approaches"),
    ("4.2", [], D("65"), "meets"),
    ("4.2", [], D("73"), "meets"),
    ("4.2", [], D("79.99"), "meets"),
    ("4.2", [], D("80"), "exceeds"),
    ("4.2", [], D("100"), "exceeds"),
    # 4.3 approaches all[a]; meets all[a, b] with b = band [47, 53]; exceeds meets+c
    ("4.3", [], None, "missing"),
    ("4.3", [], D("50"), "missing"),
    ("4.3", ["c"], D("50"), "missing"),
    ("4.3", ["a"], None, "approaches"),
    ("4.3", ["a"], D("46.99"), "approaches"),
    ("4.3", ["a"], D("47"), "meets"),
    ("4.3", ["a"], D("50"), "meets"),
    ("4.3", ["a"], D("53"), "meets"),
    ("4.3", ["a"], D("53.01"), "approaches"),
    ("4.3", ["a"], D("55"), "approaches"),
    ("4.3", ["a", "b"], D("40"), "approaches"),
    ("4.3", ["a", "b"], None, "approaches"),
    ("4.3", ["a", "c"], None, "approaches"),
    ("4.3", ["a", "c"], D("46.99"), "approaches"),
    ("4.3", ["a", "c"], D("47"), "exceeds"),
    ("4.3", ["a", "c"], D("53"), "exceeds"),
    ("4.3", ["a", "c"], D("53.01"), "approaches"),
    # 5.1 approaches 2 of [a..d]; meets 3 of [a..d]; exceeds all[a..d]
    ("5.1", [], None, "missing"),
    ("5.1", ["b"], None, "missing"),
    ("5.1", ["a", "d"], None, "approaches"),
    ("5.1", ["b", "c"], None, "approaches"),
    ("5.1", ["a", "b", "c"], None, "meets"),
    ("5.1", ["a", "c", "d"], None, "meets"),
    ("5.1", ["a", "b", "c", "d"], None, "exceeds"),
    # 5.2 approaches all[a]; meets all[a, b]; exceeds meets+c
    ("5.2", [], None, "missing"),
    ("5.2", ["b"], None, "missing"),
    ("5.2", ["b", "c"], None, "missing"),
    ("5.2", ["a"], None, "approaches"),
    ("5.2", ["a", "c"], None, "approaches"),
    ("5.2", ["a", "b"], None, "meets"),
    ("5.2", ["a", "b", "c"], None, "exceeds"),
    # 6.1 approaches all[a]; meets all[a, b, c]; exceeds meets+d with d = band [15, ...)
    ("6.1", [], None, "missing"),
    ("6.1", [], D("30"), "missing"),
    ("6.1", ["b", "c"], D("30"), "missing"),
    ("6.1", ["a"], None, "approaches"),
    ("6.1", ["a"], D("26"), "approaches"),
    ("6.1", ["a", "b"], D("30"), "approaches"),
    ("6.1", ["a", "c"], D("30"), "approaches"),
    ("6.1", ["a", "b", "c"], None, "meets"),
    ("6.1", ["a", "b", "c"], D("0"), "meets"),
    ("6.1", ["a", "b", "c"], D("14.99"), "meets"),
    ("6.1", ["a", "b", "c", "d"], None, "meets"),
    ("6.1", ["a", "b", "c"], D("15"), "exceeds"),
    ("6.1", ["a", "b", "c"], D("26"), "exceeds"),
    ("6.1", ["a", "b", "c"], D("100"), "exceeds"),
    # 7.1 approaches all[a_some]; meets all[a_most]; exceeds meets+b
    ("7.1", [], None, "missing"),
    ("7.1", ["b"], None, "missing"),
    ("7.1", ["a_some"], None, "approaches"),
    ("7.1", ["a_some", "b"], None, "approaches"),
    ("7.1", ["a_most"], None, "meets"),
    ("7.1", ["a_some", "a_most"], None, "meets"),
    ("7.1", ["a_most", "b"], None, "exceeds"),
    ("7.1", ["a_some", "a_most", "b"], None, "exceeds"),
]


def _case_id(case):
    code, ticked, numeric, expected = case
    return f"{code}-[{','.join(ticked)}]-{numeric}-{expected}"


@pytest.mark.parametrize(
    ("code", "ticked", "numeric", "expected"), RATING_CASES, ids=map(_case_id, RATING_CASES)
)
def test_suggested_rating(rules, code, ticked, numeric, expected):
    assert suggest_rating(rules[code], ticked, numeric) == expected


def test_rating_cases_cover_every_level_of_every_pi():
    covered = {(code, expected) for code, _ticked, _numeric, expected in RATING_CASES}
    for code in PI_CODES:
        for level in ("missing", *LEVELS):
            assert (code, level) in covered, f"no case for PI {code} {level}"


KAZAKHSTAN_2022 = [
    ("2.2", ["b", "c", "d"], None, "exceeds"),
    ("3.2", ["a", "c"], None, "meets"),
    ("3.2", ["a", "b"], None, "meets"),
    ("5.2", ["a"], None, "approaches"),
    ("6.1", ["a"], D("26"), "approaches"),
    ("7.1", ["a_some"], None, "approaches"),
    ("1.3", [], D("49"), "meets"),
    ("4.2", [], D("73"), "meets"),
]


@pytest.mark.parametrize(
    ("code", "ticked", "numeric", "expected"), KAZAKHSTAN_2022, ids=map(_case_id, KAZAKHSTAN_2022)
)
def test_kazakhstan_2022_ratings_are_reproduced(rules, code, ticked, numeric, expected):
    assert suggest_rating(rules[code], ticked, numeric) == expected


# --------------------------------------------------------------------------------------------
# Shape of the fixture
# --------------------------------------------------------------------------------------------


def test_header(document):
    assert document["format"] == "unct-swap-framework/1"
    assert document["version"] == "2018"
    assert document["name"] == "UNCT-SWAP Gender Equality Scorecard (2018 Technical Guidance)"
    assert document["notes"]
    assert document["evidence_categories"] == FRAMEWORK_CATEGORIES


def test_dimensions(document):
    assert [(d["number"], d["title"]) for d in document["dimensions"]] == [
        (1, "Planning"),
        (2, "Programming and M&E"),
        (3, "Partnerships"),
        (4, "Leadership and Organizational Culture"),
        (5, "Gender Architecture and Capacities"),
        (6, "Financial Resources"),
        (7, "Results"),
    ]
    for dimension in document["dimensions"]:
        for pi in dimension["indicators"]:
            assert pi["code"].split(".")[0] == str(dimension["number"])


def test_indicator_codes_and_titles(document):
    pis = indicators(document)
    assert [pi["code"] for pi in pis] == PI_CODES
    assert [pi["short_title"] for pi in pis] == [
        "Common Country Analysis",
        "Cooperation Framework Outcomes",
        "Cooperation Framework Indicators",
        "Joint Programmes",
        "Communication & Advocacy",
        "Cooperation Framework M & E",
        "Engagement with Government",
        "Engagement with GEWE CSO",
        "Leadership for Gender Equality",
        "Organizational Culture",
        "Gender Parity",
        "Gender Coordination Mechanism",
        "Gender Mainstreaming Capacities",
        "Resource Allocation & Tracking",
        "GEWE Results",
    ]
    by_code = {pi["code"]: pi for pi in pis}
    assert by_code["1.1"]["statement"] == "Common Country Analysis integrates gender analysis"
    assert "Joint Programs" in by_code["2.1"]["aliases"]
    assert "Government Engagement" in by_code["3.1"]["aliases"]
    assert "GEWE CSO Engagement" in by_code["3.2"]["aliases"]
    assert "Financial Resources" in by_code["6.1"]["aliases"]
    for pi in pis:
        assert pi["statement"], pi["code"]
        assert pi["mov_hint"].startswith("E.g. "), pi["code"]
        assert isinstance(pi["aliases"], list)
        assert len(pi["statement"]) <= 300
        assert len(pi["numeric_label"]) <= 200


@pytest.mark.parametrize("code", PI_CODES)
def test_rules_reference_only_own_criteria(document, code):
    pi = next(p for p in indicators(document) if p["code"] == code)
    criteria = [c["code"] for c in pi["criteria"]]
    assert len(criteria) == len(set(criteria)), "duplicate criterion codes"
    assert set(pi["levels"]) == set(LEVELS)
    for level, spec in pi["levels"].items():
        assert spec["rule"] in {"all", "at_least_n", "band", "meets_plus"}, level
        assert set(spec.get("criteria", [])) <= set(criteria), level
        if spec["rule"] in {"all", "at_least_n", "meets_plus"}:
            assert spec["criteria"], level
        if spec["rule"] == "at_least_n":
            assert 1 <= spec["n"] <= len(spec["criteria"]), level
        if spec["rule"] == "band":
            assert spec.get("min") is not None or spec.get("max") is not None, level
        assert spec["text"], level
    assert pi["levels"]["exceeds"]["rule"] != "meets_plus" or "meets" in pi["levels"]


@pytest.mark.parametrize("code", PI_CODES)
def test_criteria_shape(document, code):
    pi = next(p for p in indicators(document) if p["code"] == code)
    for criterion in pi["criteria"]:
        assert criterion["level"] in LEVELS
        assert criterion["kind"] in {"check", "band"}
        assert len(criterion["letter"]) == 1
        assert criterion["text"]
        assert not criterion["text"].startswith("(")
        if criterion["kind"] == "band":
            assert criterion.get("min") is not None or criterion.get("max") is not None
    levels_in_order = [LEVELS.index(c["level"]) for c in pi["criteria"]]
    assert levels_in_order == sorted(levels_in_order), "criteria not listed level by level"


def test_statuses(document):
    statuses = set()
    for pi in indicators(document):
        statuses |= {c["status"] for c in pi["criteria"]}
        statuses |= {spec["status"] for spec in pi["levels"].values()}
    assert statuses == {"confirmed", "to_verify"}


def test_meets_plus_level_text(document):
    for pi in indicators(document):
        for level, spec in pi["levels"].items():
            if spec["rule"] == "meets_plus":
                assert spec["text"].startswith("Meets minimum requirements AND ("), (
                    pi["code"],
                    level,
                )


REQUIRED_CATEGORIES = {
    "2.1": "Joint Program documents",
    "2.2": "Communication/Advocacy",
    "2.3": "Cooperation Framework reviews/monitoring data",
    "3.1": "Government engagement",
    "3.2": "GEWE CSO engagement",
    "4.1": "RC communications",
    "5.2": "Capacity development",
    "6.1": "Financial resources",
    "7.1": "Cooperation Framework reviews/monitoring data",
}


def test_evidence_categories(document):
    for pi in indicators(document):
        categories = pi["evidence_categories"]
        assert set(categories) <= set(FRAMEWORK_CATEGORIES), pi["code"]
        assert "Other" in categories, pi["code"]
        assert len(categories) == len(set(categories)), pi["code"]
        if pi["code"] in REQUIRED_CATEGORIES:
            assert REQUIRED_CATEGORIES[pi["code"]] in categories, pi["code"]


def test_numeric_label_iff_band(document):
    with_label = []
    for pi in indicators(document):
        uses_band = any(spec["rule"] == "band" for spec in pi["levels"].values()) or any(
            c["kind"] == "band" for c in pi["criteria"]
        )
        assert bool(pi["numeric_label"]) == uses_band, pi["code"]
        if uses_band:
            with_label.append(pi["code"])
    assert with_label == ["1.3", "4.2", "4.3", "6.1"]


def test_fixture_is_utf8_two_space_json(document):
    raw = FIXTURE.read_text(encoding="utf-8")
    assert raw == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# Rule shapes in isolation
# --------------------------------------------------------------------------------------------


def checks(*codes):
    return {code: CriterionRule(code=code) for code in codes}


def test_all_rule():
    r = IndicatorRules(
        code="x",
        criteria=checks("a", "b"),
        levels={"approaches": LevelRuleSpec(kind="all", criteria=("a", "b"))},
    )
    assert suggest_rating(r, []) == "missing"
    assert suggest_rating(r, ["a"]) == "missing"
    assert suggest_rating(r, ["a", "b"]) == "approaches"
    assert suggest_rating(r, ["a", "b", "zzz"]) == "approaches"


def test_all_rule_with_no_criteria_never_holds():
    r = IndicatorRules(code="x", levels={"approaches": LevelRuleSpec(kind="all")})
    assert suggest_rating(r, []) == "missing"


def test_at_least_n_rule():
    r = IndicatorRules(
        code="x",
        criteria=checks("a", "b", "c"),
        levels={
            "approaches": LevelRuleSpec(kind="at_least_n", criteria=("a", "b", "c"), n=1),
            "meets": LevelRuleSpec(kind="at_least_n", criteria=("a", "b", "c"), n=2),
            "exceeds": LevelRuleSpec(kind="at_least_n", criteria=("a", "b", "c"), n=3),
        },
    )
    assert suggest_rating(r, []) == "missing"
    assert suggest_rating(r, ["c"]) == "approaches"
    assert suggest_rating(r, ["a", "c"]) == "meets"
    assert suggest_rating(r, ["a", "b", "c"]) == "exceeds"


def test_at_least_n_without_n_needs_all():
    r = IndicatorRules(
        code="x",
        criteria=checks("a", "b"),
        levels={"meets": LevelRuleSpec(kind="at_least_n", criteria=("a", "b"))},
    )
    assert suggest_rating(r, ["a"]) == "missing"
    assert suggest_rating(r, ["a", "b"]) == "meets"


def test_at_least_n_ignores_criteria_outside_its_list():
    r = IndicatorRules(
        code="x",
        criteria=checks("a", "b", "c"),
        levels={"approaches": LevelRuleSpec(kind="at_least_n", criteria=("a", "b"), n=2)},
    )
    assert suggest_rating(r, ["a", "c"]) == "missing"


BANDED = IndicatorRules(
    code="x",
    levels={
        "approaches": LevelRuleSpec(
            kind="band", band=Band(min=D("20"), max=D("33"), max_inclusive=False)
        ),
        "meets": LevelRuleSpec(kind="band", band=Band(min=D("33"), max=D("50"))),
        "exceeds": LevelRuleSpec(kind="band", band=Band(min=D("50"), min_inclusive=False)),
    },
)


@pytest.mark.parametrize(
    ("numeric", "expected"),
    [
        (None, "missing"),
        (D("-5"), "missing"),
        (D("19.99"), "missing"),
        (D("20"), "approaches"),
        (D("32.99"), "approaches"),
        (D("33"), "meets"),
        (D("50"), "meets"),
        (D("50.01"), "exceeds"),
        (D("1000000"), "exceeds"),
    ],
)
def test_band_rule_bounds(numeric, expected):
    assert suggest_rating(BANDED, [], numeric) == expected


@pytest.mark.parametrize(
    ("band", "inside", "outside"),
    [
        (Band(min=D("10"), max=D("20")), [D("10"), D("15"), D("20")], [D("9.99"), D("20.01")]),
        (
            Band(min=D("10"), max=D("20"), min_inclusive=False, max_inclusive=False),
            [D("10.01"), D("19.99")],
            [D("10"), D("20")],
        ),
        (Band(min=None, max=D("20")), [D("-100"), D("20")], [D("20.01")]),
        (Band(min=None, max=D("20"), max_inclusive=False), [D("19.99")], [D("20")]),
        (Band(min=D("10"), max=None), [D("10"), D("1e9")], [D("9.99")]),
        (Band(min=D("10"), max=None, min_inclusive=False), [D("10.01")], [D("10")]),
        (Band(), [D("0"), D("-1"), D("1e9")], [None]),
    ],
)
def test_band_contains(band, inside, outside):
    for value in inside:
        assert band.contains(value), value
    for value in outside:
        assert not band.contains(value), value
    assert not band.contains(None)


def test_band_level_without_band_never_holds():
    r = IndicatorRules(code="x", levels={"approaches": LevelRuleSpec(kind="band")})
    assert suggest_rating(r, [], D("50")) == "missing"


MEETS_PLUS = IndicatorRules(
    code="x",
    criteria=checks("a", "b", "c"),
    levels={
        "approaches": LevelRuleSpec(kind="all", criteria=("a",)),
        "meets": LevelRuleSpec(kind="all", criteria=("a", "b")),
        "exceeds": LevelRuleSpec(kind="meets_plus", criteria=("c",)),
    },
)


def test_meets_plus_holds_only_with_meets():
    assert suggest_rating(MEETS_PLUS, ["a", "b", "c"]) == "exceeds"
    assert suggest_rating(MEETS_PLUS, ["a", "b"]) == "meets"
    assert suggest_rating(MEETS_PLUS, ["a", "c"]) == "approaches"
    assert suggest_rating(MEETS_PLUS, ["c"]) == "missing"


def test_meets_plus_without_meets_rule_never_holds():
    r = IndicatorRules(
        code="x",
        criteria=checks("a", "c"),
        levels={
            "approaches": LevelRuleSpec(kind="all", criteria=("a",)),
            "exceeds": LevelRuleSpec(kind="meets_plus", criteria=("c",)),
        },
    )
    assert suggest_rating(r, ["a", "c"]) == "approaches"


BAND_CRITERION = IndicatorRules(
    code="x",
    criteria={
        "a": CriterionRule(code="a"),
        "b": CriterionRule(code="b", kind="band", band=Band(min=D("47"), max=D("53"))),
    },
    levels={
        "approaches": LevelRuleSpec(kind="all", criteria=("a",)),
        "meets": LevelRuleSpec(kind="all", criteria=("a", "b")),
    },
)


def test_band_criterion_with_numeric_none_is_not_met():
    assert criteria_satisfied(BAND_CRITERION, ["a", "b"], None) == {"a"}
    assert suggest_rating(BAND_CRITERION, ["a", "b"], None) == "approaches"


def test_band_criterion_is_met_by_the_number_not_by_ticking():
    assert criteria_satisfied(BAND_CRITERION, [], D("50")) == {"b"}
    assert criteria_satisfied(BAND_CRITERION, ["b"], D("60")) == set()
    assert suggest_rating(BAND_CRITERION, ["a"], D("47")) == "meets"
    assert suggest_rating(BAND_CRITERION, ["a"], D("53")) == "meets"
    assert suggest_rating(BAND_CRITERION, ["a"], D("53.01")) == "approaches"


def test_unticked_unknown_codes_are_ignored():
    assert criteria_satisfied(BAND_CRITERION, ["a", "zzz"], None) == {"a"}


def test_no_rules_gives_missing():
    assert suggest_rating(IndicatorRules(code="x"), ["a"], D("50")) == "missing"


def test_unknown_rule_kind_raises():
    r = IndicatorRules(
        code="x",
        criteria=checks("a"),
        levels={"meets": LevelRuleSpec(kind="any_of", criteria=("a",))},
    )
    with pytest.raises(ValueError, match="any_of"):
        suggest_rating(r, ["a"])


def test_rules_from_document_reads_bands_and_defaults():
    document = {
        "dimensions": [
            {
                "indicators": [
                    {
                        "code": "9.9",
                        "criteria": [
                            {"code": "a", "kind": "check"},
                            {"code": "b", "kind": "band", "min": 47, "max": None},
                        ],
                        "levels": {
                            "approaches": {
                                "rule": "band",
                                "min": "20",
                                "max": 33,
                                "max_inclusive": False,
                            },
                            "meets": {"rule": "at_least_n", "n": 1, "criteria": ["a", "b"]},
                        },
                    }
                ]
            }
        ]
    }
    r = rules_from_document(document)["9.9"]
    assert r.criteria["a"].band is None
    assert r.criteria["b"].band == Band(min=D("47"), max=None)
    assert r.levels["approaches"].band == Band(min=D("20"), max=D("33"), max_inclusive=False)
    assert r.levels["meets"].band is None
    assert suggest_rating(r, [], D("32.99")) == "approaches"
    assert suggest_rating(r, [], D("33")) == "missing"
    assert suggest_rating(r, [], D("47")) == "meets"
    assert suggest_rating(r, ["a"], None) == "meets"


BAND_TABLE = [
    # (code, level or criterion code, min, max, min_inclusive, max_inclusive)
    ("1.3", "approaches", 20, 33, True, False),
    ("1.3", "meets", 33, 50, True, True),
    ("1.3", "exceeds", 50, None, False, True),
    ("4.2", "approaches", 50, 65, True, False),
    ("4.2", "meets", 65, 80, True, False),
    ("4.2", "exceeds", 80, None, True, True),
    ("4.3", "b", 47, 53, True, True),
    ("6.1", "d", 15, None, True, True),
]


@pytest.mark.parametrize(("code", "key", "lo", "hi", "lo_inc", "hi_inc"), BAND_TABLE)
def test_band_specs_match_the_table(document, code, key, lo, hi, lo_inc, hi_inc):
    """Overlapping edges are invisible to suggest_rating (top-down), so pin the bands too."""
    pi = next(p for p in indicators(document) if p["code"] == code)
    spec = pi["levels"].get(key) or next(c for c in pi["criteria"] if c["code"] == key)
    assert spec.get("rule", spec.get("kind")) == "band"
    lo_d = None if spec.get("min") is None else D(str(spec["min"]))
    hi_d = None if spec.get("max") is None else D(str(spec["max"]))
    assert (lo_d, hi_d) == (None if lo is None else D(lo), None if hi is None else D(hi))
    assert spec.get("min_inclusive", True) is lo_inc
    assert spec.get("max_inclusive", True) is hi_inc
