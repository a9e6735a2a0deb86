"""The window a protocol belongs to: the pupil's school calendar fed to the pure schedule.

Kept small on purpose: the year views build calendars in `protocols/calendar.py`; this module
answers one question for the forms — which window is (annex, key) for this pupil, if any.
"""

from datetime import date

from django.utils import timezone

from students.models import AcademicYear, Student

from . import schedule


def current_year(student: Student, *, today: date | None = None) -> AcademicYear | None:
    """The school's academic year containing today, else the latest one that has begun."""
    today = today or timezone.localdate()
    years = AcademicYear.objects.active().filter(school_id=student.school_id, start__lte=today)
    return years.filter(end__gte=today).first() or years.order_by("-start").first()


def calendar_of(year: AcademicYear) -> schedule.Calendar:
    holidays = tuple(
        schedule.Holiday(start=h.start, end=h.end, grades=frozenset(h.grades))
        for h in year.holidays.filter(archived_at__isnull=True)
    )
    return schedule.Calendar(
        start=year.start,
        end=year.end,
        half_year_end=year.half_year_end,
        holidays=holidays,
        saturday_school=year.saturday_school,
    )


def window_for(
    student: Student, annex: str, key: str, *, year: AcademicYear | None = None
) -> tuple[AcademicYear, schedule.Window] | None:
    """The pupil's window ``key`` of ``annex`` in the current year, or None (И has none)."""
    year = year or current_year(student)
    if year is None or not key.startswith(f"{annex}:"):
        return None
    windows = schedule.windows_for_pupil(
        calendar_of(year), grade=student.grade, joined=student.joined, left=student.left
    )
    for window in windows:
        if window.key == key and window.annex == annex:
            return year, window
    return None


def is_late(filled_on: date | None, window: schedule.Window | None) -> bool:
    """A date outside its window is a warning, not an error (SPEC §7)."""
    return bool(filled_on and window and not window.opens <= filled_on <= window.due)
