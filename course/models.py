"""The 108-hour professional-development course (SPEC §4, §6, §7 "Final test").

- the programme (course, modules, topics with their hours), loaded from course/data/programme.json;
- cohorts of a training organisation, their listeners (enrolments), timetable and attendance;
- current controls (tasks) and their 0–100 scores, with every change audited;
- the online final test: the question bank, attempts and the answers given;
- post-course support (the 7 hours of SPEC §6) and the cohort's discussion board.

The formulas live in grading/rules.py only; nothing here computes a grade.
"""

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assistant_portal.jobs import UNFINISHED, BackgroundJob

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class ArchivableQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class _Titled(models.Model):
    """Titles in Kazakh, Russian and English; shown in the user's language."""

    title_kk = models.CharField(_("title (Kazakh)"), max_length=500)
    title_ru = models.CharField(_("title (Russian)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title

    @property
    def counts_in_tu(self) -> bool:
        return self.control in self.COUNTED_IN_TU

    @property
    def title(self) -> str:
        lang = (get_language() or "kk")[:2]
        return getattr(self, f"title_{lang}", "") or self.title_kk


class TrainingOrganisation(models.Model):
    """Runs the course; its course administrators see only its cohorts."""

    name = models.CharField(_("name"), max_length=255)
    # The region it serves, if any: oversight of that region counts its certificates.
    region = models.ForeignKey(
        "students.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_organisations",
        verbose_name=_("region"),
    )
    # Its course administrators must pass a TOTP second factor before any page (issue #9).
    require_admin_2fa = models.BooleanField(
        _("administrators must use a second factor"), default=False
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("training organisation")
        verbose_name_plural = _("training organisations")

    def __str__(self):
        return self.name


class Course(_Titled):
    code = models.SlugField(_("code"), unique=True)
    final_test_hours = models.PositiveSmallIntegerField(_("final test hours"))
    support_hours = models.PositiveSmallIntegerField(_("post-course support hours"))

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")


class Module(_Titled):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="modules")
    number = models.PositiveSmallIntegerField(_("number"))

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="module_unique_number")
        ]


class Topic(_Titled):
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="topics")
    number = models.CharField(_("number"), max_length=8)
    position = models.PositiveSmallIntegerField()
    lecture = models.PositiveSmallIntegerField(_("lecture"))
    practical = models.PositiveSmallIntegerField(_("practical session"))
    self_study = models.PositiveSmallIntegerField(_("self-study"))
    masterclass = models.PositiveSmallIntegerField(_("masterclass"))

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["module__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "number"], name="topic_unique_number")
        ]

    @property
    def total(self) -> int:
        return self.lecture + self.practical + self.self_study + self.masterclass


@pghistory.track()
class Cohort(models.Model):
    """One two-week run of the course by a training organisation."""

    organisation = models.ForeignKey(
        TrainingOrganisation, on_delete=models.PROTECT, related_name="cohorts"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(_("name"), max_length=200)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    trainers = models.TextField(
        _("trainers"), blank=True, help_text=_("The trainers' names, one a line.")
    )
    test_minutes = models.PositiveSmallIntegerField(
        _("final test time limit, minutes"),
        default=45,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    test_open = models.BooleanField(_("the final test is open"), default=False)
    # SPEC §5 (revised 2026-12-02): §8.3's 70 % rule applies by default; switching it off is a
    # recorded decision of the training organisation (`test_rule_decision`), never a silent flag.
    require_test_pass = models.BooleanField(
        # xgettext:no-python-format
        _("the final test must be at least 70 %"),
        default=True,
        help_text=_(
            # xgettext:no-python-format
            "§8.3: a certificate needs at least 70 % correct in the final test as well as a "
            "final grade of 55."
        ),
    )
    test_rule_decision = models.CharField(
        # xgettext:no-python-format
        _("decision to switch the 70 % rule off"),
        max_length=300,
        blank=True,
        help_text=_(
            # xgettext:no-python-format
            "Required when the 70 % rule is off: the training organisation's decision "
            "(e.g. minutes number and date)."
        ),
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-start", "name"]
        constraints = [
            models.CheckConstraint(name="cohort_dates_in_order", condition=Q(start__lte=F("end"))),
            models.CheckConstraint(
                name="cohort_test_rule_off_is_recorded",
                condition=Q(require_test_pass=True) | ~Q(test_rule_decision=""),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("course:cohort", args=[self.pk])

    @property
    def trainer_list(self) -> list[str]:
        return [t.strip() for t in self.trainers.splitlines() if t.strip()]


@pghistory.track()
class Enrolment(models.Model):
    """A listener in a cohort: the only tie between a listener and a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    listener = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments"
    )
    sort_key = models.CharField(max_length=600, db_collation="C", editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "listener"],
                condition=Q(archived_at__isnull=True),
                name="enrolment_unique_listener",
            )
        ]

    def __str__(self):
        return str(self.listener)


@pghistory.track()
class EnrolmentInvitation(models.Model):
    """An existing account invited to a cohort: enrolled only once the person accepts.

    Issue #14 item 8: an account made elsewhere (another organisation, a school) is not
    enrolled, shown by name, nor given the listener role without its owner's consent. Until
    accepted the cohort shows only the typed address.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="course_invitations"
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("invitation to a cohort")
        verbose_name_plural = _("invitations to a cohort")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"],
                condition=Q(accepted_at__isnull=True, declined_at__isnull=True,
                            archived_at__isnull=True),
                name="invitation_one_pending",
            )
        ]  # fmt: skip

    def __str__(self):
        return self.email

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.declined_at is None and self.archived_at is None


class Session(models.Model):
    """One entry of the cohort's timetable: a topic's session at a time."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("lecture")
        PRACTICAL = "practical", _("practical session")
        MASTERCLASS = "masterclass", _("masterclass")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="sessions")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    hours = models.PositiveSmallIntegerField(
        _("academic hours"), default=1, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    trainer = models.CharField(_("trainer"), max_length=200, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("session timetable")
        ordering = ["starts_at"]

    def __str__(self):
        return f"{self.topic_id} {self.starts_at:%Y-%m-%d %H:%M}"


@pghistory.track()
class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    present = models.BooleanField(_("present"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_unique")
        ]

    def __str__(self):
        return f"{self.session_id}/{self.enrolment_id}"


@pghistory.track()
class Task(models.Model):
    """A control task (§8.5): current and periodic ones are TC items of the listener's TU
    (§8.8); preliminary and final ones are shown apart and never enter it."""

    class Control(models.TextChoices):
        PRELIMINARY = "preliminary", _("preliminary control")
        CURRENT = "current", _("current control")
        PERIODIC = "periodic", _("periodic control")
        FINAL = "final", _("final control")

    # §8.8: TU = the mean of the current and periodic control scores.
    COUNTED_IN_TU = (Control.CURRENT, Control.PERIODIC)

    class Kind(models.TextChoices):
        EXPRESS_SURVEY = "express_survey", _("express survey")
        INDEPENDENT_WORK = "independent_work", _("independent work")
        CASE_TASK = "case_task", _("case task")
        PROJECT_DEFENCE = "project_defence", _("project defence")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    control = models.CharField(
        _("control"), max_length=12, choices=Control.choices, default=Control.CURRENT
    )
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("module")
    )
    title = models.CharField(_("title"), max_length=200)
    deadline = models.DateTimeField(_("deadline"))
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["deadline", "pk"]
        constraints = [
            # §6.6: one project (masterclass) per module.
            models.UniqueConstraint(
                fields=["cohort", "module"],
                condition=Q(kind="project_defence", archived_at__isnull=True),
                name="task_one_project_per_module",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_project(self) -> bool:
        return self.kind == self.Kind.PROJECT_DEFENCE


@pghistory.track()
class Score(models.Model):
    """A listener's 0–100 score for one task; a cleared cell keeps the row with no value."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="scores")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "task"], name="score_unique"),
            models.CheckConstraint(
                name="score_in_range",
                condition=Q(value__isnull=True) | Q(value__gte=0, value__lte=100),
            ),
        ]

    def __str__(self):
        return f"{self.enrolment_id}/{self.task_id}: {self.value}"


class ScoreChange(models.Model):
    """The audit of a score: old → new, who, when, why. Task empty = the final test."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="score_changes")
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    old = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    new = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.old} → {self.new}"


class Question(models.Model):
    """A question of an organisation's final-test bank for a course."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")

    organisation = models.ForeignKey(
        TrainingOrganisation, on_delete=models.PROTECT, related_name="questions"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="questions")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text_kk = models.TextField(_("question (Kazakh)"))
    text_ru = models.TextField(_("question (Russian)"))
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["module__number", "pk"]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return self.text_ru if (get_language() or "")[:2] == "ru" else self.text_kk


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="choices")
    position = models.PositiveSmallIntegerField()
    text_kk = models.CharField(_("answer (Kazakh)"), max_length=500)
    text_ru = models.CharField(_("answer (Russian)"), max_length=500)
    correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return self.text_ru if (get_language() or "")[:2] == "ru" else self.text_kk


@pghistory.track()
class Attempt(models.Model):
    """One sitting of the final test (number 1, or 2 for the retake), online or on paper."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=SCORE_VALIDATORS
    )
    on_paper = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("final test attempt")
        verbose_name_plural = _("final test attempts")
        ordering = ["number"]
        constraints = [
            # A second start (another tab) finds this row instead of making a new attempt.
            models.UniqueConstraint(fields=["enrolment", "number"], name="attempt_unique_number"),
            models.CheckConstraint(
                name="attempt_score_in_range",
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
            ),
        ]

    def __str__(self):
        return f"{self.enrolment_id} #{self.number}"

    def get_absolute_url(self):
        return reverse("course:attempt", args=[self.pk])


class AttemptQuestion(models.Model):
    """A drawn question of an attempt and the answer given (choice ids, as given).

    `order` is the order its answers are shown in, shuffled on the server when the attempt
    starts (issue #14 item 7); the page names each answer by an opaque per-attempt token
    (`course.services.option_token`), never by its id, so neither the order nor the values
    on the page tell the order the bank was typed in.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.PROTECT, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    order = ArrayField(models.BigIntegerField(), default=list, blank=True)
    chosen = ArrayField(models.BigIntegerField(), default=list, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="item_unique_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="item_unique_question"),
        ]

    def __str__(self):
        return f"{self.attempt_id} #{self.position}"


class SupportActivity(models.Model):
    """Post-course support (SPEC §6): hours of one listener in one form of support."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("consultation")
        WEBINAR = "webinar", _("webinar")
        FORUM = "forum", _("discussion board")
        PEER_REVIEW = "peer_review", _("peer review")
        MENTORING = "mentoring", _("mentoring")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="support")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("academic hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(7)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        verbose_name = _("post-course support")
        verbose_name_plural = _("post-course support")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class Post(models.Model):
    """A message on the cohort's discussion board (post-course support)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:50]


# --- Certificates (issue #7, SPEC §7 "Certificates") -------------------------------------


def _private_storage():
    from students.models import private_storage

    return private_storage()


class CertificateCounter(models.Model):
    """The last serial number used in a year; locked while a serial is drawn (no duplicates)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class CertificateBatch(BackgroundJob):
    """Bulk issue for a cohort: progress for the page, the ZIP of every PDF at the end."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="certificate_batches")
    # The listeners it is for (eligible when it started): `done` is derived from their
    # certificates, never counted by hand, so a crash or a re-run cannot make it drift.
    enrolment_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    skipped = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=_private_storage, upload_to="certificates/batches/", blank=True)

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        constraints = [
            # A second click on "issue to all" finds the running batch (issue #14 item 2).
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(status__in=list(UNFINISHED)),
                name="one_running_certificate_batch_per_cohort",
            )
        ]

    def __str__(self):
        return f"{self.cohort} #{self.pk}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("valid")
    REVOKED = "revoked", _("revoked")
    SUPERSEDED = "superseded", _("superseded")


@pghistory.track()
class Certificate(models.Model):
    """An issued certificate: a frozen snapshot and its PDF; never deleted.

    A reissue keeps the serial, gets a new code, and marks this row superseded (SPEC §7).
    """

    Status = CertificateStatus

    class RevokeCategory(models.TextChoices):
        """What the public verify page says of a revocation (the typed reason stays internal)."""

        ISSUED_IN_ERROR = "issued_in_error", _("issued in error")
        REQUIREMENTS_NOT_MET = "requirements_not_met", _("course requirements not met")
        ACADEMIC_MISCONDUCT = "academic_misconduct", _("academic misconduct")
        HOLDER_REQUEST = "holder_request", _("at the holder's request")
        OTHER = "other", _("other reasons")

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="certificates")
    serial = models.CharField(_("serial number"), max_length=20, db_index=True)
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    batch = models.ForeignKey(
        CertificateBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="issued"
    )
    # The snapshot, as printed.
    listener_name = models.CharField(_("name"), max_length=300)
    course_title_kk = models.CharField(max_length=500)
    course_title_ru = models.CharField(max_length=500)
    organisation_name = models.CharField(max_length=255)
    hours = models.PositiveSmallIntegerField(_("hours"))
    cohort_start = models.DateField()
    cohort_end = models.DateField()
    tu = models.DecimalField(max_digits=5, decimal_places=2)
    test = models.DecimalField(max_digits=5, decimal_places=2)
    final = models.DecimalField(_("final grade"), max_digits=5, decimal_places=2)
    letter = models.CharField(_("letter grade"), max_length=3)
    issued_on = models.DateField(_("issue date"))
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issuer_name = models.CharField(max_length=300)
    pdf = models.FileField(storage=_private_storage, upload_to="certificates/%Y/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # Revocation and supersession: kept, the verify page says so.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("reason"), max_length=300, blank=True)  # staff only
    revoke_category = models.CharField(
        _("category"), max_length=24, choices=RevokeCategory.choices, blank=True
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["serial", "issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status=CertificateStatus.VALID),
                name="certificate_one_valid",
            ),
            models.CheckConstraint(
                name="certificate_revoked_has_reason",
                condition=~Q(status=CertificateStatus.REVOKED)
                | (Q(revoked_at__isnull=False) & ~Q(revoke_reason="")),
            ),
        ]

    def __str__(self):
        return f"{self.serial} ({self.code})"

    @property
    def course_title(self) -> str:
        return self.course_title_ru if (get_language() or "")[:2] == "ru" else self.course_title_kk

    def get_verify_url(self) -> str:
        return settings.SITE_URL.rstrip("/") + reverse("course:verify", args=[self.code])


class ModuleFeedback(models.Model):
    """A listener's short questionnaire after a module (§8.2: feedback leads to corrections of
    the content). One per listener and module; the course administrator sees the results per
    module without names."""

    RATINGS = [(n, str(n)) for n in range(1, 6)]

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="feedback")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="feedback")
    clarity = models.PositiveSmallIntegerField(_("the content was clear"), choices=RATINGS)
    usefulness = models.PositiveSmallIntegerField(
        _("useful for my work with pupils"), choices=RATINGS
    )
    pace = models.PositiveSmallIntegerField(_("the pace suited me"), choices=RATINGS)
    comment = models.TextField(_("what should change"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("module feedback")
        verbose_name_plural = _("module feedback")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module"], name="feedback_one_per_module")
        ]

    def __str__(self):
        return f"{self.enrolment_id}/{self.module_id}"
