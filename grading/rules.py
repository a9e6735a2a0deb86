"""The course's grading rules (SPEC §5, source §8.3–§8.13) as pure functions.

No Django here, and no float anywhere: every score is a ``Decimal`` (ints and
numeric strings are accepted and converted; a float raises ``TypeError``
because its binary value is not the number the user typed). Every comparison
with a whole-number edge goes through :func:`round_half_up`, so 94.5 is an A,
94.49 an A- and a final grade of 54.5 earns the certificate (SPEC §5
"Decisions: Arithmetic"). The unrounded values are returned; rounding for
display is the caller's business.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import NamedTuple

__all__ = [
    "ADMISSION_THRESHOLD",
    "CERTIFICATE_THRESHOLD",
    "TEST_ABOVE_AVERAGE",
    "TEST_PASS_THRESHOLD",
    "TEST_QUESTIONS",
    "LetterGrade",
    "blocking_rule",
    "certificate_eligible",
    "current_performance",
    "final_grade",
    "final_test_band",
    "final_test_score",
    "is_admitted",
    "letter_grade",
    "retake_allowed",
    "round_half_up",
    "work_rubric",
]

type Number = Decimal | int | str

ADMISSION_THRESHOLD = 50  # §8.9: TU below 50 is not admitted to the final test
CERTIFICATE_THRESHOLD = 55  # §8.11: certificate from a final grade of 55
TEST_PASS_THRESHOLD = 70  # §8.3: "at least 70 % correct" (stricter cohort policy)
TEST_QUESTIONS = 20  # §8.13
TEST_ABOVE_AVERAGE = 50  # §8.3: from 50 % the test is "above average" (SPEC §7)

MIN_SCORE = Decimal(0)
MAX_SCORE = Decimal(100)

# §8.10: ҚБ = 0,6 · АБ + 0,4 · ҚБақ. Built from strings: Decimal(0.6) would be
# the binary float's 0.59999999999999997779…
TU_WEIGHT = Decimal("0.6")
TEST_WEIGHT = Decimal("0.4")

# Sums and products of scores must be exact whatever the thread's decimal
# context says, so we carry our own with room to spare. Quotients (a mean, a
# percentage) use the usual 28 significant digits; traps turn a bad operand
# into an exception instead of a silent NaN.
_TRAPS = [InvalidOperation, DivisionByZero, Overflow]
_EXACT = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=_TRAPS)
_QUOTIENT = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=_TRAPS)

# A non-terminating quotient such as TU = 545/6 = 90.8333… is cut at 28 digits,
# and 0.6 · TU then lands a few units in the 27th decimal below 54.5 instead of
# on it; rounding that directly would refuse a certificate the exact grade
# earns. Snapping to 20 decimals first removes that last-digit error (at most
# ~1e-26 for scores up to 100) and leaves alone any value with up to 20
# decimals, i.e. every score anyone types.
_SNAP = Decimal("1e-20")
_ONE = Decimal(1)


class LetterGrade(NamedTuple):
    """A row of the seed's table 3 (§8.6): letter, grade points, traditional grade."""

    letter: str
    points: Decimal
    traditional: str


# Seed table 3, highest first: (lowest whole score, grade). Letters are Latin
# (the seed types А, В, С in Cyrillic; GLOSSARY §7 says not to copy that).
_LETTER_TABLE: tuple[tuple[int, LetterGrade], ...] = (
    (95, LetterGrade("A", Decimal("4.0"), "excellent")),
    (90, LetterGrade("A-", Decimal("3.67"), "excellent")),
    (85, LetterGrade("B+", Decimal("3.33"), "good")),
    (80, LetterGrade("B", Decimal("3.0"), "good")),
    (75, LetterGrade("B-", Decimal("2.67"), "good")),
    (70, LetterGrade("C+", Decimal("2.33"), "good")),
    (65, LetterGrade("C", Decimal("2.0"), "satisfactory")),
    (60, LetterGrade("C-", Decimal("1.67"), "satisfactory")),
    (55, LetterGrade("D+", Decimal("1.33"), "satisfactory")),
    (50, LetterGrade("D", Decimal("1.0"), "satisfactory")),
    (25, LetterGrade("FX", Decimal("0.5"), "unsatisfactory")),
    (0, LetterGrade("F", Decimal("0"), "unsatisfactory")),
)

# Seed table 4 (after §8.6): the rubric for projects and practical work.
_WORK_RUBRIC: tuple[tuple[int, str], ...] = (
    (90, "excellent"),
    (70, "good"),
    (50, "satisfactory"),
    (0, "unsatisfactory"),
)


def _to_decimal(value: Number, name: str = "value") -> Decimal:
    """Convert without ever passing through a binary float; finite numbers only."""
    # A finite Decimal is already the number: its str() reads back to the same value and
    # exponent, so skip the round trip (the gradebook validates every score several times).
    if type(value) is Decimal and value.is_finite():
        return value
    # bool is an int subclass, but True as a score is a bug, not 1 point; a float is
    # refused because its binary value is not the number that was typed.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"{name} must be a Decimal, int or str, not {type(value).__name__}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{name} is not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


def _score(value: Number, name: str = "score") -> Decimal:
    """A 0–100 score (§8.7); anything outside the scale is a ValueError."""
    number = _to_decimal(value, name)
    if not MIN_SCORE <= number <= MAX_SCORE:
        raise ValueError(f"{name} must be between 0 and 100, got {value!r}")
    return number


def round_half_up(x: Number) -> int:
    """Round to a whole point, halves up: the one rounding every edge is compared with.

    SPEC §5 "Decisions: Arithmetic" (94.5 → 95, 94.49 → 94, 54.5 → 55).
    """
    number = _to_decimal(x, "x")
    try:
        snapped = number.quantize(_SNAP, rounding=ROUND_HALF_EVEN, context=_EXACT)
    except InvalidOperation:
        # Only a number with ~40 integer digits gets here; no score is that big.
        raise ValueError(f"x is too large to round: {x!r}") from None
    return int(snapped.quantize(_ONE, rounding=ROUND_HALF_UP, context=_EXACT))


def current_performance(scores: Iterable[Number]) -> Decimal:
    """TU = (TC₁ + … + TCₙ) / n, the exact mean of the current-control scores (§8.8)."""
    items = [_score(score) for score in scores]
    if not items:
        # A mean of nothing is undefined; "no tasks yet" is the caller's state to show.
        raise ValueError("current performance needs at least one score")
    total = Decimal(0)
    for item in items:
        total = _EXACT.add(total, item)  # exact: 60 digits hold any realistic sum
    return _QUOTIENT.divide(total, Decimal(len(items)))


def is_admitted(tu: Number) -> bool:
    """Admitted to the final test when TU, rounded half-up, is at least 50 (§8.9)."""
    return round_half_up(_score(tu, "tu")) >= ADMISSION_THRESHOLD


def final_test_score(correct: int, total: int = TEST_QUESTIONS) -> Decimal:
    """The final test's score: the percentage of correct answers (§8.13, 5 points each of 20)."""
    for name, value in (("correct", correct), ("total", total)):
        # Counts are whole numbers; a float or bool here is a bug upstream.
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if total <= 0:
        raise ValueError(f"total must be positive, got {total}")
    if not 0 <= correct <= total:
        raise ValueError(f"correct must be between 0 and {total}, got {correct}")
    return _QUOTIENT.divide(_EXACT.multiply(Decimal(correct), MAX_SCORE), Decimal(total))


def final_test_band(percent: Number) -> str:
    """The §8.3 label of a final-test result.

    "not_done" (no correct answers), "partial" (< 50 %), "above_average"
    (50 % up to 70 %), "full" (70–100 %); SPEC §7 "Final test": 50 % is above
    average, 70 % is full.
    """
    number = _score(percent, "percent")
    # §8.3 defines "not done" by the answers ("no correct answers shown"), not by
    # an edge, so it is exactly 0 %; a sliver above 0 is partly done.
    if number == 0:
        return "not_done"
    whole = round_half_up(number)
    if whole >= TEST_PASS_THRESHOLD:
        return "full"
    if whole >= TEST_ABOVE_AVERAGE:
        return "above_average"
    return "partial"


def final_grade(tu: Number, test: Number) -> Decimal:
    """ҚБ = 0.6 · TU + 0.4 · final-test score, exact (§8.10)."""
    tu_value = _score(tu, "tu")
    test_value = _score(test, "test")
    return _EXACT.add(
        _EXACT.multiply(TU_WEIGHT, tu_value),
        _EXACT.multiply(TEST_WEIGHT, test_value),
    )


def letter_grade(score: Number) -> LetterGrade:
    """The letter, grade points and traditional grade of a 0–100 score (§8.6, table 3)."""
    whole = round_half_up(_score(score))
    for lowest, grade in _LETTER_TABLE:
        if whole >= lowest:
            return grade
    raise AssertionError("unreachable: the table ends at 0")  # pragma: no cover


def work_rubric(score: Number) -> str:
    """The table 4 rubric of a project or practical work (after §8.6)."""
    whole = round_half_up(_score(score))
    for lowest, label in _WORK_RUBRIC:
        if whole >= lowest:
            return label
    raise AssertionError("unreachable: the rubric ends at 0")  # pragma: no cover


def blocking_rule(
    tu: Number, test: Number | None, *, require_test_pass: bool = False
) -> str | None:
    """None when a certificate may be issued, else the code of the rule that blocks it.

    §8.9 "not_admitted", "no_test", §8.11 "final_below_55", and under the stricter
    cohort policy §8.3 "test_below_70" (SPEC §5 "§8.3 vs §8.11").
    """
    # Validate both inputs first: a bad test score is a bug even when TU already decides.
    tu_value = _score(tu, "tu")
    test_value = None if test is None else _score(test, "test")
    if round_half_up(tu_value) < ADMISSION_THRESHOLD:
        return "not_admitted"
    if test_value is None:
        return "no_test"
    # Under the strict policy an admitted listener with a test of 70 or more always
    # has a final grade of at least 0.6·49.5 + 0.4·69.5 = 57.5, so a final grade
    # below 55 implies a test below 70: the test rule is the one that blocks, and
    # the one a retake can fix.
    if require_test_pass and round_half_up(test_value) < TEST_PASS_THRESHOLD:
        return "test_below_70"
    if round_half_up(final_grade(tu_value, test_value)) < CERTIFICATE_THRESHOLD:
        return "final_below_55"
    return None


def certificate_eligible(
    tu: Number, test: Number | None, *, require_test_pass: bool = False
) -> bool:
    """Admitted and a final grade of at least 55 (§8.11); optionally also a test ≥ 70 % (§8.3).

    ``test`` is None when no final test was taken: no certificate.
    """
    return blocking_rule(tu, test, require_test_pass=require_test_pass) is None


def retake_allowed(
    tu: Number,
    test: Number | None,
    *,
    retakes_used: int,
    require_test_pass: bool = False,
) -> bool:
    """One retake for an admitted listener who took the test and is not eligible (§8.12).

    SPEC §7 "Final test": under the stricter policy a test below 70 % is retakable too.
    """
    if isinstance(retakes_used, bool) or not isinstance(retakes_used, int):
        raise TypeError(f"retakes_used must be an int, not {type(retakes_used).__name__}")
    if retakes_used < 0:
        raise ValueError(f"retakes_used must not be negative, got {retakes_used}")
    rule = blocking_rule(tu, test, require_test_pass=require_test_pass)
    # "not_admitted" and "no_test" have nothing to retake; only a failed result does.
    return retakes_used == 0 and rule in {"final_below_55", "test_below_70"}
