"""Who may see and who may edit which protocol, and which dossier job: the one place the rule
lives.

Built on `students.access.pupils_visible_to`: a protocol is visible when its pupil is, except
that a parent sees only their child's communication sheets (К) — not the other annexes, the
year grid or the dossier (SPEC §7); a staff member who is also the pupil's parent gets the
parent's view. Only the pupil's *currently* assigned assistant edits through the forms, and the
school psychologist an И (co-author); specialists and school administrators read. A К sheet is
written by two sides (`sheet_side`), one entry at a time. What a school shares with a parent
beyond К is in `protocols/sharing.py`. Outsiders get 404, never 403.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assistant_portal.accounts.models import RoleKind, User
from assistant_portal.accounts.roles import roles_of
from assistant_portal.reuse import built_once
from students.access import AnyOf, PupilIds, pupils_visible_to
from students.models import Assignment, Guardian, Student

from . import annexes
from .annexes.k_communication_sheet import PARENT, STAFF
from .calendar import holiday_rows_of
from .models import (
    AnnexCode,
    DossierJob,
    Meeting,
    NextStep,
    ParentShare,
    Protocol,
    ProtocolVersion,
    Status,
)


def _own_children(user: User) -> PupilIds:
    return Guardian.objects.filter(user=user, archived_at__isnull=True).values("student")


def children_of(user: User) -> QuerySet[Student]:
    """The pupils the user sees as their parent or guardian."""
    return pupils_visible_to(user).filter(pk__in=_own_children(user))


def pupils_with_protocols_visible_to(user: User) -> QuerySet[Student]:
    """Pupils whose whole protocol file the user may see: every visible pupil except the ones
    seen only as their parent."""
    return pupils_visible_to(user).exclude(pk__in=_own_children(user))


def protocols_visible_to(user: User) -> QuerySet[Protocol]:
    """Protocols of the pupils above, plus the К sheets of the user's own children.

    The visible pupils are one subquery, read once: the protocols of visible pupils, less the
    non-К ones of pupils seen as their parent (a small guardian look-up by user)."""
    return built_once(
        "protocols_visible_to",
        user,
        lambda: Protocol.objects.filter(
            Q(annex=AnnexCode.K) | ~Q(student_id__in=_own_children(user)),
            student__in=pupils_visible_to(user),
            archived_at__isnull=True,
        ),
    )


def annex_visible(user: User, student: Student, annex: str) -> bool:
    """Whether the user may see this annex of a pupil they can see (parents: К only)."""
    if annex == AnnexCode.K:
        return True
    return not _own_children(user).filter(student=student).exists()


def _assigned_now(user: User) -> QuerySet[Assignment]:
    return Assignment.objects.on(timezone.localdate()).filter(assistant=user)


def is_editor(user: User, student: Student) -> bool:
    """The pupil's currently assigned assistant. Remembered on the request's user, since a
    page asks more than once (the К page: may edit? may reply as a parent?)."""
    if not roles_of(user).is_assistant:
        return False
    cache: dict[int, bool] = user.__dict__.setdefault("_editor_cache", {})
    if student.pk not in cache:
        cache[student.pk] = _assigned_now(user).filter(student_id=student.pk).exists()
    return cache[student.pk]


def may_sign_off(user: User, protocol: Protocol) -> bool:
    """A submitted, not yet signed-off И of a pupil of a school where the user is the
    psychologist (SPEC §2: drawn up with the school psychologist)."""
    return (
        protocol.annex == AnnexCode.I
        and protocol.status == Status.SUBMITTED
        and protocol.signed_off_at is None
        and protocol.student.school_id in roles_of(user).psychologist_school_ids
    )


def _sees_only_assigned(user: User) -> bool:
    """Whether the user sees pupils only as an assistant (no school or parent role): every
    pupil they see is then one assigned to them today (`visible_pupil_ids`' one branch)."""
    roles = roles_of(user)
    return roles.is_assistant and not roles.staff_school_ids and not roles.has(RoleKind.PARENT)


def _protocol_for_user(user: User, with_calendar: bool) -> QuerySet[Protocol]:
    if not with_calendar:
        return protocols_visible_to(user).select_related("student__school", "year", "author")
    # The edit page: it shows no author, and reads the year's calendar.
    return (
        protocols_visible_to(user)
        .select_related("student__school", "year")
        .annotate(year_holiday_rows=holiday_rows_of(OuterRef("year_id")))
    )


def get_protocol_for_user(user: User, protocol_id: int, *, with_calendar: bool = False) -> Protocol:
    """A protocol the user may see, with its pupil, school, year and author; ``with_calendar``
    (the edit page): its year's holidays instead of the author (the year's `holiday_rows`, for
    `calendar_of`: its window without another query)."""
    protocol = get_object_or_404(
        built_once(
            "protocol_for_user",
            user,
            lambda: _protocol_for_user(user, with_calendar),
            with_calendar,
        ),
        pk=protocol_id,
    )
    if with_calendar:
        protocol.year.holiday_rows = protocol.year_holiday_rows  # type: ignore[attr-defined]
    if _sees_only_assigned(user):
        # The access query has just read the assignment: `is_editor` need not read it again.
        user.__dict__.setdefault("_editor_cache", {})[protocol.student_id] = True
    return protocol


def may_edit(
    user: User, student: Student, protocol: Protocol | None = None, annex: str = ""
) -> bool:
    """Whether the user edits this protocol (or starts this annex's window) through its form:
    the assigned assistant, and for an И also the school psychologist (co-author, SPEC §7).
    A К sheet is never edited as a form: entries go through `protocols.communication`."""
    annex = protocol.annex if protocol is not None else annex
    if annex == AnnexCode.K:
        return False
    if is_editor(user, student):
        return True
    return annex == AnnexCode.I and student.school_id in roles_of(user).psychologist_school_ids


def _correction_co_author_rule(user: User) -> Q | None:
    """И of the pupils of schools where the user is the psychologist (SPEC §7: drawn up
    jointly); None for everyone else. A separate rule so the editors' query stays a union of
    plain branches."""
    schools = roles_of(user).psychologist_school_ids
    if not schools:
        return None
    return Q(annex=AnnexCode.I, student__school_id__in=schools)


def protocols_editable_by(user: User) -> QuerySet[Protocol]:
    """Protocols whose form the user may save: their assigned pupils' (not К), and the И of
    their school's pupils for the psychologist."""
    rule = Q()
    if roles_of(user).is_assistant:
        rule |= Q(student_id__in=_assigned_now(user).values("student_id"))
    if (co_author := _correction_co_author_rule(user)) is not None:
        rule |= co_author
    if not rule:
        return Protocol.objects.none()
    return protocols_visible_to(user).filter(rule).exclude(annex=AnnexCode.K)


def get_protocol_for_editor(user: User, protocol_id: int) -> Protocol:
    return get_object_or_404(
        protocols_editable_by(user).select_related("student__school", "year", "author"),
        pk=protocol_id,
    )


def get_pupil_for_editor(user: User, pupil_id: int) -> Student:
    if not roles_of(user).is_assistant:
        raise Http404
    return get_object_or_404(
        pupils_visible_to(user)
        .filter(pk__in=_assigned_now(user).values("student_id"))
        .select_related("school"),
        pk=pupil_id,
    )


# --- К: who writes on a pupil's communication sheet (SPEC §7) ----------------------------------


def sheet_side(user: User, student: Student) -> str | None:
    """The side the user writes on for this pupil's К sheets: "parent" (their own child; a
    staff member who is also the parent writes as the parent), "staff" (the assigned assistant
    or a support-team specialist of the pupil's school), or None (reads only, or nothing)."""
    if _own_children(user).filter(student=student).exists():
        return PARENT
    if student.school_id in roles_of(user).specialist_school_ids or is_editor(user, student):
        return STAFF
    return None


def sheet_author_role(user: User, student: Student) -> str:
    """The role shown with the user's entries on this pupil's sheet."""
    if sheet_side(user, student) == PARENT:
        return RoleKind.PARENT
    if is_editor(user, student):
        return RoleKind.ASSISTANT
    for role in roles_of(user).roles:
        if role.kind == RoleKind.SPECIALIST and role.school_id == student.school_id:
            return role.speciality
    return ""


def sheets_visible_to(user: User) -> QuerySet[Protocol]:
    """Every К sheet the user may read (the parent's own child's included)."""
    return protocols_visible_to(user).filter(annex=AnnexCode.K)


def get_sheet_for_user(user: User, protocol_id: int) -> Protocol:
    """A К sheet the user may read."""
    return get_object_or_404(
        sheets_visible_to(user).select_related("student__school", "year"), pk=protocol_id
    )


def get_sheet_for_writer(user: User, protocol_id: int) -> Protocol:
    """A К sheet the user may write on (either side); 404 for readers and outsiders."""
    sheet = get_sheet_for_user(user, protocol_id)
    if sheet_side(user, sheet.student) is None:
        raise Http404
    return sheet


def get_pupil_file_for_user(user: User, pupil_id: int) -> Student:
    """A pupil whose year of protocols (grid, dynamics, dossier) the user may see."""
    files = built_once(
        "pupil_file", user, lambda: pupils_with_protocols_visible_to(user).select_related("school")
    )
    return get_object_or_404(files, pk=pupil_id)


def get_dossier_job_for_user(user: User, job_id: int) -> DossierJob:
    """A dossier job the user asked for, while they still see the pupil's file."""
    return get_object_or_404(
        DossierJob.objects.filter(
            requested_by=user, pupil__in=pupils_with_protocols_visible_to(user)
        ).select_related("pupil"),
        pk=job_id,
    )


# --- The support team's review --------------------------------------------------------------


def team_school_ids(user: User) -> set[int]:
    """Schools where the user is on the support team or administers the school."""
    return roles_of(user).staff_school_ids


def team_pupils(user: User) -> QuerySet[Student]:
    """Pupils of the schools where the user is on the support team or administers the school."""
    return pupils_with_protocols_visible_to(user).filter(school_id__in=team_school_ids(user))


def conclusions_for_reviewer(user: User, *, school_id: int | None = None) -> QuerySet[Protocol]:
    """Handed-in conclusions (Г) of pupils of the user's support-team schools (or of one of
     them), never the user's own (SPEC §7).

     A specialist sees every pupil of their school (`pupils_visible_to`'s school branch), so
     the pupils are the school's, read once as an array: the plan is an index scan of the
     school's pupils and then of their protocols, with or without statistics. (Nested
     `IN (SELECT … IN …)` let PostgreSQL re-scan the pupils once per conclusion right after a
    bulk load: 20 s at 1,000 pupils.)"""
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
        .exclude(status=Status.DRAFT)
    )


def get_conclusion_for_reviewer(user: User, protocol_id: int) -> Protocol:
    return get_object_or_404(
        conclusions_for_reviewer(user).select_related("student__school", "year", "author"),
        pk=protocol_id,
    )


def get_team_pupil_for_user(user: User, pupil_id: int) -> Student:
    """A pupil of a school where the user is on the support team or administers it."""
    return get_object_or_404(team_pupils(user).select_related("school"), pk=pupil_id)


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    return Meeting.objects.filter(school_id__in=team_school_ids(user), archived_at__isnull=True)


def get_meeting_for_user(user: User, meeting_id: int) -> Meeting:
    return get_object_or_404(meetings_visible_to(user).select_related("school"), pk=meeting_id)


def get_next_step_for_user(user: User, step_id: int) -> NextStep:
    """A next step the user is responsible for, or one of a meeting of their support team."""
    qs = NextStep.objects.filter(archived_at__isnull=True, item__archived_at__isnull=True).filter(
        Q(responsible=user) | Q(item__meeting__in=meetings_visible_to(user))
    )
    return get_object_or_404(qs.select_related("item__meeting", "item__pupil"), pk=step_id)


# --- Sharing with parents (SPEC §7) ---------------------------------------------------------------
# Separate rules, not branches of `protocols_visible_to`: a parent sees a shared *version* (a
# frozen copy), never the living protocol, so nothing else opens to them by a share.


def pupils_shared_by(user: User) -> QuerySet[Student]:
    """Pupils whose records the user may share with their parents: school administrators their
    school's pupils, assistants their pupils now."""
    rule = Q(school_id__in=roles_of(user).admin_school_ids)
    if roles_of(user).is_assistant:
        rule |= Q(pk__in=_assigned_now(user).values("student_id"))
    return pupils_visible_to(user).filter(rule)


def get_pupil_for_sharer(user: User, pupil_id: int) -> Student:
    return get_object_or_404(pupils_shared_by(user).select_related("school"), pk=pupil_id)


def get_share_for_sharer(user: User, share_id: int) -> ParentShare:
    return get_object_or_404(
        ParentShare.objects.filter(guardian__student__in=pupils_shared_by(user)).select_related(
            "guardian__student"
        ),
        pk=share_id,
    )


def get_child_for_parent(user: User, pupil_id: int) -> Student:
    """The parent's own child (the parent's card of the pupil)."""
    return get_object_or_404(children_of(user).select_related("school"), pk=pupil_id)


def _active_shares_of(user: User) -> QuerySet[ParentShare]:
    return ParentShare.objects.filter(
        withdrawn_at__isnull=True,
        guardian__user=user,
        guardian__archived_at__isnull=True,
        guardian__student__in=children_of(user),
    )


def final_versions() -> Q:
    """The versions an annex-type share covers: approved ones (Г), or for annexes nobody
    approves the submitted ones."""
    reviewed = [a.code.value for a in annexes.all_annexes() if a.needs_review]
    final_unreviewed = Q(status=Status.SUBMITTED) & ~Q(protocol__annex__in=reviewed)
    return Q(status=Status.APPROVED) | final_unreviewed


def versions_shared_with(user: User) -> QuerySet[ProtocolVersion]:
    """Protocol versions the user sees as a parent: each shared one, and every final version
    of an annex type shared with them; never a К (they have the sheet itself)."""
    shares = _active_shares_of(user)
    by_annex = shares.filter(
        kind="annex",
        guardian__student=OuterRef("protocol__student"),
        annex=OuterRef("protocol__annex"),
    )
    return (
        ProtocolVersion.objects.filter(protocol__archived_at__isnull=True)
        .exclude(protocol__annex=AnnexCode.K)
        .filter(
            Q(pk__in=shares.filter(kind="version").values("version_id"))
            | (Exists(by_annex) & final_versions())
        )
    )


def get_shared_version_for_user(user: User, version_id: int) -> ProtocolVersion:
    return get_object_or_404(
        versions_shared_with(user).select_related("protocol__student__school", "saved_by"),
        pk=version_id,
    )


def card_parts_shared_with(user: User, pupil: Student) -> set[str]:
    """Which parts of the pupil card beyond the basics are shared with this parent."""
    return set(
        _active_shares_of(user)
        .filter(guardian__student=pupil, kind__in=["pmpc", "sen_category", "guardians"])
        .values_list("kind", flat=True)
    )
