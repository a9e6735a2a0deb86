"""grading.rules: every edge by hand, the rest as properties (STYLE.md "Pure rules").

No database and no Django: the module under test is pure.
"""

import ast
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading import rules
from grading.rules import (
    ADMISSION_THRESHOLD,
    CERTIFICATE_THRESHOLD,
    TEST_PASS_THRESHOLD,
    TEST_QUESTIONS,
    LetterGrade,
    blocking_rule,
    certificate_eligible,
    current_performance,
    final_grade,
    final_test_band,
    final_test_score,
    is_admitted,
    letter_grade,
    retake_allowed,
    round_half_up,
    work_rubric,
)

D = Decimal

# Scores as users type them: whole points or two decimals, 0–100 (§8.7).
scores = st.one_of(
    st.integers(min_value=0, max_value=100),
    st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
)
score_lists = st.lists(scores, min_size=1, max_size=30)
policies = st.booleans()


# --- the module stays pure -------------------------------------------------------


def test_rules_module_imports_nothing_from_django():
    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not {name for name in imported if name.split(".")[0] == "django"}


def test_constants():
    assert ADMISSION_THRESHOLD == 50
    assert CERTIFICATE_THRESHOLD == 55
    assert TEST_PASS_THRESHOLD == 70
    assert TEST_QUESTIONS == 20


# --- round_half_up ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("0"), 0),
        (D("0.49"), 0),
        (D("0.5"), 1),
        (D("24.49"), 24),
        (D("24.5"), 25),
        (D("49.49"), 49),
        (D("49.5"), 50),
        (D("54.49"), 54),
        (D("54.5"), 55),
        (D("69.49"), 69),
        (D("69.5"), 70),
        (D("94.49"), 94),
        (D("94.5"), 95),
        (D("99.5"), 100),
        (D("100"), 100),
        (D("100.00"), 100),
        (50, 50),
        ("94.5", 95),
        (" 54.5 ", 55),
        # Half-up, not banker's rounding: even integers below .5 still go up.
        (D("2.5"), 3),
        (D("50.5"), 51),
    ],
)
def test_round_half_up(value, expected):
    assert round_half_up(value) == expected
    assert type(round_half_up(value)) is int


def test_round_half_up_absorbs_the_last_digit_error_of_a_quotient():
    # 0.6 · (545/6) cut at 28 digits is 54.4999…998, not 54.5: it must still round up.
    assert round_half_up(D("54.499999999999999999999999998")) == 55
    # A value a person types, even with many decimals, is left alone.
    assert round_half_up(D("54.4999999999")) == 54


@pytest.mark.parametrize("value", [94.5, 0.0, True, None, [1], object()])
def test_round_half_up_rejects_non_numbers(value):
    with pytest.raises(TypeError):
        round_half_up(value)


@pytest.mark.parametrize(
    "value", ["abc", "", "NaN", "sNaN", "Infinity", "-Infinity", D("NaN"), D("1e100")]
)
def test_round_half_up_rejects_non_finite_or_garbage(value):
    with pytest.raises(ValueError):
        round_half_up(value)


# --- current performance (TU, §8.8) ---------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([D("80")], D("80")),
        ([0], D("0")),
        ([100], D("100")),
        ([100, 0], D("50")),
        ([1, 2], D("1.5")),
        ([D("49.49"), D("49.49")], D("49.49")),
        (["70", 80, D("90")], D("80")),
        ([D("33.33"), D("66.67")], D("50")),
        ([100, 0, 0], D("100") / 3),
    ],
)
def test_current_performance(items, expected):
    assert current_performance(items) == expected


def test_current_performance_accepts_any_iterable():
    assert current_performance(x for x in (60, 70, 80)) == D("70")
    assert current_performance((D("50"),)) == D("50")


def test_current_performance_is_exact_not_float_rounded():
    # float mean of 0.1 + 0.2 would be 0.15000000000000002
    assert current_performance([D("0.1"), D("0.2")]) == D("0.15")


def test_current_performance_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        current_performance([])


@pytest.mark.parametrize("bad", [D("-0.01"), D("100.01"), -1, 101, "150", "abc", "NaN"])
def test_current_performance_rejects_out_of_range(bad):
    with pytest.raises(ValueError):
        current_performance([D("50"), bad])


@pytest.mark.parametrize("bad", [50.0, 0.1, True, None])
def test_current_performance_rejects_floats_and_non_numbers(bad):
    with pytest.raises(TypeError):
        current_performance([D("50"), bad])


# --- admission (§8.9) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("tu", "admitted"),
    [
        (0, False),
        (D("49"), False),
        (D("49.49"), False),
        (D("49.5"), True),
        (D("50"), True),
        (100, True),
        ("49.5", True),
    ],
)
def test_is_admitted(tu, admitted):
    assert is_admitted(tu) is admitted


@pytest.mark.parametrize("tu", [D("-0.01"), D("100.5"), 101])
def test_is_admitted_rejects_out_of_range(tu):
    with pytest.raises(ValueError):
        is_admitted(tu)


def test_is_admitted_rejects_float():
    with pytest.raises(TypeError):
        is_admitted(49.5)


# --- final test score (§8.13) and bands (§8.3) ------------------------------------


@pytest.mark.parametrize("correct", range(TEST_QUESTIONS + 1))
def test_final_test_score_is_five_points_a_question(correct):
    assert final_test_score(correct) == D(5 * correct)


@pytest.mark.parametrize(
    ("correct", "total", "expected"),
    [
        (0, 1, D("0")),
        (1, 1, D("100")),
        (1, 3, D("100") / 3),
        (7, 8, D("87.5")),
        (20, 20, D("100")),
    ],
)
def test_final_test_score_other_totals(correct, total, expected):
    assert final_test_score(correct, total) == expected


@pytest.mark.parametrize(
    ("correct", "total"), [(-1, 20), (21, 20), (0, 0), (1, 0), (0, -5), (5, 4)]
)
def test_final_test_score_rejects_impossible_counts(correct, total):
    with pytest.raises(ValueError):
        final_test_score(correct, total)


@pytest.mark.parametrize(("correct", "total"), [(10.0, 20), (10, 20.0), (True, 20), ("10", 20)])
def test_final_test_score_needs_whole_counts(correct, total):
    with pytest.raises(TypeError):
        final_test_score(correct, total)


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (D("0"), "not_done"),
        (0, "not_done"),
        (D("0.00"), "not_done"),
        (D("0.01"), "partial"),  # one correct answer of many is already "partly done"
        (D("5"), "partial"),
        (D("45"), "partial"),
        (D("49.49"), "partial"),
        (D("49.5"), "above_average"),
        (D("50"), "above_average"),  # SPEC §7: 50 % is above average
        (D("65"), "above_average"),
        (D("69.49"), "above_average"),
        (D("69.5"), "full"),
        (D("70"), "full"),  # SPEC §7: 70 % is full
        (D("100"), "full"),
    ],
)
def test_final_test_band(percent, band):
    assert final_test_band(percent) == band


@pytest.mark.parametrize(
    ("correct", "band"),
    [(0, "not_done"), (1, "partial"), (9, "partial"), (10, "above_average")]
    + [(13, "above_average"), (14, "full"), (20, "full")],
)
def test_final_test_band_by_correct_answers(correct, band):
    assert final_test_band(final_test_score(correct)) == band


@pytest.mark.parametrize("percent", [D("-1"), D("100.01"), 101])
def test_final_test_band_rejects_out_of_range(percent):
    with pytest.raises(ValueError):
        final_test_band(percent)


def test_final_test_band_rejects_float():
    with pytest.raises(TypeError):
        final_test_band(70.0)


# --- final grade (§8.10) --------------------------------------------------------


@pytest.mark.parametrize(
    ("tu", "test", "expected"),
    [
        (0, 0, D("0")),
        (100, 100, D("100")),
        (100, 0, D("60")),
        (0, 100, D("40")),
        (50, 50, D("50")),
        (50, 70, D("58")),
        (D("49.5"), D("69.5"), D("57.5")),
        (50, D("61.25"), D("54.5")),
        (D("33.33"), D("66.67"), D("46.666")),
        ("80", "90", D("84")),
    ],
)
def test_final_grade(tu, test, expected):
    assert final_grade(tu, test) == expected


def test_final_grade_uses_exact_weights_not_floats():
    # With float weights 0.6 * 0.1 + 0.4 * 0.1 is 0.10000000000000000555…
    assert final_grade(D("0.1"), D("0.1")) == D("0.1")


@pytest.mark.parametrize(
    ("tu", "test"), [(D("-0.01"), 50), (50, D("-0.01")), (D("100.01"), 50), (50, 101)]
)
def test_final_grade_rejects_out_of_range(tu, test):
    with pytest.raises(ValueError):
        final_grade(tu, test)


@pytest.mark.parametrize(("tu", "test"), [(50.0, 50), (50, 50.0), (50, None)])
def test_final_grade_rejects_floats_and_none(tu, test):
    with pytest.raises(TypeError):
        final_grade(tu, test)


# --- letter grade (table 3) -------------------------------------------------------

LETTER_EDGES = [
    # score, letter, points, traditional: each band's bottom, top, and the .5 either side
    (D("100"), "A", D("4.0"), "excellent"),
    (D("95"), "A", D("4.0"), "excellent"),
    (D("94.5"), "A", D("4.0"), "excellent"),
    (D("94.49"), "A-", D("3.67"), "excellent"),
    (D("90"), "A-", D("3.67"), "excellent"),
    (D("89.5"), "A-", D("3.67"), "excellent"),
    (D("89.49"), "B+", D("3.33"), "good"),
    (D("85"), "B+", D("3.33"), "good"),
    (D("84.5"), "B+", D("3.33"), "good"),
    (D("84.49"), "B", D("3.0"), "good"),
    (D("80"), "B", D("3.0"), "good"),
    (D("79.5"), "B", D("3.0"), "good"),
    (D("79.49"), "B-", D("2.67"), "good"),
    (D("75"), "B-", D("2.67"), "good"),
    (D("74.5"), "B-", D("2.67"), "good"),
    (D("74.49"), "C+", D("2.33"), "good"),
    (D("70"), "C+", D("2.33"), "good"),
    (D("69.5"), "C+", D("2.33"), "good"),
    (D("69.49"), "C", D("2.0"), "satisfactory"),
    (D("65"), "C", D("2.0"), "satisfactory"),
    (D("64.5"), "C", D("2.0"), "satisfactory"),
    (D("64.49"), "C-", D("1.67"), "satisfactory"),
    (D("60"), "C-", D("1.67"), "satisfactory"),
    (D("59.5"), "C-", D("1.67"), "satisfactory"),
    (D("59.49"), "D+", D("1.33"), "satisfactory"),
    (D("55"), "D+", D("1.33"), "satisfactory"),
    (D("54.5"), "D+", D("1.33"), "satisfactory"),
    (D("54.49"), "D", D("1.0"), "satisfactory"),
    (D("50"), "D", D("1.0"), "satisfactory"),
    (D("49.5"), "D", D("1.0"), "satisfactory"),
    (D("49.49"), "FX", D("0.5"), "unsatisfactory"),
    (D("25"), "FX", D("0.5"), "unsatisfactory"),
    (D("24.5"), "FX", D("0.5"), "unsatisfactory"),
    (D("24.49"), "F", D("0"), "unsatisfactory"),
    (D("24"), "F", D("0"), "unsatisfactory"),
    (D("0"), "F", D("0"), "unsatisfactory"),
    (94, "A-", D("3.67"), "excellent"),
    ("95", "A", D("4.0"), "excellent"),
]


@pytest.mark.parametrize(("score", "letter", "points", "traditional"), LETTER_EDGES)
def test_letter_grade_edges(score, letter, points, traditional):
    grade = letter_grade(score)
    assert grade == LetterGrade(letter, points, traditional)
    assert (grade.letter, grade.points, grade.traditional) == (letter, points, traditional)


@pytest.mark.parametrize("whole", range(101))
def test_letter_grade_every_whole_score_matches_the_table(whole):
    table = [
        (95, 100, "A"),
        (90, 94, "A-"),
        (85, 89, "B+"),
        (80, 84, "B"),
        (75, 79, "B-"),
        (70, 74, "C+"),
        (65, 69, "C"),
        (60, 64, "C-"),
        (55, 59, "D+"),
        (50, 54, "D"),
        (25, 49, "FX"),
        (0, 24, "F"),
    ]
    (expected,) = [letter for low, high, letter in table if low <= whole <= high]
    assert letter_grade(whole).letter == expected


def test_letter_grade_letters_are_latin():
    letters = {letter_grade(s).letter for s in range(101)}
    assert letters == {"A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "FX", "F"}
    assert all(ch.isascii() for letter in letters for ch in letter)


@pytest.mark.parametrize("score", [D("-0.01"), D("100.01"), -5, 200])
def test_letter_grade_rejects_out_of_range(score):
    with pytest.raises(ValueError):
        letter_grade(score)


def test_letter_grade_rejects_float():
    with pytest.raises(TypeError):
        letter_grade(94.5)


# --- work rubric (table 4) -------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (0, "unsatisfactory"),
        (D("49"), "unsatisfactory"),
        (D("49.49"), "unsatisfactory"),
        (D("49.5"), "satisfactory"),
        (D("50"), "satisfactory"),
        (D("69"), "satisfactory"),
        (D("69.49"), "satisfactory"),
        (D("69.5"), "good"),
        (D("70"), "good"),
        (D("89"), "good"),
        (D("89.49"), "good"),
        (D("89.5"), "excellent"),
        (D("90"), "excellent"),
        (100, "excellent"),
    ],
)
def test_work_rubric(score, label):
    assert work_rubric(score) == label


def test_work_rubric_rejects_out_of_range_and_floats():
    with pytest.raises(ValueError):
        work_rubric(D("100.01"))
    with pytest.raises(ValueError):
        work_rubric(-1)
    with pytest.raises(TypeError):
        work_rubric(90.0)


# --- certificate (§8.11), blocking rule, retake (§8.12) -------------------------

# tu, test, default rule, strict rule (require_test_pass=True)
CERTIFICATE_CASES = [
    (D("49.49"), D("100"), "not_admitted", "not_admitted"),
    (D("0"), None, "not_admitted", "not_admitted"),
    (D("49.49"), None, "not_admitted", "not_admitted"),
    (D("49.5"), None, "no_test", "no_test"),
    (D("100"), None, "no_test", "no_test"),
    (D("49.5"), D("100"), None, None),  # admitted at 49.5; final 69.7
    (D("50"), D("61.25"), None, "test_below_70"),  # final exactly 54.5 → 55
    (D("50"), D("61.2"), "final_below_55", "test_below_70"),  # final 54.48 → 54
    (D("50"), D("60"), "final_below_55", "test_below_70"),  # final 54
    (D("50"), D("0"), "final_below_55", "test_below_70"),
    (D("90"), D("0"), "final_below_55", "test_below_70"),  # final exactly 54
    (D("91"), D("0"), None, "test_below_70"),  # final 54.6 → 55
    (D("100"), D("0"), None, "test_below_70"),  # final 60
    (D("100"), D("69.49"), None, "test_below_70"),
    (D("100"), D("69.5"), None, None),
    (D("50"), D("70"), None, None),  # final 58
    (D("49.5"), D("69.5"), None, None),  # final 57.5: the strict policy's floor
    (D("100"), D("100"), None, None),
]


@pytest.mark.parametrize(("tu", "test", "default_rule", "strict_rule"), CERTIFICATE_CASES)
def test_blocking_rule_and_certificate(tu, test, default_rule, strict_rule):
    assert blocking_rule(tu, test) == default_rule
    assert blocking_rule(tu, test, require_test_pass=True) == strict_rule
    assert certificate_eligible(tu, test) is (default_rule is None)
    assert certificate_eligible(tu, test, require_test_pass=True) is (strict_rule is None)


def test_certificate_from_a_non_terminating_tu():
    # TU = 545/6 = 90.8333…, test 0: the exact final grade is 54.5 → 55 → certificate.
    tu = current_performance([90, 91, 91, 91, 91, 91])
    assert tu != D("90.83")  # kept unrounded
    assert certificate_eligible(tu, 0)
    assert letter_grade(final_grade(tu, 0)).letter == "D+"


@pytest.mark.parametrize(
    ("tu", "test", "retakes_used", "strict", "allowed"),
    [
        (D("50"), D("60"), 0, False, True),  # final 54 < 55, admitted: one retake
        (D("50"), D("60"), 1, False, False),  # the one retake is used
        (D("50"), D("60"), 2, False, False),
        (D("50"), D("0"), 0, False, True),
        (D("49.49"), D("0"), 0, False, False),  # not admitted: nothing to retake
        (D("49.49"), None, 0, False, False),
        (D("50"), None, 0, False, False),  # no test taken yet
        (D("50"), D("61.25"), 0, False, False),  # final 54.5 → certificate
        (D("100"), D("100"), 0, False, False),
        (D("100"), D("60"), 0, False, False),  # default policy: final 76, eligible
        (D("100"), D("60"), 0, True, True),  # strict policy: test below 70 → retake
        (D("100"), D("69.49"), 0, True, True),
        (D("100"), D("69.5"), 0, True, False),
        (D("100"), D("60"), 1, True, False),
    ],
)
def test_retake_allowed(tu, test, retakes_used, strict, allowed):
    result = retake_allowed(tu, test, retakes_used=retakes_used, require_test_pass=strict)
    assert result is allowed


def test_retake_needs_keyword_retakes_used():
    with pytest.raises(TypeError):
        retake_allowed(D("50"), D("60"), 0)  # type: ignore[misc]


@pytest.mark.parametrize(("retakes_used", "error"), [(-1, ValueError), (0.0, TypeError)])
def test_retake_rejects_bad_counts(retakes_used, error):
    with pytest.raises(error):
        retake_allowed(D("50"), D("60"), retakes_used=retakes_used)


@pytest.mark.parametrize(
    "call",
    [
        lambda: certificate_eligible(50.0, D("60")),
        lambda: certificate_eligible(D("50"), 60.0),
        lambda: blocking_rule(D("50"), 60.0),
        lambda: blocking_rule(D("10"), 60.0),  # even when TU alone already decides
        lambda: retake_allowed(50.0, D("60"), retakes_used=0),
    ],
)
def test_policy_functions_reject_floats(call):
    with pytest.raises(TypeError):
        call()


@pytest.mark.parametrize(
    ("tu", "test"),
    [(D("100.01"), D("50")), (D("50"), D("-1")), (-1, None), (D("10"), D("150"))],
)
def test_policy_functions_reject_out_of_range(tu, test):
    with pytest.raises(ValueError):
        blocking_rule(tu, test)
    with pytest.raises(ValueError):
        certificate_eligible(tu, test)
    with pytest.raises(ValueError):
        retake_allowed(tu, test, retakes_used=0)


# --- properties -------------------------------------------------------------------


@given(score=scores, n=st.integers(min_value=1, max_value=50))
def test_tu_of_equal_scores_is_that_score(score, n):
    assert current_performance([score] * n) == D(str(score))


@given(items=score_lists)
def test_tu_lies_between_min_and_max(items):
    values = [D(str(x)) for x in items]
    assert min(values) <= current_performance(items) <= max(values)


@given(items=score_lists, data=st.data())
def test_tu_ignores_order(items, data):
    shuffled = data.draw(st.permutations(items))
    assert current_performance(shuffled) == current_performance(items)


@given(items=score_lists)
def test_tu_times_n_is_the_sum(items):
    # Exact within the 28-digit quotient: the rounded product gets the sum back.
    tu = current_performance(items)
    total = sum((D(str(x)) for x in items), start=D(0))
    assert abs(tu * len(items) - total) < D("1e-20")


@given(tu=scores, test=scores)
def test_final_grade_lies_between_its_inputs(tu, test):
    low, high = sorted([D(str(tu)), D(str(test))])
    assert low <= final_grade(tu, test) <= high


@given(x=scores)
def test_final_grade_of_equal_inputs_is_that_input(x):
    assert final_grade(x, x) == D(str(x))


@given(tu=scores, test=scores, other=scores)
def test_final_grade_is_monotone_in_each_input(tu, test, other):
    if D(str(other)) >= D(str(tu)):
        assert final_grade(other, test) >= final_grade(tu, test)
    if D(str(other)) >= D(str(test)):
        assert final_grade(tu, other) >= final_grade(tu, test)


@given(a=scores, b=scores)
def test_letter_points_are_monotone(a, b):
    low, high = sorted([a, b], key=lambda x: D(str(x)))
    assert letter_grade(low).points <= letter_grade(high).points


@given(a=scores, b=scores)
def test_work_rubric_is_monotone(a, b):
    order = ["unsatisfactory", "satisfactory", "good", "excellent"]
    low, high = sorted([a, b], key=lambda x: D(str(x)))
    assert order.index(work_rubric(low)) <= order.index(work_rubric(high))


@given(x=scores)
def test_letter_and_traditional_agree(x):
    grade = letter_grade(x)
    expected = {
        "A": "excellent",
        "A-": "excellent",
        "FX": "unsatisfactory",
        "F": "unsatisfactory",
    }.get(grade.letter)
    if expected is None:
        expected = "good" if grade.letter[0] == "B" or grade.letter == "C+" else "satisfactory"
    assert grade.traditional == expected


@given(x=st.decimals(min_value=0, max_value=100, places=4))
def test_round_half_up_is_within_half_a_point(x):
    whole = round_half_up(x)
    assert x - D("0.5") < whole <= x + D("0.5")


@given(correct=st.integers(min_value=0, max_value=TEST_QUESTIONS))
def test_final_test_score_and_band_follow_the_count(correct):
    score = final_test_score(correct)
    assert D(0) <= score <= D(100)
    band = final_test_band(score)
    if correct == 0:
        assert band == "not_done"
    elif correct < 10:
        assert band == "partial"
    elif correct < 14:
        assert band == "above_average"
    else:
        assert band == "full"


@given(tu=scores, test=st.one_of(st.none(), scores), strict=policies)
def test_certificate_implies_admitted(tu, test, strict):
    if certificate_eligible(tu, test, require_test_pass=strict):
        assert is_admitted(tu)
        assert test is not None
        assert round_half_up(final_grade(tu, test)) >= CERTIFICATE_THRESHOLD


@given(tu=scores, test=st.one_of(st.none(), scores), strict=policies)
def test_certificate_iff_no_blocking_rule(tu, test, strict):
    rule = blocking_rule(tu, test, require_test_pass=strict)
    assert certificate_eligible(tu, test, require_test_pass=strict) is (rule is None)
    assert rule in {None, "not_admitted", "no_test", "final_below_55", "test_below_70"}
    if rule == "test_below_70":
        assert strict


@given(tu=scores, test=scores)
def test_strict_policy_is_never_more_generous(tu, test):
    if certificate_eligible(tu, test, require_test_pass=True):
        assert certificate_eligible(tu, test)


@given(
    tu=scores,
    test=st.one_of(st.none(), scores),
    retakes_used=st.integers(min_value=0, max_value=3),
    strict=policies,
)
def test_retake_and_certificate_never_both(tu, test, retakes_used, strict):
    eligible = certificate_eligible(tu, test, require_test_pass=strict)
    retake = retake_allowed(tu, test, retakes_used=retakes_used, require_test_pass=strict)
    assert not (eligible and retake)
    if retake:
        assert retakes_used == 0 and is_admitted(tu) and test is not None


@given(tu=scores, test=scores, strict=policies)
def test_admitted_listener_with_a_test_gets_a_certificate_or_a_first_retake(tu, test, strict):
    if is_admitted(tu):
        eligible = certificate_eligible(tu, test, require_test_pass=strict)
        retake = retake_allowed(tu, test, retakes_used=0, require_test_pass=strict)
        assert eligible != retake


def test_all_bands_and_letters_are_reachable():
    bands = {final_test_band(final_test_score(c)) for c in range(TEST_QUESTIONS + 1)}
    assert bands == {"not_done", "partial", "above_average", "full"}
    traditional = {letter_grade(s).traditional for s in range(101)}
    assert traditional == {"excellent", "good", "satisfactory", "unsatisfactory"}
    rubric = {work_rubric(s) for s in range(101)}
    assert rubric == {"excellent", "good", "satisfactory", "unsatisfactory"}
    # every (tu, test) pair of whole points on a coarse grid is classified
    for tu, test in itertools.product(range(0, 101, 10), range(0, 101, 10)):
        assert blocking_rule(tu, test) in {None, "not_admitted", "final_below_55"}
