"""Small counts and their complements: no shown figure, nor a difference of shown figures,
gives away a count of 1–4."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from assistant_portal.oversight.disclosure import shown, suppress


@pytest.mark.parametrize(("language", "hidden"), [("en", "< 5"), ("kk", "< 5 (аз)")])
def test_small_counts_hidden_zero_and_large_shown(language, hidden):
    values = {"a": 0, "b": 3, "c": 5, "d": 12}
    assert suppress(values, []) == {"b"}
    with translation.override(language):
        assert [shown(values[k], k in {"b"}) for k in "abcd"] == ["0", hidden, "5", "12"]


def test_a_lone_hidden_cell_takes_the_smallest_other_cell_of_its_line():
    # on time + late + missing = due, all shown: late = 3 would be due − on time − missing.
    values = {"due": 30, "on_time": 20, "late": 3, "missing": 7}
    hidden = suppress(values, [["due", "on_time", "late", "missing"]])
    assert hidden == {"late", "missing"}


def test_complements_follow_across_rows_and_columns():
    # Two schools and their total; school 1's late (2) is small.
    values = {
        (1, "late"): 2,
        (1, "on_time"): 10,
        (1, "due"): 12,
        (2, "late"): 9,
        (2, "on_time"): 11,
        (2, "due"): 20,
        ("t", "late"): 11,
        ("t", "on_time"): 21,
        ("t", "due"): 32,
    }
    rows = [[(r, "due"), (r, "on_time"), (r, "late")] for r in (1, 2, "t")]
    cols = [[(r, c) for r in (1, 2, "t")] for c in ("due", "on_time", "late")]
    hidden = suppress(values, rows + cols)
    assert (1, "late") in hidden
    for group in rows + cols:
        assert len([c for c in group if c in hidden]) != 1, group


@given(st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=1, max_size=8))
def test_no_line_ever_has_exactly_one_hidden_cell(table):
    values, rows = {}, []
    for i, (a, b, c) in enumerate(table):
        values |= {(i, "a"): a, (i, "b"): b, (i, "c"): c, (i, "sum"): a + b + c}
        rows.append([(i, "a"), (i, "b"), (i, "c"), (i, "sum")])
    for col in ("a", "b", "c", "sum"):
        values[("t", col)] = sum(values[(i, col)] for i in range(len(table)))
    rows.append([("t", "a"), ("t", "b"), ("t", "c"), ("t", "sum")])
    cols = [[(i, col) for i in [*range(len(table)), "t"]] for col in ("a", "b", "c", "sum")]
    hidden = suppress(values, rows + cols)
    assert all(cell in hidden for cell, v in values.items() if 0 < v < 5)
    for group in rows + cols:
        assert len([c for c in group if c in hidden]) != 1
