"""Bulk issue through a REAL Celery worker against Redis (RECIPES §6): a batch run twice — as a
redelivery after a crash would — issues each certificate once. Its own module: the
module-scoped worker turns eager mode off for every test here."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from assistant_portal.celery_app import app
from course import certificates as svc
from course.models import Certificate, CertificateBatch
from course.tasks import issue_chunk
from tests.factories import CohortFactory, OrganisationFactory, graded, person


@pytest.fixture(scope="module")
def celery_worker_real():
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w
    app.conf.task_always_eager = True


@pytest.fixture
def worker(redis_url, celery_worker_real):
    assert app.conf.broker_url.startswith("redis"), "the broker is Redis when REDIS_URL is set"
    return celery_worker_real


def _wait(batch, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        batch.refresh_from_db()
        if batch.finished:
            return batch
        time.sleep(0.2)
    raise AssertionError(f"batch not finished: {batch.done}/{batch.total}")


@pytest.mark.django_db(transaction=True)
def test_a_batch_through_a_real_worker_twice_has_no_duplicates(worker):
    from assistant_portal.accounts.models import RoleKind

    org = OrganisationFactory()
    admin = person(RoleKind.COURSE_ADMIN, organisation=org)
    cohort = CohortFactory(organisation=org)
    enrolments = [graded(cohort) for _ in range(svc.CHUNK + 3)]  # two chunks
    batch = _wait(svc.batch_start(cohort=cohort, by=admin))
    assert (batch.status, batch.done, batch.total) == ("done", len(enrolments), len(enrolments))
    # a redelivered chunk (the worker died before its ack) runs again: nothing new
    issue_chunk.delay(batch.pk, [e.pk for e in enrolments]).get(timeout=30)
    again = _wait(svc.batch_start(cohort=cohort, by=admin))
    assert (again.done, again.total) == (len(enrolments), len(enrolments))
    assert Certificate.objects.filter(enrolment__cohort=cohort).count() == len(enrolments)
    serials = list(
        Certificate.objects.filter(enrolment__cohort=cohort).values_list("serial", flat=True)
    )
    assert len(set(serials)) == len(serials)
    assert CertificateBatch.objects.filter(cohort=cohort).count() == 2
