"""No user-visible text outside a translation call: in templates (text and the attributes a
person reads or hears) and in Python (form and model labels, help texts, validation errors,
messages to the user). A new English-only string fails here, before it reaches a French page.

Operator CLIs (management commands) and log lines speak English, like Django's own.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
APPS = ["config", "core", "scorecard", "reports", "dashboards", "parity", "commitments", "hub"]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))

# Attributes a person reads or a screen reader says.
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
MARK = "\x00"  # stands for a template tag or variable in the text the HTML parser sees
WORD = re.compile(r"[^\W\d_]{2,}")
# Not language: the product's and the standard's names, web and mail addresses, file types.
NOT_LANGUAGE = re.compile(
    r"UNCT-SWAP|SHA-256|https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+|\.(?:xlsx|csv|json|pdf)\b"
)


def neutral(source: str) -> str:
    """The template's text with every tag and variable replaced by MARK, and with what needs no
    translation dropped: blocktranslate bodies, comments, and blocks that hold CSS classes."""
    out: list[str] = []
    hidden: list[str] = []  # the end tags that close what is being skipped
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            bits = token.contents.split()
            name = bits[0] if bits else ""
            if hidden and name == hidden[-1]:
                hidden.pop()
            elif name in ("blocktranslate", "blocktrans"):
                hidden.append("end" + name)
            elif name == "comment":
                hidden.append("endcomment")
            elif name == "block" and len(bits) > 1 and bits[1].endswith("class"):
                hidden.append("endblock")
            out.append(MARK)
        elif token.token_type == TokenType.TEXT and not hidden:
            out.append(token.contents)
        else:
            out.append(MARK)
    return "".join(out)


class VisibleText(HTMLParser):
    """Collects (line, text) of words a person sees or hears, outside <script>, <style> and
    <code> (machine names shown as they are typed)."""

    SKIP = {"script", "style", "code"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._check(data)

    def _check(self, text: str) -> None:
        for part in text.split(MARK):
            if WORD.search(NOT_LANGUAGE.sub(" ", part)):
                self.found.append((self.getpos()[0], part.strip()))


def untranslated_in_template(source: str) -> list[tuple[int, str]]:
    parser = VisibleText()
    parser.feed(neutral(source))
    parser.close()
    return parser.found


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_template_has_no_text_outside_translation(path):
    found = untranslated_in_template(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.relative_to(ROOT)}: text outside {{% translate %}}: {found}"


def test_template_lint_finds_what_it_must_and_spares_what_it_may():
    found = untranslated_in_template(
        "{% load i18n %}<h1>{% translate 'Report' %}</h1><p>Generate PDF</p>"
        '<img alt="Logo of UN Women" src="x.png">'
        "{% blocktranslate %}PI {{ code }}{% endblocktranslate %}{# a note #}"
        "<code>maker_category</code> · UNCT-SWAP · SHA-256 · https://example.org/a "
        "{% block container_class %}container-fluid px-4{% endblock %}"
        "<script>const words = 'not shown';</script>"
    )
    assert [text for _line, text in found] == ["Generate PDF", "Logo of UN Women"]


# --- Python -----------------------------------------------------------------------------------

# Keyword arguments whose value a person reads: field and model labels and help.
VISIBLE_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
# Calls whose first argument a person reads: errors and messages to the user.
VISIBLE_CALLS = {"ValidationError", "PermissionDenied", "Http404", "NotFound", "ParseError"}
MESSAGE_CALLS = {"debug", "info", "success", "warning", "error", "add_message"}


def _is_words(node: ast.AST) -> bool:
    """A literal with words in it: a plain string, or an f-string whose fixed parts have words."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(WORD.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_is_words(part) for part in node.values if isinstance(part, ast.Constant))
    return False


def untranslated_in_python(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = getattr(func, "attr", None) or getattr(func, "id", None)
        owner = getattr(getattr(func, "value", None), "id", None)
        shown = [k.value for k in node.keywords if k.arg in VISIBLE_KEYWORDS]
        if name in VISIBLE_CALLS or (name in MESSAGE_CALLS and owner == "messages"):
            shown += node.args[:2]
        found += [(arg.lineno, ast.unparse(arg)) for arg in shown if _is_words(arg)]
    return found


PYTHON = sorted(
    path
    for app in APPS
    for path in (ROOT / app).rglob("*.py")
    if "migrations" not in path.parts and "management" not in path.parts
)


@pytest.mark.parametrize("path", PYTHON, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_shows_no_text_outside_translation(path):
    found = untranslated_in_python(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.relative_to(ROOT)}: text outside gettext: {found}"


def test_python_lint_finds_what_it_must_and_spares_what_it_may():
    found = untranslated_in_python(
        "forms.CharField(label='Your name', help_text=_('Shown to the team'))\n"
        "raise ValidationError(f'No PI {code} here')\n"
        "messages.success(request, 'Saved.')\n"
        "logger.warning('Broker down: %s', error)\n"
        "messages.error(request, _('Not saved.'))\n"
        "Point(label=f'{value} %')\n"
    )
    assert [text for _line, text in found] == [
        "'Your name'",
        "f'No PI {code} here'",
        "'Saved.'",
    ]
