"""The window a protocol belongs to: which window is (annex, key) for this pupil, if any.

Calendars come from `protocols/calendar.py` (one query for a year and its holidays); this module
answers the forms' one question and the "late" warning.
"""

from datetime import date

from django.utils import timezone

from students.models import AcademicYear, Student

from . import calendar, schedule


def current_year(student: Student, *, today: date | None = None) -> AcademicYear | None:
    """The school's academic year containing today, else the latest one that has begun."""
    return calendar.current_year(student.school_id, today or timezone.localdate())


def window_for(
    student: Student, annex: str, key: str, *, year: AcademicYear | None = None
) -> tuple[AcademicYear, schedule.Window] | None:
    """The pupil's window ``key`` of ``annex`` in the current year, or None (И has none)."""
    year = year or current_year(student)
    if year is None or not key.startswith(f"{annex}:"):
        return None
    windows = schedule.windows_for_pupil(
        calendar.calendar_of(year), grade=student.grade, joined=student.joined, left=student.left
    )
    for window in windows:
        if window.key == key and window.annex == annex:
            return year, window
    return None


def is_late(filled_on: date | None, window: schedule.Window | None) -> bool:
    """A date outside its window is a warning, not an error (SPEC §7)."""
    return bool(filled_on and window and not window.opens <= filled_on <= window.due)
