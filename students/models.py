"""Schools, their academic-year calendars, pupils, guardians and assistant assignments.

Nothing here is deleted: records are archived (`archived_at`), and every change is kept by
trigger-based history (django-pghistory), which also sees bulk updates and raw SQL.
"""

import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path, PurePath

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assistant_portal.jobs import BackgroundJob
from assistant_portal.querysets import ArchivableQuerySet

from .validators import validate_iin


class _Place(models.Model):
    """A named place of the organisational tree, with its Kazakh and Russian names."""

    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return localised_name(self)


def localised_name(place) -> str:
    """A school's, district's or region's name in the current language (Kazakh by default)."""
    if get_language() == "ru" and place.name_ru:
        return place.name_ru
    return place.name_kk


@pghistory.track()
class Region(_Place):
    """An oblast or a city of republican significance: the top of the organisational tree."""

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")


@pghistory.track()
class District(_Place):
    """A district or city education department (аудандық/қалалық білім бөлімі)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")


def default_core_subjects() -> list[str]:
    """Annex В's subject codes (protocols/annexes/v_class_observation.py) observed in the first
    five days; PE is always added."""
    return ["kazakh", "russian", "literacy", "maths", "science"]


@pghistory.track()
class School(models.Model):
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True)
    city = models.CharField(_("city / district"), max_length=120, blank=True)
    # What a parent's view of the pupil card shows as the school's contact (SPEC §7).
    contact = models.CharField(
        _("contact for parents"),
        max_length=300,
        blank=True,
        help_text=_("Phone and e-mail parents may use, e.g. the deputy head for inclusion."),
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schools",
        verbose_name=_("district"),
    )
    # Safeguarding thresholds for annex И suggestions (SPEC §3): the school may change them.
    flag_incidents_per_week = models.PositiveSmallIntegerField(
        _("incidents a week that count as repeated"), default=3
    )
    flag_consecutive_weeks = models.PositiveSmallIntegerField(
        _("consecutive weeks that raise a flag"), default=2
    )
    core_subjects = ArrayField(
        models.CharField(max_length=20),
        default=default_core_subjects,
        blank=True,
        verbose_name=_("core subjects (annex В)"),
        help_text=_("Subject codes: kazakh, russian, literacy, maths, science, other."),
    )
    # Admins of such a school must pass a TOTP second factor before any page.
    require_admin_2fa = models.BooleanField(
        _("administrators must use a second factor"), default=False
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self):
        return localised_name(self)


@pghistory.track()
class AcademicYear(models.Model):
    """A school's year: 1 September to the end the school sets, with its holidays (SPEC §3)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="years")
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    half_year_end = models.DateField(
        _("end of the I half-year"), help_text=_("The last school day before the winter break.")
    )
    saturday_school = models.BooleanField(_("Saturday is a school day"), default=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                name="year_dates_in_order",
                condition=Q(start__lt=F("half_year_end")) & Q(half_year_end__lt=F("end")),
            ),
            models.UniqueConstraint(
                fields=["school", "start"],
                condition=Q(archived_at__isnull=True),
                name="year_unique_start_per_school",
            ),
        ]

    def __str__(self):
        return f"{self.start.year}–{self.end.year}"

    def get_absolute_url(self):
        return reverse("students:year", args=[self.pk])


@pghistory.track()
class Holiday(models.Model):
    """A break or public holiday; with grades set it applies to those grades only."""

    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="holidays")
    name = models.CharField(_("name"), max_length=120)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    grades = ArrayField(
        models.PositiveSmallIntegerField(),
        blank=True,
        default=list,
        verbose_name=_("only for grades"),
        help_text=_("Leave empty when the holiday applies to every grade."),
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(name="holiday_dates_in_order", condition=Q(start__lte=F("end")))
        ]

    def __str__(self):
        return self.name


class SenCategory(models.TextChoices):
    # Common PMPC categories; a school may record the wording of its own recommendation.
    INTELLECTUAL = "intellectual", _("intellectual disability")
    SPEECH = "speech", _("speech disorder")
    HEARING = "hearing", _("hearing impairment")
    VISION = "vision", _("visual impairment")
    MOTOR = "motor", _("musculoskeletal disorder")
    AUTISM = "autism", _("autism spectrum disorder")
    EMOTIONAL = "emotional", _("emotional and behavioural disorder")
    LEARNING = "learning", _("specific learning difficulties")
    DEVELOPMENTAL_DELAY = "delay", _("delayed psychological development")
    COMPLEX = "complex", _("complex disorders")
    OTHER = "other", _("other")


# Derived columns stay out of the history: they would only repeat the name.
@pghistory.track(exclude=["sort_key", "class_sort_key", "updated_at"])
class Student(models.Model):
    """A pupil with special educational needs."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students")
    last_name = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    # Kazakh alphabetical order, computed in Python (SPEC §7): the database has no ICU.
    sort_key = models.CharField(max_length=1200, db_collation="C", editable=False, db_index=True)
    birth_date = models.DateField(_("date of birth"))
    iin = models.CharField(
        _("IIN"), max_length=12, null=True, blank=True, unique=True, validators=[validate_iin]
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    class_letter = models.CharField(_("class letter"), max_length=3, blank=True)
    class_sort_key = models.CharField(max_length=12, db_collation="C", editable=False)
    sen_category = models.CharField(_("SEN category"), max_length=20, choices=SenCategory.choices)
    pmpc_number = models.CharField(_("PMPC recommendation number"), max_length=50, blank=True)
    pmpc_date = models.DateField(_("PMPC recommendation date"), null=True, blank=True)
    pmpc_valid_until = models.DateField(_("PMPC recommendation valid until"), null=True, blank=True)
    pmpc_text = models.TextField(_("PMPC recommendation"), blank=True, max_length=10000)
    joined = models.DateField(_("joined"))
    left = models.DateField(_("left"), null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by the retention task (students/retention.py) once names and contacts are removed.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupils")
        ordering = ["sort_key"]
        constraints = [
            models.CheckConstraint(
                name="student_left_after_joined",
                condition=Q(left__isnull=True) | Q(left__gte=F("joined")),
            ),
            models.CheckConstraint(name="student_iin_null_not_blank", condition=~Q(iin="")),
            models.CheckConstraint(
                name="student_pmpc_dates_in_order",
                condition=Q(pmpc_valid_until__isnull=True)
                | Q(pmpc_date__isnull=True)
                | Q(pmpc_valid_until__gte=F("pmpc_date")),
            ),
        ]
        indexes = [models.Index(fields=["school", "grade", "class_sort_key"])]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("students:pupil", args=[self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def class_name(self) -> str:
        return f"{self.grade} {self.class_letter}".strip()


@pghistory.track()
class Guardian(models.Model):
    """A parent or legal representative; `user` links the parent's account, if any."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="guardians")
    full_name = models.CharField(_("full name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guardianships",
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("parent / guardian")
        verbose_name_plural = _("parents / guardians")

    def __str__(self):
        return self.full_name


# --- Who was assigned when (SPEC §3 "Who is responsible") -----------------------------------
#
# The one rule: an assignment holds on every day from `start` to `end`, both included; an empty
# `end` means "still assigned". A reassignment ends the previous row the day before the new one
# starts and a leaver's row ends on the day they leave, so at most one row holds on any day. It
# is written twice, side by side: for the database (`AssignmentQuerySet.during` / `.on`, which
# also go into subqueries with `OuterRef`) and for rows already read (`held`, `assignee_on`:
# a page that attributes many windows to assistants reads a school's history once).


class AssignmentQuerySet(models.QuerySet):
    def during(self, first: date, last: date) -> "AssignmentQuerySet":
        """Assignments holding on at least one day from `first` to `last`."""
        return self.filter(Q(start__lte=last), Q(end__isnull=True) | Q(end__gte=first))

    def on(self, day: date) -> "AssignmentQuerySet":
        """Assignments holding on `day`: per pupil, the assistant assigned that day."""
        return self.during(day, day)


def held(start: date, end: date | None, first: date, last: date | None = None) -> bool:
    """`AssignmentQuerySet.during` for a row already read (`last`: `first` when not given)."""
    return start <= (last or first) and (end is None or end >= first)


def assignee_on[T](history: Iterable[tuple[T, date, date | None]], day: date) -> T | None:
    """Of one pupil's assignment rows as (who, start, end), who was assigned on `day`; None
    when nobody was (before the first assignment, after a leaver's last day)."""
    return next((who for who, start, end in history if held(start, end, day)), None)


def assignees_on[T](
    history: Iterable[tuple[T, date, date | None]], days: Sequence[date]
) -> list[T | None]:
    """`assignee_on` for each of `days` (in ascending order), resolved once per assignment row
    rather than once per day: the overview attributes ~40 windows per pupil. Rows are laid
    over the days last to first, so where two rows hold the first wins, as in `assignee_on`."""
    out: list[T | None] = [None] * len(days)
    for who, start, end in reversed(list(history)):
        first = bisect_left(days, start)
        last = len(days) if end is None else bisect_right(days, end)
        if first < last:
            out[first:last] = [who] * (last - first)
    return out


@pghistory.track()
class Assignment(models.Model):
    """An assistant assigned to a pupil from `start` to `end` (open while `end` is empty).

    The history is kept: a reassignment closes the previous row, so lateness can be counted
    against whoever was assigned on a window's due date (SPEC §3; the rule is above).
    """

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="assignments")
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                name="assignment_dates_in_order",
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
            ),
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(end__isnull=True),
                name="assignment_one_open_per_pupil",
            ),
        ]

    def __str__(self):
        return f"{self.assistant} → {self.student}"


class ReadWhat(models.TextChoices):
    PAGE = "page", _("page")
    PRINT = "print", _("print")
    EXPORT = "export", _("export")


class ReadLogEntry(models.Model):
    """One view, print or export of a pupil's record or protocol: who, when, what.

    Append-only (no history tracking: the log is itself the history). Written by
    `students.services.record_read`; retention clears `target` (it may name a file).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    pupil = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="read_log")
    at = models.DateTimeField(_("when"), default=timezone.now)
    what = models.CharField(_("what"), max_length=10, choices=ReadWhat.choices)
    target = models.CharField(_("page or file"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("read-log entry")
        verbose_name_plural = _("read log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["pupil", "-at"]), models.Index(fields=["at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.what} {self.pupil_id}"


class PrivateStorage(FileSystemStorage):
    """Uploads with pupil data: under MEDIA_ROOT/private, with no URL at all — they are served
    only by access-checked views, never from a public media URL."""

    # Read MEDIA_ROOT on every use, not once at start-up (tests and restores change it).
    @property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / "private")

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    def url(self, name):
        raise ValueError("private files have no public URL; serve them through a view")


_private_storage = PrivateStorage()


def private_storage():
    return _private_storage


def consent_path(instance, filename):
    # The stored name never carries the uploaded name (it could hold the child's name).
    return f"consents/{instance.student_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


@pghistory.track()
class Consent(models.Model):
    """The parent's consent to processing the pupil's personal data (Law No. 94-V, GDPR Art. 8)."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="consents")
    given_by = models.CharField(_("given by (parent or guardian)"), max_length=200)
    given_on = models.DateField(_("date of consent"))
    scope = models.TextField(_("scope"), max_length=2000)
    document = models.FileField(
        _("scanned document"), upload_to=consent_path, storage=private_storage, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-pk"]

    def __str__(self):
        return f"{self.given_by} {self.given_on}"


class PupilExport(BackgroundJob):
    """Everything about one pupil as one ZIP for the parent, built in the background: a
    full year of protocol PDFs takes too long for one request.

    The file lives under MEDIA_ROOT/private/ and is served only through an access-checked view.
    """

    pupil = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="exports")
    # The protocol PDFs are rendered in the language of whoever asked, as in the request.
    language = models.CharField(max_length=8)
    file = models.FileField(upload_to="exports/%Y/%m/", storage=private_storage, blank=True)

    class Meta:
        verbose_name = _("pupil export")
        verbose_name_plural = _("pupil exports")
        constraints = [
            models.CheckConstraint(name="export_done_le_total", condition=Q(done__lte=F("total")))
        ]

    def __str__(self):
        return f"{self.pupil} #{self.pk}"


class PupilImportPreview(models.Model):
    """A checked pupil file waiting for its one confirmation.

    The preview's rows live here, not in the session, so that confirming is a row lock: a double
    click or two tabs confirming the same preview import it once (the second finds it
    confirmed). The rows (names, dates of birth) are emptied once confirmed; a preview left
    unconfirmed is replaced by the same person's next upload.
    """

    token = models.CharField(max_length=43, unique=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rows = models.JSONField(default=list)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("pupil import")
        verbose_name_plural = _("pupil imports")

    def __str__(self):
        return f"{self.school_id} {self.created_at:%Y-%m-%d %H:%M}"
