"""The browser's side for bench/hostile/run.py: HTML forms read from a page and sent back as a
browser would (CSRF token included), logging in through the log-in form, and a large multipart
body streamed from a generator with http.client (the client never holds it whole)."""

from __future__ import annotations

import http.client
import select
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

TIMEOUT = (5, 60)  # connect, read: every call is bounded


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def names(self) -> set[str]:
        return {name for name, _value in self.fields}

    def data(self, **changes: str) -> list[tuple[str, str]]:
        """The fields as a browser would send them, with `changes` replacing (or adding) values."""
        out = [(name, value) for name, value in self.fields if name not in changes]
        return out + list(changes.items())


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: str | None = None
        self.text: list[str] = []
        self.select: str | None = None
        self.select_options: list[tuple[str, bool]] = []
        self.select_multiple = False
        self.option_value: str | None = None
        self.option_selected = False
        self.option_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self.form)
        if self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []
        elif tag == "select" and name:
            self.select, self.select_options = name, []
            self.select_multiple = "multiple" in a
        elif tag == "option" and self.select is not None:
            self.option_value = a.get("value")
            self.option_selected = "selected" in a
            self.option_text = []

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)
        elif self.option_value is None and self.select is not None:
            self.option_text.append(data)

    def _end_option(self) -> None:
        if self.select is not None and (self.option_value is not None or self.option_text):
            value = self.option_value
            if value is None:  # <option>text</option>: the text is the value
                value = "".join(self.option_text)
            self.select_options.append((value.strip(), self.option_selected))
        self.option_value, self.option_text = None, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            text = "".join(self.text)
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self.form.fields.append((self.textarea, text))
            self.textarea = None
        elif tag == "option":
            self._end_option()
        elif tag == "select" and self.select is not None and self.form is not None:
            self._end_option()
            chosen = [value for value, selected in self.select_options if selected]
            if not chosen and self.select_options and not self.select_multiple:
                chosen = [self.select_options[0][0]]
            self.form.fields += [(self.select, value) for value in chosen]
            self.select = None


def forms(page: str, url: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(page)
    for form in parser.forms:
        form.action = urljoin(url, form.action or url)
    return parser.forms


def form_with(page: str, url: str, *names: str) -> Form | None:
    """The first form on the page with every field in `names`."""
    for form in forms(page, url):
        if set(names) <= form.names():
            return form
    return None


def login(session: requests.Session, base: str, username: str, password: str) -> int:
    """Log in through the log-in form; the status of the POST (302 when it worked)."""
    url = f"{base}/accounts/login/"
    page = session.get(url, timeout=TIMEOUT)
    form = form_with(page.text, url, "username", "password") if page.ok else None
    if form is None:
        return page.status_code if not page.ok else 0
    answer = session.post(
        form.action,
        data=form.data(username=username, password=password),
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return answer.status_code


@dataclass
class Streamed:
    status: int  # 0: the server closed the connection and no answer could be read
    seconds: float
    sent_bytes: int
    body: bytes = b""


def multipart_stream(
    host: str,
    port: int,
    path: str,
    *,
    fields: dict[str, str],
    file_field: str,
    file_name: str,
    content_type: str,
    file_size: int,
    file_chunks: Iterable[bytes],
    headers: dict[str, str],
    timeout: float = 60,
) -> Streamed:
    """POST a multipart form whose file part comes from `file_chunks` (`file_size` bytes in all),
    with an exact Content-Length. Before each chunk, a server that has already answered (413
    before reading the body) is listened to instead of sent more."""
    boundary = uuid.uuid4().hex
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{file_name}"\r\nContent-Type: {content_type}\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + file_size + len(tail)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    start = time.monotonic()
    sent = 0
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        connection.putheader("Content-Length", str(length))
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        sock = connection.sock

        def pieces() -> Iterator[bytes]:
            yield head
            yield from file_chunks
            yield tail

        try:
            for piece in pieces():
                readable, _w, _x = select.select([sock], [], [], 0)
                if readable:  # an early answer (or the connection closed): stop sending
                    break
                sock.sendall(piece)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            response = connection.getresponse()
            body = response.read()
            return Streamed(response.status, time.monotonic() - start, sent, body)
        except (http.client.HTTPException, OSError):
            return Streamed(0, time.monotonic() - start, sent)
    except OSError:
        return Streamed(0, time.monotonic() - start, sent)
    finally:
        connection.close()
