"""Reads about pupils, always starting from what the user may see."""

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .access import pupils_visible_to
from .models import Assignment, Student
from .text import kazakh_sort_key


def current_assignments(on=None) -> QuerySet[Assignment]:
    on = on or timezone.localdate()
    return Assignment.objects.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))


def pupil_list(user, *, q: str = "", grade: int | None = None) -> QuerySet[Student]:
    """Visible pupils with their current assistant's name, in Kazakh order; one query."""
    current = current_assignments().filter(student=OuterRef("pk"))
    qs = (
        pupils_visible_to(user)
        .select_related("school")
        .annotate(assistant_name=Subquery(current.values("assistant__full_name")[:1]))
    )
    if q:
        qs = qs.filter(
            Q(last_name__icontains=q) | Q(first_name__icontains=q) | Q(iin__startswith=q)
            | Q(sort_key__contains=kazakh_sort_key(q))
        )  # fmt: skip
    if grade is not None:
        qs = qs.filter(grade=grade)
    return qs.order_by("grade", "class_sort_key", "sort_key")


def pupil_assignments(student: Student) -> QuerySet[Assignment]:
    return student.assignments.select_related("assistant", "created_by").order_by("-start")


def pupil_history(student: Student) -> list:
    """Every recorded change of the pupil and of the rows that refer to them (guardians,
    assignments), newest first, with the author's name: two queries."""
    from pghistory.models import Events

    from assistant_portal.accounts.models import User

    events = list(Events.objects.references(student).order_by("-pgh_created_at")[:500])
    ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    for e in events:
        e.author = names.get((e.pgh_context or {}).get("user"), "")
    return events


def pupil_readers(student: Student, *, limit: int = 20) -> QuerySet:
    """Who has seen this record, newest first (one query)."""
    from .models import ReadLogEntry

    return ReadLogEntry.objects.filter(pupil=student).select_related("user")[:limit]


def read_log_for_schools(school_ids, start, end) -> QuerySet:
    """The read log of the given schools' pupils between two dates (inclusive, local time)."""
    from .models import ReadLogEntry

    return (
        ReadLogEntry.objects.filter(
            pupil__school_id__in=school_ids, at__date__gte=start, at__date__lte=end
        )
        .select_related("user", "pupil")
        .order_by("at")
    )


def active_consent(student: Student):
    return student.consents.filter(withdrawn_at__isnull=True).first()
