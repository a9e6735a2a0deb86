"""Who may see and who may edit which protocol, and which dossier job: the one place the rule
lives.

Built on `students.access.pupils_visible_to`: a protocol is visible when its pupil is, except
that a parent sees only their child's communication sheets (К) — not the other annexes, the
year grid or the dossier (SPEC §7); a staff member who is also the pupil's parent gets the
parent's view. Only the pupil's *currently* assigned assistant edits; specialists and school
administrators read. Outsiders get 404, never 403.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assistant_portal.accounts.roles import roles_of
from students.access import AnyOf, pupils_visible_to
from students.models import Assignment, Guardian, Student

from .models import AnnexCode, DossierJob, Protocol


def _own_children(user):
    return Guardian.objects.filter(user=user, archived_at__isnull=True).values("student")


def pupils_with_protocols_visible_to(user) -> QuerySet[Student]:
    """Pupils whose whole protocol file the user may see: every visible pupil except the ones
    seen only as their parent."""
    return pupils_visible_to(user).exclude(pk__in=_own_children(user))


def protocols_visible_to(user) -> QuerySet[Protocol]:
    """Protocols of the pupils above, plus the К sheets of the user's own children.

    The visible pupils are one subquery, read once: the protocols of visible pupils, less the
    non-К ones of pupils seen as their parent (a small guardian look-up by user)."""
    return Protocol.objects.filter(
        Q(annex=AnnexCode.K) | ~Q(student_id__in=_own_children(user)),
        student__in=pupils_visible_to(user),
        archived_at__isnull=True,
    )


def annex_visible(user, student: Student, annex: str) -> bool:
    """Whether the user may see this annex of a pupil they can see (parents: К only)."""
    if annex == AnnexCode.K:
        return True
    return not _own_children(user).filter(student=student).exists()


def _assigned_now(user):
    today = timezone.localdate()
    return Assignment.objects.filter(assistant=user, start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )


def is_editor(user, student: Student) -> bool:
    """The pupil's currently assigned assistant. Remembered on the request's user, since a
    page asks more than once (the К page: may edit? may reply as a parent?)."""
    if not roles_of(user).is_assistant:
        return False
    cache = user.__dict__.setdefault("_editor_cache", {})
    if student.pk not in cache:
        cache[student.pk] = _assigned_now(user).filter(student_id=student.pk).exists()
    return cache[student.pk]


def may_sign_off(user, protocol: Protocol) -> bool:
    """A submitted, not yet signed-off И of a pupil of a school where the user is the
    psychologist (SPEC §2: drawn up with the school psychologist)."""
    return (
        protocol.annex == AnnexCode.I
        and protocol.status == "submitted"
        and protocol.signed_off_at is None
        and protocol.student.school_id in roles_of(user).psychologist_school_ids
    )


def get_protocol_for_user(user, protocol_id: int) -> Protocol:
    return get_object_or_404(
        protocols_visible_to(user).select_related("student__school", "year", "author"),
        pk=protocol_id,
    )


def get_protocol_for_editor(user, protocol_id: int) -> Protocol:
    if not roles_of(user).is_assistant:
        raise Http404
    return get_object_or_404(
        protocols_visible_to(user)
        .filter(student_id__in=_assigned_now(user).values("student_id"))
        .select_related("student__school", "year", "author"),
        pk=protocol_id,
    )


def get_pupil_for_editor(user, pupil_id: int) -> Student:
    if not roles_of(user).is_assistant:
        raise Http404
    return get_object_or_404(
        pupils_visible_to(user)
        .filter(pk__in=_assigned_now(user).values("student_id"))
        .select_related("school"),
        pk=pupil_id,
    )


def get_sheet_for_parent(user, protocol_id: int) -> Protocol:
    """A communication sheet (К) of the user's own child, for replying."""
    return get_object_or_404(
        protocols_visible_to(user)
        .filter(annex=AnnexCode.K, student_id__in=_own_children(user))
        .select_related("student__school", "year"),
        pk=protocol_id,
    )


def get_pupil_file_for_user(user, pupil_id: int) -> Student:
    """A pupil whose year of protocols (grid, dynamics, dossier) the user may see."""
    return get_object_or_404(
        pupils_with_protocols_visible_to(user).select_related("school"), pk=pupil_id
    )


def get_dossier_job_for_user(user, job_id: int) -> DossierJob:
    """A dossier job the user asked for, while they still see the pupil's file."""
    return get_object_or_404(
        DossierJob.objects.filter(
            requested_by=user, pupil__in=pupils_with_protocols_visible_to(user)
        ).select_related("pupil"),
        pk=job_id,
    )


# --- The support team's review (issue #4) -------------------------------------------------------


def team_school_ids(user) -> set[int]:
    """Schools where the user is on the support team or administers the school."""
    return roles_of(user).staff_school_ids


def team_pupils(user) -> QuerySet[Student]:
    """Pupils of the schools where the user is on the support team or administers the school."""
    return pupils_with_protocols_visible_to(user).filter(school_id__in=team_school_ids(user))


def conclusions_for_reviewer(user, *, school_id: int | None = None) -> QuerySet[Protocol]:
    """Handed-in conclusions (Г) of pupils of the user's support-team schools (or of one of
    them), never the user's own (SPEC §7).

    A specialist sees every pupil of their school (`pupils_visible_to`'s school branch), so
    the pupils are the school's, read once as an array: the plan is an index scan of the
    school's pupils and then of their protocols, with or without statistics. (Nested
    `IN (SELECT … IN …)` let PostgreSQL re-scan the pupils once per conclusion right after a
    bulk load: 20 s at 1,000 pupils, issue #19.)"""
    schools = roles_of(user).specialist_school_ids
    if school_id is not None:
        schools = schools & {school_id}
    pupils = Student.objects.active().filter(school_id__in=schools).order_by().values("pk")
    return (
        Protocol.objects.filter(
            AnyOf(F("student_id"), ArraySubquery(pupils)),
            annex=AnnexCode.G,
            archived_at__isnull=True,
        )
        .exclude(author=user)
        .exclude(status="draft")
    )


def get_conclusion_for_reviewer(user, protocol_id: int) -> Protocol:
    return get_object_or_404(
        conclusions_for_reviewer(user).select_related("student__school", "year", "author"),
        pk=protocol_id,
    )


def get_team_pupil_for_user(user, pupil_id: int) -> Student:
    """A pupil of a school where the user is on the support team or administers it."""
    return get_object_or_404(team_pupils(user).select_related("school"), pk=pupil_id)


def meetings_visible_to(user):
    from .models import Meeting

    return Meeting.objects.filter(school_id__in=team_school_ids(user), archived_at__isnull=True)


def get_meeting_for_user(user, meeting_id: int):
    return get_object_or_404(meetings_visible_to(user).select_related("school"), pk=meeting_id)


def get_next_step_for_user(user, step_id: int):
    """A next step the user is responsible for, or one of a meeting of their support team."""
    from .models import NextStep

    qs = NextStep.objects.filter(archived_at__isnull=True, item__archived_at__isnull=True).filter(
        Q(responsible=user) | Q(item__meeting__in=meetings_visible_to(user))
    )
    return get_object_or_404(qs.select_related("item__meeting", "item__pupil"), pk=step_id)
