"""The scorecard HTML views through Django's test client: who sees what, and what each page shows.

Personas come from tests/conftest.py: `iat` and `coordinator` edit Kazakhstan (KAZ), `rc` and
`viewer` read it, `outsider` is an IAT member of Demoland (XDL) and must not learn KAZ exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from scorecard import services
from scorecard.models import (
    ActionPoint,
    Assessment,
    Evidence,
    EvidenceCategory,
    IATMember,
    Indicator,
    IndicatorAssessment,
)
from tests.conftest import PI_CODES

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


PI_2_2_CRITERIA = {
    "a": "(a) The UNCT has contributed collaboratively to at least one joint communication "
    "activity on GEEW during the past year",
    "b": "(b) The UNCT has contributed collaboratively to at least one joint advocacy campaign "
    "on GEEW during the past year",
    "c": "(c) Interagency Communication Group Annual Work Plan or equivalent visibly includes "
    "GEEW communication and advocacy",
    "d": "(d) The UNCT has contributed collaboratively to communication or advocacy in at least "
    "one non-traditional thematic area during the past year",
}

PI_URL = "/teams/KAZ/2022/pi/2.2/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Personas are logged in with force_login; no need to pay for PBKDF2 on every user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- A small HTML tree, to assert on what the page shows ---------------------------------------

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str | None) -> list[Node]:
        """Descendants by tag and attributes (data_testid= matches data-testid)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            node
            for node in self.iter()
            if node is not self
            and (tag is None or node.tag == tag)
            and all(node.attrs.get(k, False) == v for k, v in wanted.items())
        ]

    def find(self, tag: str | None = None, **attrs: str | None) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'}> with {attrs} on the page"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def page(response) -> Node:
    builder = _TreeBuilder()
    builder.feed(response.content.decode())
    builder.close()
    return builder.root


def checked_criteria(doc: Node) -> list[str]:
    return [
        box.attrs["value"]
        for box in doc.find_all("input", name="criteria_met")
        if "checked" in box.attrs
    ]


def suggested(doc: Node) -> str | None:
    return doc.find(data_testid="suggested-rating").attrs["data-rating"]


def alerts(doc: Node) -> list[str]:
    return [node.text() for node in doc.find_all(role="alert")]


def buttons(doc: Node) -> list[str]:
    return [node.text() for node in doc.find_all("button")]


def table_rows(doc: Node, testid: str) -> list[list[str]]:
    body = doc.find(data_testid=testid).find("tbody")
    return [
        [cell.text() for cell in row.children if isinstance(cell, Node)]
        for row in body.find_all("tr")
    ]


def textarea(doc: Node, name: str) -> str:
    return doc.find("textarea", name=name).text()


def db_state() -> dict[str, Any]:
    """Everything a scorecard write can touch, to prove a refused write changed nothing."""
    return {
        "assessments": list(
            Assessment.objects.order_by("pk").values_list(
                "pk", "year", "kind", "status", "process_description", "participation"
            )
        ),
        "rows": list(
            IndicatorAssessment.objects.order_by("pk").values_list(
                "pk", "version", "rating", "reassessed", "criteria_met", "findings"
            )
        ),
        "evidence": list(Evidence.objects.order_by("pk").values_list("pk", "title", "url")),
        "action_points": list(
            ActionPoint.objects.order_by("pk").values_list("pk", "text", "status")
        ),
        "iat_members": list(IATMember.objects.order_by("pk").values_list("pk", "name")),
    }


def pi_2_2_row(year: int = 2022) -> IndicatorAssessment:
    return IndicatorAssessment.objects.get(
        assessment__country_team__code="KAZ", assessment__year=year, indicator__code="2.2"
    )


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(framework__version="2018", code=code)


def pdf_upload(name: str = "campaign-report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


# --- Anonymous users and the home page ----------------------------------------------------------


# "/" is the front page for a visitor (tests/core/test_front_page.py).
@pytest.mark.parametrize("url", ["/teams/KAZ/", "/teams/KAZ/2022/", "/teams/KAZ/2022/pi/2.2/"])
def test_anonymous_redirected_to_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_home_lists_only_own_teams_with_role(client, iat, assessment, other_team):
    client.force_login(iat)

    doc = page(client.get("/"))

    headings = [h.text() for h in doc.find_all("h2")]
    assert headings == ["My country teams", "Kazakhstan KAZ · Europe and Central Asia"]
    assert "Demoland" not in doc.text()
    assert "Your role: IAT member" in doc.text()
    # The draft waits for the IAT member (its PIs to rate), then is listed under the team.
    assert [a.text() for a in doc.find_all("a", href="/teams/KAZ/2022/")] == [
        "Kazakhstan 2022",
        "2022 · Comprehensive assessment",
    ]


def test_home_admin_sees_every_team_without_role(client, admin_user, team, other_team):
    client.force_login(admin_user)

    doc = page(client.get("/"))

    teams = doc.find_all("h2")[1:]  # the first is the section heading
    assert [h.find("a").text() for h in teams] == ["Demoland", "Kazakhstan"]
    assert "Your role" not in doc.text()


# --- The isolation walk: every URL × every persona -----------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Any  # world → str
    data: Any = None  # world → dict
    kind: str = "read"  # read | write | coordinate
    ok: int = 200  # status when allowed
    marker: str = ""  # text the allowed page shows (tags stripped)
    changes: bool = True  # an allowed write changes the database


CASES = [
    Case("team", "get", lambda w: "/teams/KAZ/", marker="Kazakhstan KAZ"),
    Case("overview", "get", lambda w: "/teams/KAZ/2022/", marker="PI 2.2 Communication & Advocacy"),
    Case(
        "process",
        "get",
        lambda w: "/teams/KAZ/2022/process/",
        marker="The UNCT-SWAP process in Kazakhstan",
    ),
    Case("export", "get", lambda w: "/teams/KAZ/2022/export.json", marker='"code": "KAZ"'),
    Case(
        "action_plan",
        "get",
        lambda w: "/teams/KAZ/2022/action-plan/",
        marker="Publish a joint GEEW communication plan",
    ),
    Case("pi", "get", lambda w: PI_URL, marker="PI 2.2 Communication & Advocacy"),
    # Sections of the PI page loaded when opened (as pages of their own here: no htmx header).
    Case("pi_history", "get", lambda w: f"{PI_URL}open/history/", marker="Campaign report"),
    Case(
        "pi_evidence_form",
        "get",
        lambda w: f"{PI_URL}open/evidence/",
        kind="write",
        marker="File or a link",
        changes=False,
    ),
    Case(
        "pi_action_point_form",
        "get",
        lambda w: f"{PI_URL}open/action-point/",
        kind="write",
        marker="Add an action point",
        changes=False,
    ),
    Case(
        "suggest",
        "post",
        lambda w: f"{PI_URL}suggest/",
        lambda w: {"criteria_met": ["b", "c"]},
        marker="Suggested rating: Meets minimum requirements",
    ),
    Case("evidence_download", "get", lambda w: f"/evidence/{w.evidence.pk}/download/"),
    Case(
        "pi_save",
        "post",
        lambda w: PI_URL,
        lambda w: {"criteria_met": ["b", "c"], "rating": "meets", "version": w.row.version},
        kind="write",
        ok=302,
    ),
    Case(
        "process_save",
        "post",
        lambda w: "/teams/KAZ/2022/process/",
        lambda w: {
            "process_description": "The IAT met three times in November.",
            "participation": "UN Women, UNDP, UNICEF",
            "additional_comments": "",
            "iat-TOTAL_FORMS": "1",
            "iat-INITIAL_FORMS": "0",
            "iat-0-name": "Dina Amrisheva",
            "iat-0-title": "Programme Manager",
        },
        kind="write",
        ok=302,
    ),
    Case(
        "action_plan_add",
        "post",
        lambda w: "/teams/KAZ/2022/action-plan/",
        lambda w: {
            "indicator": w.indicator.pk,
            "text": "Train the communication group on GEEW messaging",
            "status": "not_started",
        },
        kind="write",
        ok=302,
    ),
    Case(
        "evidence_add",
        "post",
        lambda w: f"{PI_URL}evidence/",
        lambda w: {"title": "Work plan 2022", "url": "https://example.org/work-plan"},
        kind="write",
        ok=302,
    ),
    Case("reassess", "post", lambda w: f"{PI_URL}reassess/", kind="write", ok=302),
    Case(
        "action_point_edit_page",
        "get",
        lambda w: f"/action-points/{w.point.pk}/edit/",
        kind="write",
        ok=200,
        marker="Edit action point",
        changes=False,
    ),
    Case(
        "action_point_edit",
        "post",
        lambda w: f"/action-points/{w.point.pk}/edit/",
        lambda w: {
            "indicator": w.indicator.pk,
            "text": "Publish the joint GEEW communication plan online",
            "status": "in_progress",
        },
        kind="write",
        ok=302,
    ),
    # Not ready (no PI is rated): the coordinator is let in and told why nothing changed, on the
    # overview re-shown with the refusal (400) rather than a redirect that would lose the comment.
    Case(
        "send_for_endorsement",
        "post",
        lambda w: "/teams/KAZ/2022/workflow/",
        lambda w: {"action": "send_for_endorsement"},
        kind="coordinate",
        ok=400,
        changes=False,
    ),
    Case(
        "team_create",
        "post",
        lambda w: "/teams/KAZ/",
        # 2022 is still a draft: the coordinator confirms starting from it (issue 15).
        lambda w: {"year": 2023, "kind": "annual", "confirm_unapproved": "on"},
        kind="coordinate",
        ok=302,
    ),
]

PERSONAS = ["outsider", "viewer", "rc", "iat", "coordinator"]


def expected_status(persona: str, case: Case) -> int:
    if persona == "outsider":
        return 404
    if case.kind == "read":
        return case.ok
    if persona in ("viewer", "rc"):
        return 403
    if case.kind == "coordinate" and persona != "coordinator":
        return 403
    return case.ok


@pytest.fixture
def world(assessment, iat, coordinator, rc, viewer, outsider):
    row = assessment.indicator_assessments.select_related("indicator").get(indicator__code="2.2")
    evidence = services.add_evidence(
        row=row, by=iat, title="Campaign report", category=None, file=pdf_upload()
    )
    point = services.create_action_point(
        assessment=assessment,
        by=iat,
        indicator=row.indicator,
        text="Publish a joint GEEW communication plan",
    )
    return SimpleNamespace(row=row, indicator=row.indicator, evidence=evidence, point=point)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("persona", PERSONAS)
def test_isolation_walk_status_and_database(request, client, world, persona, case):
    client.force_login(request.getfixturevalue(persona))
    before = db_state()

    if case.method == "get":
        response = client.get(case.url(world))
    else:
        data = case.data(world) if case.data else {}
        response = client.post(case.url(world), data, headers={"HX-Request": "true"})

    status = expected_status(persona, case)
    assert response.status_code == status, f"{persona} {case.method.upper()} {case.name}"
    if status in (403, 404):
        body = response.content.decode()
        assert "Kazakhstan" not in body
        assert ("Page not found" if status == 404 else "Forbidden") in body
        assert db_state() == before, f"a refused {case.name} by {persona} changed the database"
    elif case.name == "evidence_download":
        # Reading the stream to its end makes the test client close the file; calling
        # response.close() ourselves would also close the database connection on PostgreSQL.
        assert response.getvalue() == PDF_BYTES
    elif status == 200:
        assert case.marker in page(response).text()
    if status in (200, 302) and case.kind == "read":
        assert db_state() == before, f"reading {case.name} changed the database"
    if status == 302:
        assert (db_state() != before) is case.changes


# --- The PI page -------------------------------------------------------------------------------


def rate_pi_2_2(row: IndicatorAssessment, by, **overrides: Any) -> IndicatorAssessment:
    data = {
        "rating": "meets",
        "criteria_met": ["b", "c"],
        "numeric_value": None,
        "findings": {"b": "Joint 16 Days of Activism campaign with four agencies."},
        "explanation": "",
        "override_justification": "",
        "means_of_verification": "Campaign report on the UN Kazakhstan website.",
        **overrides,
    }
    return services.save_indicator_assessment(
        row=row, by=by, data=services.RatingInput(**data), expected_version=row.version
    )


def test_pi_page_shows_criteria_checked_and_suggestion(client, viewer, assessment, iat):
    rate_pi_2_2(pi_2_2_row(), iat)
    client.force_login(viewer)

    response = client.get(PI_URL)

    assert response.status_code == 200
    doc = page(response)
    assert doc.find("h1").text() == "PI 2.2 Communication & Advocacy"
    labels = {code: doc.find("label", **{"for": f"crit-{code}"}).text() for code in "abcd"}
    assert labels == PI_2_2_CRITERIA
    assert checked_criteria(doc) == ["b", "c"]
    assert suggested(doc) == "meets"
    assert doc.find(data_testid="suggested-rating").text() == "Meets minimum requirements"
    assert doc.find(data_testid="saved-rating").find("span").attrs["data-rating"] == "meets"
    assert textarea(doc, "finding_b") == "Joint 16 Days of Activism campaign with four agencies."
    assert textarea(doc, "finding_a") == ""
    assert doc.find_all(data_testid="differs-note") == []


def test_pi_page_read_only_for_viewer(client, viewer, assessment):
    client.force_login(viewer)

    doc = page(client.get(PI_URL))

    assert "Save PI" not in buttons(doc)
    assert "disabled" in doc.find("form", id="pi-form").find("fieldset").attrs
    assert doc.find_all(data_testid="evidence-form") == []
    assert doc.find_all(data_testid="action-point-form") == []


def test_pi_page_editable_for_iat(client, iat, assessment):
    client.force_login(iat)

    doc = page(client.get(PI_URL))

    assert "Save PI" in buttons(doc)
    assert "disabled" not in doc.find("form", id="pi-form").find("fieldset").attrs
    assert doc.find("input", name="version").attrs["value"] == "1"
    assert checked_criteria(doc) == []
    assert suggested(doc) == "missing"


def test_pi_page_post_saves_rating_and_findings(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        PI_URL,
        {
            "criteria_met": ["b", "c"],
            "rating": "meets",
            "finding_b": "Joint 16 Days of Activism campaign with four agencies.",
            "version": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == PI_URL
    row = pi_2_2_row()
    assert row.rating == "meets"
    assert row.suggested_rating == "meets"
    assert row.criteria_met == ["b", "c"]
    assert row.findings == {"b": "Joint 16 Days of Activism campaign with four agencies."}
    assert row.version == 2
    assert row.reassessed is True
    assert row.updated_by == iat
    doc = page(client.get(PI_URL))
    assert alerts(doc) == ["PI 2.2 saved."]
    assert checked_criteria(doc) == ["b", "c"]


def test_pi_page_post_rating_above_suggestion_without_reason_is_refused(client, iat, assessment):
    client.force_login(iat)
    before = db_state()

    response = client.post(
        PI_URL,
        {
            "criteria_met": ["b", "c"],
            "rating": "exceeds",
            "finding_b": "Orange the World campaign in Almaty and Astana.",
            "means_of_verification": "Photos and press releases of the campaign.",
            "version": "1",
        },
    )

    assert response.status_code == 400
    doc = page(response)
    assert textarea(doc, "finding_b") == "Orange the World campaign in Almaty and Astana."
    assert textarea(doc, "means_of_verification") == "Photos and press releases of the campaign."
    assert checked_criteria(doc) == ["b", "c"]
    assert doc.find("select", name="rating").find("option", selected=None).attrs["value"] == (
        "exceeds"
    )
    assert (
        "The rating differs from the suggested rating (Meets minimum requirements): explain why."
        in doc.text()
    )
    assert suggested(doc) == "meets"
    assert len(doc.find_all(data_testid="differs-note")) == 1
    assert db_state() == before


def test_pi_page_post_rating_above_suggestion_with_reason_is_saved(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        PI_URL,
        {
            "criteria_met": ["b", "c"],
            "rating": "exceeds",
            "override_justification": "The campaign reached every region of the country.",
            "version": "1",
        },
    )

    assert response.status_code == 302
    row = pi_2_2_row()
    assert (row.rating, row.suggested_rating) == ("exceeds", "meets")
    assert row.override_justification == "The campaign reached every region of the country."


def test_pi_page_concurrent_edit_second_save_gets_conflict(client, iat, coordinator, assessment):
    client.force_login(iat)
    other = Client()
    other.force_login(coordinator)
    first_version = page(client.get(PI_URL)).find("input", name="version").attrs["value"]
    second_version = page(other.get(PI_URL)).find("input", name="version").attrs["value"]
    assert first_version == second_version == "1"

    first = client.post(
        PI_URL,
        {
            "criteria_met": ["b", "c"],
            "rating": "meets",
            "finding_b": "Saved first by the IAT member.",
            "version": first_version,
        },
    )
    second = other.post(
        PI_URL,
        {
            "criteria_met": ["b", "c", "d"],
            "rating": "exceeds",
            "finding_d": "Typed by the coordinator at the same time.",
            "version": second_version,
        },
    )

    assert first.status_code == 302
    assert second.status_code == 409
    doc = page(second)
    conflict = doc.find(data_testid="conflict")
    assert "(b) Saved first by the IAT member." in conflict.text()
    assert "Criteria met: b, c" in conflict.text()
    assert textarea(doc, "finding_d") == "Typed by the coordinator at the same time."
    assert checked_criteria(doc) == ["b", "c", "d"]
    assert doc.find("input", name="version").attrs["value"] == "2"
    assert alerts(doc) == [
        "iat saved this PI while you were editing it. Your text is still in the form below; "
        "compare it with their version and save again."
    ]
    row = pi_2_2_row()
    assert (row.rating, row.criteria_met, row.version) == ("meets", ["b", "c"], 2)
    assert row.findings == {"b": "Saved first by the IAT member."}
    assert row.updated_by == iat

    # The re-shown form carries the new version, so saving it again now goes through.
    again = other.post(
        PI_URL,
        {
            "criteria_met": ["b", "c", "d"],
            "rating": "exceeds",
            "finding_d": "Typed by the coordinator at the same time.",
            "version": "2",
        },
    )
    assert again.status_code == 302
    assert (pi_2_2_row().rating, pi_2_2_row().version) == ("exceeds", 3)


@pytest.mark.parametrize(
    ("data", "rating", "differs"),
    [
        ({"criteria_met": ["b", "c", "d"]}, "exceeds", False),
        ({"criteria_met": ["b"]}, "approaches", False),
        ({"criteria_met": []}, "missing", False),
        ({"criteria_met": ["b", "c"], "rating": "missing"}, "meets", True),
        ({"criteria_met": ["b", "c"], "rating": "meets"}, "meets", False),
    ],
)
def test_pi_suggest_follows_ticked_criteria(client, iat, assessment, data, rating, differs):
    client.force_login(iat)

    response = client.post(f"{PI_URL}suggest/", data, headers={"HX-Request": "true"})

    assert response.status_code == 200
    doc = page(response)
    assert suggested(doc) == rating
    assert len(doc.find_all(data_testid="differs-note")) == (1 if differs else 0)
    assert "<html" not in response.content.decode()  # a fragment for htmx, not a page
    assert pi_2_2_row().version == 1


# --- Carried PIs (annual assessments) -------------------------------------------------------


def test_carried_pi_page_is_locked_with_reassess_button(client, iat, kaz_2022):
    client.force_login(iat)

    doc = page(client.get("/teams/KAZ/2022/pi/4.3/"))

    carried = doc.find(data_testid="carried")
    assert carried.text().startswith(
        "Not reassessed this year: the rating and text below are carried over from an earlier "
        "assessment."
    )
    assert buttons(carried) == ["Reassess this PI this year"]
    assert "Save PI" not in buttons(doc)
    assert "disabled" in doc.find("form", id="pi-form").find("fieldset").attrs
    assert doc.find(data_testid="reassessed").text() == "No"


def test_carried_pi_post_is_refused(client, iat, kaz_2022):
    client.force_login(iat)
    before = db_state()

    response = client.post(
        "/teams/KAZ/2022/pi/4.3/",
        {"criteria_met": ["a"], "rating": "approaches", "numeric_value": "50", "version": "1"},
    )

    assert response.status_code == 403
    assert db_state() == before


def test_carried_pi_reassess_unlocks_it(client, iat, kaz_2022):
    client.force_login(iat)
    version = IndicatorAssessment.objects.get(assessment=kaz_2022, indicator__code="4.3").version

    response = client.post("/teams/KAZ/2022/pi/4.3/reassess/")

    assert response.status_code == 302
    assert response["Location"] == "/teams/KAZ/2022/pi/4.3/"
    row = IndicatorAssessment.objects.get(assessment=kaz_2022, indicator__code="4.3")
    assert (row.reassessed, row.carried_from_year, row.version) == (True, None, version + 1)
    doc = page(client.get("/teams/KAZ/2022/pi/4.3/"))
    assert doc.find_all(data_testid="carried") == []
    assert "Save PI" in buttons(doc)
    assert alerts(doc) == ["PI 4.3 is now being reassessed this year."]


def test_carried_pi_links_to_year_it_was_assessed(client, iat, coordinator, team, kaz_2022):
    services.create_annual_assessment(country_team=team, year=2023, by=coordinator)
    client.force_login(iat)

    doc = page(client.get("/teams/KAZ/2023/pi/2.2/"))

    carried = doc.find(data_testid="carried")
    link = carried.find("a")
    assert link.attrs["href"] == "/teams/KAZ/2022/pi/2.2/"
    assert link.text() == "the 2022 assessment"
    assert checked_criteria(doc) == ["b", "c", "d"]


# --- Evidence ----------------------------------------------------------------------------------


def test_evidence_upload_listed_and_downloaded(client, iat, viewer, assessment):
    category = EvidenceCategory.objects.get(
        framework__version="2018", name="Communication/Advocacy"
    )
    client.force_login(iat)

    response = client.post(
        f"{PI_URL}evidence/",
        {"title": "16 Days campaign report", "category": category.pk, "file": pdf_upload()},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{PI_URL}#evidence"
    evidence = Evidence.objects.get()
    rows = table_rows(page(client.get(PI_URL)), "evidence-table")
    assert len(rows) == 1
    assert rows[0][:2] == ["Communication/Advocacy", "16 Days campaign report campaign-report.pdf"]
    assert rows[0][3].startswith(iat.get_full_name())

    client.force_login(viewer)
    download = client.get(f"/evidence/{evidence.pk}/download/")
    assert download.status_code == 200
    assert download.getvalue() == PDF_BYTES
    assert download["Content-Disposition"] == 'attachment; filename="campaign-report.pdf"'
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"


def test_evidence_upload_executable_disguised_as_pdf_is_refused(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        f"{PI_URL}evidence/",
        {
            "title": "Suspicious attachment",
            "file": SimpleUploadedFile("x.pdf", EXE_BYTES, content_type="application/pdf"),
        },
    )

    assert response.status_code == 400
    doc = page(response)
    assert "The content of x.pdf is not a valid PDF file." in doc.text()
    form = doc.find(data_testid="evidence-form")
    assert form.find("input", name="title").attrs["value"] == "Suspicious attachment"
    opened = [
        d for d in doc.find_all("details", open=None) if d.find_all(data_testid="evidence-form")
    ]
    assert len(opened) == 1, "the evidence form is shown open again"
    assert Evidence.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_evidence_download_of_link_only_evidence_is_404(client, iat, assessment):
    evidence = services.add_evidence(
        row=pi_2_2_row(), by=iat, title="Website", category=None, url="https://example.org/"
    )
    client.force_login(iat)

    assert client.get(f"/evidence/{evidence.pk}/download/").status_code == 404


# --- Action plan -------------------------------------------------------------------------------


def test_action_plan_post_adds_point_under_its_dimension(client, iat, assessment):
    client.force_login(iat)
    services.create_action_point(
        assessment=assessment,
        by=iat,
        indicator=indicator("1.1"),
        text="Update the gender analysis of the CCA",
    )

    response = client.post(
        "/teams/KAZ/2022/action-plan/",
        {
            "indicator": indicator("2.2").pk,
            "text": "Run a joint 16 Days campaign",
            "responsible": "Gender Theme Group",
            "status": "not_started",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/teams/KAZ/2022/action-plan/"
    doc = page(client.get("/teams/KAZ/2022/action-plan/"))
    assert alerts(doc) == ["Action point added."]
    assert table_rows(doc, "action-plan") == [
        ["Dimension 1 – Planning"],
        [
            "1.1 Common Country Analysis",
            "Update the gender analysis of the CCA",
            "",
            "",
            "",
            "",
            "Not started",
            "Edit Withdraw Withdraw",
        ],
        ["Dimension 2 – Programming and M&E"],
        [
            "2.2 Communication & Advocacy",
            "Run a joint 16 Days campaign Gender Theme Group",
            "",
            "",
            "",
            "",
            "Not started",
            "Edit Withdraw Withdraw",
        ],
    ]


def test_action_plan_post_from_pi_page_returns_there(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        "/teams/KAZ/2022/action-plan/",
        {
            "indicator": indicator("2.2").pk,
            "text": "Run a joint 16 Days campaign",
            "status": "not_started",
            "next": f"{PI_URL}#action-points",
        },
    )

    assert response["Location"] == f"{PI_URL}#action-points"
    items = page(client.get(PI_URL)).find(data_testid="action-points").find_all("li")
    assert [li.find("span").text() for li in items] == ["Run a joint 16 Days campaign"]


def test_action_plan_post_ignores_next_to_another_site(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        "/teams/KAZ/2022/action-plan/",
        {
            "indicator": indicator("2.2").pk,
            "text": "Run a joint 16 Days campaign",
            "status": "not_started",
            "next": "//evil.example.org/",
        },
    )

    assert response["Location"] == "/teams/KAZ/2022/action-plan/"


def test_action_plan_post_without_text_reshows_form(client, iat, assessment):
    client.force_login(iat)

    response = client.post(
        "/teams/KAZ/2022/action-plan/",
        {
            "indicator": indicator("2.2").pk,
            "text": "",
            "responsible": "Gender Theme Group",
            "status": "not_started",
        },
    )

    assert response.status_code == 400
    doc = page(response)
    assert doc.find("input", name="responsible").attrs["value"] == "Gender Theme Group"
    assert "This field is required." in doc.text()
    assert table_rows(doc, "action-plan") == [["No action points yet."]]
    assert ActionPoint.objects.count() == 0


def test_action_point_edit_saves_changes(client, iat, assessment):
    point = services.create_action_point(
        assessment=assessment,
        by=iat,
        indicator=indicator("2.2"),
        text="Run a joint 16 Days campaign",
    )
    client.force_login(iat)
    url = f"/action-points/{point.pk}/edit/"
    doc = page(client.get(url))
    assert textarea(doc, "text") == "Run a joint 16 Days campaign"

    response = client.post(
        url,
        {
            "indicator": indicator("2.2").pk,
            "text": "Run a joint 16 Days campaign in all regions",
            "status": "in_progress",
            "activities_year_1": "Campaign held in Almaty and Astana.",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/teams/KAZ/2022/action-plan/"
    point.refresh_from_db()
    assert point.text == "Run a joint 16 Days campaign in all regions"
    assert point.status == "in_progress"
    assert point.activities_year_1 == "Campaign held in Almaty and Astana."
    rows = table_rows(page(client.get("/teams/KAZ/2022/action-plan/")), "action-plan")
    assert rows[1] == [
        "2.2 Communication & Advocacy",
        "Run a joint 16 Days campaign in all regions",
        "Campaign held in Almaty and Astana.",
        "",
        "",
        "",
        "In progress",
        "Edit Withdraw Withdraw",
    ]


# --- Export ------------------------------------------------------------------------------------


def test_export_button_downloads_json_with_15_pis(client, viewer, assessment):
    client.force_login(viewer)
    overview = page(client.get("/teams/KAZ/2022/"))
    link = overview.find("a", href="/teams/KAZ/2022/export.json")
    assert link.text() == "Download JSON"

    response = client.get(link.attrs["href"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="unct-swap-KAZ-2022.json"'
    document = json.loads(response.content)
    assert document["format"] == "unct-swap-assessment/1"
    assert (document["country_team"]["code"], document["year"]) == ("KAZ", 2022)
    assert [pi["code"] for pi in document["indicators"]] == PI_CODES


# --- Team page: starting assessments ----------------------------------------------------------


def test_team_page_coordinator_creates_annual_assessment(client, coordinator, assessment):
    client.force_login(coordinator)

    response = client.post(
        "/teams/KAZ/", {"year": "2023", "kind": "annual", "confirm_unapproved": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/teams/KAZ/2023/"
    created = Assessment.objects.get(country_team__code="KAZ", year=2023)
    assert created.kind == "annual"
    assert created.indicator_assessments.count() == 15
    doc = page(client.get(response["Location"]))
    assert alerts(doc) == ["Assessment 2023 created."]
    assert doc.find("h1").text() == "Kazakhstan 2023"


def test_team_page_iat_cannot_create_assessment(client, iat, assessment):
    client.force_login(iat)
    doc = page(client.get("/teams/KAZ/"))
    assert "Start an assessment" not in doc.text()

    response = client.post("/teams/KAZ/", {"year": "2023", "kind": "annual"})

    assert response.status_code == 403
    assert list(Assessment.objects.values_list("year", flat=True)) == [2022]


def test_team_page_duplicate_year_shows_error(client, coordinator, assessment):
    client.force_login(coordinator)

    response = client.post(
        "/teams/KAZ/", {"year": "2022", "kind": "comprehensive", "confirm_unapproved": "on"}
    )

    assert response.status_code == 200
    assert "Kazakhstan already has an assessment for 2022." in page(response).text()
    assert Assessment.objects.count() == 1


def test_team_page_annual_without_earlier_assessment_shows_error(client, coordinator, team):
    client.force_login(coordinator)

    response = client.post("/teams/KAZ/", {"year": "2022", "kind": "annual"})

    assert response.status_code == 200
    assert (
        "An annual assessment continues an earlier one; start with a comprehensive one."
        in page(response).text()
    )
    assert Assessment.objects.count() == 0


# --- Sending for endorsement ------------------------------------------------------------------


def test_send_for_endorsement_makes_assessment_read_only(client, coordinator, kaz_2022):
    client.force_login(coordinator)
    label = "Send to the UNCT for endorsement"
    assert label in buttons(page(client.get("/teams/KAZ/2022/")))

    response = client.post("/teams/KAZ/2022/workflow/", {"action": "send_for_endorsement"})

    assert response.status_code == 302
    assert response["Location"] == "/teams/KAZ/2022/"
    kaz_2022.refresh_from_db()
    assert kaz_2022.status == "awaiting_endorsement"
    overview = page(client.get("/teams/KAZ/2022/"))
    assert alerts(overview) == ["Done: the assessment is now “Awaiting UNCT endorsement”."]
    assert overview.find(data_testid="workflow-status").text() == "Awaiting UNCT endorsement"
    assert label not in buttons(overview)
    for pi in ("2.2", "4.3"):
        doc = page(client.get(f"/teams/KAZ/2022/pi/{pi}/"))
        assert "Save PI" not in buttons(doc), f"PI {pi} still editable"
        assert "Reassess this PI this year" not in buttons(doc)
        assert doc.find_all(data_testid="evidence-form") == []
    before = db_state()
    refused = client.post(PI_URL, {"criteria_met": ["b"], "rating": "approaches", "version": "1"})
    assert refused.status_code == 403
    assert db_state() == before


def test_send_for_endorsement_not_ready_explains_why(client, coordinator, assessment):
    client.force_login(coordinator)

    response = client.post(
        "/teams/KAZ/2022/workflow/",
        {"action": "send_for_endorsement", "comment": "Ready for the RC, I think."},
    )

    assert response.status_code == 400
    doc = page(response)
    summary = doc.find(data_testid="error-summary")
    shown = [li.text() for li in summary.find_all("li")]
    assert len(shown) == 15
    assert shown[0] == "PI 1.1 is reassessed but not rated."
    assert textarea(doc, "comment") == "Ready for the RC, I think."
    assessment.refresh_from_db()
    assert assessment.status == "draft"
