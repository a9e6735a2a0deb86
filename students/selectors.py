"""Reads about pupils, always starting from what the user may see."""

from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import pupils_visible_to
from .models import Assignment, Student
from .text import kazakh_sort_key


def current_assignments(on=None) -> QuerySet[Assignment]:
    """The assignments holding today (or on `on`): `Assignment.objects.on`, the one rule."""
    return Assignment.objects.on(on or timezone.localdate())


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


def _roles_at_school(school_ref) -> Subquery:
    """The reader's active roles at the pupil's school, as "kind:speciality" strings, for one
    correlated subquery (the role is the one they hold now; the log stores who, not as what)."""
    from assistant_portal.accounts.models import Role

    return Subquery(
        Role.objects.filter(user=OuterRef("user"), school=school_ref, archived_at__isnull=True)
        .values("user")
        .annotate(kinds=ArrayAgg(Concat("kind", Value(":"), "speciality"), ordering="kind"))
        .values("kinds")[:1]
    )


def role_labels(kinds) -> str:
    """ "specialist:psychologist" → "educational psychologist", in the reader's language."""
    from assistant_portal.accounts.models import RoleKind, Speciality

    labels = []
    for item in kinds or []:
        kind, _sep, speciality = item.partition(":")
        if speciality and speciality in Speciality.values:
            labels.append(str(Speciality(speciality).label))
        elif kind in RoleKind.values:
            labels.append(str(RoleKind(kind).label))
    return ", ".join(labels)


# URL names of the pages and prints that log a read → what a person calls them.
_PAGE_NAMES = {
    "students:pupil": _("pupil's record"),
    "students:history": _("pupil's change history"),
    "protocols:window": _("protocol (empty window)"),
    "protocols:edit": _("protocol"),
    "protocols:history": _("protocol's versions"),
    "protocols:compare": _("protocol versions compared"),
    "protocols:pupil_year": _("pupil's year of protocols"),
    "protocols:pdf": _("protocol PDF"),
    "protocols:review": _("support-team review"),
}


def target_label(what: str, target: str) -> str:
    """A read's page or file as a person reads it: a page's name (with the annex or protocol
    number in the path kept), or the file's name."""
    from django.urls import Resolver404, resolve

    from .models import ReadWhat

    if what == ReadWhat.EXPORT or not target.startswith("/"):
        return target
    try:
        match = resolve(target.split("?")[0])
    except Resolver404:
        return target
    name = _PAGE_NAMES.get(match.view_name)
    return f"{name} ({target})" if name else target


@dataclass
class ReaderGroup:
    """One person's reads of one page or file: how many times, the first and the last."""

    user_name: str
    roles: str
    what: str
    page: str
    times: int
    first: object
    last: object


def pupil_readers(student: Student, *, limit: int = 20) -> list[ReaderGroup]:
    """Who has seen this record, grouped by person and page or file, latest first: one query
    however long the log (20 views of one page by one person are one line, "20 times")."""
    from .models import ReadLogEntry, ReadWhat

    rows = (
        ReadLogEntry.objects.filter(pupil=student)
        .values("user", "user__full_name", "what", "target")
        .annotate(
            times=Count("id"),
            first=Min("at"),
            last=Max("at"),
            kinds=_roles_at_school(student.school_id),
        )  # fmt: skip
        .order_by("-last")[:limit]
    )
    return [
        ReaderGroup(
            user_name=r["user__full_name"] or "—",
            roles=role_labels(r["kinds"]),
            what=str(ReadWhat(r["what"]).label),
            page=target_label(r["what"], r["target"]),
            times=r["times"],
            first=r["first"],
            last=r["last"],
        )  # fmt: skip
        for r in rows
    ]


def read_log_for_schools(
    school_ids, start, end, *, user_id: int | None = None, pupil: str = ""
) -> QuerySet:
    """The read log of the given schools' pupils between two dates (inclusive, local time),
    optionally one person's and pupils whose name contains `pupil`; each row carries the
    reader's roles at the pupil's school (`kinds`), in the same query."""
    from .models import ReadLogEntry

    qs = ReadLogEntry.objects.filter(
        pupil__school_id__in=school_ids, at__date__gte=start, at__date__lte=end
    )
    if user_id:
        qs = qs.filter(user_id=user_id)
    for word in pupil.split()[:3]:
        qs = qs.filter(Q(pupil__last_name__icontains=word) | Q(pupil__first_name__icontains=word))
    return (
        qs.select_related("user", "pupil")
        .annotate(kinds=_roles_at_school(OuterRef("pupil__school_id")))
        .order_by("at", "pk")
    )


def read_log_people(school_ids) -> QuerySet:
    """Everyone who holds a role at these schools: the read log's "person" filter."""
    from assistant_portal.accounts.models import User

    return (
        User.objects.filter(roles__school_id__in=school_ids, roles__archived_at__isnull=True)
        .distinct()
        .order_by("full_name")
    )


def active_consent(student: Student):
    return student.consents.filter(withdrawn_at__isnull=True).first()
