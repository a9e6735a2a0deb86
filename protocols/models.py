"""Protocols (annexes А–К) kept by teaching assistants on their pupils (SPEC §2).

One row per pupil, year, annex and schedule window (`window_key` is `schedule.Window.key`;
annex И, which has no window, gets a key made when it is opened on demand). The annex's
fields live in `data` (JSONB), validated by the annex's own form in `protocols/annexes/`.

`revision` is the optimistic-concurrency token: every write (autosave included) bumps it, and
a write that was based on an older revision is refused, never silently applied.
`ProtocolVersion` keeps a frozen copy at each explicit save and submission, for the history
and the side-by-side comparison; pghistory additionally records every row change.
"""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistant_portal.jobs import BackgroundJob
from students.models import AcademicYear, Student

from .schedule import LETTERS, Annex


class AnnexCode(models.TextChoices):
    A = Annex.A.value, "А"
    B = Annex.B.value, "Б"
    V = Annex.V.value, "В"
    G = Annex.G.value, "Г"
    D = Annex.D.value, "Д"
    E = Annex.E.value, "Е"
    ZH = Annex.ZH.value, "Ж"
    I = Annex.I.value, "И"  # noqa: E741  the SPEC's code letter for annex И
    K = Annex.K.value, "К"


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    UNDER_REVIEW = "under_review", _("under review")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned (for revision)")


@pghistory.track()
class Protocol(models.Model):
    Status = Status  # for templates: protocol.Status.RETURNED

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="protocols")
    year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="protocols")
    annex = models.CharField(_("annex"), max_length=2, choices=AnnexCode.choices)
    window_key = models.CharField(max_length=40)
    due = models.DateField(_("due"), null=True, blank=True)  # the window's; none for И
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    revision = models.PositiveIntegerField(default=1)
    data = models.JSONField(default=dict, blank=True)
    filled_on = models.DateField(_("date"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_protocols"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # "<revision>:<client token>": the page load (browser tab) that wrote the current revision.
    # That tab's own saves racing each other are not conflicts; another tab's are. Any other
    # write bumps the revision, so the mark no longer matches.
    written_from = models.CharField(max_length=80, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Г: the support team's decision (approve / return); И: the psychologist's sign-off.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True, max_length=4000)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # И: the school psychologist who drew it up with the assistant (SPEC §7), named on the print.
    co_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("co-author"),
    )

    class Meta:
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "year", "annex", "window_key"],
                condition=Q(archived_at__isnull=True),
                name="protocol_one_per_window",
            )
        ]
        indexes = [models.Index(fields=["student", "year", "annex"])]

    def __str__(self):
        return f"{self.letter} · {self.student}"

    def get_absolute_url(self):
        if self.annex == AnnexCode.K:  # a thread of entries, not a form (protocols/communication)
            return reverse("protocols:sheet", args=[self.student_id, self.window_key])
        return reverse("protocols:edit", args=[self.pk])

    @property
    def letter(self) -> str:
        return LETTERS[Annex(self.annex)]


class ProtocolVersion(models.Model):
    """A frozen copy of a protocol at an explicit save or a submission."""

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices)
    data = models.JSONField(default=dict)
    filled_on = models.DateField(null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["protocol", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "number"], name="version_unique_number")
        ]

    def __str__(self):
        return f"{self.protocol} v{self.number}"


@pghistory.track()
class ReviewComment(models.Model):
    """A support-team comment on one section (form field) of a returned conclusion (Г).

    ``section`` empty: a comment on the conclusion as a whole. Comments of earlier rounds stay;
    ``round`` counts the returns, so the edit page shows the latest round in place.
    """

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="comments")
    round = models.PositiveSmallIntegerField(default=1)
    section = models.CharField(max_length=60, blank=True)
    text = models.TextField(_("comment"), max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["protocol", "round", "pk"]

    def __str__(self):
        return f"{self.protocol} · {self.section or '—'}"


class DossierJob(BackgroundJob):
    """A pupil's whole year as one PDF, built in the background (issue #3, item 7).

    The file lives under MEDIA_ROOT/private/ and is served only through an access-checked view.
    """

    pupil = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="dossier_jobs")
    language = models.CharField(max_length=8)
    file = models.FileField(upload_to="private/dossiers/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.CheckConstraint(name="dossier_done_le_total", condition=Q(done__lte=F("total")))
        ]

    def __str__(self):
        return f"{self.pupil} #{self.pk}"


# --- The support team's review and meetings (issue #4) ----------------------------------------


class Outcome(models.TextChoices):
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned (for revision)")


@pghistory.track()
class ReviewDecision(models.Model):
    """One decision closing one review round of a conclusion (Г): the thread keeps them all.

    ``revision`` is the conclusion's revision the decider saw: a decision on a version they did
    not see is refused, so the record says exactly what was decided on.
    """

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="decisions")
    round = models.PositiveSmallIntegerField()
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    text = models.TextField(_("decision"), blank=True, max_length=4000)
    revision = models.PositiveIntegerField()
    meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("meeting"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["protocol", "round"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "round"], name="decision_one_per_round")
        ]

    def __str__(self):
        return f"{self.protocol} · {self.round} · {self.outcome}"


@pghistory.track()
class Meeting(models.Model):
    """A support-team meeting (отырыс) of one school; its minutes print as a PDF."""

    school = models.ForeignKey("students.School", on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="meetings", verbose_name=_("attendees")
    )
    notes = models.TextField(_("notes"), blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.school} · {self.held_on}"

    def get_absolute_url(self):
        return reverse("protocols:meeting", args=[self.pk])


@pghistory.track()
class MeetingItem(models.Model):
    """One pupil discussed at a meeting: the decision, optionally on a conclusion."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    pupil = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="meeting_items", verbose_name=_("pupil")
    )
    conclusion = models.ForeignKey(
        Protocol,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_items",
        verbose_name=_("conclusion"),
    )
    decision = models.TextField(_("decision"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("pupil discussed")
        verbose_name_plural = _("pupils discussed")
        ordering = ["meeting", "pk"]

    def __str__(self):
        return f"{self.meeting} · {self.pupil}"


@pghistory.track()
class NextStep(models.Model):
    """A next step agreed for a pupil at a meeting: shown on the responsible person's home."""

    item = models.ForeignKey(MeetingItem, on_delete=models.PROTECT, related_name="steps")
    text = models.TextField(_("next step"), max_length=2000)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="next_steps",
        verbose_name=_("responsible"),
    )
    due = models.DateField(_("due"))
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("next step")
        verbose_name_plural = _("next steps")
        ordering = ["due", "pk"]

    def __str__(self):
        return self.text[:60]


@pghistory.track()
class IncidentPickList(models.Model):
    """A school's own entries for the quick incident form's pick-lists (issue #13 item 2), one
    per line; the pupil's own frequent entries come first, these fill the list up."""

    school = models.OneToOneField(
        "students.School", on_delete=models.PROTECT, related_name="incident_pick_list"
    )
    places = models.TextField(_("settings / places"), blank=True, max_length=4000)
    antecedents = models.TextField(_("antecedents"), blank=True, max_length=4000)
    behaviours = models.TextField(_("behaviours"), blank=True, max_length=4000)
    consequences = models.TextField(
        _("consequences / adult's responses"), blank=True, max_length=4000
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("incident pick-list")
        verbose_name_plural = _("incident pick-lists")

    def __str__(self):
        return str(self.school)

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in getattr(self, name).splitlines() if line.strip()]


# --- К: who has read which sheet; what the school shares with parents (issue #15) -------------


class SheetRead(models.Model):
    """When a user last opened a К sheet: entries by others after it are unread for them."""

    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["protocol", "user"], name="sheet_read_once_per_user")
        ]

    def __str__(self):
        return f"{self.protocol} · {self.user_id}"


class ShareKind(models.TextChoices):
    VERSION = "version", _("one version of a protocol")
    ANNEX = "annex", _("every approved version of an annex")
    PMPC = "pmpc", _("PMPC recommendation")
    SEN_CATEGORY = "sen_category", _("SEN category")
    GUARDIANS = "guardians", _("other parents' contacts")


@pghistory.track()
class ParentShare(models.Model):
    """What a school shows a parent beyond К (SPEC §7): who shared what with which guardian and
    when; withdrawn, never deleted. `version` for one protocol version, `annex` for every
    approved version of an annex type (the school's policy), or a part of the pupil card."""

    guardian = models.ForeignKey(
        "students.Guardian",
        on_delete=models.PROTECT,
        related_name="shares",
        verbose_name=_("parent / guardian"),
    )
    kind = models.CharField(_("what"), max_length=20, choices=ShareKind.choices)
    version = models.ForeignKey(
        ProtocolVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="shares"
    )
    annex = models.CharField(_("annex"), max_length=2, choices=AnnexCode.choices, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("shared with a parent")
        verbose_name_plural = _("shared with parents")
        ordering = ["-shared_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="share_names_what_it_shares",
                condition=(Q(kind="version", version__isnull=False, annex=""))
                | (Q(kind="annex", version__isnull=True) & ~Q(annex=""))
                | (
                    Q(kind__in=["pmpc", "sen_category", "guardians"])
                    & Q(version__isnull=True, annex="")
                ),
            ),
            models.UniqueConstraint(
                fields=["guardian", "kind", "version", "annex"],
                condition=Q(withdrawn_at__isnull=True),
                nulls_distinct=False,
                name="share_once_while_active",
            ),
        ]

    def __str__(self):
        return f"{self.guardian} · {self.kind}"
