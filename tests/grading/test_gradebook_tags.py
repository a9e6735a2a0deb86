"""The gradebook's rows drawn in Python (DECISIONS PC4): links equal to reverse(), text
escaped, the optional columns only when wide."""

from datetime import UTC, datetime
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation

from course.templatetags.gradebook_tags import PkLink, _two_places, standing_cells
from grading.gradebook import TaskInfo, standing

PAST = datetime(2026, 11, 19, 12, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_a_link_reversed_once_equals_reverse():
    for name in ("grading:listener", "course:paper_score"):
        link = PkLink(name)
        for pk in (1, 42, 987654321, 10**12):
            assert link(pk) == reverse(name, args=[pk])


def test_standing_cells_escape_the_labels_and_count_the_columns():
    st = standing(
        enrolment_id=1,
        tasks=[TaskInfo(1, PAST)],
        scores={1: Decimal("90.5")},
        test=None,
        attempts_used=0,
        now=NOW,
        require_test_pass=True,
    )
    hostile = "<b>&</b>"
    with translation.override("en"):
        narrow = standing_cells(st, hostile, hostile, hostile, False)
        wide = standing_cells(st, hostile, hostile, hostile, True)
    assert "<b>" not in wide and "&lt;b&gt;&amp;&lt;/b&gt;" in wide
    assert narrow.count("<td") == 6 and wide.count("<td") == 9
    assert "90.50" in narrow and f'data-blocking="{st.blocking}"' in narrow


def test_two_places_draws_what_floatformat_draws():
    values = [Decimal(x) for x in ("0", "-0", "0.004", "0.005", "54.495", "54.5", "99.995")]
    values += [Decimal(545) / Decimal(6), Decimal("100"), Decimal("12.3"), Decimal("999.996")]
    values += [Decimal(n) / 1000 for n in range(0, 100_001, 1237)]
    others = [Decimal("-1.5"), Decimal("1234.5"), Decimal("NaN"), 7, 54.5, "12.345"]
    for language in ("kk", "ru", "en"):
        with translation.override(language):
            for value in [*values, *others]:
                assert _two_places(value) == floatformat(value, 2), (language, value)
    with translation.override("ru"):
        assert _two_places(Decimal("90.835")) == "90,84"  # the language's separator
