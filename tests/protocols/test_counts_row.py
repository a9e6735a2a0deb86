"""The school overview's count cells drawn in one tag (DECISIONS PC4)."""

from types import SimpleNamespace

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
