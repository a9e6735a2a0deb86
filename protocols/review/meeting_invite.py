"""A support-team meeting as an iCalendar invitation (RFC 5545, via `icalendar`), so the
attendees' calendars show it: one event, the same UID for every attendee and every re-send."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from ..models import Meeting

DURATION = timedelta(hours=1)


def meeting_ics(meeting: Meeting) -> bytes:
    """The invitation in the current language; an all-day event when no time is set."""
    cal = Calendar()
    cal.add("prodid", "-//Assistant Portal//meetings//KK")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    site = settings.SITE_URL.rstrip("/")
    event.add("uid", f"meeting-{meeting.pk}@{site.split('//')[-1]}")
    event.add("dtstamp", timezone.now())
    if meeting.starts_at:
        start = timezone.make_aware(datetime.combine(meeting.held_on, meeting.starts_at))
        event.add("dtstart", start)
        event.add("dtend", start + DURATION)
    else:
        event.add("dtstart", meeting.held_on)
    event.add("summary", _("Support-team meeting: %(school)s") % {"school": meeting.school})
    event.add("url", site + meeting.get_absolute_url())
    if meeting.notes:
        event.add("description", meeting.notes)
    cal.add_component(event)
    return cal.to_ical()
