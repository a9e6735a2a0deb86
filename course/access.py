"""Who may see which cohort and what hangs off it: the one place the rule lives.

- a course administrator: the cohorts of their training organisations (and manages them);
- a listener: the cohorts they are enrolled in (and only their own records there);
- anyone else: nothing. Outsiders get 404, never 403.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from assistant_portal.accounts.models import RoleKind
from assistant_portal.accounts.roles import roles_of
from assistant_portal.annotations import AnyUser

from .models import (
    Attempt,
    Certificate,
    CertificateBatch,
    Cohort,
    Enrolment,
    EnrolmentInvitation,
    Question,
    Session,
    SupportActivity,
    Task,
)


def cohorts_managed_by(user: AnyUser) -> QuerySet[Cohort]:
    if not user.is_authenticated:
        return Cohort.objects.none()
    return Cohort.objects.active().filter(organisation_id__in=roles_of(user).organisation_ids)


def enrolments_of(user: AnyUser) -> QuerySet[Enrolment]:
    """The listener's own active enrolments."""
    if not user.is_authenticated or not roles_of(user).has(RoleKind.LISTENER):
        return Enrolment.objects.none()
    return Enrolment.objects.active().filter(listener=user, cohort__archived_at__isnull=True)


def cohorts_visible_to(user: AnyUser) -> QuerySet[Cohort]:
    if not user.is_authenticated:
        return Cohort.objects.none()
    managed = cohorts_managed_by(user).values("pk")
    enrolled = enrolments_of(user).values("cohort_id")
    return Cohort.objects.active().filter(pk__in=managed.union(enrolled))


def is_course_admin(user: AnyUser) -> bool:
    return bool(roles_of(user).organisation_ids)


def get_cohort_for_admin(user: AnyUser, cohort_id: int, *, related: bool = True) -> Cohort:
    """`related=False` for a page that reads only the cohort's own fields (the gradebook): the
    course and organisation joins cost as much Python as a small query."""
    cohorts = cohorts_managed_by(user)
    if related:
        cohorts = cohorts.select_related("course", "organisation")
    return get_object_or_404(cohorts, pk=cohort_id)


def get_cohort_for_user(user: AnyUser, cohort_id: int) -> Cohort:
    return get_object_or_404(
        cohorts_visible_to(user).select_related("course", "organisation"), pk=cohort_id
    )


def get_enrolment_for_admin(user: AnyUser, enrolment_id: int) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.active()
        .filter(cohort__in=cohorts_managed_by(user))
        .select_related("cohort", "listener"),
        pk=enrolment_id,
    )


def get_own_enrolment(user: AnyUser, cohort_id: int) -> Enrolment:
    return get_object_or_404(
        enrolments_of(user).select_related("cohort", "cohort__course", "listener"),
        cohort_id=cohort_id,
    )


def get_task_for_admin(user: AnyUser, task_id: int) -> Task:
    return get_object_or_404(
        Task.objects.active()
        .filter(cohort__in=cohorts_managed_by(user))
        .select_related("cohort", "module"),
        pk=task_id,
    )


def get_session_for_admin(user: AnyUser, session_id: int) -> Session:
    return get_object_or_404(
        Session.objects.active()
        .filter(cohort__in=cohorts_managed_by(user))
        .select_related("cohort", "topic"),
        pk=session_id,
    )


def get_attempt_for_listener(user: AnyUser, attempt_id: int) -> Attempt:
    return get_object_or_404(
        Attempt.objects.filter(enrolment__in=enrolments_of(user), on_paper=False).select_related(
            "enrolment", "enrolment__cohort"
        ),
        pk=attempt_id,
    )


def questions_managed_by(user: AnyUser) -> QuerySet[Question]:
    if not user.is_authenticated:
        return Question.objects.none()
    return Question.objects.active().filter(organisation_id__in=roles_of(user).organisation_ids)


def get_question_for_admin(user: AnyUser, question_id: int) -> Question:
    return get_object_or_404(questions_managed_by(user), pk=question_id)


def get_support_for_admin(user: AnyUser, support_id: int) -> SupportActivity:
    return get_object_or_404(
        SupportActivity.objects.active().filter(enrolment__cohort__in=cohorts_managed_by(user)),
        pk=support_id,
    )


# --- Certificates --------------------------------------------------------------------


def certificates_visible_to(user: AnyUser) -> QuerySet[Certificate]:
    """Certificates of the cohorts a course administrator manages, and a listener's own."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    managed = Certificate.objects.filter(enrolment__cohort__in=cohorts_managed_by(user))
    own = Certificate.objects.filter(enrolment__in=enrolments_of(user))
    return managed | own


def get_certificate_for_user(user: AnyUser, certificate_id: int) -> Certificate:
    """For the PDF download: the administrator's cohorts, or the listener's own (else 404)."""
    return get_object_or_404(certificates_visible_to(user), pk=certificate_id)


def get_certificate_for_admin(user: AnyUser, certificate_id: int) -> Certificate:
    return get_object_or_404(
        Certificate.objects.filter(enrolment__cohort__in=cohorts_managed_by(user)).select_related(
            "enrolment__cohort"
        ),
        pk=certificate_id,
    )


def get_certificate_batch_for_admin(user: AnyUser, batch_id: int) -> CertificateBatch:
    return get_object_or_404(
        CertificateBatch.objects.filter(cohort__in=cohorts_managed_by(user)).select_related(
            "cohort"
        ),
        pk=batch_id,
    )


def get_invitation_for_invitee(user: AnyUser, token: str) -> EnrolmentInvitation:
    """An open invitation, only for the account it was sent to (anyone else: 404)."""
    return get_object_or_404(
        EnrolmentInvitation.objects.filter(
            accepted_at__isnull=True, declined_at__isnull=True, archived_at__isnull=True
        ).select_related("cohort", "cohort__organisation", "cohort__course"),
        token=token,
        user_id=user.pk,
    )


def get_invitation_for_admin(user: AnyUser, invitation_id: int) -> EnrolmentInvitation:
    return get_object_or_404(
        EnrolmentInvitation.objects.filter(
            cohort__in=cohorts_managed_by(user),
            accepted_at__isnull=True,
            declined_at__isnull=True,
            archived_at__isnull=True,
        ).select_related("cohort"),
        pk=invitation_id,
    )
