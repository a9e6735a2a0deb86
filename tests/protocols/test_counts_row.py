"""The school overview's count cells drawn in one tag (DECISIONS PC4)."""

import re
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from protocols.templatetags.protocols_tags import counts_row


def test_counts_row_escapes_the_query_and_shows_shares():
    c = SimpleNamespace(on_time=3, late=1, missing=0, pending=2, flagged=0)
    with translation.override("en"):
        row = counts_row(c, 'class=5"А&b')
    assert row.count("<td>") == 5
    assert 'href="?show=late&amp;class=5&quot;А&amp;b"' in row
    assert "3 · 75%" in row and "1 · 25%" in row and "0 · 0%" in row
    assert '<span class="visually-hidden"> waiting for review</span>' in row


# The markup the tag replaced (templates/protocols/review/overview.html's loops).
LOOPS = Template(
    "{% load i18n protocols_tags %}"
    '{% for name, c, q in classes %}<tr><th scope="row">{{ name }}</th>{% counts_row c q %}</tr>'
    "{% endfor %}|{% for pk, name, c, q in people %}"
    '<tr><th scope="row">{% if pk %}{{ name }}{% else %}{% translate "no assistant assigned" %}'
    "{% endif %}</th>{% counts_row c q %}</tr>{% endfor %}"
)
TAGS = Template(
    "{% load protocols_tags %}{% counts_rows classes %}|{% counts_rows people by_assistant=True %}"
)


def _squeezed(html: str) -> str:
    """Whitespace runs as one space, none between tags: the HTML up to whitespace."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html))


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_counts_rows_draw_what_the_template_loops_drew(language):
    c = SimpleNamespace(on_time=3, late=1, missing=0, pending=2, flagged=0)
    none = SimpleNamespace(on_time=0, late=0, missing=0, pending=0, flagged=1)
    context = Context({
        "classes": [("5 <А>", c, "class=5+%3CА"), ("6 Б&", none, "class=6")],
        "people": [(7, 'Ә "Ассистент" <b>', c, "assistant=7"), (None, "", none, "assistant=none")],
    })  # fmt: skip
    with translation.override(language):
        drawn, expected = TAGS.render(context), LOOPS.render(context)
    assert _squeezed(drawn) == _squeezed(expected)
    assert "&lt;b&gt;" in drawn and "<b>" not in drawn and drawn.count("<tr>") == 4
