from datetime import date

import pytest

from protocols.models import Protocol
from tests.factories import AssignmentFactory, StudentFactory, person

# The cast's year starts on Tuesday 1 September 2026: А/Б/В are due on Monday 7 September
# (school days 1-5), Г on Monday 14 September (days 6-10).
SEPT_14 = date(2026, 9, 14)


@pytest.fixture
def mail_outbox(settings):
    from django.core import mail

    mail.outbox = []
    return mail.outbox


def protocol(student, annex, key, *, status="submitted", year=None, by=None):
    year = year or student.school.years.get()
    author = by or student.assignments.first().assistant
    return Protocol.objects.create(
        student=student,
        year=year,
        annex=annex,
        window_key=key,
        status=status,
        author=author,
        updated_by=author,
    )


def many_assistants(school, n, pupils_each=1):
    from assistant_portal.accounts.models import RoleKind

    people = []
    for _ in range(n):
        assistant = person(RoleKind.ASSISTANT, school=school)
        for _ in range(pupils_each):
            AssignmentFactory(student=StudentFactory(school=school), assistant=assistant)
        people.append(assistant)
    return people


@pytest.fixture(autouse=True)
def english():
    """Texts are compared in English (the msgids); language tests override it."""
    from django.utils import translation

    with translation.override("en"):
        yield
