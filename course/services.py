"""Writes to cohorts, enrolments, tasks, scores, the final test and post-course support.

Views and imports call these; nothing else writes these models. Every score change leaves a
`ScoreChange` row (old → new, who, when, why) besides the trigger-based history.
"""

import random
import secrets
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assistant_portal.accounts.models import Role, RoleKind, User
from assistant_portal.notifications.services import notify
from grading import rules
from students.text import kazakh_sort_key

from .gradebook import listener_standing
from .models import (
    Attempt,
    AttemptQuestion,
    Attendance,
    Choice,
    Cohort,
    Course,
    Enrolment,
    EnrolmentInvitation,
    Post,
    Question,
    Score,
    ScoreChange,
    Session,
    SupportActivity,
    Task,
    TrainingOrganisation,
)
from .selectors import count_correct

COHORT_FIELDS = (
    "name",
    "start",
    "end",
    "trainers",
    "test_minutes",
    "test_open",
    "require_test_pass",
    "test_rule_decision",
)


class TestNotAllowed(Exception):
    """The listener may not start (another) attempt now; the message says why."""


class AttemptClosed(Exception):
    """The attempt is submitted or past its time limit: the answer was not saved."""


# --- cohorts and listeners ------------------------------------------------------------------


@transaction.atomic
def cohort_save(
    *,
    organisation: TrainingOrganisation,
    course: Course,
    cohort: Cohort | None,
    data: dict[str, Any],
) -> Cohort:
    cohort = cohort or Cohort(organisation=organisation, course=course)
    for k in COHORT_FIELDS:
        if k in data:
            setattr(cohort, k, data[k])
    cohort.test_rule_decision = cohort.test_rule_decision.strip()
    if cohort.require_test_pass:
        # The decision only explains the rule being off; history (pghistory) keeps the old text.
        cohort.test_rule_decision = ""
    elif not cohort.test_rule_decision:
        raise ValidationError(
            {
                "test_rule_decision": _(
                    # xgettext:no-python-format
                    "Switching the 70 % rule off needs the training "
                    "organisation's recorded decision."
                )
            }
        )
    cohort.full_clean()
    if cohort.end - cohort.start > timedelta(days=20):
        raise ValidationError({"end": _("A cohort runs for about two weeks.")})
    cohort.save()
    return cohort


def _known_to(user: User, organisation_id: int) -> bool:
    """The person already took part in this organisation's course (an enrolment, even archived).

    Only then may its administrators enrol them directly; anyone else is asked first.
    """
    return Enrolment.objects.filter(listener=user, cohort__organisation_id=organisation_id).exists()


@transaction.atomic
def enrol(
    *, cohort: Cohort, email: str, full_name: str, by: User | None = None
) -> Enrolment | EnrolmentInvitation:
    """Enrol a listener by e-mail, or invite an account that exists already.

    A new address gets an account (no password yet) and is enrolled. An existing account that
    is not yet this organisation's listener is never enrolled, shown by name nor given the
    listener role behind its back: it gets an invitation to accept, and the
    cohort shows only the typed address until then. Returns the enrolment or the invitation.
    """
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        if not full_name.strip():
            raise ValidationError({"full_name": _("Type the new listener's full name.")})
        user = User(email=email, full_name=full_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif not _known_to(user, cohort.organisation_id):
        return _invite(cohort=cohort, user=user, email=email, by=by)
    existing = Enrolment.objects.active().filter(cohort=cohort, listener=user).first()
    if existing:
        return existing
    return _enrol_user(cohort=cohort, user=user)


def _enrol_user(*, cohort: Cohort, user: User) -> Enrolment:
    Role.objects.get_or_create(
        user=user, kind=RoleKind.LISTENER, school=None, organisation=None, archived_at=None
    )
    enrolment = Enrolment(
        cohort=cohort, listener=user, sort_key=kazakh_sort_key(user.full_name or user.email)
    )
    enrolment.full_clean()
    enrolment.save()
    return enrolment


def _invite(*, cohort: Cohort, user: User, email: str, by: User | None) -> EnrolmentInvitation:
    pending = (
        EnrolmentInvitation.objects.select_for_update()
        .filter(
            cohort=cohort,
            user=user,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            archived_at__isnull=True,
        )
        .first()
    )
    if pending:
        return pending
    invitation = EnrolmentInvitation.objects.create(
        cohort=cohort, user=user, email=email, token=secrets.token_urlsafe(32), invited_by=by
    )
    path = reverse("course:invitation", args=[invitation.token])
    # In the person's language, in the app and by e-mail (after commit, retried): one notice
    # path for every event (notifications.services.notify).
    notify(
        users=[user],
        title=gettext_lazy("Invitation to the course: %(cohort)s"),
        body=gettext_lazy(
            "%(org)s invites you to the cohort %(cohort)s of the course “%(course)s”. You are "
            "enrolled only if you accept; until then the organisation sees only your e-mail "
            "address."
        ),
        url=path,
        params={
            "org": cohort.organisation.name,
            "cohort": cohort.name,
            "course": cohort.course.title,
        },
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: EnrolmentInvitation, user: User) -> Enrolment:
    """The invited person says yes: the listener role and the enrolment are made now."""
    invitation = EnrolmentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.user_id != user.pk or not invitation.pending:
        raise ValidationError(_("This invitation is no longer open."))
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    existing = Enrolment.objects.active().filter(cohort=invitation.cohort, listener=user).first()
    return existing or _enrol_user(cohort=invitation.cohort, user=user)


@transaction.atomic
def invitation_decline(*, invitation: EnrolmentInvitation, user: User) -> EnrolmentInvitation:
    invitation = EnrolmentInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.user_id != user.pk or not invitation.pending:
        raise ValidationError(_("This invitation is no longer open."))
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: EnrolmentInvitation) -> None:
    """The administrator takes a pending invitation back (archived, never deleted)."""
    invitation.archived_at = timezone.now()
    invitation.save(update_fields=["archived_at"])


@transaction.atomic
def enrolment_archive(*, enrolment: Enrolment) -> None:
    enrolment.archived_at = timezone.now()
    enrolment.save(update_fields=["archived_at"])


# --- tasks and scores -----------------------------------------------------------------------


@transaction.atomic
def task_save(*, cohort: Cohort, task: Task | None, data: dict[str, Any]) -> Task:
    task = task or Task(cohort=cohort)
    for k in ("kind", "module", "title", "deadline"):
        setattr(task, k, data[k])
    task.control = data.get("control") or Task.Control.CURRENT
    if task.module.course_id != cohort.course_id:
        raise ValidationError({"module": _("The module is not of this cohort's course.")})
    task.full_clean()
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        raise ValidationError(
            {"module": _("This module already has its project defence.")}
        ) from None
    return task


@transaction.atomic
def task_archive(*, task: Task) -> None:
    task.archived_at = timezone.now()
    task.save(update_fields=["archived_at"])


def _check_score(value: Decimal | None) -> None:
    if value is not None and not (0 <= value <= 100):
        raise ValidationError(_("A score is a number from 0 to 100."))


@transaction.atomic
def score_set(
    *, enrolment: Enrolment, task: Task, value: Decimal | None, by: User, reason: str = ""
) -> Score:
    """Set (or clear, with None) one score; unchanged values leave no audit row."""
    if task.cohort_id != enrolment.cohort_id:
        raise ValidationError(_("The task is not of the listener's cohort."))
    _check_score(value)
    score, created = Score.objects.select_for_update().get_or_create(
        enrolment=enrolment, task=task, defaults={"value": value}
    )
    old = None if created else score.value
    if not created:
        if old == value:
            return score
        score.value = value
        score.full_clean()
        score.save(update_fields=["value", "updated_at"])
    elif value is None:
        return score
    ScoreChange.objects.create(
        enrolment=enrolment, task=task, old=old, new=value, by=by, reason=reason[:300]
    )
    return score


@transaction.atomic
def scores_apply(
    *, cohort: Cohort, rows: list[tuple[int, int, Decimal | None]], by: User, reason: str
) -> int:
    """Apply (enrolment id, task id, value) rows all or nothing; returns how many rows."""
    enrolments = {e.pk: e for e in Enrolment.objects.active().filter(cohort=cohort)}
    tasks = {t.pk: t for t in Task.objects.active().filter(cohort=cohort)}
    for e_id, t_id, value in rows:
        if e_id not in enrolments or t_id not in tasks:
            raise ValidationError(_("The file refers to a listener or task not of this cohort."))
        score_set(enrolment=enrolments[e_id], task=tasks[t_id], value=value, by=by, reason=reason)
    return len(rows)


# --- the final test -------------------------------------------------------------------------

PER_MODULE = rules.TEST_QUESTIONS // 5


def draw_questions(
    bank: list[tuple[int, int]], *, avoid: set[int], rng: random.Random
) -> list[int]:
    """Draw 20 question ids spread over the modules: 4 a module, the rest from any module.

    `bank` is (question id, module number); questions in `avoid` (the first attempt's) are used
    only when the bank has too few others (SPEC: "the retake draws different questions where
    the bank allows").
    """
    by_module: dict[int, list[int]] = defaultdict(list)
    for q_id, module in bank:
        by_module[module].append(q_id)
    chosen: list[int] = []
    for module in sorted(by_module):
        ids = by_module[module]
        fresh = [q for q in ids if q not in avoid]
        rng.shuffle(fresh)
        chosen.extend(fresh[:PER_MODULE])
    rest = [q for q, _m in bank if q not in avoid and q not in chosen]
    rng.shuffle(rest)
    chosen.extend(rest[: rules.TEST_QUESTIONS - len(chosen)])
    if len(chosen) < rules.TEST_QUESTIONS:
        again = [q for q, _m in bank if q in avoid]
        rng.shuffle(again)
        chosen.extend(again[: rules.TEST_QUESTIONS - len(chosen)])
    rng.shuffle(chosen)
    return chosen


def bank_for(cohort: Cohort) -> list[tuple[int, int]]:
    return list(
        Question.objects.active()
        .filter(organisation_id=cohort.organisation_id, course_id=cohort.course_id)
        .values_list("pk", "module__number")
    )


def attempt_start(
    *, enrolment: Enrolment, now: datetime | None = None, rng: random.Random | None = None
) -> Attempt:
    """Start the listener's attempt, or return the one already open (a second tab)."""
    now = now or timezone.now()
    # An attempt left open past its limit is scored first, in its own transaction, so that a
    # refusal below does not roll its result back.
    for expired in Attempt.objects.filter(
        enrolment=enrolment, submitted_at__isnull=True, deadline__lte=now
    ):
        attempt_submit(attempt=expired, now=now)
    return _attempt_start(enrolment=enrolment, now=now, rng=rng)


@transaction.atomic
def _attempt_start(*, enrolment: Enrolment, now: datetime, rng: random.Random | None) -> Attempt:
    # Serialise starts of one listener: two tabs wait here, the second finds the first's row.
    enrolment = Enrolment.objects.select_for_update().select_related("cohort").get(pk=enrolment.pk)
    open_attempt = Attempt.objects.filter(enrolment=enrolment, submitted_at__isnull=True).first()
    if open_attempt:
        if open_attempt.deadline > now:
            return open_attempt
        attempt_submit(attempt=open_attempt, now=now)
    cohort = enrolment.cohort
    if not cohort.test_open:
        raise TestNotAllowed(_("The final test is not open yet."))
    st = listener_standing(enrolment, now=now)
    if st.tu_provisional:
        raise TestNotAllowed(_("Your current performance is not final yet."))
    if not st.admitted:
        raise TestNotAllowed(_("Not admitted: current performance is below 50."))
    if st.attempts_used and not st.retake_allowed:
        raise TestNotAllowed(_("No further attempt is allowed."))
    bank = bank_for(cohort)
    if len(bank) < rules.TEST_QUESTIONS:
        raise TestNotAllowed(_("The question bank has fewer than 20 questions."))
    used = set(
        AttemptQuestion.objects.filter(attempt__enrolment=enrolment).values_list(
            "question_id", flat=True
        )
    )
    number = (
        Attempt.objects.filter(enrolment=enrolment)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    attempt = Attempt(
        enrolment=enrolment,
        number=number,
        started_at=now,
        deadline=now + timedelta(minutes=cohort.test_minutes),
    )
    attempt.full_clean()
    attempt.save()
    rng = rng or random.SystemRandom()
    ids = draw_questions(bank, avoid=used, rng=rng)
    answers: dict[int, list[int]] = defaultdict(list)
    for q_id, c_id in (
        Choice.objects.filter(question_id__in=ids)
        .order_by("question_id", "position")
        .values_list("question_id", "pk")
    ):
        answers[q_id].append(c_id)
    items = []
    for i, q in enumerate(ids, start=1):
        # Issue #14 item 7: banks are often typed key first; the order shown is drawn here,
        # once per attempt, so "always the first" answers at chance.
        order = answers[q][:]
        rng.shuffle(order)
        items.append(AttemptQuestion(attempt=attempt, question_id=q, position=i, order=order))
    AttemptQuestion.objects.bulk_create(items)
    return attempt


def option_token(attempt_id: int, choice_id: int) -> str:
    """An answer's value on the page: opaque, fixed within the attempt, new in every attempt.

    Keyed with the site's secret, so neither entry order nor another attempt's page tells it.
    """
    return salted_hmac(
        "course.attempt-option", f"{attempt_id}:{choice_id}", algorithm="sha256"
    ).hexdigest()[:20]


def shown_order(item: AttemptQuestion) -> list[int]:
    """The answers' ids in the order shown. Attempts started before the order was stored
    (migration course 0008) get one derived from the item, the same on every reload, never written
    by a page view."""
    if item.order:
        return list(item.order)
    ids = sorted(c.pk for c in item.question.choices.all())
    random.Random(
        salted_hmac("course.legacy-order", str(item.pk), algorithm="sha256").hexdigest()
    ).shuffle(ids)
    return ids


def chosen_from_tokens(*, attempt: Attempt, item: AttemptQuestion, tokens: list[str]) -> list[int]:
    """Map the page's tokens back to choice ids; an unknown token is a ValidationError."""
    by_token = {option_token(attempt.pk, c_id): c_id for c_id in shown_order(item)}
    try:
        return [by_token[t] for t in tokens]
    except KeyError:
        raise ValidationError(_("Choose one of the answers shown.")) from None


def attempt_answer(
    *, attempt: Attempt, position: int, chosen: list[int], now: datetime | None = None
) -> None:
    """Save one answer as given; refused once the attempt is submitted or out of time."""
    now = now or timezone.now()
    attempt.refresh_from_db(fields=["submitted_at", "deadline"])
    if attempt.submitted_at is None and now > attempt.deadline:
        # Submitted (in its own transaction) with what was saved before the limit.
        attempt_submit(attempt=attempt, now=now)
        raise AttemptClosed(_("The time is up: the test was submitted with the saved answers."))
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.submitted_at is not None:
            raise AttemptClosed(_("The test has already been submitted."))
        item = AttemptQuestion.objects.select_related("question").get(
            attempt=locked, position=position
        )
        valid = set(item.question.choices.values_list("pk", flat=True))
        picked = sorted(set(chosen))
        if not set(picked) <= valid:
            raise ValidationError(_("Choose one of the answers shown."))
        if item.question.kind == Question.Kind.SINGLE and len(picked) > 1:
            raise ValidationError(_("Choose one answer."))
        item.chosen = picked
        item.answered_at = now
        item.save(update_fields=["chosen", "answered_at"])


def _count_correct(attempt: Attempt) -> int:
    return count_correct([attempt.pk]).get(attempt.pk, 0)


@transaction.atomic
def attempt_submit(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Score what was saved; idempotent (a second submit returns the scored attempt)."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.submitted_at is not None:
        return attempt
    total = AttemptQuestion.objects.filter(attempt=attempt).count() or rules.TEST_QUESTIONS
    correct = _count_correct(attempt)
    score = rules.final_test_score(correct, total)
    attempt.correct = correct
    attempt.score = score.quantize(Decimal("0.01"))
    # Past the limit the attempt counts as submitted at its deadline with what was saved.
    attempt.submitted_at = min(now, attempt.deadline)
    attempt.save(update_fields=["correct", "score", "submitted_at"])
    ScoreChange.objects.create(
        enrolment_id=attempt.enrolment_id,
        task=None,
        old=None,
        new=attempt.score,
        by=None,
        reason=_("final test, attempt %(n)d") % {"n": attempt.number},
    )
    return attempt


def finalise_expired(*, cohort: Cohort | None = None, now: datetime | None = None) -> int:
    """Store the score of attempts whose time ran out with nobody there to submit them.

    The sweeper (`course.tasks.finalise_expired_attempts`, on beat's schedule) and POSTs call
    this; pages never do — they read the same score through `selectors.expired_scores`.
    """
    now = now or timezone.now()
    expired = Attempt.objects.filter(submitted_at__isnull=True, deadline__lt=now)
    if cohort is not None:
        expired = expired.filter(enrolment__cohort=cohort)
    attempts = list(expired)
    for attempt in attempts:
        attempt_submit(attempt=attempt, now=now)
    return len(attempts)


@transaction.atomic
def paper_test_score(*, enrolment: Enrolment, score: Decimal, by: User, reason: str) -> Attempt:
    """Record a final test written on paper, as the next attempt (first or the retake)."""
    _check_score(score)
    for expired in Attempt.objects.filter(
        enrolment=enrolment, submitted_at__isnull=True, deadline__lte=timezone.now()
    ):
        attempt_submit(attempt=expired)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if Attempt.objects.filter(enrolment=enrolment, submitted_at__isnull=True).exists():
        raise ValidationError(_("The listener has an online attempt in progress."))
    st = listener_standing(enrolment)
    if not st.admitted or st.tu_provisional:
        raise ValidationError(_("Not admitted: current performance is below 50."))
    if st.attempts_used and not st.retake_allowed:
        raise ValidationError(_("No further attempt is allowed."))
    now = timezone.now()
    attempt = Attempt(
        enrolment=enrolment,
        number=st.attempts_used + 1,
        started_at=now,
        deadline=now,
        submitted_at=now,
        score=score,
        on_paper=True,
    )
    attempt.full_clean()
    attempt.save()
    ScoreChange.objects.create(
        enrolment=enrolment,
        task=None,
        old=st.test,
        new=score,
        by=by,
        reason=reason or _("final test on paper"),
    )
    return attempt


@transaction.atomic
def question_create(
    *,
    organisation: TrainingOrganisation,
    course: Course,
    data: dict[str, Any],
    choices: list[tuple[str, str, bool]],
) -> Question:
    q = Question(organisation=organisation, course=course, **data)
    q.full_clean()
    keys = sum(1 for *_t, ok in choices if ok)
    if len(choices) < 2:
        raise ValidationError(_("A question needs at least two answers."))
    if keys == 0 or (q.kind == Question.Kind.SINGLE and keys != 1):
        raise ValidationError(_("A single-choice question has exactly one correct answer."))
    q.save()
    Choice.objects.bulk_create(
        Choice(question=q, position=i, text_kk=kk, text_ru=ru, correct=ok)
        for i, (kk, ru, ok) in enumerate(choices, start=1)
    )
    return q


@transaction.atomic
def question_archive(*, question: Question) -> None:
    question.archived_at = timezone.now()
    question.save(update_fields=["archived_at"])


# --- timetable, attendance, post-course support ---------------------------------------------


@transaction.atomic
def session_add(*, cohort: Cohort, data: dict[str, Any]) -> Session:
    session = Session(cohort=cohort, **data)
    if session.topic.module.course_id != cohort.course_id:
        raise ValidationError({"topic": _("The topic is not of this cohort's course.")})
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def attendance_save(*, session: Session, present_ids: set[int]) -> None:
    for e in Enrolment.objects.active().filter(cohort_id=session.cohort_id):
        Attendance.objects.update_or_create(
            session=session, enrolment=e, defaults={"present": e.pk in present_ids}
        )


@transaction.atomic
def support_add(*, enrolment: Enrolment, data: dict[str, Any], by: User) -> SupportActivity:
    activity = SupportActivity(enrolment=enrolment, recorded_by=by, **data)
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def post_add(*, cohort: Cohort, author: User, text: str) -> Post:
    post = Post(cohort=cohort, author=author, text=text.strip())
    post.full_clean()
    post.save()
    return post
