"""The schedule engine (SPEC §3), checked by hand on a real Kazakhstan year and
by properties on random calendars. Dates worked out by hand are in comments."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocols import schedule
from protocols.schedule import (
    LETTERS,
    Annex,
    Calendar,
    Holiday,
    Period,
    Status,
    Window,
    behaviour_flag,
    current_week,
    first_school_day,
    school_days,
    school_weeks,
    window_status,
    windows_for_pupil,
)

D = date
FIRST_GRADE_FEBRUARY = Holiday(D(2027, 2, 8), D(2027, 2, 14), frozenset({1}))


def kz_2026_27() -> Calendar:
    """The 2026-27 year of a five-day Kazakhstan school.

    1 Sept 2026 is a Tuesday. Autumn break 26 Oct-1 Nov (a whole week),
    Independence Day 16-17 Dec (Wed-Thu), winter break 30 Dec-8 Jan with the
    I half-year ending Tue 29 Dec, 8 March (Mon), spring break 19-29 March
    (Fri to Mon, Nauryz inside), 7 May (Fri) and Victory Day moved to Mon 10 May,
    last day Tue 25 May; first graders are also off 8-14 Feb.
    """
    return Calendar(
        start=D(2026, 9, 1),
        end=D(2027, 5, 25),
        half_year_end=D(2026, 12, 29),
        holidays=(
            Holiday(D(2026, 10, 26), D(2026, 11, 1)),
            Holiday(D(2026, 12, 16), D(2026, 12, 17)),
            Holiday(D(2026, 12, 30), D(2027, 1, 8)),
            Holiday(D(2027, 3, 8), D(2027, 3, 8)),
            Holiday(D(2027, 3, 19), D(2027, 3, 29)),
            Holiday(D(2027, 5, 7), D(2027, 5, 7)),
            Holiday(D(2027, 5, 10), D(2027, 5, 10)),
            FIRST_GRADE_FEBRUARY,
        ),
    )


def by_key(windows: list[Window]) -> dict[str, Window]:
    result = {w.key: w for w in windows}
    assert len(result) == len(windows), "keys must be unique"
    return result


def span(window: Window) -> tuple[date, date]:
    return (window.opens, window.due)


def spans(windows: list[Window]) -> dict[str, tuple[date, date]]:
    """Non-weekly windows as key -> (opens, due)."""
    return {w.key: span(w) for w in windows if w.period != Period.WEEK}


def weekly(windows: list[Window], annex: Annex) -> list[Window]:
    return [w for w in windows if w.annex == annex]


# The regular 2026-27 windows of a pupil there all year, worked out by hand.
REGULAR_2026_27 = {
    # Tue 1 - Fri 4, Mon 7 Sept (SPEC: "А/Б/В due on Monday 7 September").
    "A:september": (D(2026, 9, 1), D(2026, 9, 7)),
    "B:september": (D(2026, 9, 1), D(2026, 9, 7)),
    "V:september": (D(2026, 9, 1), D(2026, 9, 7)),
    # Tue 8 - Mon 14 Sept (SPEC: "Г on Monday 14 September").
    "G:september": (D(2026, 9, 8), D(2026, 9, 14)),
    # Days 11-15: Tue 15 - Mon 21 Sept.
    "ZH:programme_1": (D(2026, 9, 15), D(2026, 9, 21)),
    # I half-year backwards: 29, 28, 25, 24, 23 | 22, 21, 18, 15, 14 Dec (16-17 off).
    "B:half_year": (D(2026, 12, 14), D(2026, 12, 22)),
    "G:half_year": (D(2026, 12, 23), D(2026, 12, 29)),
    # II half-year starts Mon 11 Jan (30 Dec - 8 Jan off, then a weekend).
    "ZH:programme_2": (D(2027, 1, 11), D(2027, 1, 15)),
    # Year backwards: 25, 24, 21, 20, 19 | 18, 17, 14, 13, 12 May (7 and 10 May off).
    "B:year_end": (D(2027, 5, 12), D(2027, 5, 18)),
    "G:year_end": (D(2027, 5, 19), D(2027, 5, 25)),
    "ZH:report": (D(2027, 5, 19), D(2027, 5, 25)),
}
# Mondays 31 Aug 2026 .. 24 May 2027 are 39 weeks; 26 Oct, 4 Jan and 22 Mar are
# wholly off, and for first graders 8 Feb too.
WEEKS_2026_27 = 36
WEEKS_2026_27_FIRST_GRADE = 35


# --- Annexes -----------------------------------------------------------------


def test_annexes_sort_in_kazakh_order_and_show_kazakh_letters():
    assert [a.letter for a in sorted(Annex, key=lambda a: a.value)] != list("АБВГДЕЖИК")
    assert [a.letter for a in sorted(Annex)] == list("АБВГДЕЖИК")
    assert Annex.V < Annex.D < Annex.ZH < Annex.I < Annex.K
    assert Annex.K > Annex.A and Annex.B <= Annex.B and Annex.G >= Annex.V
    assert LETTERS == {
        Annex.A: "А",
        Annex.B: "Б",
        Annex.V: "В",
        Annex.G: "Г",
        Annex.D: "Д",
        Annex.E: "Е",
        Annex.ZH: "Ж",
        Annex.I: "И",
        Annex.K: "К",
    }
    # Codes stay plain strings for storage.
    assert Annex.ZH == "ZH" and f"{Annex.ZH}:{Period.REPORT}" == "ZH:report"


# --- Calendar ----------------------------------------------------------------


def test_calendar_and_holiday_validate_and_stay_hashable():
    with pytest.raises(ValueError):
        Holiday(D(2026, 11, 2), D(2026, 11, 1))
    with pytest.raises(ValueError):
        Calendar(D(2026, 9, 1), D(2026, 8, 31), D(2026, 8, 31))
    with pytest.raises(ValueError):
        Calendar(D(2026, 9, 1), D(2027, 5, 25), D(2027, 5, 26))
    holiday = Holiday(D(2027, 2, 8), D(2027, 2, 14), [1])  # a list from a form
    assert holiday.grades == frozenset({1})
    cal = Calendar(D(2026, 9, 1), D(2027, 5, 25), D(2026, 12, 29), [holiday])
    assert cal.holidays == (holiday,)
    assert hash(cal) == hash(Calendar(D(2026, 9, 1), D(2027, 5, 25), D(2026, 12, 29), (holiday,)))


def test_school_days_skip_weekends_and_holidays():
    days = set(school_days(kz_2026_27()))
    assert D(2026, 9, 1) in days  # Tuesday, first day
    assert D(2026, 9, 5) not in days and D(2026, 9, 6) not in days  # weekend
    assert D(2026, 10, 23) in days and D(2026, 11, 2) in days  # around the autumn break
    assert not days & {D(2026, 10, 26) + timedelta(n) for n in range(7)}
    assert D(2026, 12, 15) in days and D(2026, 12, 18) in days
    assert D(2026, 12, 16) not in days and D(2026, 12, 17) not in days
    assert D(2026, 12, 29) in days and D(2027, 1, 11) in days
    assert not any(D(2026, 12, 30) <= d <= D(2027, 1, 10) for d in days)
    assert D(2027, 3, 18) in days and D(2027, 3, 30) in days
    assert not any(D(2027, 3, 19) <= d <= D(2027, 3, 29) for d in days)
    assert max(days) == D(2027, 5, 25)
    assert min(days) == D(2026, 9, 1)


def test_school_days_are_sorted_and_a_fresh_list():
    cal = kz_2026_27()
    days = school_days(cal)
    assert days == sorted(days)
    days.clear()
    assert school_days(cal)  # the cache was not touched


def test_grade_specific_holiday_counts_only_for_that_grade():
    cal = kz_2026_27()
    february = {D(2027, 2, 8) + timedelta(n) for n in range(5)}  # Mon 8 - Fri 12
    assert not february & set(school_days(cal, grade=1))
    assert february <= set(school_days(cal, grade=2))
    # Grade unknown: only whole-school holidays apply.
    assert february <= set(school_days(cal))
    assert len(school_days(cal, grade=2)) - len(school_days(cal, grade=1)) == 5


def test_holiday_for_several_grades():
    cal = Calendar(
        D(2026, 9, 1),
        D(2026, 9, 30),
        D(2026, 9, 15),
        (Holiday(D(2026, 9, 7), D(2026, 9, 7), frozenset({1, 2})),),
    )
    assert D(2026, 9, 7) not in school_days(cal, grade=1)
    assert D(2026, 9, 7) not in school_days(cal, grade=2)
    assert D(2026, 9, 7) in school_days(cal, grade=3)


def test_first_school_day():
    cal = kz_2026_27()
    assert first_school_day(cal) == D(2026, 9, 1)
    assert first_school_day(cal, on_or_after=D(2026, 8, 20)) == D(2026, 9, 1)
    assert first_school_day(cal, on_or_after=D(2026, 10, 28)) == D(2026, 11, 2)
    assert first_school_day(cal, on_or_after=D(2027, 2, 8), grade=1) == D(2027, 2, 15)
    assert first_school_day(cal, on_or_after=D(2027, 2, 8), grade=2) == D(2027, 2, 8)
    assert first_school_day(cal, on_or_after=D(2027, 5, 26)) is None


def test_year_starting_on_sunday_starts_on_monday():
    cal = Calendar(D(2024, 9, 1), D(2025, 5, 23), D(2024, 12, 27))  # 1 Sept 2024: Sunday
    assert first_school_day(cal) == D(2024, 9, 2)
    windows = by_key(windows_for_pupil(cal))
    assert (windows["A:september"].opens, windows["A:september"].due) == (
        D(2024, 9, 2),
        D(2024, 9, 6),
    )


def test_year_starting_on_saturday_five_day_school():
    # SPEC: "in a five-day school a year where it is a Saturday starts on Monday 3 September".
    cal = Calendar(D(2029, 9, 1), D(2030, 5, 24), D(2029, 12, 28))
    assert first_school_day(cal) == D(2029, 9, 3)
    found = spans(windows_for_pupil(cal))
    assert found["A:september"] == (D(2029, 9, 3), D(2029, 9, 7))
    assert found["G:september"] == (D(2029, 9, 10), D(2029, 9, 14))
    assert found["ZH:programme_1"] == (D(2029, 9, 17), D(2029, 9, 21))


def test_year_starting_on_saturday_six_day_school():
    cal = Calendar(D(2029, 9, 1), D(2030, 5, 25), D(2029, 12, 28), saturday_school=True)
    days = school_days(cal)
    assert days[:3] == [D(2029, 9, 1), D(2029, 9, 3), D(2029, 9, 4)]
    assert D(2029, 9, 8) in days and D(2029, 9, 9) not in days  # Saturday yes, Sunday no
    windows = windows_for_pupil(cal)
    found = spans(windows)
    # Sat 1, Mon 3, Tue 4, Wed 5, Thu 6 | Fri 7, Sat 8, Mon 10, Tue 11, Wed 12.
    assert found["B:september"] == (D(2029, 9, 1), D(2029, 9, 6))
    assert found["G:september"] == (D(2029, 9, 7), D(2029, 9, 12))
    # The week of Mon 27 Aug has one school day, Saturday 1 Sept.
    first_week = {w.annex: w for w in windows if w.week_start == D(2029, 8, 27)}
    assert set(first_week) == {Annex.D, Annex.E, Annex.K}
    assert all(w.opens == w.due == D(2029, 9, 1) for w in first_week.values())
    # A full week runs Monday to Saturday.
    d = by_key(windows)["D:2029-09-03"]
    assert span(d) == (D(2029, 9, 3), D(2029, 9, 8))


# --- Weeks -------------------------------------------------------------------


def test_school_weeks():
    cal = kz_2026_27()
    weeks = school_weeks(cal)
    assert len(weeks) == WEEKS_2026_27
    assert len(school_weeks(cal, grade=1)) == WEEKS_2026_27_FIRST_GRADE
    assert weeks[0] == [D(2026, 9, 1), D(2026, 9, 2), D(2026, 9, 3), D(2026, 9, 4)]
    assert [D(2026, 12, 14), D(2026, 12, 15), D(2026, 12, 18)] in weeks
    assert [D(2026, 12, 28), D(2026, 12, 29)] in weeks
    assert sum(map(len, weeks)) == len(school_days(cal))
    assert school_weeks(cal, from_day=D(2026, 9, 3))[0] == [D(2026, 9, 3), D(2026, 9, 4)]
    assert school_weeks(cal, from_day=D(2026, 9, 5))[0][0] == D(2026, 9, 7)
    assert school_weeks(cal, from_day=D(2027, 5, 26)) == []


def test_current_week():
    cal = kz_2026_27()
    assert current_week(cal, D(2026, 9, 6)) == [D(2026, 9, 1) + timedelta(n) for n in range(4)]
    assert current_week(cal, D(2026, 10, 28)) == []  # autumn break: no reminders
    assert current_week(cal, D(2027, 1, 4)) == []
    assert current_week(cal, D(2026, 12, 14)) == [D(2026, 12, 14), D(2026, 12, 15), D(2026, 12, 18)]
    assert current_week(cal, D(2027, 2, 8), grade=1) == []
    assert len(current_week(cal, D(2027, 2, 8), grade=2)) == 5
    assert current_week(cal, D(2027, 5, 24)) == [D(2027, 5, 24), D(2027, 5, 25)]
    assert current_week(cal, D(2027, 6, 1)) == []
    assert current_week(cal, D(2026, 8, 24)) == []


# --- The windows of a pupil there all year -----------------------------------


def test_regular_pupil_every_row_of_the_table():
    windows = windows_for_pupil(kz_2026_27(), grade=2)
    assert spans(windows) == REGULAR_2026_27
    assert len(windows) == len(REGULAR_2026_27) + 3 * WEEKS_2026_27
    assert all(w.required for w in windows)
    assert Annex.I not in {w.annex for w in windows}  # И: on demand, no window
    found = by_key(windows)
    for key in REGULAR_2026_27:
        window = found[key]
        assert window.annex == Annex(key.split(":")[0])
        assert window.period == Period(key.split(":")[1])
        assert window.week_start is None


def test_periods_of_each_annex():
    windows = windows_for_pupil(kz_2026_27())
    periods: dict[Annex, set[Period]] = {}
    for w in windows:
        periods.setdefault(w.annex, set()).add(w.period)
    assert periods == {
        Annex.A: {Period.SEPTEMBER},
        Annex.B: {Period.SEPTEMBER, Period.HALF_YEAR, Period.YEAR_END},
        Annex.V: {Period.SEPTEMBER},
        Annex.G: {Period.SEPTEMBER, Period.HALF_YEAR, Period.YEAR_END},
        Annex.D: {Period.WEEK},
        Annex.E: {Period.WEEK},
        Annex.ZH: {Period.PROGRAMME_1, Period.PROGRAMME_2, Period.REPORT},
        Annex.K: {Period.WEEK},
    }


def test_weekly_windows_of_the_first_week():
    found = by_key(windows_for_pupil(kz_2026_27()))
    d, e, k = found["D:2026-08-31"], found["E:2026-08-31"], found["K:2026-08-31"]
    assert span(d) == (D(2026, 9, 1), D(2026, 9, 4))
    assert span(e) == (D(2026, 9, 1), D(2026, 9, 1))  # plan due on the first day
    assert span(k) == (D(2026, 9, 1), D(2026, 9, 4))
    assert d.week_start == e.week_start == k.week_start == D(2026, 8, 31)
    assert d.period == e.period == k.period == Period.WEEK


def test_week_wholly_in_a_holiday_has_no_items():
    keys = by_key(windows_for_pupil(kz_2026_27())).keys()
    for monday in ("2026-10-26", "2027-01-04", "2027-03-22"):
        assert not {f"D:{monday}", f"E:{monday}", f"K:{monday}"} & keys
    assert "D:2026-11-02" in keys and "D:2026-10-19" in keys


def test_partial_holiday_weeks():
    found = by_key(windows_for_pupil(kz_2026_27()))
    # Wed-Thu 16-17 Dec off: Д due on Friday all the same.
    assert span(found["D:2026-12-14"]) == (D(2026, 12, 14), D(2026, 12, 18))
    # Spring break from Friday 19 March: Д and К due on Thursday.
    assert found["D:2027-03-15"].due == D(2027, 3, 18)
    assert found["K:2027-03-15"].due == D(2027, 3, 18)
    # Monday off: the week starts, and the plan is due, on Tuesday.
    assert found["E:2027-03-08"].due == D(2027, 3, 9)
    assert found["E:2027-03-29"].due == D(2027, 3, 30)
    assert found["D:2027-03-29"].opens == D(2027, 3, 30)
    # Winter break from Wednesday: a two-day week.
    assert span(found["K:2026-12-28"]) == (D(2026, 12, 28), D(2026, 12, 29))
    # The last week ends on Tuesday 25 May.
    assert found["D:2027-05-24"].due == D(2027, 5, 25)


def test_first_graders_extra_week():
    cal = kz_2026_27()
    first = windows_for_pupil(cal, grade=1)
    second = windows_for_pupil(cal, grade=2)
    assert "D:2027-02-08" not in by_key(first) and "D:2027-02-08" in by_key(second)
    assert len(weekly(first, Annex.D)) == WEEKS_2026_27_FIRST_GRADE
    # The extra week lies far from the fixed windows: they are the same.
    assert spans(first) == spans(second) == REGULAR_2026_27


def test_windows_sorted_by_due_then_kazakh_annex_order():
    windows = windows_for_pupil(kz_2026_27())
    assert windows == sorted(windows)
    due_7_sept = [w.key for w in windows if w.due == D(2026, 9, 7)]
    assert due_7_sept == ["A:september", "B:september", "V:september", "E:2026-09-07"]
    due_25_may = [w.key for w in windows if w.due == D(2027, 5, 25)]
    assert due_25_may == ["G:year_end", "D:2027-05-24", "ZH:report", "K:2027-05-24"]


def test_result_is_a_fresh_list_and_equal_calendars_agree():
    windows = windows_for_pupil(kz_2026_27())
    windows.clear()
    again = windows_for_pupil(kz_2026_27())  # a new but equal Calendar
    assert len(again) == len(REGULAR_2026_27) + 3 * WEEKS_2026_27


def test_year_too_short_for_some_windows():
    # Eight school days: Tue 1 - Thu 10 Sept.
    cal = Calendar(D(2026, 9, 1), D(2026, 9, 10), D(2026, 9, 4))
    found = spans(windows_for_pupil(cal))
    assert found == {
        "A:september": (D(2026, 9, 1), D(2026, 9, 7)),
        "B:september": (D(2026, 9, 1), D(2026, 9, 7)),
        "V:september": (D(2026, 9, 1), D(2026, 9, 7)),
        # Cut short by the year end: due on its last school day.
        "G:september": (D(2026, 9, 8), D(2026, 9, 10)),
        # Б/Г repeats and the report would open before Г closed; no day 11.
    }


def test_calendar_without_school_days():
    cal = Calendar(D(2026, 9, 5), D(2026, 9, 6), D(2026, 9, 6))  # a weekend
    assert school_days(cal) == []
    assert school_weeks(cal) == []
    assert windows_for_pupil(cal) == []
    assert first_school_day(cal) is None


# --- Pupils who join ---------------------------------------------------------


def test_joiner_before_the_start_is_a_regular_pupil():
    cal = kz_2026_27()
    assert windows_for_pupil(cal, joined=D(2026, 8, 15)) == windows_for_pupil(cal)
    assert windows_for_pupil(cal, joined=D(2026, 9, 1)) == windows_for_pupil(cal)


def test_joiner_early_in_the_first_half_year_keeps_every_window():
    windows = windows_for_pupil(kz_2026_27(), joined=D(2026, 11, 2))
    assert spans(windows) == {
        **REGULAR_2026_27,
        "A:september": (D(2026, 11, 2), D(2026, 11, 6)),
        "B:september": (D(2026, 11, 2), D(2026, 11, 6)),
        "V:september": (D(2026, 11, 2), D(2026, 11, 6)),
        "G:september": (D(2026, 11, 9), D(2026, 11, 13)),
        "ZH:programme_1": (D(2026, 11, 16), D(2026, 11, 20)),
    }


def test_joiner_on_a_holiday_starts_on_the_next_school_day():
    cal = kz_2026_27()
    assert windows_for_pupil(cal, joined=D(2026, 10, 28)) == windows_for_pupil(
        cal, joined=D(2026, 11, 2)
    )


def test_half_year_conclusion_kept_when_diagnostics_closed_the_day_before():
    # Own Г: Mon 7 - Fri 11 Dec; half-year Б opens Mon 14 Dec.
    found = spans(windows_for_pupil(kz_2026_27(), joined=D(2026, 11, 30)))
    assert found["G:september"] == (D(2026, 12, 7), D(2026, 12, 11))
    assert found["B:half_year"] == (D(2026, 12, 14), D(2026, 12, 22))
    assert found["G:half_year"] == (D(2026, 12, 23), D(2026, 12, 29))


def test_half_year_observation_skipped_when_it_opens_on_the_conclusions_due_day():
    # Own days: 1, 2, 3, 4, 7 | 8, 9, 10, 11, 14 | 15, 18, 21, 22, 23 Dec.
    found = spans(windows_for_pupil(kz_2026_27(), joined=D(2026, 12, 1)))
    assert found["G:september"] == (D(2026, 12, 8), D(2026, 12, 14))
    assert "B:half_year" not in found  # opens 14 Dec, before Г has closed
    assert found["G:half_year"] == (D(2026, 12, 23), D(2026, 12, 29))
    assert found["ZH:programme_1"] == (D(2026, 12, 15), D(2026, 12, 23))
    assert found["ZH:programme_2"] == (D(2027, 1, 11), D(2027, 1, 15))


def test_own_programme_due_on_the_last_day_of_the_first_half_year():
    # Own days: 7-11 | 14, 15, 18, 21, 22 | 23, 24, 25, 28, 29 Dec.
    found = spans(windows_for_pupil(kz_2026_27(), joined=D(2026, 12, 7)))
    assert found["ZH:programme_1"] == (D(2026, 12, 23), D(2026, 12, 29))
    assert found["ZH:programme_2"] == REGULAR_2026_27["ZH:programme_2"]
    assert found["G:half_year"] == REGULAR_2026_27["G:half_year"]  # opens the day after Г
    assert "B:half_year" not in found


def test_own_programme_due_on_the_first_day_of_the_second_half_year():
    # Own days: 8-11, 14 | 15, 18, 21, 22, 23 | 24, 25, 28, 29 Dec, 11 Jan.
    found = spans(windows_for_pupil(kz_2026_27(), joined=D(2026, 12, 8)))
    assert found["G:september"] == (D(2026, 12, 15), D(2026, 12, 23))
    assert "G:half_year" not in found  # opens 23 Dec, the day Г is due
    # The own programme is the II half-year's; the regular one would open on its due day.
    assert found["ZH:programme_2"] == (D(2026, 12, 24), D(2027, 1, 11))
    assert "ZH:programme_1" not in found


def test_joiner_near_the_half_year_boundary():
    windows = windows_for_pupil(kz_2026_27(), joined=D(2026, 12, 10))
    # Own days: 10, 11, 14, 15, 18 | 21, 22, 23, 24, 25 | 28, 29 Dec, 11, 12, 13 Jan.
    assert spans(windows) == {
        "A:september": (D(2026, 12, 10), D(2026, 12, 18)),
        "B:september": (D(2026, 12, 10), D(2026, 12, 18)),
        "V:september": (D(2026, 12, 10), D(2026, 12, 18)),
        "G:september": (D(2026, 12, 21), D(2026, 12, 25)),
        # Due after the boundary: it is the II half-year's programme, and the
        # regular one (opening 11 Jan, before this one closes) is skipped.
        "ZH:programme_2": (D(2026, 12, 28), D(2027, 1, 13)),
        # Half-year Б and Г open 14 and 23 Dec, before Г closes: skipped.
        "B:year_end": REGULAR_2026_27["B:year_end"],
        "G:year_end": REGULAR_2026_27["G:year_end"],
        "ZH:report": REGULAR_2026_27["ZH:report"],
    }
    found = by_key(windows)
    # Weekly items start with the joining week and count only days from the first day.
    assert "D:2026-11-30" not in found
    assert span(found["D:2026-12-07"]) == (D(2026, 12, 10), D(2026, 12, 11))
    assert found["E:2026-12-07"].opens == found["E:2026-12-07"].due == D(2026, 12, 10)
    assert len(weekly(windows, Annex.K)) == len(
        school_weeks(kz_2026_27(), from_day=D(2026, 12, 10))
    )


def test_joiner_in_the_winter_break():
    found = spans(windows_for_pupil(kz_2026_27(), joined=D(2027, 1, 5)))
    assert found["A:september"] == (D(2027, 1, 11), D(2027, 1, 15))
    assert found["G:september"] == (D(2027, 1, 18), D(2027, 1, 22))
    assert found["ZH:programme_2"] == (D(2027, 1, 25), D(2027, 1, 29))
    assert "ZH:programme_1" not in found and "B:half_year" not in found


@pytest.mark.parametrize(
    ("grade", "conclusion", "programme"),
    [
        (2, (D(2027, 2, 8), D(2027, 2, 12)), (D(2027, 2, 15), D(2027, 2, 19))),
        # First graders are off 8-12 Feb: their own days move a week on.
        (1, (D(2027, 2, 15), D(2027, 2, 19)), (D(2027, 2, 22), D(2027, 2, 26))),
    ],
)
def test_joiner_in_the_second_half_year(grade, conclusion, programme):
    windows = windows_for_pupil(kz_2026_27(), grade=grade, joined=D(2027, 2, 1))
    assert spans(windows) == {
        "A:september": (D(2027, 2, 1), D(2027, 2, 5)),
        "B:september": (D(2027, 2, 1), D(2027, 2, 5)),
        "V:september": (D(2027, 2, 1), D(2027, 2, 5)),
        "G:september": conclusion,
        # Their own programme; the regular II half-year one (11 Jan) is skipped.
        "ZH:programme_2": programme,
        "B:year_end": REGULAR_2026_27["B:year_end"],
        "G:year_end": REGULAR_2026_27["G:year_end"],
        "ZH:report": REGULAR_2026_27["ZH:report"],
    }
    assert min(w.opens for w in windows) == D(2027, 2, 1)


def test_joiner_three_school_days_before_the_year_end():
    # Fri 21, Mon 24, Tue 25 May.
    windows = windows_for_pupil(kz_2026_27(), joined=D(2027, 5, 21))
    assert spans(windows) == {
        # Cut short by the year end: due on its last school day.
        "A:september": (D(2027, 5, 21), D(2027, 5, 25)),
        "B:september": (D(2027, 5, 21), D(2027, 5, 25)),
        "V:september": (D(2027, 5, 21), D(2027, 5, 25)),
        # No day 6 left: no Г, no Ж; the year-end windows open before А/Б/В close.
    }
    found = by_key(windows)
    assert set(found) - set(spans(windows)) == {
        "D:2027-05-17",
        "E:2027-05-17",
        "K:2027-05-17",
        "D:2027-05-24",
        "E:2027-05-24",
        "K:2027-05-24",
    }
    assert found["D:2027-05-17"].opens == found["D:2027-05-17"].due == D(2027, 5, 21)
    assert found["E:2027-05-17"].due == D(2027, 5, 21)
    assert span(found["K:2027-05-24"]) == (D(2027, 5, 24), D(2027, 5, 25))


def test_joiner_whose_conclusion_is_cut_short():
    # Eight days left: 14, 17, 18, 19, 20 | 21, 24, 25 May.
    found = spans(windows_for_pupil(kz_2026_27(), joined=D(2027, 5, 14)))
    assert found == {
        "A:september": (D(2027, 5, 14), D(2027, 5, 20)),
        "B:september": (D(2027, 5, 14), D(2027, 5, 20)),
        "V:september": (D(2027, 5, 14), D(2027, 5, 20)),
        "G:september": (D(2027, 5, 21), D(2027, 5, 25)),
    }


def test_joiner_whose_programme_is_cut_short():
    # Thirteen days left: 5, 6, 11, 12, 13 | 14, 17, 18, 19, 20 | 21, 24, 25 May.
    found = spans(windows_for_pupil(kz_2026_27(), joined=D(2027, 5, 5)))
    assert found == {
        "A:september": (D(2027, 5, 5), D(2027, 5, 13)),
        "B:september": (D(2027, 5, 5), D(2027, 5, 13)),
        "V:september": (D(2027, 5, 5), D(2027, 5, 13)),
        "G:september": (D(2027, 5, 14), D(2027, 5, 20)),
        "ZH:programme_2": (D(2027, 5, 21), D(2027, 5, 25)),
        # The year-end Б (12 May) and Г and the report (19 May) open before Г closes.
    }


def test_joiner_with_twenty_days_left_gets_the_year_end_windows():
    # Own days from Mon 26 April: 26-30 Apr | 3, 4, 5, 6, 11 May | 12, 13, 14, 17, 18 May
    # (1 May is a Saturday; 7 and 10 May are off).
    found = spans(windows_for_pupil(kz_2026_27(), joined=D(2027, 4, 26)))
    assert found["A:september"] == (D(2027, 4, 26), D(2027, 4, 30))
    assert found["G:september"] == (D(2027, 5, 3), D(2027, 5, 11))
    assert found["ZH:programme_2"] == (D(2027, 5, 12), D(2027, 5, 18))
    assert found["B:year_end"] == REGULAR_2026_27["B:year_end"]  # opens 12 May > 11 May
    assert found["G:year_end"] == REGULAR_2026_27["G:year_end"]
    assert found["ZH:report"] == REGULAR_2026_27["ZH:report"]


def test_joiner_after_the_year_end_has_no_windows():
    assert windows_for_pupil(kz_2026_27(), joined=D(2027, 5, 26)) == []


# --- Pupils who leave --------------------------------------------------------


def test_leaver_before_the_winter_break():
    windows = windows_for_pupil(kz_2026_27(), left=D(2026, 12, 22))
    found = by_key(windows)
    assert found["B:half_year"].required  # due on the leaving day itself
    assert "G:half_year" not in found  # would open after the pupil left
    assert "ZH:programme_2" not in found and "ZH:report" not in found
    assert not found["D:2026-12-21"].required  # due Friday 25 Dec
    assert not found["K:2026-12-21"].required
    assert found["E:2026-12-21"].required  # due Monday 21 Dec
    assert "D:2026-12-28" not in found
    assert [w.key for w in windows if not w.required] == ["D:2026-12-21", "K:2026-12-21"]
    assert max(w.opens for w in windows) == D(2026, 12, 21)


def test_leaver_on_a_weekend():
    found = by_key(windows_for_pupil(kz_2026_27(), left=D(2026, 12, 19)))
    assert found["D:2026-12-14"].required  # due Friday 18 Dec
    assert not found["B:half_year"].required  # opened 14 Dec, due 22 Dec
    assert "D:2026-12-21" not in found


def test_leaver_in_the_first_week():
    found = by_key(windows_for_pupil(kz_2026_27(), left=D(2026, 9, 3)))
    assert set(found) == {
        "A:september",
        "B:september",
        "V:september",
        "D:2026-08-31",
        "E:2026-08-31",
        "K:2026-08-31",
    }
    assert [k for k, w in found.items() if w.required] == ["E:2026-08-31"]


def test_leaver_on_or_after_the_last_day_keeps_everything_required():
    cal = kz_2026_27()
    full = windows_for_pupil(cal)
    assert windows_for_pupil(cal, left=D(2027, 5, 25)) == full
    assert windows_for_pupil(cal, left=D(2027, 6, 30)) == full


def test_leaver_before_the_first_day_has_no_windows():
    cal = kz_2026_27()
    assert windows_for_pupil(cal, left=D(2026, 8, 31)) == []
    assert windows_for_pupil(cal, joined=D(2026, 11, 2), left=D(2026, 10, 30)) == []


def test_joiner_who_leaves():
    windows = windows_for_pupil(kz_2026_27(), joined=D(2026, 11, 2), left=D(2026, 11, 10))
    found = by_key(windows)
    assert found["A:september"].required  # due 6 Nov
    assert not found["G:september"].required  # opened 9 Nov, due 13 Nov
    assert "ZH:programme_1" not in found
    assert set(k for k in found if k.startswith("D:")) == {"D:2026-11-02", "D:2026-11-09"}


# --- Status --------------------------------------------------------------------


def test_window_status_each_state():
    window = Window(
        due=D(2026, 9, 7),
        annex=Annex.A,
        period=Period.SEPTEMBER,
        opens=D(2026, 9, 1),
        key="A:september",
    )
    status = window_status
    assert status(window, today=D(2026, 8, 31), done=False) == Status.UPCOMING == "upcoming"
    assert status(window, today=D(2026, 9, 1), done=False) == "open"
    assert status(window, today=D(2026, 9, 7), done=False) == "open"  # due at the end of the day
    assert status(window, today=D(2026, 9, 8), done=False) == "overdue"
    assert status(window, today=D(2026, 9, 8), done=True) == "done"
    assert status(window, today=D(2026, 8, 31), done=True) == "done"
    gone = replace(window, required=False)
    assert status(gone, today=D(2026, 9, 8), done=False) == "not_required"
    assert status(gone, today=D(2026, 9, 2), done=False) == "not_required"
    assert status(gone, today=D(2026, 9, 8), done=True) == "done"


def test_punctuality_the_one_lateness_rule():
    """On time through the due day, late from the day after; missing once overdue; nothing
    counted before the due day is over, nor for a leaver's window not handed in."""
    window = Window(
        due=D(2026, 9, 7), annex=Annex.A, period=Period.SEPTEMBER, opens=D(2026, 9, 1),
        key="A:september",
    )  # fmt: skip
    kept = schedule.punctuality
    after = D(2026, 9, 8)
    assert kept(window, handed_in=D(2026, 9, 7), today=after) == "on_time"
    assert kept(window, handed_in=D(2026, 9, 3), today=after) == "on_time"
    assert kept(window, handed_in=D(2026, 9, 8), today=D(2026, 9, 9)) == "late"
    assert kept(window, handed_in=None, today=after) == "missing"
    assert window_status(window, today=after, done=False) == "overdue"  # the same rule
    assert kept(window, handed_in=None, today=D(2026, 9, 7)) is None  # due today: still open
    assert kept(window, handed_in=D(2026, 9, 5), today=D(2026, 9, 7)) is None
    gone = replace(window, required=False)
    assert kept(gone, handed_in=None, today=after) is None
    assert kept(gone, handed_in=D(2026, 9, 9), today=D(2026, 9, 10)) == "late"  # handed in anyway


@settings(max_examples=200, deadline=None)
@given(
    left=st.none() | st.dates(D(2026, 9, 1), D(2027, 5, 31)),
    today=st.dates(D(2026, 9, 1), D(2027, 6, 30)),
    hand_ins=st.lists(st.tuples(st.integers(0, 300), st.integers(-10, 20)), max_size=60),
)
def test_due_windows_count_as_punctuality_window_by_window(left, today, hand_ins):
    """The overview's counts of a pupil's windows (`DueWindows.counts`) are `punctuality`
    summed window by window: early, on the day, late, never handed in, a leaver's windows."""
    windows = windows_for_pupil(kz_2026_27(), left=left)
    handed = {}
    for index, offset in hand_ins:  # some windows handed in, some days off their due day
        window = windows[index % len(windows)]
        handed[window.key] = window.due + timedelta(days=offset)
    expected = {"on_time": 0, "late": 0, "missing": 0}
    for window in windows:
        bucket = schedule.punctuality(window, handed_in=handed.get(window.key), today=today)
        if bucket is not None:
            expected[bucket] += 1
    counted = schedule.DueWindows.of(windows, today).counts(handed)
    assert counted == (expected["on_time"], expected["late"], expected["missing"])


def test_leavers_windows_are_never_overdue():
    windows = windows_for_pupil(kz_2026_27(), left=D(2026, 12, 22))
    statuses = {w.key: window_status(w, today=D(2027, 5, 30), done=False) for w in windows}
    assert statuses["D:2026-12-21"] == "not_required"
    assert statuses["B:half_year"] == "overdue"


# --- Annex И ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], False),
        ([3], False),
        ([3, 3], True),
        ([2, 3], False),
        ([3, 2], False),
        ([3, 2, 3], False),
        ([0, 5, 4], True),
        ([5, 4, 0, 0], True),  # any run counts; the caller picks the span
        ([1, 2, 9, 2, 9], False),
        ([3, 3, 3], True),
    ],
)
def test_behaviour_flag_defaults(counts, expected):
    assert behaviour_flag(counts) is expected


def test_behaviour_flag_school_settings():
    assert behaviour_flag([2, 2], per_week=2)
    assert not behaviour_flag([4, 4], per_week=5)
    assert behaviour_flag([1], per_week=1, weeks=1)
    assert not behaviour_flag([3, 3], weeks=3)
    assert behaviour_flag([3, 3, 3], weeks=3)
    assert behaviour_flag(iter([3, 3]))  # any iterable in school-week order


@pytest.mark.parametrize("kwargs", [{"per_week": 0}, {"weeks": 0}, {"per_week": -1}, {"weeks": -2}])
def test_behaviour_flag_rejects_nonsense_settings(kwargs):
    with pytest.raises(ValueError):
        behaviour_flag([3, 3], **kwargs)


def test_behaviour_flag_rejects_negative_counts():
    with pytest.raises(ValueError):
        behaviour_flag([3, 3, -1])


# --- Speed -------------------------------------------------------------------


def _clear_caches():
    for cached in (
        schedule._school_days,
        schedule._school_weeks,
        schedule._year_week_windows,
        schedule._pupil_windows,
    ):
        cached.cache_clear()


def test_three_hundred_pupils_compute_each_grade_once():
    # The worst case for the caches: every pupil joins and leaves on another day. The year's
    # school days and weekly windows are computed once per grade, whatever the dates; what
    # that costs in time is benchmarked (bench/overview.py), not timed here: a wall-clock limit
    # fails on a loaded machine and proves nothing on a fast one.
    pupils = [
        (1 + n % 11, D(2026, 9, 1) + timedelta(days=n % 250), D(2026, 12, 1) + timedelta(n % 170))
        for n in range(300)
    ]
    _clear_caches()
    for grade, joined, left in pupils:
        windows_for_pupil(kz_2026_27(), grade=grade, joined=joined, left=left)
    grades = len({grade for grade, _joined, _left in pupils})
    assert schedule._school_days.cache_info().misses <= grades
    assert schedule._year_week_windows.cache_info().misses == grades
    # A second pass over the same pupils is all cache hits.
    misses = schedule._pupil_windows.cache_info().misses
    for grade, joined, left in pupils:
        windows_for_pupil(kz_2026_27(), grade=grade, joined=joined, left=left)
    assert schedule._pupil_windows.cache_info().misses == misses


# --- Properties ----------------------------------------------------------------


def reference_school_days(cal: Calendar, grade: int | None) -> list[date]:
    """SPEC §3 "Calendar", written the slow and obvious way."""
    days = []
    day = cal.start
    while day <= cal.end:
        working = day.weekday() < 5 or (cal.saturday_school and day.weekday() == 5)
        off = any(
            h.start <= day <= h.end and (not h.grades or grade in h.grades) for h in cal.holidays
        )
        if working and not off:
            days.append(day)
        day += timedelta(days=1)
    return days


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@st.composite
def holidays(draw, start: date, end: date) -> Holiday:
    first = draw(st.dates(start - timedelta(days=10), end))
    length = draw(st.integers(0, 25))
    grades = draw(st.one_of(st.just(frozenset()), st.frozensets(st.integers(1, 11), max_size=3)))
    return Holiday(first, first + timedelta(days=length), grades)


@st.composite
def realistic_calendars(draw) -> Calendar:
    start = draw(st.dates(D(2026, 8, 28), D(2026, 9, 7)))
    end = draw(st.dates(D(2027, 4, 20), D(2027, 6, 5)))
    half_year_end = draw(st.dates(D(2026, 12, 1), D(2027, 1, 20)))
    return Calendar(
        start=start,
        end=end,
        half_year_end=half_year_end,
        holidays=tuple(draw(st.lists(holidays(start, end), max_size=8))),
        saturday_school=draw(st.booleans()),
    )


@st.composite
def tiny_calendars(draw) -> Calendar:
    """Years of a few weeks, to reach the cut-short and skipped windows."""
    start = draw(st.dates(D(2024, 1, 1), D(2030, 12, 31)))
    end = start + timedelta(days=draw(st.integers(0, 70)))
    half_year_end = draw(st.dates(start, end))
    return Calendar(
        start=start,
        end=end,
        half_year_end=half_year_end,
        holidays=tuple(draw(st.lists(holidays(start, end), max_size=3))),
        saturday_school=draw(st.booleans()),
    )


calendars = st.one_of(realistic_calendars(), tiny_calendars())
grades = st.one_of(st.none(), st.integers(1, 11))


@st.composite
def pupils(draw):
    """(calendar, grade, joined, left) with dates around the year's span."""
    cal = draw(calendars)
    near = st.dates(cal.start - timedelta(days=7), cal.end + timedelta(days=7))
    joined = draw(st.one_of(st.none(), near))
    left = draw(st.one_of(st.none(), near))
    return cal, draw(grades), joined, left


@settings(max_examples=300, deadline=None)
@given(calendars, grades)
def test_school_days_match_the_reference(cal, grade):
    days = school_days(cal, grade=grade)
    assert days == reference_school_days(cal, grade)
    weeks = school_weeks(cal, grade=grade)
    assert [d for week in weeks for d in week] == days
    assert all(len({monday(d) for d in week}) == 1 for week in weeks)
    assert len({monday(week[0]) for week in weeks}) == len(weeks)


@settings(max_examples=300, deadline=None)
@given(calendars, grades, st.dates(D(2024, 1, 1), D(2031, 3, 31)))
def test_current_week_matches_the_reference(cal, grade, today):
    expected = [d for d in reference_school_days(cal, grade) if 0 <= (d - monday(today)).days < 7]
    assert current_week(cal, today, grade=grade) == expected


@settings(max_examples=500, deadline=None)
@given(pupils())
def test_window_invariants(pupil):
    cal, grade, joined, left = pupil
    windows = windows_for_pupil(cal, grade=grade, joined=joined, left=left)
    days = reference_school_days(cal, grade)
    own = [d for d in days if joined is None or d >= joined]
    if not own or (left is not None and left < own[0]):
        assert windows == []
        return
    first = own[0]
    day_set = set(days)

    assert len({w.key for w in windows}) == len(windows)
    assert windows == sorted(windows)
    assert Annex.I not in {w.annex for w in windows}
    for w in windows:
        assert w.opens <= w.due
        assert w.opens in day_set and w.due in day_set
        assert w.opens >= first
        assert left is None or w.opens <= left
        assert w.required == (left is None or w.due <= left)
        if w.period == Period.WEEK:
            assert w.key == f"{w.annex}:{w.week_start.isoformat()}"
            assert monday(w.opens) == monday(w.due) == w.week_start
        else:
            assert w.key == f"{w.annex}:{w.period}" and w.week_start is None

    found = by_key(windows)
    diagnostic = {"A:september", "B:september", "V:september"}
    assert diagnostic <= set(found)
    assert found["A:september"].opens == first
    assert found["A:september"].due == own[min(5, len(own)) - 1]
    last_diagnostic = found.get("G:september", found["A:september"])
    for key in ("B:half_year", "G:half_year", "B:year_end", "G:year_end", "ZH:report"):
        if key in found:
            assert found[key].opens > last_diagnostic.due
    programmes = [found[k] for k in ("ZH:programme_1", "ZH:programme_2") if k in found]
    if len(programmes) == 2:
        assert programmes[1].opens > programmes[0].due
    if "ZH:programme_1" in found:
        assert found["ZH:programme_1"].due <= cal.half_year_end

    weeks = school_weeks(cal, grade=grade, from_day=first)
    if left is not None:
        weeks = [week for week in weeks if week[0] <= left]
    for annex in (Annex.D, Annex.E, Annex.K):
        assert len(weekly(windows, annex)) == len(weeks)
    assert [w.opens for w in weekly(windows, Annex.E)] == [week[0] for week in weeks]


@settings(max_examples=300, deadline=None)
@given(pupils())
def test_leaving_only_drops_and_closes_windows(pupil):
    """With a leaving date the windows are those of a pupil who stays, minus
    those opening after it, with those due after it not required (SPEC §3)."""
    cal, grade, joined, left = pupil
    staying = windows_for_pupil(cal, grade=grade, joined=joined)
    leaving = windows_for_pupil(cal, grade=grade, joined=joined, left=left)
    if left is None:
        assert leaving == staying
        return
    assert leaving == [
        w if w.due <= left else replace(w, required=False) for w in staying if w.opens <= left
    ]


@settings(max_examples=200, deadline=None)
@given(pupils())
def test_joining_date_counts_from_its_first_school_day(pupil):
    cal, grade, joined, _ = pupil
    first = first_school_day(cal, grade=grade, on_or_after=joined)
    if first is None:
        assert windows_for_pupil(cal, grade=grade, joined=joined) == []
    else:
        assert windows_for_pupil(cal, grade=grade, joined=joined) == windows_for_pupil(
            cal, grade=grade, joined=first
        )


@settings(max_examples=200, deadline=None)
@given(pupils())
def test_regular_windows_do_not_depend_on_the_cache(pupil):
    cal, grade, joined, left = pupil
    cached = windows_for_pupil(cal, grade=grade, joined=joined, left=left)
    _clear_caches()
    assert windows_for_pupil(cal, grade=grade, joined=joined, left=left) == cached
