"""Retention for what the reminders wrote: digests name pupils, so a pupil's anonymisation
replaces their name in the in-app notifications and the e-mail outbox too (SPEC §7)."""

from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils.html import escape

from students.retention import anonymised_name

from .models import DigestOutbox, Notification


def anonymise_notifications(pupil) -> int:
    """The instance still holds the name the digests printed (the pupil row is already
    anonymised in the database when the hooks run)."""
    name = pupil.full_name.strip()
    if not name:
        return 0
    new = anonymised_name(pupil.pk)
    changed = Notification.objects.filter(Q(body__contains=name) | Q(title__contains=name)).update(
        body=Replace("body", Value(name), Value(new)),
        title=Replace("title", Value(name), Value(new)),
    )
    changed += DigestOutbox.objects.filter(
        Q(body_text__contains=name) | Q(body_html__contains=escape(name))
    ).update(
        body_text=Replace("body_text", Value(name), Value(new)),
        body_html=Replace("body_html", Value(escape(name)), Value(escape(new))),
    )
    return changed
