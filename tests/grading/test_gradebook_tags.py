"""The gradebook's rows drawn in Python (DECISIONS PC4): links equal to reverse(), text
escaped, the optional columns only when wide."""

from datetime import UTC, datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from course.templatetags.gradebook_tags import PkLink, standing_cells
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
