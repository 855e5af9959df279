"""A real OpenID Connect provider for tests: oidc-provider-mock, run as its own process on a free
port of 127.0.0.1 (`python -m oidc_provider_mock`), and the site's settings pointed at it.

The provider accepts any client id and secret and any redirect URI. Its authorization page asks
for a subject (`sub`); the claims of a subject (email, email_verified) are set beforehand with
`Provider.set_user`. A subject never set gets only {"email": sub}: no email_verified.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from core import oidc

CLIENT_ID = "unct-swap-tests"
CLIENT_SECRET = "unct-swap-tests-secret"
PROVIDER_NAME = "Test ID"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Provider:
    url: str  # the issuer
    process: subprocess.Popen
    log: Path

    def set_user(self, sub: str, **claims: object) -> None:
        """The claims the provider gives for `sub` (its PUT /users/<sub>)."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def authorize(self, authorization_url: str, sub: str) -> str:
        """What a person does on the provider's page: type the subject and press Authorize.
        Returns where the provider sends the browser back (our callback, with code and state)."""
        response = requests.post(
            authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5
        )
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]

    def deny(self, authorization_url: str) -> str:
        response = requests.post(
            authorization_url, data={"action": "deny"}, allow_redirects=False, timeout=5
        )
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextmanager
def running_provider(log_dir: Path) -> Iterator[Provider]:
    """Start the provider, wait until its discovery document answers (30 s at most), stop it
    at the end."""
    port = free_port()
    log = log_dir / f"oidc-provider-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 -- our own interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "oidc_provider_mock",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    provider = Provider(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the OIDC provider exited: {log.read_text()[-2000:]}")
            try:
                ready = requests.get(f"{provider.url}/.well-known/openid-configuration", timeout=1)
                if ready.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the OIDC provider did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield provider
    finally:
        provider.stop()


def use_provider(settings, issuer: str, *, name: str = PROVIDER_NAME) -> None:
    """Single sign-on on, against `issuer`, as the environment would set it in production."""
    settings.OIDC_ISSUER_URL = issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = name
    settings.OIDC_TRUST_EMAIL = False
    settings.OIDC_TIMEOUT = 5
    if "core.oidc.OIDCBackend" not in settings.AUTHENTICATION_BACKENDS:
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "core.oidc.OIDCBackend",
        ]
    oidc.forget_discovery()


def path_of(url: str) -> str:
    """The path and query of a URL (the test client is given our callback without its host)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
