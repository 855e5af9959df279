"""The app as in production for bench/hostile/run.py: a private Redis, gunicorn's sync workers, and
a sampler of the workers' memory.

`Stack` prepares a database (migrate, the demo data, an API token), starts redis-server and
gunicorn in their own process groups and always stops them (`close`). `Monitor` reads each
worker's VmRSS from /proc every 20 ms; `Monitor.window()` gives, for one attack, the largest
growth of any worker over its size just before, and then how many of the workers it saw have
disappeared (killed at the timeout and replaced by gunicorn's master).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

WORKERS = 3
TIMEOUT = 30
DROPPED = {"REDIS_URL", "DATABASE_URL", "WEB_CONCURRENCY", "DJANGO_SETTINGS_MODULE"}
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def log(message: str) -> None:
    print(f"[hostile {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _stop_group(process: subprocess.Popen | None, grace: float = 10) -> None:
    """SIGTERM to the process's group (it was started in its own session), SIGKILL after grace."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


class Stack:
    """Database, Redis and gunicorn for one source tree (`root`), all under the temp dir `tmp`."""

    def __init__(self, root: Path, tmp: Path, demo_password: str) -> None:
        self.root = root
        self.tmp = tmp
        self.demo_password = demo_password
        venv_python = root / ".venv" / "bin" / "python"
        self.python = str(venv_python) if venv_python.exists() else sys.executable
        self.redis: subprocess.Popen | None = None
        self.gunicorn: subprocess.Popen | None = None
        self.redis_port = free_port()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = os.environ.get("BENCH_HOSTILE_DB") or f"sqlite:///{tmp / 'db.sqlite3'}"
        alphabet = string.ascii_letters + string.digits
        self.env = {
            key: value
            for key, value in os.environ.items()
            # Nothing of the caller's deployment: no Sentry, bucket, single sign-on, broker.
            if not key.startswith(("SENTRY_", "AWS_", "OIDC_", "GUNICORN_", "CELERY_"))
            and key not in DROPPED
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="false",
            SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
            MEDIA_ROOT=str(tmp / "media"),
            LOG_LEVEL="warning",
            AXES_ENABLED="false",
            API_THROTTLE_ANON="",
            API_THROTTLE_USER="",
            DEMO_PASSWORD=demo_password,
            PYTHONUNBUFFERED="1",
        )
        self.gunicorn_log = tmp / "gunicorn.log"
        self.redis_log = tmp / "redis.log"

    # --- set-up -----------------------------------------------------------------------------

    def manage(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 -- the root's interpreter and manage.py
            [self.python, "manage.py", *args],
            cwd=self.root,
            env=self.env,  # no REDIS_URL: tasks run in-process while the demo data is loaded
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
            raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode})")
        return result.stdout

    def prepare(self) -> str:
        """Migrate, load the demo data and users; the API token of kaz-coordinator."""
        log(f"database {self.database_url}: migrate")
        self.manage("migrate", "--no-input", "-v", "0")
        log("setup_demo")
        self.manage("setup_demo")
        output = self.manage("drf_create_token", "kaz-coordinator")
        found = re.search(r"\b[0-9a-f]{40}\b", output)
        if not found:
            raise RuntimeError(f"no token in: {output!r}")
        return found.group(0)

    # --- Redis ------------------------------------------------------------------------------

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(  # noqa: S603 -- the machine's redis-server, fixed arguments
            [
                REDIS_SERVER,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=self.redis_log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not port_open(self.redis_port):
            if time.monotonic() > deadline or self.redis.poll() is not None:
                raise RuntimeError(f"redis-server did not start (see {self.redis_log})")
            time.sleep(0.05)
        log(f"redis-server on port {self.redis_port} (pid {self.redis.pid})")

    def stop_redis(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.kill()  # as a crash: no goodbye to the clients
            self.redis.wait(10)
        deadline = time.monotonic() + 5
        while port_open(self.redis_port) and time.monotonic() < deadline:
            time.sleep(0.05)
        log("redis-server stopped")

    # --- gunicorn ---------------------------------------------------------------------------

    def start_gunicorn(self) -> None:
        command = [self.python, "-m", "gunicorn", "config.wsgi"]
        if (self.root / "config" / "gunicorn.conf.py").exists():
            command += ["--config", "config/gunicorn.conf.py"]
        if "--control-socket" in self._gunicorn_help():
            # a gunicorn with a control socket: its socket in the temp dir, not ~/.gunicorn/
            command += ["--control-socket", str(self.tmp / "gunicorn.ctl")]
        command += [
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            str(TIMEOUT),
        ]
        env = dict(self.env, REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0")
        log(f"gunicorn: {' '.join(command[1:])} in {self.root}")
        self.gunicorn = subprocess.Popen(  # noqa: S603 -- the root's interpreter, our arguments
            command,
            cwd=self.root,
            env=env,
            stdout=self.gunicorn_log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready(timeout=90)
        log(f"gunicorn on {self.base} (master {self.gunicorn.pid}, workers {self.workers()})")

    def _gunicorn_help(self) -> str:
        result = subprocess.run(  # noqa: S603 -- the root's interpreter, fixed arguments
            [self.python, "-m", "gunicorn", "--help"],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout

    def workers(self) -> list[int]:
        """The master's live children (zombies waiting to be reaped are not counted)."""
        if self.gunicorn is None:
            return []
        return [pid for pid in children(self.gunicorn.pid) if alive(pid)]

    def wait_ready(self, timeout: float = 90) -> float:
        """Until every worker is up and /healthz answers 200; the seconds it took."""
        start = time.monotonic()
        while True:
            if self.gunicorn is not None and self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.gunicorn.returncode}): see log below")
            if len(self.workers()) >= WORKERS:
                with contextlib.suppress(requests.RequestException):
                    if requests.get(f"{self.base}/healthz", timeout=5).status_code == 200:
                        return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise RuntimeError(f"the server was not ready within {timeout} s")
            time.sleep(0.2)

    def close(self) -> None:
        _stop_group(self.gunicorn)
        _stop_group(self.redis, grace=5)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.gunicorn_log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


# --- /proc -----------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return found


def _status(pid: int) -> dict[str, str]:
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
    except OSError:
        pass
    return fields


def alive(pid: int) -> bool:
    state = _status(pid).get("State", "")
    return bool(state) and not state.startswith(("Z", "X"))


def rss_kb(pid: int) -> int | None:
    value = _status(pid).get("VmRSS")
    return int(value.split()[0]) if value else None


@dataclass
class Window:
    baseline: dict[int, int] = field(default_factory=dict)
    peak: dict[int, int] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    growth_mb: float = 0.0

    def killed(self) -> int:
        """Workers seen in the window that are gone: ask once the server is ready again (a worker
        killed at the timeout may still be exiting when the client has its answer)."""
        return sum(1 for pid in self.seen if not alive(pid))


class Monitor:
    """Samples the workers' RSS every `interval` seconds in a thread."""

    def __init__(self, stack: Stack, interval: float = 0.02) -> None:
        self.stack = stack
        self.interval = interval
        self.lock = threading.Lock()
        self.current: Window | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(2)

    def _sample(self) -> None:
        for pid in self.stack.workers():
            kb = rss_kb(pid)
            if kb is None:
                continue
            with self.lock:
                window = self.current
                if window is None:
                    continue
                window.seen.add(pid)
                window.baseline.setdefault(pid, kb)  # a worker born during the window
                window.peak[pid] = max(window.peak.get(pid, 0), kb)

    def _run(self) -> None:
        while not self.stopping.is_set():
            self._sample()
            time.sleep(self.interval)

    @contextlib.contextmanager
    def window(self) -> Iterator[Window]:
        window = Window()
        for pid in self.stack.workers():
            kb = rss_kb(pid)
            if kb is not None:
                window.baseline[pid] = kb
                window.peak[pid] = kb
                window.seen.add(pid)
        with self.lock:
            self.current = window
        try:
            yield window
        finally:
            time.sleep(0.2)  # the last samples
            with self.lock:
                self.current = None
            growth = [window.peak[pid] - window.baseline[pid] for pid in window.peak]
            window.growth_mb = max(growth, default=0) / 1024
