"""Load run against gunicorn on loopback (load.sh starts both): team members reading and saving,
UN Women reviewers reading the global dashboard and submitted reports.

Log-in: before the users start, a few sessions per bench user are opened through the real login
form (GET for the CSRF token, POST of the credentials); each simulated user then carries one of
these session cookies. A login costs ~0.3 s of CPU (PBKDF2, 1,000,000 iterations): 200 of them
would spend the first half of a one-minute run on password hashing, which is not what real users
do (they log in once a day and then work for hours).

Saves: each team member owns one PI row (a reassessed PI of a draft or returned assessment, from
targets.json), opens its PI page, and posts the form back as it is, with the `version` read from
the page and a new explanation: a 302 is a save, anything else (a 409 conflict, a 400) an error.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import requests
from locust import FastHttpUser, between, events, task
from requests.cookies import create_cookie

TARGETS = json.loads(open(os.environ["BENCH_TARGETS"], encoding="utf-8").read())  # noqa: SIM115
PASSWORD = os.environ.get("BENCH_PASSWORD", "synthetic-bench-password")
SESSIONS_PER_USER = int(os.environ.get("BENCH_SESSIONS", "6"))
POOLS: dict[str, itertools.cycle] = {}
MEMBER_NUMBERS = itertools.count()
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
RNG = random.Random()  # noqa: S311 -- which page to open next, not a secret


def log_in(host: str, username: str) -> dict[str, str]:
    """One session through the login form, as a browser opens it: its cookies."""
    with requests.Session() as session:
        page = session.get(f"{host}/accounts/login/", timeout=30)
        token = CSRF_INPUT.search(page.text).group(1)
        response = session.post(
            f"{host}/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{host}/accounts/login/"},
            allow_redirects=False,
            timeout=30,
        )
        if response.status_code != 302 or "sessionid" not in session.cookies:
            raise RuntimeError(f"log-in of {username} failed: HTTP {response.status_code}")
        return dict(session.cookies)


@events.test_start.add_listener
def open_sessions(environment, **_kwargs) -> None:
    for username in ("bench-iat", "bench-reviewer"):
        POOLS[username] = itertools.cycle(
            [log_in(environment.host, username) for _ in range(SESSIONS_PER_USER)]
        )


class PIForm(HTMLParser):
    """The fields of the PI page's form (#pi-form) as a browser would post them."""

    def __init__(self, html: str):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._inside = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "pi-form":
            self._inside = True
        if not self._inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form" and self._inside:
            self._inside = False
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


class BenchUser(FastHttpUser):
    abstract = True
    username = ""

    def on_start(self) -> None:
        for name, value in next(POOLS[self.username]).items():
            self.client.cookiejar.set_cookie(create_cookie(name, value, domain=self.host_name))

    @property
    def host_name(self) -> str:
        return self.host.split("//", 1)[1].split(":", 1)[0]

    def read(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class TeamMember(BenchUser):
    """An IAT member: overview, PI pages, team pages, and saves of their own PI."""

    weight = 4
    wait_time = between(0.5, 1.5)
    username = "bench-iat"

    def on_start(self) -> None:
        super().on_start()
        editable = TARGETS["editable"]
        self.own = editable[next(MEMBER_NUMBERS) % len(editable)]
        self.saves = 0

    def _somewhere(self) -> tuple[str, int]:
        year = TARGETS["last_year"] if RNG.random() < 0.7 else RNG.choice(TARGETS["years"])
        return RNG.choice(TARGETS["teams"]), year

    @task(3)
    def overview(self) -> None:
        code, year = self._somewhere()
        self.read(f"/teams/{code}/{year}/", "assessment overview")

    @task(4)
    def pi_page(self) -> None:
        code, year = self._somewhere()
        self.read(f"/teams/{code}/{year}/pi/{RNG.choice(TARGETS['pis'])}/", "PI page")

    @task(1)
    def team_page(self) -> None:
        self.read(f"/teams/{RNG.choice(TARGETS['teams'])}/", "team assessments")

    @task(1)
    def team_dashboard(self) -> None:
        self.read(f"/dashboards/teams/{RNG.choice(TARGETS['teams'])}/", "team dashboard")

    @task(1)
    def save(self) -> None:
        code, year, pi = self.own
        url = f"/teams/{code}/{year}/pi/{pi}/"
        with self.client.get(url, name="PI page (to save)", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            # Only the form's part of the page: Python's HTML parser costs ~1 ms per 5 KB, and
            # the load generator shares the two cores with the server it measures.
            html = response.text
            start = html.find('<form method="post" id="pi-form"')
            end = html.find("</form>", start)
            fields = PIForm(html[start : end + len("</form>")] if start >= 0 else html).fields
        self.saves += 1
        body = [(k, v) for k, v in fields if k != "explanation"]
        body.append(("explanation", f"Bench save {self.saves}: evidence reviewed again."))
        with self.client.post(
            url,
            data=urlencode(body),
            headers={**FORM_HEADERS, "Referer": self.host + url},
            name="PI save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"save: HTTP {response.status_code}")


class Reviewer(BenchUser):
    """A UN Women reviewer: the global dashboard, submitted reports and their PIs."""

    weight = 1
    wait_time = between(0.5, 1.5)
    username = "bench-reviewer"

    @task(2)
    def global_dashboard(self) -> None:
        query = ""
        if RNG.random() < 0.5:
            query = f"?region={RNG.choice(TARGETS['regions'])}"
            query += f"&year={RNG.choice(TARGETS['years'])}"
        self.read(f"/dashboards/global/{query}", "global dashboard")

    @task(2)
    def overview(self) -> None:
        code, year = RNG.choice(TARGETS["submitted"])
        self.read(f"/teams/{code}/{year}/", "assessment overview")

    @task(1)
    def pi_page(self) -> None:
        code, year = RNG.choice(TARGETS["submitted"])
        self.read(f"/teams/{code}/{year}/pi/{RNG.choice(TARGETS['pis'])}/", "PI page")
