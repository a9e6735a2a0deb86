"""Digests name pupils: a pupil's anonymisation reaches the notifications and the outbox."""

from datetime import date

from assistant_portal.notifications.models import DigestOutbox, Notification
from students.retention import anonymise_pupil


def test_anonymising_a_pupil_removes_their_name_from_digests(cast):
    name = cast.pupil.full_name
    other = cast.other_pupil.full_name
    outbox = DigestOutbox.objects.create(
        recipient=cast.assistant,
        week_start=date(2026, 9, 14),
        language="kk",
        subject="Апталық хабарлама",
        body_text=f"== {name}, 3 Ә ==\n== {other} ==",
        body_html=f"<h2>{name}, 3 Ә</h2><h2>{other}</h2>",
    )
    note = Notification.objects.create(
        user=cast.assistant, title="Апталық хабарлама", body=f"{name}: Д · мерзімі өтті"
    )
    anonymise_pupil(pupil=cast.pupil)
    outbox.refresh_from_db()
    note.refresh_from_db()
    new = f"Anonymised pupil #{cast.pupil.pk}"
    for text in (outbox.body_text, outbox.body_html, note.body):
        assert name not in text and new in text
    assert other in outbox.body_text and other in outbox.body_html  # other pupils untouched
