"""Counts per school and month, for oversight across schools — never a pupil.

A district page (≈ 40 schools) or a region page (≈ 400) cannot work out on-time / late /
missing live: that needs each pupil's schedule. A nightly task (`tasks.refresh_summaries`)
writes one `SchoolMonth` row per school and month of the current academic year from the
same school overview the support team sees; the oversight pages only sum these rows.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SchoolMonth(models.Model):
    school = models.ForeignKey("students.School", on_delete=models.PROTECT, related_name="+")
    # The academic year by its first calendar year (2026 for 2026–2027): schools' own
    # AcademicYear rows differ in their dates but share this label.
    year_start = models.PositiveSmallIntegerField()
    month = models.DateField()  # its first day
    pupils = models.PositiveIntegerField(default=0)  # with an assistant during the month
    assistants = models.PositiveIntegerField(default=0)
    # {annex code: [on time, late, missing]} for the windows due in the month (by today).
    windows = models.JSONField(default=dict)
    flagged = models.PositiveIntegerField(default=0)  # pupils flagged for И (last refresh)
    # Days each conclusion (Г) decided in the month waited since it was handed in.
    g_waits = ArrayField(models.PositiveIntegerField(), default=list)
    g_returned = models.PositiveIntegerField(default=0)
    certified_assistants = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="school_month_unique")
        ]
        indexes = [models.Index(fields=["year_start", "school"])]

    def __str__(self):
        return f"{self.school_id} {self.month:%Y-%m}"


class OversightRead(models.Model):
    """One oversight page view or export and the figures it showed (append-only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    path = models.CharField(_("page or file"), max_length=300)
    shown = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.path}"
