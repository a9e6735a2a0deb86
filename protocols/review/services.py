"""Writes of the support team's review (issue #4): comments on a conclusion (Г), the decision
that closes a review round, meetings with the pupils discussed and their next steps.

Rounds: round n is open from the n-th hand-in until a decision closes it. Any member of the
school's support team may comment on the open round; one decision (approve, or return with
the round's comments) closes it. A comment or decision is taken only on the revision the
reviewer saw (`StaleEdit` otherwise), and never by the conclusion's author (SPEC §7).
"""

from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistant_portal.accounts.models import User
from assistant_portal.accounts.roles import roles_of
from assistant_portal.notifications.services import notify
from students.models import Student
from students.selectors import current_assignments

from .. import annexes
from ..models import (
    AnnexCode,
    Meeting,
    MeetingItem,
    NextStep,
    Outcome,
    Protocol,
    ProtocolVersion,
    ReviewComment,
    ReviewDecision,
    Status,
)
from ..services import StaleEdit
from .meeting_invite import meeting_ics

PENDING = {Status.SUBMITTED, Status.UNDER_REVIEW}


def open_round(protocol: Protocol) -> int:
    """The round comments go to now: one after the last closed round.

    A round is closed by a decision (`ReviewDecision`), and also — for returns recorded as
    comments without a decision, as databases seeded by an older demo hold them — when its
    comments were written before the latest hand-in, or the conclusion is decided now."""
    closed = protocol.decisions.aggregate(n=Max("round"))["n"] or 0
    comments = protocol.comments.all()
    if protocol.status not in (Status.RETURNED, Status.APPROVED):
        if protocol.submitted_at is None:
            return closed + 1
        comments = comments.filter(created_at__lt=protocol.submitted_at)
    return max(closed, comments.aggregate(n=Max("round"))["n"] or 0) + 1


def sections() -> set[str]:
    """The conclusion's sections (form fields); "" is the conclusion as a whole."""
    return set(annexes.get(AnnexCode.G).form.base_fields) | {""}


def _locked_for_review(protocol: Protocol, by: User, seen_revision: int | None) -> Protocol:
    locked = Protocol.objects.select_for_update().select_related("student").get(pk=protocol.pk)
    if locked.annex != AnnexCode.G:
        raise ValidationError(_("Only a conclusion is reviewed."))
    if by.pk == locked.author_id or locked.student.school_id not in (
        roles_of(by).specialist_school_ids
    ):
        raise ValidationError(_("Only the school's support team decides on a conclusion."))
    if seen_revision is None or locked.revision != seen_revision:
        raise StaleEdit(current=locked)
    if locked.status not in PENDING:
        raise ValidationError(_("This conclusion is not waiting for review."))
    return locked


def _clean_comments(comments: dict[str, str]) -> dict[str, str]:
    comments = {k: v.strip() for k, v in comments.items() if v and v.strip()}
    if unknown := set(comments) - sections():
        raise ValidationError(_("Unknown section: %s") % ", ".join(sorted(unknown)))
    return comments


def _add_comments(protocol: Protocol, by: User, round_: int, comments: dict[str, str]) -> None:
    for section, text in comments.items():
        comment = ReviewComment(
            protocol=protocol, round=round_, section=section, text=text, author=by
        )
        comment.full_clean()
        comment.save()


@transaction.atomic
def review_comment(
    *, protocol: Protocol, by: User, comments: dict[str, str], seen_revision: int | None
) -> Protocol:
    """Comments of one specialist on the open round, without deciding. The conclusion is then
    under review (the assistant can no longer change it under the team's eyes); its revision is
    not bumped, as its text did not change and colleagues' open pages stay valid."""
    locked = _locked_for_review(protocol, by, seen_revision)
    comments = _clean_comments(comments)
    if not comments:
        raise ValidationError(_("Write at least one comment."))
    _add_comments(locked, by, open_round(locked), comments)
    if locked.status == Status.SUBMITTED:
        locked.status = Status.UNDER_REVIEW
        locked.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def review_decide(
    *,
    protocol: Protocol,
    by: User,
    outcome: str,
    seen_revision: int | None,
    comments: dict[str, str] | None = None,
    text: str = "",
    meeting: Meeting | None = None,
) -> ReviewDecision:
    """Approve, or return with comments per section; closes the open round.

    Returning needs at least one comment of the round (this reviewer's or a colleague's)."""
    locked = _locked_for_review(protocol, by, seen_revision)
    if meeting is not None and meeting.school_id != locked.student.school_id:
        raise ValidationError(_("The meeting is of another school."))
    if outcome not in Outcome.values:
        raise ValidationError(_("Choose a decision."))
    round_ = open_round(locked)
    comments = _clean_comments(comments or {})
    _add_comments(locked, by, round_, comments)
    if outcome == Outcome.RETURNED and not locked.comments.filter(round=round_).exists():
        raise ValidationError(_("Write at least one comment."))
    now = timezone.now()
    decision = ReviewDecision(
        protocol=locked, round=round_, outcome=outcome, text=text.strip(),
        revision=locked.revision, meeting=meeting, decided_by=by, decided_at=now,
    )  # fmt: skip
    decision.full_clean()
    decision.save()
    locked.status = Status.APPROVED if outcome == Outcome.APPROVED else Status.RETURNED
    locked.reviewed_by, locked.reviewed_at = by, now
    if outcome == Outcome.APPROVED:
        locked.decision = decision.text
    locked.revision += 1
    locked.full_clean()
    locked.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "decision", "revision", "updated_at"]
    )
    last = locked.versions.aggregate(n=Max("number"))["n"] or 0
    version = ProtocolVersion(
        protocol=locked, number=last + 1, status=locked.status, data=locked.data,
        filled_on=locked.filled_on, saved_by=by,
    )  # fmt: skip
    version.full_clean(exclude=["data"])
    version.save()
    _tell_assistant(locked, decision)
    return decision


def _tell_assistant(conclusion: Protocol, decision: ReviewDecision) -> None:
    """The conclusion's author and the pupil's assistant now learn the decision (issue #12
    defect 10): in-app and by e-mail, as each prefers."""
    ids = {conclusion.author_id} | set(
        current_assignments()
        .filter(student_id=conclusion.student_id)
        .values_list("assistant_id", flat=True)
    )
    ids.discard(decision.decided_by_id)
    if decision.outcome == Outcome.APPROVED:
        title = gettext_lazy("The conclusion on %(pupil)s is approved")
        body = gettext_lazy("%(who)s approved the conclusion (annex Г). %(text)s")
    else:
        title = gettext_lazy("The conclusion on %(pupil)s is returned for revision")
        body = gettext_lazy(
            "%(who)s returned the conclusion (annex Г) with comments. Open it to see them "
            "next to the fields, revise it and submit it again. %(text)s"
        )
    notify(
        users=User.objects.filter(pk__in=ids),
        title=title,
        body=body,
        url=conclusion.get_absolute_url(),
        params={
            "pupil": conclusion.student.full_name,
            "who": decision.decided_by.full_name,
            "text": decision.text,
        },
    )


# --- Meetings -----------------------------------------------------------------------------------


def _check_team(school_id: int, by: User) -> None:
    if school_id not in roles_of(by).staff_school_ids:
        raise ValidationError(_("Only the school's support team records its meetings."))


@transaction.atomic
def meeting_create(
    *,
    school_id: int,
    held_on: date,
    attendees: list[User],
    notes: str,
    by: User,
    starts_at: time | None = None,
) -> Meeting:
    """Schedule (or record) a meeting; the attendees are invited (in-app, e-mail with .ics)."""
    _check_team(school_id, by)
    meeting = Meeting(
        school_id=school_id, held_on=held_on, starts_at=starts_at, notes=notes.strip(),
        created_by=by,
    )  # fmt: skip
    meeting.full_clean()
    meeting.save()
    meeting.attendees.set(attendees)
    invite_attendees(meeting=meeting, by=by)
    return meeting


def invite_attendees(*, meeting: Meeting, by: User) -> None:
    """Each attendee but the one scheduling is told: in the notification list and by e-mail
    with the meeting as an .ics file (in their own language, per their preferences)."""
    others = [u for u in meeting.attendees.all() if u.pk != by.pk]
    notify(
        users=others,
        title=gettext_lazy("Support-team meeting on %(date)s"),
        body=gettext_lazy("You are invited by %(who)s. The agenda is on the meeting's page."),
        url=meeting.get_absolute_url(),
        params={"date": meeting.held_on.strftime("%d.%m.%Y"), "who": by.full_name},
        attachment=lambda: ("meeting.ics", meeting_ics(meeting).decode(), "text/calendar"),
    )


@transaction.atomic
def meeting_item_add(
    *,
    meeting: Meeting,
    pupil: Student,
    decision: str,
    by: User,
    conclusion: Protocol | None = None,
    step_text: str = "",
    responsible: User | None = None,
    due: date | None = None,
) -> MeetingItem:
    """A pupil discussed, the decision, and optionally one next step (more can be added)."""
    _check_team(meeting.school_id, by)
    if pupil.school_id != meeting.school_id:
        raise ValidationError(_("The pupil is of another school."))
    if conclusion is not None and conclusion.student_id != pupil.pk:
        raise ValidationError(_("The conclusion is of another pupil."))
    item = MeetingItem(meeting=meeting, pupil=pupil, conclusion=conclusion, decision=decision)
    item.full_clean()
    item.save()
    if step_text.strip():
        next_step_add(item=item, text=step_text, responsible=responsible, due=due, by=by)
    return item


@transaction.atomic
def next_step_add(
    *, item: MeetingItem, text: str, responsible: User | None, due: date | None, by: User
) -> NextStep:
    _check_team(item.meeting.school_id, by)
    step = NextStep(item=item, text=text.strip(), responsible=responsible, due=due)
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def next_step_done(*, step: NextStep, by: User) -> NextStep:
    step = NextStep.objects.select_for_update().get(pk=step.pk)
    if step.done_at is None:
        step.done_at, step.done_by = timezone.now(), by
        step.save(update_fields=["done_at", "done_by"])
    return step


# --- Retention (students.retention.ANONYMISERS) ---------------------------------------------


def anonymise_review(pupil: Student) -> int:
    """Clear the free text about one pupil the review holds — meeting decisions, next steps,
    decision notes (also the copy on the approved conclusion) — and the same text in their
    change history; rows stay for statistics. Runs inside the retention transaction
    (registered in `ProtocolsConfig.ready`)."""
    from django.apps import apps

    items = MeetingItem.objects.filter(pupil=pupil)
    item_ids = list(items.values_list("pk", flat=True))
    conclusion_ids = list(
        Protocol.objects.filter(student=pupil, annex=AnnexCode.G).values_list("pk", flat=True)
    )
    changed = items.update(decision="")
    changed += NextStep.objects.filter(item_id__in=item_ids).update(text="")
    changed += ReviewDecision.objects.filter(protocol_id__in=conclusion_ids).update(text="")
    changed += Protocol.objects.filter(pk__in=conclusion_ids).update(decision="")
    event = apps.get_model("protocols", "ProtocolEvent")
    changed += event.objects.filter(pgh_obj_id__in=conclusion_ids).update(decision="")
    event = apps.get_model("protocols", "MeetingItemEvent")
    changed += event.objects.filter(pupil_id=pupil.pk).update(decision="")
    event = apps.get_model("protocols", "NextStepEvent")
    changed += event.objects.filter(item_id__in=item_ids).update(text="")
    event = apps.get_model("protocols", "ReviewDecisionEvent")
    changed += event.objects.filter(protocol_id__in=conclusion_ids).update(text="")
    return changed
