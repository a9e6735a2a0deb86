"""Writes to pupils, assignments and calendars. Views and imports call these; nothing else
writes these models."""

import hashlib
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from assistant_portal.accounts.models import Role, RoleKind, User

from .models import (
    AcademicYear,
    Assignment,
    Consent,
    District,
    Guardian,
    Holiday,
    ReadWhat,
    Region,
    School,
    Student,
)
from .text import kazakh_sort_key

if TYPE_CHECKING:
    from course.models import TrainingOrganisation

STUDENT_FIELDS = (
    "last_name first_name patronymic birth_date iin grade class_letter sen_category "
    "pmpc_number pmpc_date pmpc_valid_until pmpc_text joined left"
).split()


def _with_sort_keys(student: Student) -> Student:
    student.sort_key = kazakh_sort_key(student.full_name)
    student.class_sort_key = f"{student.grade:02d}" + kazakh_sort_key(student.class_letter)
    student.iin = student.iin or None  # unique and optional: NULL, never ''
    return student


class PossibleDuplicate(ValidationError):
    """The school already has a pupil with this name and date of birth: ask before creating
    another. `matches` are those pupils."""

    def __init__(self, matches: list[Student]):
        self.matches = matches
        super().__init__(
            _("The school already has a pupil with this name and date of birth."),
            code="possible_duplicate",
        )


def name_key(last_name: str, first_name: str) -> tuple[str, str]:
    return (
        " ".join((last_name or "").split()).casefold(),
        " ".join((first_name or "").split()).casefold(),
    )


def likely_duplicates(
    *, school_id: int, last_name: str, first_name: str, birth_date: date | None
) -> list[Student]:
    """Active pupils of the school with the same surname, first name (any case and spacing)
    and date of birth — the patronymic is left out, as it is often typed or not. The names are
    compared in Python: the few pupils born that day are one indexed query."""
    if not birth_date:
        return []
    key = name_key(last_name, first_name)
    born = Student.objects.active().filter(school_id=school_id, birth_date=birth_date)
    return [p for p in born.order_by("pk") if name_key(p.last_name, p.first_name) == key]


def lock_birthday(school_id: int, birth_date: date | None) -> None:
    """Serialise creating pupils born on the same day in the same school until the transaction
    ends, so that two tabs (or two imports) cannot both find "no duplicate" and both insert."""
    if not birth_date:
        return
    digest = hashlib.blake2b(f"pupil:{school_id}:{birth_date}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def _iin_taken(error: IntegrityError) -> bool:
    diag = getattr(error.__cause__, "diag", None)
    return "iin" in (getattr(diag, "constraint_name", "") or "")


@transaction.atomic
def student_create(
    *, school: School, data: dict[str, Any], allow_duplicate: bool = False
) -> Student:
    """Create a pupil. A likely duplicate (same name and date of birth in the school) raises
    `PossibleDuplicate` unless the person confirmed `allow_duplicate`; an IIN that is taken,
    also by a request running at the same moment, is an error on the IIN field."""
    student = Student(school=school, **{k: data.get(k) for k in STUDENT_FIELDS if k in data})
    _with_sort_keys(student)
    lock_birthday(school.pk, student.birth_date)
    student.full_clean()
    if not allow_duplicate:
        matches = likely_duplicates(
            school_id=school.pk,
            last_name=student.last_name,
            first_name=student.first_name,
            birth_date=student.birth_date,
        )
        if matches:
            raise PossibleDuplicate(matches)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            student.save()
    except IntegrityError as e:
        if _iin_taken(e):
            raise ValidationError({"iin": _("A pupil with this IIN already exists.")}) from e
        raise
    return student


@transaction.atomic
def student_update(*, student: Student, data: dict[str, Any]) -> Student:
    # A ModelForm has already copied its data onto the instance, so compare nothing: write
    # every given field; the trigger-based history records only real changes.
    changed = [k for k in STUDENT_FIELDS if k in data]
    for k in changed:
        setattr(student, k, data[k])
    _with_sort_keys(student)
    student.full_clean()
    try:
        with transaction.atomic():  # a savepoint, as in student_create: a race on the IIN
            student.save(
                update_fields=[*changed, "sort_key", "class_sort_key", "iin", "updated_at"]
            )
    except IntegrityError as e:
        if _iin_taken(e):
            raise ValidationError({"iin": _("A pupil with this IIN already exists.")}) from e
        raise
    return student


@transaction.atomic
def student_archive(*, student: Student) -> Student:
    student.archived_at = timezone.now()
    student.save(update_fields=["archived_at", "updated_at"])
    Assignment.objects.filter(student=student, end__isnull=True).update(end=timezone.localdate())
    return student


@transaction.atomic
def guardian_save(*, student: Student, guardian: Guardian | None, data: dict[str, Any]) -> Guardian:
    guardian = guardian or Guardian(student=student)
    for k in ("full_name", "relation", "phone", "email"):
        setattr(guardian, k, data.get(k, ""))
    guardian.full_clean()
    guardian.save()
    return guardian


def assistants_of_school(school_id: int) -> QuerySet[User]:
    return User.objects.filter(
        roles__kind=RoleKind.ASSISTANT, roles__school_id=school_id, roles__archived_at__isnull=True
    ).distinct()


@transaction.atomic
def assignment_assign(*, student: Student, assistant: User, start: date, by: User) -> Assignment:
    """Assign an assistant from `start`; the previous open assignment ends the day before."""
    if not assistants_of_school(student.school_id).filter(pk=assistant.pk).exists():
        raise ValidationError(
            {"assistant": _("This teaching assistant does not work at the pupil's school.")}
        )
    current = (
        Assignment.objects.select_for_update().filter(student=student, end__isnull=True).first()
    )
    if current:
        if current.assistant_id == assistant.pk:
            return current
        if start <= current.start:
            raise ValidationError(
                {"start": _("The new assignment must start after the current one began.")}
            )
        current.end = date.fromordinal(start.toordinal() - 1)
        current.save(update_fields=["end"])
    assignment = Assignment(student=student, assistant=assistant, start=start, created_by=by)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, end: date) -> Assignment:
    assignment.end = end
    assignment.full_clean()
    assignment.save(update_fields=["end"])
    return assignment


@transaction.atomic
def year_save(*, school: School, year: AcademicYear | None, data: dict[str, Any]) -> AcademicYear:
    year = year or AcademicYear(school=school)
    for k in ("start", "end", "half_year_end", "saturday_school"):
        setattr(year, k, data[k])
    year.full_clean()
    year.save()
    return year


@transaction.atomic
def holiday_add(*, year: AcademicYear, data: dict[str, Any]) -> Holiday:
    holiday = Holiday(year=year, **data)
    holiday.full_clean()
    if not (year.start <= holiday.start and holiday.end <= year.end):
        raise ValidationError({"start": _("The holiday must lie inside the academic year.")})
    holiday.save()
    return holiday


@transaction.atomic
def holiday_archive(*, holiday: Holiday) -> None:
    holiday.archived_at = timezone.now()
    holiday.save(update_fields=["archived_at"])


def role_grant(
    *,
    user: User,
    kind: str,
    school: School | None = None,
    organisation: "TrainingOrganisation | None" = None,
    speciality: str = "",
    district: District | None = None,
    region: Region | None = None,
) -> Role:
    """`district` or `region`: for an oversight role."""
    role, _created = Role.objects.get_or_create(
        user=user,
        kind=kind,
        school=school,
        organisation=organisation,
        district=district,
        region=region,
        archived_at=None,
        defaults={"speciality": speciality},
    )
    return role


# --- Read log and consent -----------------------------------------------------------------


_READ_LOG_INSERT = (
    "INSERT INTO students_readlogentry (user_id, pupil_id, at, what, target)"
    " VALUES (%s, %s, %s, %s, %s)"
)


def record_read(*, user: User, pupil: Student, what: str = ReadWhat.PAGE, target: str = "") -> None:
    """Note that `user` saw `pupil`'s record: one INSERT, nothing else.

    `what` is a `ReadWhat` (page, print, export); `target` the path or file name. No
    full_clean(): it would query the foreign keys, and every value here comes from code, not
    from a form. A plain statement: every pupil page writes one, and the ORM's model instance
    and compiled INSERT cost more than the round trip (DECISIONS PC10).
    """
    with connection.cursor() as cursor:
        cursor.execute(_READ_LOG_INSERT, [user.pk, pupil.pk, timezone.now(), what, target[:300]])


def record_page_view(request: HttpRequest, pupil: Student, *, what: str = ReadWhat.PAGE) -> None:
    """The one call a view makes: a full page view is logged, an htmx partial or autosave
    (`request.htmx`) is not (SPEC §7)."""
    if getattr(request, "htmx", False):
        return
    # Pupil pages are behind sign-in: the reader is a User, never the anonymous one.
    assert isinstance(request.user, User)
    record_read(user=request.user, pupil=pupil, what=what, target=request.get_full_path())


def record_download(user: User, job: Any, name: str) -> None:
    """A background job's file about a pupil (the archive, the dossier) was downloaded: an
    export in the pupil's read log (the `on_download` of their jobs.JobPage)."""
    record_read(user=user, pupil=job.pupil, what=ReadWhat.EXPORT, target=name)


@transaction.atomic
def consent_record(*, student: Student, by: User, data: dict[str, Any]) -> Consent:
    consent = Consent(student=student, recorded_by=by, **data)
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent) -> Consent:
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    return consent
