"""The outsider sweep: every URL that takes an id, requested by everyone who must not see the
object behind it, answers 404 (or a login redirect for the anonymous) — never the page.

A new URL is covered without anyone remembering: the sweep walks the URL configuration. A new
kind of id needs one line in ID_MAKERS saying how to make an object of the insider's world.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from assistant_portal.access_policy import PUBLIC, classify

from .urlwalk import all_routes

# kwarg name -> object id inside the cast's school / pupil (what insiders see)
ID_MAKERS = {
    "pupil_id": lambda cast: cast.pupil.pk,
    "guardian_id": lambda cast: cast.guardian.pk,
    "year_id": lambda cast: cast.school.years.get().pk,
    "holiday_id": lambda cast: _holiday(cast).pk,
    "consent_id": lambda cast: _consent(cast).pk,
    "protocol_id": lambda cast: _protocol(cast).pk,
    "job_id": lambda cast: _dossier_job(cast).pk,
    "export_id": lambda cast: _pupil_export(cast).pk,
    # the course: objects of cast.course_admin's organisation and cast.listener's cohort
    "cohort_id": lambda cast: cast.cohort.pk,
    "enrolment_id": lambda cast: cast.enrolment.pk,
    "task_id": lambda cast: _course_object(cast, "task").pk,
    "session_id": lambda cast: _course_object(cast, "session").pk,
    "question_id": lambda cast: _course_object(cast, "question").pk,
    "attempt_id": lambda cast: _course_object(cast, "attempt").pk,
    "invitation_id": lambda cast: _course_object(cast, "invitation").pk,
    "notification_id": lambda cast: _notification(cast).pk,
    # certificates: the listener's, and a bulk issue of the listener's cohort
    "certificate_id": lambda cast: _certificate(cast).pk,
    "batch_id": lambda cast: _certificate_batch(cast).pk,
    "conclusion_id": lambda cast: _conclusion(cast).pk,
    "meeting_id": lambda cast: _meeting(cast).pk,
    "step_id": lambda cast: _next_step(cast).pk,
    # oversight: the cast school, its district and region
    "school_id": lambda cast: cast.school.pk,
    "district_id": lambda cast: cast.school.district_id,
    "region_id": lambda cast: cast.school.district.region_id,
    # sharing with parents: a share with the cast's parent, and the version it shares
    "share_id": lambda cast: _share(cast).pk,
    "version_id": lambda cast: _share(cast).version_id,
}
# Routes whose id must name another kind of object than ID_MAKERS': a К sheet is not edited
# through the annex form, so the form's own URLs get a parent interview (А).
ROUTE_MAKERS = {
    "protocols:autosave": {"protocol_id": lambda cast: _protocol(cast, annex="A").pk},
    "protocols:submit": {"protocol_id": lambda cast: _protocol(cast, annex="A").pk},
}
# Keyword arguments that are not ids but must name something real for the insider to reach it.
VALUES = {
    "annex": lambda cast: "K",
    "window_key": lambda cast: "K:2026-09-07",
    "module_number": lambda cast: 1,
}
# Keyword arguments that are not object ids (tokens and the like).
# `code`: a certificate's verification code is public by design (its pages are PUBLIC).
NOT_IDS = {"uidb64", "token", "code"}
OUTSIDERS = [
    "foreign_admin",
    "foreign_specialist",
    "foreign_assistant",
    "colleague",
    "course_admin",
    "listener",
    "foreign_course_admin",
    "other_listener",
    "oversight",
    "region_oversight",
    "foreign_oversight",
]
INSIDERS = [
    "school_admin",
    "assistant",
    "specialist",
    "psychologist",
    "parent",
    "course_admin",
    "listener",
    "oversight",
    "region_oversight",
]
# The course's own people are insiders of its pages (and outsiders everywhere else); who of
# them may open which course page is tested in tests/course/test_access.py.
COURSE_NAMESPACES = ("course:", "grading:")
COURSE_PEOPLE = {"course_admin", "listener"}


# Oversight sees figures, never a pupil: everyone of the school is an outsider of its pages,
# and its people are outsiders of every pupil and protocol page.
OVERSIGHT_PEOPLE = {"oversight", "region_oversight"}
SCHOOL_PEOPLE = ["school_admin", "assistant", "specialist", "psychologist", "parent"]


def outsiders_of(route) -> list[str]:
    if route.name.startswith("oversight:"):
        return [w for w in OUTSIDERS if w not in OVERSIGHT_PEOPLE] + SCHOOL_PEOPLE
    if route.name.startswith(COURSE_NAMESPACES):
        return [w for w in OUTSIDERS if w not in COURSE_PEOPLE]
    return OUTSIDERS


def _course_object(cast, kind):
    from course.models import Attempt, Session, Task
    from tests.factories import TaskFactory, question_bank

    cohort = cast.cohort
    if kind == "task":
        return Task.objects.filter(cohort=cohort).first() or TaskFactory(cohort=cohort)
    if kind == "session":
        topic = cohort.course.modules.get(number=1).topics.first()
        return Session.objects.get_or_create(
            cohort=cohort, topic=topic, kind="lecture", starts_at=timezone.now()
        )[0]
    if kind == "question":
        return cohort.organisation.questions.first() or question_bank(cohort.organisation)[0]
    if kind == "attempt":
        return Attempt.objects.filter(enrolment=cast.enrolment).first() or Attempt.objects.create(
            enrolment=cast.enrolment,
            number=1,
            started_at=timezone.now(),
            deadline=timezone.now() + timedelta(minutes=45),
        )
    if kind == "invitation":
        from assistant_portal.accounts.models import RoleKind
        from course.services import enrol

        from .factories import person

        someone = person(RoleKind.ASSISTANT, school=cast.school)
        return enrol(cohort=cohort, email=someone.email, full_name="", by=cast.course_admin)
    raise ValueError(kind)


def _certificate(cast):
    from course.models import Certificate

    from .factories import certificate_row

    return Certificate.objects.filter(enrolment=cast.enrolment).first() or certificate_row(
        cast.enrolment, by=cast.course_admin
    )


def _certificate_batch(cast):
    from course.models import CertificateBatch

    return CertificateBatch.objects.get_or_create(
        cohort=cast.cohort, requested_by=cast.course_admin
    )[0]


def _holiday(cast):
    from students.models import Holiday

    year = cast.school.years.get()
    return Holiday.objects.get_or_create(
        year=year,
        name="Күзгі каникул",
        start=year.start.replace(month=10, day=26),
        end=year.start.replace(month=11, day=1),
    )[0]


def _consent(cast):
    from students.models import Consent

    from .factories import ConsentFactory

    return Consent.objects.filter(student=cast.pupil).first() or ConsentFactory(student=cast.pupil)


def _protocol(cast, annex="K"):
    from protocols.models import Protocol

    from .protocols.factories import protocol_of

    key = "K:2026-09-07" if annex == "K" else f"{annex}:september"
    found = Protocol.objects.filter(student=cast.pupil, annex=annex, window_key=key).first()
    return found or protocol_of(cast, annex=annex, window_key=key)


def _dossier_job(cast):
    from protocols.models import DossierJob

    return DossierJob.objects.get_or_create(
        pupil=cast.pupil, requested_by=cast.assistant, defaults={"language": "kk"}
    )[0]


def _pupil_export(cast):
    from students.models import PupilExport

    return PupilExport.objects.get_or_create(
        pupil=cast.pupil, requested_by=cast.school_admin, defaults={"language": "kk"}
    )[0]


def _notification(cast):
    from assistant_portal.notifications.models import Notification

    return Notification.objects.get_or_create(user=cast.assistant, title="Апталық хабарлама")[0]


def _conclusion(cast):
    from .protocols.review_factories import submitted_conclusion

    return submitted_conclusion(cast)


def _meeting(cast):
    from .protocols.review_factories import meeting_of

    return meeting_of(cast)


def _next_step(cast):
    from .protocols.review_factories import next_step_of

    return next_step_of(cast)


def _share(cast):
    from protocols.models import ParentShare

    from .protocols.factories import ProtocolVersionFactory, protocol_of

    share = ParentShare.objects.filter(guardian=cast.guardian, kind="version").first()
    if share is None:
        g = protocol_of(cast, annex="G", window_key="G:september", status="approved")
        version = ProtocolVersionFactory(protocol=g, status="approved")
        share = ParentShare.objects.create(
            guardian=cast.guardian, kind="version", version=version, shared_by=cast.school_admin
        )
    return share


def id_routes():
    return sorted(
        {
            r
            for r in all_routes()
            if set(r.kwargs) - NOT_IDS
            and classify(r.name) != PUBLIC
            and not r.name.startswith("admin:")
        },
        key=lambda r: r.name,
    )


def _url(route, cast):
    makers = ID_MAKERS | VALUES | ROUTE_MAKERS.get(route.name, {})
    missing = [k for k in route.kwargs if k not in makers]
    assert not missing, f"add to ID_MAKERS how to make {missing} for {route.name}"
    return reverse(route.name, kwargs={k: makers[k](cast) for k in route.kwargs})


def test_the_sweep_covers_urls():
    assert len(id_routes()) >= 10


@pytest.mark.parametrize("route", id_routes(), ids=lambda r: r.name)
def test_outsiders_get_404(client, cast, route):
    url = _url(route, cast)
    for who in outsiders_of(route):
        client.force_login(getattr(cast, who))
        get, post = client.get(url), client.post(url)
        assert get.status_code in (404, 405), (who, "GET", get.status_code)
        assert post.status_code == 404, (who, "POST", post.status_code)
    client.logout()
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("route", id_routes(), ids=lambda r: r.name)
def test_some_insider_reaches_it(client, cast, route):
    """The control: the ids are right, so the outsiders' 404 means something."""
    url = _url(route, cast)
    codes = {}
    for who in INSIDERS:
        client.force_login(getattr(cast, who))
        code = client.get(url).status_code
        codes[who] = client.post(url).status_code if code == 405 else code
    assert any(code != 404 for code in codes.values()), codes
