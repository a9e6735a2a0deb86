"""Meetings that invite: scheduling a support-team meeting tells the
attendees in the app and by e-mail with an .ics file; its agenda starts from the conclusions
waiting and the flagged pupils."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from assistant_portal.notifications.models import Notification
from protocols.models import Meeting

from .review_factories import submitted_conclusion

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def _schedule(client, cast):
    client.force_login(cast.specialist)
    r = client.post(
        reverse("protocols:meeting_new"),
        {
            "held_on": "2026-12-02",
            "starts_at": "14:30",
            "attendees": [cast.specialist.pk, cast.psychologist.pk],
        },
    )
    assert r.status_code == 302
    return Meeting.objects.get()


def test_attendees_are_invited_in_the_app_and_by_email_with_a_calendar_file(
    client, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(client, cast)
    url = reverse("protocols:meeting", args=[meeting.pk])
    note = Notification.objects.get(user=cast.psychologist)
    assert note.url == url and "02.12.2026" in note.title
    assert not Notification.objects.filter(user=cast.specialist).exists()  # the one scheduling
    (message,) = [m for m in mail.outbox if cast.psychologist.email in m.to]
    name, content, mimetype = message.attachments[0]
    assert name == "meeting.ics" and mimetype.startswith("text/calendar")
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    start = event.decoded("dtstart")
    assert (start.date(), start.hour, start.minute) == (date(2026, 12, 2), 14, 30)
    assert str(event["url"]).endswith(url) and str(event["uid"]).startswith(
        f"meeting-{meeting.pk}@"
    )


def test_the_agenda_starts_from_waiting_conclusions_and_prefills_the_decision(client, cast):
    conclusion = submitted_conclusion(cast)
    meeting = _schedule(client, cast)
    page = client.get(reverse("protocols:meeting", args=[meeting.pk]))
    agenda = page.context["agenda"]
    assert agenda.conclusions == [conclusion]
    link = f"?pupil={cast.pupil.pk}&amp;conclusion={conclusion.pk}#item-form"
    assert link in page.content.decode()
    chosen = client.get(
        reverse("protocols:meeting", args=[meeting.pk]),
        {"pupil": cast.pupil.pk, "conclusion": conclusion.pk},
    )
    form = chosen.context["form"]
    assert form.initial == {"pupil": str(cast.pupil.pk), "conclusion": str(conclusion.pk)}
