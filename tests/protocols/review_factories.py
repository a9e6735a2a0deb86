"""Objects of the support team's review in the cast's world: a submitted conclusion (Г) of
the cast's pupil by the cast's assistant, a conclusion returned through the review's service,
a meeting of the cast's school, a next step."""

from datetime import date

from django.utils import timezone

from protocols.models import Meeting, MeetingItem, NextStep, Outcome, Protocol
from protocols.review import services as review_services

from .filling import fill_annex

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
    # Filled through the form and the service (tests/README.md); then the test's own dates and
    # state are staged on the row, as time would have set them.
    filled = fill_annex(
        pupil, "G", {**CONCLUSION, **kwargs.pop("data", {})}, author or cast.assistant,
        window_key=f"G:{period}", filled_on=kwargs.pop("filled_on", date(2026, 9, 14)),
    )  # fmt: skip
    staged = {"due": date(2026, 9, 14), "submitted_at": timezone.now(), **kwargs}
    Protocol.objects.filter(pk=filled.pk).update(**staged)
    filled.refresh_from_db()
    return filled


def returned(protocol, *, by, comments):
    """Return a submitted conclusion with comments per section, as the review page does (the
    revision the reviewer saw is the current one); the returned conclusion."""
    decision = review_services.review_decide(
        protocol=protocol,
        by=by,
        outcome=Outcome.RETURNED,
        seen_revision=protocol.revision,
        comments=comments,
    )
    return decision.protocol


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
