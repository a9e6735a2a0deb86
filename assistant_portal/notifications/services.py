"""Writes of the notifications app: the weekly digests (outbox, in-app list, e-mail), notices
of single events (`notify`: a К entry, a decision on a Г),
marking notifications read, and preferences.

Exactly once (SPEC §7 "Reminders"):
- The week's recipients are split into chunks of ids (`digest_chunks`, one query); each chunk
  is built and written by its own task (`digests_create_chunk`, a fixed number of queries), so
  100,000 recipients are a hundred restartable tasks rather than one long one.
- `digests_create_chunk` writes each digest as a `DigestOutbox` row unique on (recipient, week) and
  its `Notification` (unique per outbox row) in one transaction, both with
  INSERT … ON CONFLICT DO NOTHING, so beat firing twice, a retried task or two beat processes
  racing each other end with one row and one in-app notification per recipient and week.
- `digest_send` e-mails one row: it claims the row (status "sending", under a row lock, committed),
  sends, then marks it sent. A second sender skips a row that is sent or freshly claimed. Only a
  worker that dies between the SMTP server's accept and the mark leaves a stale claim; the
  redelivered task then sends again and logs that the recipient may get the e-mail twice; the
  copy carries the row's stored Message-ID, the same as the first, so mail systems drop it.
"""

import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from assistant_portal.accounts.models import RoleKind, User
from assistant_portal.annotations import StrOrPromise

from .digest import DigestSection, RenderedDigest, WeekRange, build_digests, render_digest
from .models import DigestOutbox, Notification, NotificationPreference, OutboxStatus

log = logging.getLogger(__name__)

# Roles that may receive a digest; providers decide what each one gets.
# Parents get one only for their child's communication sheets (К).
DIGEST_ROLES = (RoleKind.ASSISTANT, RoleKind.SPECIALIST, RoleKind.SCHOOL_ADMIN, RoleKind.PARENT)
UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)
DEFAULT_PREFERENCE = NotificationPreference(email=True, in_app=True, muted_until=None)


def preference_of(user: User) -> NotificationPreference:
    """The user's preferences (loaded with select_related) or the defaults."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return DEFAULT_PREFERENCE


def _recipients(week: WeekRange, ids: Sequence[int] | None = None) -> QuerySet[User]:
    """Active users with a school role who want reminders this week and have no digest yet.

    Within `ids` (a chunk), the week's outbox rows are looked up for those ids only (the
    unique index on recipient and week), so a chunk's cost does not grow with the week.
    """
    done = DigestOutbox.objects.filter(week_start=week.start)
    users = User.objects.filter(
        is_active=True, roles__kind__in=DIGEST_ROLES, roles__archived_at__isnull=True
    )
    if ids is not None:
        users = users.filter(pk__in=ids)
        done = done.filter(recipient_id__in=ids)
    return (
        users.exclude(pk__in=done.values("recipient_id"))
        .exclude(notification_preference__muted_until__gte=week.start)
        .exclude(notification_preference__email=False, notification_preference__in_app=False)
        .distinct()
        .order_by("pk")
    )


def digest_recipients(week: WeekRange, *, ids: Sequence[int] | None = None) -> list[User]:
    """The recipients still without a digest this week (of `ids` when given), with their
    preferences: one query (a join, and a subquery for the week's outbox rows)."""
    return list(_recipients(week, ids).select_related("notification_preference"))


def digest_chunks(week: WeekRange) -> list[list[int]]:
    """The ids of this week's recipients still without a digest, in chunks of
    `DIGEST_CHUNK_SIZE`: one query, the only one that sees every recipient at once."""
    ids = list(_recipients(week).values_list("pk", flat=True))
    size = settings.DIGEST_CHUNK_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@dataclass(frozen=True)
class PlannedDigest:
    user: User
    sections: list[DigestSection]
    rendered: RenderedDigest


def digests_plan(week: WeekRange, *, ids: Sequence[int] | None = None) -> list[PlannedDigest]:
    """Who would get what this week (of `ids` when given), without writing anything (the dry
    run uses it too)."""
    users = digest_recipients(week, ids=ids)
    sections = build_digests(users, week)
    return [
        PlannedDigest(
            user=u, sections=sections[u.pk], rendered=render_digest(u, sections[u.pk], week)
        )
        for u in users
        if u.pk in sections
    ]


def digests_create(*, week: WeekRange) -> list[int]:
    """Write this week's digests (outbox + in-app) and queue their e-mails, chunk after chunk
    in this process (the management command; the beat task spreads the chunks over the
    workers instead); returns the ids of the week's unsent rows that were queued (also those
    a killed run left behind)."""
    queued = digests_requeue_unsent(week=week)
    for ids in digest_chunks(week):
        queued += digests_create_chunk(week=week, ids=ids)
    return queued


def digests_requeue_unsent(*, week: WeekRange) -> list[int]:
    """Queue again the e-mails of the week's rows that are not sent (a run killed between its
    commit and the queueing, a failed send): one query. A row another worker is sending is
    skipped by its claim."""
    unsent = list(
        DigestOutbox.objects.filter(week_start=week.start, status__in=UNSENT).values_list(
            "pk", flat=True
        )
    )
    for pk in unsent:
        transaction.on_commit(partial(_queue_send, pk), robust=True)
    return unsent


def digests_create_chunk(*, week: WeekRange, ids: list[int]) -> list[int]:
    """Build and write the digests of one chunk of recipients (`digest_chunks`) and queue
    their e-mails; a fixed number of queries whatever the chunk holds.

    Safe to run again (a worker died, the task was redelivered): recipients who already have
    the week's row are not built again, and their unsent rows are queued again, which
    `digest_send`'s claim keeps to one e-mail.
    """
    return digests_write(week=week, planned=digests_plan(week, ids=ids), ids=ids)


def digests_write(*, week: WeekRange, planned: list[PlannedDigest], ids: list[int]) -> list[int]:
    """The writing half of `digests_create_chunk`, for digests already planned for the
    recipients `ids`."""
    with transaction.atomic():
        DigestOutbox.objects.bulk_create(
            [
                DigestOutbox(
                    recipient=p.user,
                    week_start=week.start,
                    language=p.rendered.language,
                    subject=p.rendered.subject,
                    body_text=p.rendered.text,
                    body_html=p.rendered.html,
                    message_id=digest_message_id(recipient_id=p.user.pk, week_start=week.start),
                )
                for p in planned
            ],
            ignore_conflicts=True,  # another run wrote it first: theirs stands
        )
        # Read back the chunk's rows (ours and any a concurrent or earlier run committed
        # first) to hang the in-app notifications on; the unique outbox link ignores the
        # second copy.
        rows = list(
            DigestOutbox.objects.filter(week_start=week.start, recipient_id__in=ids)
            .select_related("recipient__notification_preference")
            .only(
                "pk",
                "status",
                "subject",
                "body_text",
                "recipient__id",
                "recipient__notification_preference__in_app",
            )
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=row.recipient_id,
                    outbox=row,
                    title=row.subject,
                    body=row.body_text,
                )
                for row in rows
                if preference_of(row.recipient).in_app
            ],
            ignore_conflicts=True,
        )
        unsent = [row.pk for row in rows if row.status in UNSENT]
        for pk in unsent:
            # robust: one failing e-mail (eager mode raises in-process) must not stop the rest.
            transaction.on_commit(partial(_queue_send, pk), robust=True)
    log.info(
        "weekly digest %s: %d written, %d queued (a chunk of %d)",
        week.start, len(planned), len(unsent), len(ids),
    )  # fmt: skip
    return unsent


def digest_message_id(*, recipient_id: int, week_start: date) -> str:
    """One Message-ID per (recipient, week), with a random part so that another installation
    (or a restored copy) never collides with ours; stored on the outbox row at creation."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    token = secrets.token_hex(8)
    return f"<digest.{week_start:%Y%m%d}.{recipient_id}.{token}@{domain}>"


def _queue_send(outbox_id: int) -> None:
    from .tasks import send_digest  # inside: tasks imports this module

    send_digest.delay(outbox_id)


def _lease() -> timedelta:
    return timedelta(seconds=settings.DIGEST_SEND_LEASE_SECONDS)


def _claim(outbox_id: int) -> DigestOutbox | None:
    """Lock the row and mark it "sending"; None when it is done or another sender holds it."""
    with transaction.atomic():
        row = (
            DigestOutbox.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient__notification_preference")
            .filter(pk=outbox_id, status__in=UNSENT)
            .first()
        )
        if row is None:
            return None
        now = timezone.now()
        if row.status == OutboxStatus.SENDING:
            if row.claimed_at and now - row.claimed_at < _lease():
                return None  # another worker is sending it right now
            log.warning(
                "digest %s (user %s, week %s): a previous sender died after claiming it; "
                "sending again, the recipient may get this e-mail twice",
                row.pk,
                row.recipient_id,
                row.week_start,
            )
        row.status = OutboxStatus.SENDING
        row.claimed_at = now
        row.attempts += 1
        if not row.message_id:  # a row written before Message-IDs were stored
            row.message_id = digest_message_id(
                recipient_id=row.recipient_id, week_start=row.week_start
            )
        row.save(update_fields=["status", "claimed_at", "attempts", "message_id"])
        return row


def digest_send(*, outbox_id: int) -> str:
    """E-mail one digest if its recipient wants e-mail; returns the row's new status, or ""
    when there was nothing to do. SMTP errors are recorded on the row and re-raised, so the
    task retries with back-off."""
    row = _claim(outbox_id)
    if row is None:
        return ""
    pref = preference_of(row.recipient)
    status = OutboxStatus.SKIPPED
    if pref.email and row.recipient.email:
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[row.recipient.email],
            # the same on every attempt: a re-sent copy is recognised as the same message
            headers={"Message-ID": row.message_id},
        )
        message.attach_alternative(row.body_html, "text/html")
        try:
            message.send()
        except Exception as error:
            DigestOutbox.objects.filter(pk=row.pk).update(
                status=OutboxStatus.FAILED, last_error=f"{type(error).__name__}: {error}"[:2000]
            )
            log.warning("digest %s: sending failed (attempt %d): %s", row.pk, row.attempts, error)
            raise
        status = OutboxStatus.SENT
    DigestOutbox.objects.filter(pk=row.pk, status=OutboxStatus.SENDING).update(
        status=status, sent_at=timezone.now()
    )
    return status


# --- The in-app list and preferences -----------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preference_save(
    *, user: User, email: bool, in_app: bool, muted_until: date | None
) -> NotificationPreference:
    pref, _created = NotificationPreference.objects.get_or_create(user=user)
    pref.email, pref.in_app, pref.muted_until = email, in_app, muted_until
    pref.full_clean()
    pref.save(update_fields=["email", "in_app", "muted_until"])
    return pref


# --- Notices: one event, told to the people it concerns --------------------------------------


def notify(
    *,
    users: Iterable[User | None],
    title: StrOrPromise,
    body: StrOrPromise = "",
    url: str = "",
    params: dict[str, object] | None = None,
    attachment: Callable[[], tuple[str, str, str]] | None = None,
) -> list[Notification]:
    """Tell each user about one event (a К entry, a decision on a Г, a meeting), in their own
    language: in the notification list if they want it there, by e-mail if they want e-mail.

    `title` and `body` are lazy translations with %-placeholders filled from `params` inside
    each recipient's language; `attachment` makes (file name, text, MIME type) for the e-mail,
    also in that language (e.g. a meeting's .ics). Call it inside the transaction that makes
    the event: the in-app row commits (or not) with it, the e-mails are queued only after the
    commit.
    """
    ids = {u.pk for u in users if u is not None}
    if not ids:
        return []
    params = params or {}
    people = User.objects.filter(pk__in=ids, is_active=True).select_related(
        "notification_preference"
    )
    created = []
    for user in people:
        pref = preference_of(user)
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = (str(title) % params)[:200]
            text = str(body) % params if body else ""
            footer = _notice_footer(url)
            attached = list(attachment()) if attachment and pref.email else None
        if pref.in_app:
            note = Notification(user=user, title=subject, body=text, url=url)
            note.full_clean()
            note.save()
            created.append(note)
        if pref.email and user.email:
            message = "\n\n".join(part for part in (text, footer) if part)
            queue = partial(_queue_notice, user.pk, subject, message, attached)
            transaction.on_commit(queue, robust=True)
    return created


def _notice_footer(url: str) -> str:
    site = settings.SITE_URL.rstrip("/")
    lines = [f"{site}{url}"] if url else []
    lines.append(
        gettext("Reminder settings: %(url)s") % {"url": site + reverse("notifications:preferences")}
    )
    return "\n".join(lines)


def _queue_notice(user_id: int, subject: str, text: str, attachment: list[str] | None) -> None:
    from .tasks import send_notice  # inside: tasks imports this module

    send_notice.delay(user_id, subject, text, attachment)


def notice_send(
    *, user_id: int, subject: str, text: str, attachment: list[str] | None = None
) -> bool:
    """E-mail one notice (the task retries on SMTP errors); False when the user has no
    address or no longer wants e-mail. `attachment`: [file name, text, MIME type]."""
    user = User.objects.select_related("notification_preference").get(pk=user_id)
    if not (user.email and preference_of(user).email):
        return False
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
    )
    if attachment:
        message.attach(*attachment)
    message.send()
    return True
