"""Hostile inputs and a Redis outage against the app served as in production; one figure a line.

    python bench/hostile/run.py [--root PATH] [--only parity,csv,pi,commitments,evidence,redis]
    make bench-hostile [BENCH_ARGS="--root /tmp/hostile-before"]

The script (always this repository's) serves the source tree `--root` (default: this repository;
an older commit through `git worktree add`, with a `.venv` link, to measure before a fix): a fresh
SQLite database in a temp dir (or BENCH_HOSTILE_DB, a DATABASE_URL to use instead) with
`migrate`, `setup_demo` (DEMO_PASSWORD set here) and an API token for kaz-coordinator; a private
redis-server on a free port (cache and Celery broker; no Celery worker: report jobs just queue);
gunicorn with 3 sync workers, timeout 30 s, DEBUG off, a random SECRET_KEY, API throttling off
and the root's config/gunicorn.conf.py when it has one. Static files are not collected: the
default storage needs no manifest and only pages are measured. Then, with each worker's RSS read
from /proc every 20 ms (growth: the largest rise of one worker over its size just before;
killed: workers gone, by gunicorn's timeout or otherwise, once the server is ready again):

1. the parity import API (`POST /api/v1/parity/snapshots/import/`) gets a 99 KB .xlsx whose
   shared strings unpack to 39 MB; then three at once while two readers, one logged in on
   /teams/KAZ/2022/, one on /healthz, load their page again and again for as long as a bomb is
   unanswered (errors: 5xx or no answer, on either page);
3. the same API gets a 300 MB CSV, streamed with its Content-Length (`_sent`: the MB that went
   out before the server answered or hung up; status 0: closed without an answer);
4. `PUT /api/v1/pi-ratings/{id}/` with a 4 MB explanation (saved: read back; restored after);
5. the commitments import form (/commitments/import/, as admin) gets a 255 KB .xlsx with 102 MB
   of shared strings, then one of a million empty rows (refused: 4xx or the page's error box);
6. `POST /api/v1/evidence/` gets a PDF/HTML polyglot, a 1 MB .docx unpacking to 1 GB and a .txt
   holding `<img onerror>` (201: accepted);
2. last, Redis is killed: the log-in page and logging in (a new visitor), four pages (overview,
   a PI, the team dashboard, the report card; three rounds, as with Redis up before, in a session
   opened before), saving a PI through its form (the PI page's status when it has no form) and
   asking for a PDF report; then Redis is started again on the same port. /health/
   is read with Redis up, down and back (it also checks a Celery worker, which is not running).

Only `name: value unit` lines go to stdout (statuses as numbers, `bool` 0 or 1); progress and,
on failure, gunicorn's log go to stderr. The hostile files are built once in
/tmp/unct-swap-hostile/ (bench/hostile/files.py). Every request has a timeout and gunicorn kills
a request at 30 s, so a run takes a few minutes even where every bomb goes off.
"""

from __future__ import annotations

import argparse
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

import files  # noqa: E402
import web  # noqa: E402
from server import Monitor, Stack, log  # noqa: E402

TEAM, YEAR = "KAZ", 2022
PI_PAGE = "2.2"  # the PI whose page is loaded and saved (reassessed in the demo data)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GROUPS = ["parity", "csv", "pi", "commitments", "evidence", "redis"]
UNITS = {"s": "{:.2f}", "MB": "{:.1f}"}


def figure(name: str, value: float, unit: str) -> None:
    text = UNITS.get(unit, "{:.0f}").format(value)
    print(f"{name}: {text} {unit}", flush=True)


def timed(call: Callable[[], requests.Response]) -> tuple[int, float, requests.Response | None]:
    """(status, seconds, response); status 0 when no answer came (closed, reset, timed out)."""
    start = time.monotonic()
    try:
        response = call()
    except requests.RequestException as error:
        log(f"  no answer: {type(error).__name__}: {str(error)[:160]}")
        return 0, time.monotonic() - start, None
    return response.status_code, time.monotonic() - start, response


def is_error(status: int) -> bool:
    return status == 0 or status >= 500


class Bench:
    def __init__(self, stack: Stack, monitor: Monitor, token: str) -> None:
        self.stack = stack
        self.monitor = monitor
        self.base = stack.base
        self.token = token
        self.password = stack.demo_password

    # --- helpers ----------------------------------------------------------------------------

    def api(self) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.token}"
        return session

    def browser(self, username: str) -> requests.Session:
        session = requests.Session()
        status = web.login(session, self.base, username, self.password)
        if status != 302:
            log(f"  log-in as {username} answered {status}")
        return session

    def settle(self) -> None:
        """Until every worker is back (after a timeout kill) and /healthz answers."""
        seconds = self.stack.wait_ready(timeout=120)
        if seconds > 1:
            log(f"  server ready again after {seconds:.1f} s")
        time.sleep(0.5)

    def parity_import(self, session: requests.Session, name: str, content: bytes) -> Any:
        return lambda: session.post(
            f"{self.base}/api/v1/parity/snapshots/import/",
            data={
                "country_team": TEAM,
                "year": str(YEAR),
                "as_of": f"{YEAR}-12-31",
                "source": "bench/hostile",
            },
            files={"file": (name, content, XLSX)},
            timeout=web.TIMEOUT,
        )

    def attack(
        self, prefix: str, call: Callable[[], requests.Response]
    ) -> requests.Response | None:
        """One request inside a memory window: seconds, status, worker growth, workers killed."""
        with self.monitor.window() as window:
            status, seconds, response = timed(call)
        log(f"  {prefix}: {status} in {seconds:.2f} s; {short(response)}")
        figure(f"{prefix}_seconds", seconds, "s")
        figure(f"{prefix}_status", status, "status")
        figure(f"{prefix}_worker_growth", window.growth_mb, "MB")
        self.settle()
        figure(f"{prefix}_workers_killed", window.killed(), "count")
        return response

    # --- 1: the parity import's xlsx bomb, alone and three at once --------------------------

    def parity(self) -> None:
        log("1. parity import: xlsx with 39 MB of shared strings")
        bomb = files.xlsx_shared_strings_bomb(39 * files.MB, files.PARITY_HEADER, "parity-bomb")
        content = bomb.read_bytes()
        log(f"  {bomb} ({len(content) // 1024} KB)")
        self.attack("parity_xlsx_bomb", self.parity_import(self.api(), "staffing.xlsx", content))

        log("1. three parity bombs at once, two readers loading pages meanwhile")
        reader = self.browser("kaz-coordinator")
        bombs: list[tuple[int, float]] = []
        reads: dict[str, list[tuple[int, float]]] = {f"/teams/{TEAM}/{YEAR}/": [], "/healthz": []}
        over = threading.Event()

        def send() -> None:
            status, seconds, _response = timed(
                self.parity_import(self.api(), "staffing.xlsx", content)
            )
            bombs.append((status, seconds))

        def read(path: str) -> None:
            # Requests started while any bomb is unanswered (at least one): a request stuck
            # behind busy workers is one long sample, as a person waiting for the page sees it.
            session = reader if path != "/healthz" else requests.Session()
            deadline = time.monotonic() + 180
            while not (over.is_set() and reads[path]) and time.monotonic() < deadline:
                status, seconds, _response = timed(
                    lambda: session.get(
                        self.base + path, timeout=web.TIMEOUT, allow_redirects=False
                    )
                )
                reads[path].append((status, seconds))
                time.sleep(0.05)

        with self.monitor.window() as window:
            start = time.monotonic()
            senders = [threading.Thread(target=send) for _ in range(3)]
            readers = [threading.Thread(target=read, args=(path,)) for path in reads]
            for thread in senders:
                thread.start()
            time.sleep(0.1)  # the bombs are being read
            for thread in readers:
                thread.start()
            for thread in senders:
                thread.join()
            all_answered = time.monotonic() - start
            over.set()
            for thread in readers:
                thread.join()
        page_reads = reads[f"/teams/{TEAM}/{YEAR}/"]
        page_times = [seconds for _status, seconds in page_reads]
        health_times = [seconds for _status, seconds in reads["/healthz"]]
        every = page_reads + reads["/healthz"]
        log(
            f"  bombs: {[(s, round(t, 2)) for s, t in bombs]}; page: "
            f"{[(s, round(t, 2)) for s, t in page_reads]}; /healthz: "
            f"{[(s, round(t, 2)) for s, t in reads['/healthz']]}"
        )
        figure("three_bombs_seconds", all_answered, "s")
        figure("three_bombs_refused", sum(1 for s, _t in bombs if 400 <= s < 500), "count")
        figure("three_bombs_page_p50_seconds", statistics.median(page_times), "s")
        figure("three_bombs_page_max_seconds", max(page_times), "s")
        figure("three_bombs_healthz_max_seconds", max(health_times), "s")
        figure("three_bombs_page_errors", sum(1 for s, _t in every if is_error(s)), "count")
        figure("three_bombs_worker_growth", window.growth_mb, "MB")
        self.settle()
        figure("three_bombs_workers_killed", window.killed(), "count")

    # --- 3: a 300 MB CSV, streamed ----------------------------------------------------------

    def csv(self) -> None:
        log("3. parity import: a 300 MB CSV")
        size = 300 * files.MB
        line = b"UNDP,P-3,1,1\n"
        block = line * (files.MB // len(line))

        def chunks() -> Iterator[bytes]:
            left = size
            yield files.csv_header()
            left -= len(files.csv_header())
            while left > 0:
                piece = block[:left]
                left -= len(piece)
                yield piece

        with self.monitor.window() as window:
            result = web.multipart_stream(
                "127.0.0.1",
                self.stack.port,
                "/api/v1/parity/snapshots/import/",
                fields={
                    "country_team": TEAM,
                    "year": str(YEAR),
                    "as_of": f"{YEAR}-12-31",
                    "source": "bench/hostile",
                },
                file_field="file",
                file_name="staffing.csv",
                content_type="text/csv",
                file_size=size,
                file_chunks=chunks(),
                headers={"Authorization": f"Token {self.token}"},
                timeout=web.TIMEOUT[1],
            )
        log(
            f"  {result.status} in {result.seconds:.2f} s after {result.sent_bytes // files.MB} MB"
            f" sent; {result.body[:160]!r}"
        )
        figure("parity_csv_300mb_seconds", result.seconds, "s")
        figure("parity_csv_300mb_status", result.status, "status")
        figure("parity_csv_300mb_sent", result.sent_bytes / files.MB, "MB")
        figure("parity_csv_300mb_worker_growth", window.growth_mb, "MB")
        self.settle()
        figure("parity_csv_300mb_workers_killed", window.killed(), "count")

    # --- 4: a 4 MB explanation on a PI ------------------------------------------------------

    def rating(self, session: requests.Session) -> dict[str, Any]:
        """A PI rating of KAZ 2022 open for editing, other than the one the pages use."""
        found = session.get(
            f"{self.base}/api/v1/assessments/",
            params={"country_team__code": TEAM, "year": YEAR},
            timeout=web.TIMEOUT,
        )
        found.raise_for_status()
        assessment = found.json()["results"][0]["id"]
        ratings = session.get(
            f"{self.base}/api/v1/pi-ratings/",
            params={"assessment": assessment},
            timeout=web.TIMEOUT,
        )
        ratings.raise_for_status()
        open_ones = [r for r in ratings.json()["results"] if r["reassessed"]]
        return next((r for r in open_ones if r["code"] != PI_PAGE), open_ones[0])

    def pi(self) -> None:
        log("4. a 4 MB explanation on a PI through the API")
        session = self.api()
        row = self.rating(session)
        url = f"{self.base}/api/v1/pi-ratings/{row['id']}/"
        payload = {
            "rating": row["rating"] or "",
            "criteria_met": row["criteria_met"],
            "numeric_value": row["numeric_value"],
            "findings": row["findings"],
            "override_justification": row["override_justification"],
            "means_of_verification": row["means_of_verification"],
            "version": row["version"],
        }
        text = ("The IAT met twice in 2022. " * (4 * files.MB // 27 + 1))[: 4 * files.MB]
        status, seconds, response = timed(
            lambda: session.put(url, json=dict(payload, explanation=text), timeout=web.TIMEOUT)
        )
        log(f"  PI {row['code']}: {status} in {seconds:.2f} s; {short(response)}")
        after = session.get(url, timeout=web.TIMEOUT).json()
        saved = len(after.get("explanation") or "") >= len(text)
        figure("pi_explanation_4mb_seconds", seconds, "s")
        figure("pi_explanation_4mb_status", status, "status")
        figure("pi_explanation_4mb_saved", int(saved), "bool")
        if saved:  # put the PI back, so the pages measured later are the demo's
            restore = dict(payload, explanation=row["explanation"], version=after["version"])
            back = session.put(url, json=restore, timeout=web.TIMEOUT)
            log(f"  restored: {back.status_code}")
        self.settle()

    # --- 5: the commitments import form -----------------------------------------------------

    def commitments(self) -> None:
        admin = self.browser("admin")
        url = f"{self.base}/commitments/import/"
        bombs = [
            (
                "commitments_xlsx_bomb",
                "5. commitments import: xlsx with 102 MB of shared strings",
                lambda: files.xlsx_shared_strings_bomb(
                    102 * files.MB, files.COMMITMENTS_HEADER, "commitments-bomb"
                ),
            ),
            (
                "commitments_xlsx_1m_rows",
                "5. commitments import: xlsx of a million empty rows",
                lambda: files.xlsx_many_rows(1_000_000, files.COMMITMENTS_HEADER, "commitments"),
            ),
        ]
        for prefix, title, build in bombs:
            log(title)
            path = build()
            log(f"  {path} ({path.stat().st_size // 1024} KB)")
            page = admin.get(url, timeout=web.TIMEOUT)
            form = next((f for f in web.forms(page.text, url) if f.action == url), None)
            if form is None:
                log(f"  no import form on {url} ({page.status_code}): skipped")
                continue
            content = path.read_bytes()
            response = self.attack(
                prefix,
                lambda form=form, content=content: admin.post(
                    form.action,
                    data=form.data(),
                    files={"file": ("commitments.xlsx", content, XLSX)},
                    allow_redirects=False,
                    timeout=web.TIMEOUT,
                ),
            )
            refused = response is not None and (
                400 <= response.status_code < 500
                or 'data-testid="import-problems"' in response.text
                or 'data-testid="error-summary"' in response.text
            )
            figure(f"{prefix}_refused", int(refused), "bool")

    # --- 6: evidence ------------------------------------------------------------------------

    def evidence(self) -> None:
        session = self.api()
        row = self.rating(session)
        log(f"6. evidence on PI {row['code']} (id {row['id']})")
        docx = files.docx_bomb()
        log(f"  {docx} ({docx.stat().st_size // 1024} KB)")

        def upload(name: str, content: bytes, content_type: str) -> Callable[[], Any]:
            return lambda: session.post(
                f"{self.base}/api/v1/evidence/",
                data={"pi_rating": str(row["id"]), "title": f"bench/hostile: {name}"},
                files={"file": (name, content, content_type)},
                timeout=web.TIMEOUT,
            )

        status, seconds, response = timed(
            upload("workplan.pdf", files.pdf_html_polyglot(), "application/pdf")
        )
        log(f"  polyglot: {status} in {seconds:.2f} s; {short(response)}")
        figure("evidence_polyglot_status", status, "status")
        self.attack("evidence_docx_bomb", upload("workplan.docx", docx.read_bytes(), DOCX))
        status, seconds, response = timed(upload("notes.txt", files.txt_markup(), "text/plain"))
        log(f"  txt: {status} in {seconds:.2f} s; {short(response)}")
        figure("evidence_txt_markup_status", status, "status")
        self.settle()

    # --- 2: Redis stopped -------------------------------------------------------------------

    def pages(self, session: requests.Session, rounds: int = 3) -> list[tuple[str, int, float]]:
        paths = [
            f"/teams/{TEAM}/{YEAR}/",
            f"/teams/{TEAM}/{YEAR}/pi/{PI_PAGE}/",
            f"/dashboards/teams/{TEAM}/",
            f"/teams/{TEAM}/{YEAR}/report/",
        ]
        anonymous = requests.Session()
        out = []
        for _ in range(rounds):
            for path in ["/accounts/login/", *paths]:
                who = anonymous if path == "/accounts/login/" else session
                status, seconds, _response = timed(
                    lambda who=who, path=path: who.get(
                        self.base + path, timeout=web.TIMEOUT, allow_redirects=False
                    )
                )
                out.append((path, status, seconds))
        return out

    def health(self) -> int:
        status, seconds, response = timed(
            lambda: requests.get(f"{self.base}/health/", timeout=web.TIMEOUT)
        )
        log(f"  /health/: {status} in {seconds:.2f} s; {short(response)}")
        return status

    def redis(self) -> None:
        log("2. Redis up: the pages")
        user = self.browser("kaz-coordinator")
        figure("health_status_redis_up", self.health(), "status")
        up = self.pages(user)
        log(f"  statuses {sorted({s for _p, s, _t in up})}")
        up_times = [seconds for _p, _s, seconds in up]
        figure("redis_up_page_p50_seconds", statistics.median(up_times), "s")
        figure("redis_up_page_max_seconds", max(up_times), "s")

        log("2. Redis stopped")
        self.stack.stop_redis()
        outcomes: list[int] = []
        fresh = requests.Session()
        status, seconds, _response = timed(
            lambda: fresh.get(f"{self.base}/accounts/login/", timeout=web.TIMEOUT)
        )
        outcomes.append(status)
        figure("redis_down_login_page_status", status, "status")
        start = time.monotonic()
        try:
            login_status = web.login(fresh, self.base, "kaz-coordinator", self.password)
        except requests.RequestException as error:
            log(f"  log-in: {type(error).__name__}")
            login_status = 0
        log(f"  log-in page {status}, log-in {login_status} in {time.monotonic() - start:.2f} s")
        outcomes.append(login_status)
        figure("redis_down_login_status", login_status, "status")

        down = self.pages(user)  # the session opened with Redis up
        log(f"  pages: {[(p, s, round(t, 2)) for p, s, t in down]}")
        outcomes += [status for _p, status, _t in down]
        down_times = [seconds for _p, _s, seconds in down]
        figure("redis_down_page_p50_seconds", statistics.median(down_times), "s")
        figure("redis_down_page_max_seconds", max(down_times), "s")

        save_status = self.save_pi(user)
        outcomes.append(save_status)
        figure("redis_down_save_status", save_status, "status")

        report_status, kept = self.request_report(user)
        outcomes.append(report_status)
        figure("redis_down_report_status", report_status, "status")
        figure("redis_down_report_kept", int(kept), "bool")
        figure("health_status_redis_down", self.health(), "status")
        figure("redis_down_errors", sum(1 for s in outcomes if is_error(s)), "count")

        log("2. Redis started again")
        self.stack.start_redis()
        time.sleep(1)
        figure("health_status_redis_back", self.health(), "status")
        back = self.pages(user, rounds=1)
        figure("redis_back_page_errors", sum(1 for _p, s, _t in back if is_error(s)), "count")

    def save_pi(self, session: requests.Session) -> int:
        url = f"{self.base}/teams/{TEAM}/{YEAR}/pi/{PI_PAGE}/"
        status, _seconds, page = timed(lambda: session.get(url, timeout=web.TIMEOUT))
        form = web.form_with(page.text, url, "version", "explanation") if page is not None else None
        if form is None:
            log(f"  PI page {status}: no PI form, nothing saved")
            return status if is_error(status) else 0
        note = f"Saved with Redis stopped ({time.strftime('%H:%M:%S')})."
        status, seconds, response = timed(
            lambda: session.post(
                form.action,
                data=form.data(explanation=note),
                allow_redirects=False,
                timeout=web.TIMEOUT,
            )
        )
        log(f"  PI save: {status} in {seconds:.2f} s; {short(response)}")
        return status

    def request_report(self, session: requests.Session) -> tuple[int, bool]:
        card = f"{self.base}/teams/{TEAM}/{YEAR}/report/"
        status, _seconds, page = timed(lambda: session.get(card, timeout=web.TIMEOUT))
        form = None
        if page is not None:
            form = next(
                (f for f in web.forms(page.text, card) if f.action.endswith("/report/request/")),
                None,
            )
        if form is None:
            log(f"  report card {status}: no request form")
            return (status if is_error(status) else 0), False
        status, seconds, response = timed(
            lambda: session.post(
                form.action,
                data=form.data(language="en"),
                allow_redirects=False,
                timeout=web.TIMEOUT,
            )
        )
        log(f"  report request: {status} in {seconds:.2f} s")
        after = ""
        if status in (301, 302, 303) and response is not None:
            target = requests.compat.urljoin(card, response.headers.get("Location", card))
            _status, _seconds, shown = timed(lambda: session.get(target, timeout=web.TIMEOUT))
            after = shown.text if shown is not None else ""
        elif response is not None:
            after = response.text
        kept = "report-broker-down" in after or "your request is kept" in after
        return status, kept


def short(response: requests.Response | None) -> str:
    if response is None:
        return "no answer"
    kind = response.headers.get("Content-Type", "")
    if "json" in kind:
        return response.text[:200]
    if response.is_redirect:
        return f"-> {response.headers.get('Location')}"
    for marker in ('data-testid="import-problems"', 'data-testid="error-summary"'):
        at = response.text.find(marker)
        if at >= 0:  # the page's error box, as text
            box = response.text[at + len(marker) + 1 : at + 1500].split("</div>")[0]
            return " ".join(re.sub(r"<[^>]+>", " ", box).split())[:200]
    return f"{kind} {len(response.content)} bytes"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the source tree to serve")
    parser.add_argument(
        "--only", default=",".join(GROUPS), help=f"comma-separated, of: {', '.join(GROUPS)}"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    args = parser.parse_args()
    root = args.root.resolve()
    chosen = [group for group in GROUPS if group in args.only.split(",")]
    if not (root / "manage.py").exists():
        parser.error(f"{root} has no manage.py")
    tmp = Path(tempfile.mkdtemp(prefix="unct-swap-hostile-"))
    stack = Stack(root, tmp, demo_password=secrets.token_urlsafe(12))
    monitor = Monitor(stack)
    started = time.monotonic()
    failed = False
    try:
        log(f"serving {root}; temp dir {tmp}")
        token = stack.prepare()
        stack.start_redis()
        stack.start_gunicorn()
        monitor.start()
        bench = Bench(stack, monitor, token)
        for group in chosen:
            getattr(bench, group)()
    except Exception as error:
        failed = True
        log(f"FAILED: {type(error).__name__}: {error}")
        log("gunicorn's log, last lines:\n" + stack.log_tail())
        raise
    finally:
        monitor.stop()
        stack.close()
        log(f"done in {time.monotonic() - started:.0f} s")
        if args.keep or failed:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
