"""Objects of the support team's review in the cast's world: a submitted conclusion (Г) of
the cast's pupil by the cast's assistant, a meeting of the cast's school, a next step."""

from datetime import date

from django.utils import timezone

from protocols.models import Meeting, MeetingItem, NextStep, Protocol, Status

from .factories import protocol_of

CONCLUSION = {
    "observations": "Сабақта зейіні тұрақсыз.",
    "strengths": "Сурет салғанды ұнатады.",
    "difficulties": "Нұсқауды орындау қиын.",
    "adaptations": "Көрнекі тапсырмалар.",
    "goals": "Нұсқауды өз бетінше орындау.",
}


def submitted_conclusion(cast, *, pupil=None, author=None, period="september", **kwargs):
    pupil = pupil or cast.pupil
    existing = Protocol.objects.filter(
        student=pupil, annex="G", window_key=f"G:{period}", archived_at__isnull=True
    ).first()
    if existing:
        return existing
    fields = {
        "student": pupil, "author": author or cast.assistant, "annex": "G",
        "window_key": f"G:{period}", "due": date(2026, 9, 14), "status": Status.SUBMITTED,
        "data": dict(CONCLUSION), "filled_on": date(2026, 9, 14), "submitted_at": timezone.now(),
    }  # fmt: skip
    return protocol_of(cast, **{**fields, **kwargs})


def meeting_of(cast):
    meeting = Meeting.objects.filter(school=cast.school).first()
    if meeting is None:
        meeting = Meeting.objects.create(
            school=cast.school, held_on=date(2026, 9, 18), created_by=cast.specialist
        )
        meeting.attendees.set([cast.specialist, cast.psychologist])
    return meeting


def next_step_of(cast):
    step = NextStep.objects.filter(item__meeting__school=cast.school).first()
    if step is None:
        item = MeetingItem.objects.create(
            meeting=meeting_of(cast), pupil=cast.pupil, decision="Логопедпен сабақ."
        )
        step = NextStep.objects.create(
            item=item, text="Көрнекі кесте жасау", responsible=cast.assistant,
            due=date(2026, 10, 1),
        )  # fmt: skip
    return step
