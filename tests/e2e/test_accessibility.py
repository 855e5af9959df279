"""WCAG 2.1 AA in the browser: axe-core (the copy inside axe-playwright-python) runs on every
HTML page of the site, as each persona who sees it, in English and, for a representative subset,
in Arabic (right to left). No violation of impact "critical" or "serious" may be left; the
"moderate" and "minor" ones are printed, for the record.

The pages are visited in one test, on one load of the demo data, with one logged-in browser
context per persona and language: the whole walk stays within a couple of minutes. The
assessment is walked through its states too (draft, submitted, in review, returned), since each
shows other buttons, forms and notices.

On failure the message lists each violation: page, persona, language, rule, impact, element.
Set A11Y_REPORT=<file.json> to keep every violation found (all impacts) for a before/after count.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.urls import Resolver404, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from openpyxl import load_workbook

from commitments.models import Commitment, MakerMembership, ProgressReport
from core import services as core_services
from core.models import CountryTeam, Membership
from hub.models import Practice
from scorecard import workflow
from scorecard.models import ActionPoint, Assessment, Evidence
from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

ANON = "anonymous"
TEAM = ["kaz-iat", "kaz-coordinator", "kaz-rc", "kaz-viewer"]
REVIEWER = "unw-reviewer"
ADMIN = "admin"
EDITOR = "kaz-gov-editor"  # the demo commitment maker's editor (setup_commitments_demo)
LOGGED_IN = [*TEAM, REVIEWER, ADMIN]
EVERYONE = [ANON, *LOGGED_IN, EDITOR]
SEVERE = {"critical", "serious"}
A = "/teams/KAZ/2022"


@dataclass
class Visit:
    """One page, who looks at it (in English; `arabic`: who also in Arabic), and the status it
    answers with."""

    name: str
    path: str
    personas: list[str]
    arabic: list[str] = field(default_factory=list)
    status: int = 200
    ready: str | None = None  # a selector to wait for: pages that draw after loading (API docs)
    action: Any = None  # instead of a plain visit: page → response status (a form posted …)
    wait_until: str = "load"


@dataclass
class Finding:
    page: str
    persona: str
    language: str
    rule: str
    impact: str
    target: str
    help: str

    def line(self) -> str:
        return (
            f"{self.impact:<8} {self.rule:<28} {self.page} as {self.persona} [{self.language}]"
            f"  → {self.target}  ({self.help})"
        )


@dataclass
class Walk:
    """The browser contexts, one per (persona, language), made on first use and kept."""

    browser: Any
    base_url: str
    pages: dict[tuple[str, str], Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    wrong_status: list[str] = field(default_factory=list)
    visited: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)
    axe: Axe = field(default_factory=Axe)

    def page(self, persona: str, language: str):
        key = (persona, language)
        if key not in self.pages:
            context = self.browser.new_context(
                base_url=self.base_url, viewport={"width": 1280, "height": 900}
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            if persona != ANON:
                page.goto("/accounts/login/")
                page.get_by_label("Username").fill(persona)
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Log in").click()
                page.wait_for_url("**/")
            # The language by the switcher, as a person would: a user's choice is also kept on
            # their profile, so every context says its own explicitly.
            page.goto("/accounts/login/" if persona == ANON else "/")
            button = page.locator(f'[data-testid="language-switcher"] button[value="{language}"]')
            with page.expect_navigation():
                button.evaluate("b => b.click()")
            assert page.locator("html").get_attribute("lang") == language
            self.pages[key] = page
        return self.pages[key]

    def check(self, visit: Visit) -> None:
        views = [(p, "en") for p in visit.personas] + [(p, "ar") for p in visit.arabic]
        for persona, language in views:
            page = self.page(persona, language)
            if visit.action is not None:
                status = visit.action(page)
            else:
                response = page.goto(visit.path, wait_until=visit.wait_until)
                status = response.status if response else None
            if status != visit.status:
                self.wrong_status.append(
                    f"{visit.name} ({visit.path}) as {persona} [{language}]: "
                    f"{status}, expected {visit.status}"
                )
                continue
            if visit.ready:
                page.locator(visit.ready).first.wait_for()
            self.visited += 1
            started = time.monotonic()
            results = self.axe.run(page)
            self.slowest.append((time.monotonic() - started, f"{visit.name} as {persona}"))
            for violation in results.response["violations"]:
                for node in violation["nodes"]:
                    self.findings.append(
                        Finding(
                            page=visit.name,
                            persona=persona,
                            language=language,
                            rule=violation["id"],
                            impact=node.get("impact") or violation["impact"] or "",
                            target=" ".join(str(t) for t in node["target"]),
                            help=violation["help"],
                        )
                    )

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


def post_too_large(page) -> int:
    """The 413 page: a form whose body is larger than the site takes (MAX_BODY_BYTES, made small
    by the test), posted from a page."""
    page.goto("/accounts/login/")
    with page.expect_navigation() as navigation:
        page.evaluate(
            """() => {
                const form = document.createElement('form');
                form.method = 'post';
                form.action = '/accounts/login/';
                const text = document.createElement('textarea');
                text.name = 'padding';
                text.value = 'x'.repeat(4096);
                form.append(text);
                document.body.append(form);
                form.submit();
            }"""
        )
    return navigation.value.status


def workbook_preview(tmp_path: Path):
    """Download the assessment's workbook, change one finding, upload it: the preview page."""

    def act(page) -> int:
        download = page.request.get(f"{A}/workbook.xlsx")
        path = tmp_path / "workbook.xlsx"
        path.write_bytes(download.body())
        book = load_workbook(path)
        sheet = book["PI 2.2"]
        row = next(
            c.row for (c,) in sheet.iter_rows(min_col=1, max_col=1) if c.value == "criterion:a"
        )
        sheet[f"E{row}"] = "Joint radio spots on GBV, March 2022."
        book.save(path)
        page.goto(f"{A}/workbook/upload/")
        page.locator('input[type="file"]').set_input_files(str(path))
        with page.expect_navigation() as navigation:
            page.locator('form:has(input[type="file"]) [type="submit"]').click()
        page.wait_for_load_state("networkidle")
        return navigation.value.status

    return act


def draft_visits(tmp_path: Path) -> list[Visit]:
    kaz_iat = User.objects.get(username="kaz-iat")
    team = CountryTeam.objects.get(code="KAZ")
    invitation = core_services.invite(
        by=User.objects.get(username=ADMIN),
        email="new.member@example.org",
        country_team=team,
        role=Membership.Role.IAT_MEMBER,
    )
    uid = urlsafe_base64_encode(force_bytes(kaz_iat.pk))
    reset = f"/accounts/reset/{uid}/{default_token_generator.make_token(kaz_iat)}/"
    point = ActionPoint.objects.filter(assessment__country_team=team).order_by("pk").first()
    maker = MakerMembership.objects.get(user__username=EDITOR).maker
    commitment = Commitment.objects.filter(maker=maker).order_by("pk").first()
    any_commitment = Commitment.objects.order_by("pk").first()
    progress = ProgressReport.objects.order_by("pk").first()
    featured = Practice.objects.get(featured=True)
    proposed = Practice.objects.filter(country_team=team, status=Practice.Status.PROPOSED).first()
    evidence = Evidence.objects.filter(
        indicator_assessment__assessment__country_team=team, withdrawn_at=None
    ).first()
    visits = [
        # Accounts
        Visit("front page / home", "/", EVERYONE, [ANON, "kaz-iat"]),
        Visit("log-in", "/accounts/login/", [ANON], [ANON]),
        Visit("password reset", "/accounts/password_reset/", [ANON]),
        Visit("password reset sent", "/accounts/password_reset/done/", [ANON]),
        Visit("password reset: new password", reset, [ANON]),
        Visit("password reset complete", "/accounts/reset/done/", [ANON]),
        Visit("password change", "/accounts/password_change/", ["kaz-iat"]),
        Visit("password changed", "/accounts/password_change/done/", ["kaz-iat"]),
        Visit("account", "/accounts/profile/", ["kaz-viewer", ADMIN, EDITOR], ["kaz-iat"]),
        Visit("invitation", f"/accounts/invitation/{invitation.token}/", [ANON]),
        Visit("team people", "/teams/KAZ/people/", ["kaz-coordinator", ADMIN]),
        # The scorecard, in draft (a reviewer sees an assessment once it is submitted)
        Visit("team assessments", "/teams/KAZ/", ["kaz-iat", "kaz-viewer", REVIEWER, ADMIN]),
        Visit("overview (draft)", f"{A}/", [*TEAM, ADMIN], ["kaz-iat"]),
        Visit("process", f"{A}/process/", ["kaz-iat", "kaz-viewer"], ["kaz-iat"]),
        Visit("PI 2.2 (editable)", f"{A}/pi/2.2/", ["kaz-iat", "kaz-viewer", ADMIN], ["kaz-iat"]),
        Visit("PI 4.3 (carried over)", f"{A}/pi/4.3/", ["kaz-iat"], ["kaz-iat"]),
        Visit("PI 3.2", f"{A}/pi/3.2/", ["kaz-coordinator"]),
        Visit("PI 6.1", f"{A}/pi/6.1/", ["kaz-rc"]),
        Visit("action plan", f"{A}/action-plan/", ["kaz-iat", "kaz-viewer"], ["kaz-iat"]),
        Visit("action point edit", f"/action-points/{point.pk}/edit/", ["kaz-iat"]),
        Visit("workbook upload", f"{A}/workbook/upload/", ["kaz-iat"], ["kaz-iat"]),
        Visit("workbook preview", "", ["kaz-iat"], action=workbook_preview(tmp_path)),
        # The report's state is polled while a job runs: wait for the network to be quiet.
        Visit("report", f"{A}/report/", ["kaz-rc"], ["kaz-iat"], wait_until="networkidle"),
        # Dashboards
        Visit("team dashboard", "/dashboards/teams/KAZ/", ["kaz-iat", REVIEWER], ["kaz-rc"]),
        Visit("global dashboard", "/dashboards/global/", [REVIEWER, ADMIN], [REVIEWER]),
        # Gender parity
        Visit("parity", "/parity/", [ANON, "kaz-coordinator"], [ANON]),
        Visit("parity: team", "/parity/teams/KAZ/2022/", ["kaz-coordinator"], ["kaz-iat"]),
        Visit("parity: entity grid", "/parity/teams/KAZ/2022/grid/", ["kaz-coordinator"]),
        Visit("parity: global", "/parity/global/", [REVIEWER]),
        Visit("parity: strategies", "/parity/strategy/", [ANON]),
        Visit("parity: strategy", "/parity/strategy/UN%20Women/", [ADMIN], [ANON]),
        # Commitments
        Visit("commitments", "/commitments/", [ANON, EDITOR], [ANON]),
        Visit("commitments: mine", "/commitments/mine/", [EDITOR]),
        Visit("commitment", f"/commitments/{any_commitment.pk}/", [ANON, "kaz-iat"], [ANON]),
        Visit("commitment maker", f"/commitments/makers/{maker.pk}/", [ANON]),
        Visit("commitment: new", "/commitments/new/", [EDITOR], [EDITOR]),
        Visit("commitment: edit", f"/commitments/{commitment.pk}/edit/", [EDITOR]),
        Visit("progress: new", f"/commitments/{commitment.pk}/progress/", [EDITOR]),
        Visit("progress: edit", f"/commitments/progress/{progress.pk}/edit/", [ADMIN]),
        Visit("commitments: import", "/commitments/import/", [ADMIN]),
        # The Knowledge Hub (its demo: setup_hub_demo, run by setup_demo)
        Visit("hub", "/hub/", [*LOGGED_IN], ["kaz-iat"]),
        Visit("hub: search", "/hub/?q=violence&language=en", ["kaz-iat"], ["kaz-iat"]),
        Visit("hub: nothing found", "/hub/?q=zzzz&pi=x", ["kaz-viewer"]),
        Visit("hub: item", f"/hub/{featured.pk}/", ["kaz-iat", REVIEWER, ADMIN], ["kaz-iat"]),
        Visit("hub: proposed item", f"/hub/{proposed.pk}/", ["kaz-coordinator"], ["kaz-iat"]),
        Visit("hub: proposals", "/hub/proposals/", ["kaz-coordinator", REVIEWER], ["kaz-iat"]),
        Visit("hub: propose", "/hub/propose/KAZ/?pi=2.2", ["kaz-iat"], ["kaz-iat"]),
        Visit("hub: share evidence", f"/hub/propose/evidence/{evidence.pk}/", ["kaz-iat"]),
        # API docs (drawn by script after loading)
        Visit("API docs (Swagger UI)", "/api/docs/", ["kaz-iat"], ready=".opblock"),
        Visit("API docs (Redoc)", "/api/redoc/", [ANON], ready="[role=search], h1"),
        # Error pages
        Visit("404", "/no-such-page/", [ANON, "kaz-iat"], ["kaz-iat"], status=404),
        Visit("403", f"{A}/workbook/upload/", ["kaz-viewer"], status=403),
        Visit("413", "", [ANON], status=413, action=post_too_large),
    ]
    try:
        # The notifications page, when the site has one.
        resolve("/notifications/")
        visits.append(Visit("notifications", "/notifications/", LOGGED_IN, ["kaz-iat"]))
    except Resolver404:
        pass
    return visits


def move(action: str, by: str, **extra: Any) -> None:
    assessment = Assessment.objects.get(country_team__code="KAZ", year=2022)
    workflow.transition(
        assessment=assessment, action=action, by=User.objects.get(username=by), **extra
    )


def report(walk: Walk) -> str:
    severe = [f for f in walk.findings if f.impact in SEVERE]
    lines = [f"{walk.visited} page views checked; {len(severe)} critical/serious nodes:"]
    lines += [f.line() for f in sorted(severe, key=lambda f: (f.impact, f.rule, f.page))]
    lines += [f"Wrong status: {w}" for w in walk.wrong_status]
    lines += [f"axe took {t:.1f} s on {what}" for t, what in sorted(walk.slowest)[-5:]]
    others = Counter((f.impact, f.rule) for f in walk.findings if f.impact not in SEVERE)
    if others:
        lines.append("Moderate/minor (not failing): ")
        lines += [f"  {impact} {rule}: {n} nodes" for (impact, rule), n in sorted(others.items())]
    return "\n".join(lines)


def test_every_page_has_no_critical_or_serious_accessibility_violation(
    browser, live_server, demo, tmp_path, settings
):
    settings.MAX_BODY_BYTES = 2048  # the 413 page without uploading megabytes
    walk = Walk(browser=browser, base_url=live_server.url)
    try:
        for visit in draft_visits(tmp_path):
            walk.check(visit)
        # The same assessment further along: submitted (read-only for the team) …
        move("send_for_endorsement", "kaz-coordinator")
        walk.check(Visit("overview (awaiting endorsement)", f"{A}/", ["kaz-rc"]))
        move("endorse_and_submit", "kaz-rc")
        walk.check(Visit("overview (submitted)", f"{A}/", ["kaz-iat", REVIEWER], [REVIEWER]))
        walk.check(Visit("PI 2.2 (locked, submitted)", f"{A}/pi/2.2/", ["kaz-iat"]))
        # … in review (the reviewer's return and approve forms, comments) …
        move("start_review", REVIEWER)
        walk.check(Visit("overview (in review)", f"{A}/", [REVIEWER]))
        walk.check(Visit("PI 4.3 (in review)", f"{A}/pi/4.3/", [REVIEWER]))
        walk.check(
            Visit("report (in review)", f"{A}/report/", [REVIEWER], wait_until="networkidle")
        )
        # … and returned for revision, the reason on the PI concerned.
        move("return_for_revision", REVIEWER, comment="Attach the data.", indicator_codes=["4.3"])
        returned = ["kaz-iat", "kaz-coordinator"]
        walk.check(Visit("overview (returned)", f"{A}/", returned, ["kaz-iat"]))
        walk.check(Visit("PI 4.3 (returned)", f"{A}/pi/4.3/", ["kaz-coordinator"]))
    finally:
        walk.close()

    summary = report(walk)
    print(summary)
    if os.environ.get("A11Y_REPORT"):
        Path(os.environ["A11Y_REPORT"]).write_text(
            json.dumps([f.__dict__ for f in walk.findings], indent=1), encoding="utf-8"
        )
    assert walk.visited > 80
    assert not walk.wrong_status, summary
    assert not [f for f in walk.findings if f.impact in SEVERE], summary
