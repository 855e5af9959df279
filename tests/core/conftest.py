"""Mail through a real SMTP server: aiosmtpd on a free port of 127.0.0.1, or a port where a
server hangs up at once (a server that is down), with Django's SMTP backend pointed at it."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Delivered:
    """One message as the SMTP server received it."""

    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        # Django folds a long encoded subject onto the next line; the parser keeps the space.
        return str(self.message["Subject"]).strip()

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


@dataclass
class SmtpServer:
    port: int
    received: list[Delivered] = field(default_factory=list)

    # aiosmtpd calls its handler's handle_DATA for each message.
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Delivered(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp(settings, port: int) -> None:
    """Django's SMTP backend, plain, at 127.0.0.1:port (as EMAIL_URL=smtp://127.0.0.1:port)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    """A running SMTP server that keeps what it receives; mail is sent to it."""
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    use_smtp(settings, server.port)
    yield server
    controller.stop()


@pytest.fixture
def smtp_down(settings) -> Iterator[list[int]]:
    """A port where connections are accepted and closed at once, as by a server that is down
    or overloaded; mail is sent there. Yields the list of connection attempts, one per try."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    attempts: list[int] = []
    stop = threading.Event()

    def hang_up() -> None:
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            attempts.append(1)  # counted before the client sees the connection close
            connection.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    use_smtp(settings, listener.getsockname()[1])
    yield attempts
    stop.set()
    thread.join(timeout=5)
    listener.close()
