"""In-app notifications, the weekly digest outbox and each user's reminder preferences.

The outbox (SPEC §7 "Reminders") is what makes the digest exactly-once: a digest is first
written as a `DigestOutbox` row, unique on (recipient, week), in the same transaction that
creates its in-app `Notification` (unique per outbox row); a sender then e-mails each row and
marks it sent.
"""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The digest this notification shows; unique, so a digest appears in the list at most once
    # however many times the weekly task runs.
    outbox = models.OneToOneField(
        "DigestOutbox",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notification",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            )
        ]

    def __str__(self):
        return self.title


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("sending failed")
    SKIPPED = "skipped", _("not e-mailed")


class DigestOutbox(models.Model):
    """One recipient's digest of one week, rendered in their language when it was decided."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="digests"
    )
    week_start = models.DateField(_("week"))  # the Monday
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When the current SENDING claim began: a claim older than the lease belongs to a worker
    # that died mid-send (see services.digest_send).
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Written with the row, before any attempt, and sent on every attempt: a copy re-sent after
    # a worker died in the SMTP window carries the same Message-ID, which mail systems use to
    # drop duplicates (docs/DECISIONS.md).
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("weekly digest")
        verbose_name_plural = _("weekly digests")
        ordering = ["-week_start", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "week_start"], name="digest_once_per_recipient_week"
            ),
            models.CheckConstraint(
                name="digest_week_starts_monday",
                # PostgreSQL's ISO day of week: Monday is 1.
                condition=Q(week_start__iso_week_day=1),
            ),
        ]
        # A week's run looks up that week's rows (who already has one, which are unsent)
        # without reading every earlier week's (100,000 rows a week at national scale).
        indexes = [models.Index(fields=["week_start", "status"], name="digest_week_status")]

    def __str__(self):
        return f"{self.recipient} · {self.week_start}"


class NotificationPreference(models.Model):
    """How a user wants reminders; a user without a row gets the defaults (both channels)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notification_preference",
    )
    email = models.BooleanField(_("by e-mail"), default=True)
    in_app = models.BooleanField(_("in the notification list"), default=True)
    muted_until = models.DateField(
        _("no reminders until"),
        null=True,
        blank=True,
        help_text=_("For holidays or leave: no weekly digest for weeks starting on or before it."),
    )

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)
