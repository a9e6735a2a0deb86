"""factory_boy factories for the models every test needs."""

from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from assistant_portal.accounts.models import Role, RoleKind, User
from course.models import TrainingOrganisation
from students.models import AcademicYear, Assignment, District, Guardian, Region, School, Student
from students.text import kazakh_sort_key


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.kz")
    full_name = factory.Sequence(lambda n: f"Пайдаланушы {n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-word")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    name_kk = factory.Sequence(lambda n: f"№ {n} мектеп")
    name_ru = factory.Sequence(lambda n: f"Школа № {n}")


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region

    name_kk = factory.Sequence(lambda n: f"{n}-облыс")
    name_ru = factory.Sequence(lambda n: f"Область {n}")


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    region = factory.SubFactory(RegionFactory)
    name_kk = factory.Sequence(lambda n: f"{n}-аудан")
    name_ru = factory.Sequence(lambda n: f"Район {n}")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = TrainingOrganisation

    name = factory.Sequence(lambda n: f"Біліктілікті арттыру орталығы {n}")


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = RoleKind.ASSISTANT
    school = factory.SubFactory(SchoolFactory)


class AcademicYearFactory(DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    start = date(2026, 9, 1)
    half_year_end = date(2026, 12, 29)
    end = date(2027, 5, 25)


class StudentFactory(DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    last_name = factory.Sequence(lambda n: f"Оқушыұлы{n}")
    first_name = "Айбек"
    birth_date = date(2017, 3, 14)
    grade = 3
    class_letter = "Ә"
    sen_category = "speech"
    joined = date(2026, 9, 1)
    sort_key = factory.LazyAttribute(lambda o: kazakh_sort_key(f"{o.last_name} {o.first_name}"))
    class_sort_key = factory.LazyAttribute(
        lambda o: f"{o.grade:02d}" + kazakh_sort_key(o.class_letter)
    )


class GuardianFactory(DjangoModelFactory):
    class Meta:
        model = Guardian

    student = factory.SubFactory(StudentFactory)
    full_name = "Ахметова Гүлнар"
    phone = "+7 701 000 0000"


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    student = factory.SubFactory(StudentFactory)
    assistant = factory.SubFactory(UserFactory)
    start = date(2026, 9, 1)


def person(
    kind,
    *,
    school=None,
    organisation=None,
    speciality="",
    district=None,
    region=None,
    **user_kwargs,
) -> User:
    user = UserFactory(**user_kwargs)
    Role.objects.create(
        user=user,
        kind=kind,
        school=school,
        organisation=organisation,
        speciality=speciality,
        district=district,
        region=region,
    )
    return user


# A minimal valid PDF header: enough for the content check of uploads.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = "students.Consent"

    student = factory.SubFactory(StudentFactory)
    given_by = "Ахметова Гүлнар"
    given_on = date(2026, 9, 1)
    scope = "Оқушының дербес деректерін өңдеу"
    document = factory.django.FileField(filename="consent.pdf", data=PDF_BYTES)


# --- the course (course/, grading/) ----------------------------------------------------------


def course():
    # The migration's rows are gone after a browser test flushed the database.
    from course.programme import ensure_programme

    return ensure_programme()


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = "course.Cohort"

    organisation = factory.SubFactory(OrganisationFactory)
    course = factory.LazyFunction(course)
    name = factory.Sequence(lambda n: f"2026-{n}")
    start = date(2026, 11, 9)
    end = date(2026, 11, 20)
    test_open = True


def enrolment(cohort, **user_kwargs):
    """A listener (with the listener role) enrolled in the cohort."""
    from course.models import Enrolment

    listener = person(RoleKind.LISTENER, **user_kwargs)
    return Enrolment.objects.create(
        cohort=cohort, listener=listener, sort_key=kazakh_sort_key(listener.full_name)
    )


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = "course.Task"

    cohort = factory.SubFactory(CohortFactory)
    kind = "case_task"
    module = factory.LazyAttribute(lambda o: o.cohort.course.modules.get(number=1))
    title = factory.Sequence(lambda n: f"Тапсырма {n}")
    deadline = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


def question_bank(organisation, *, per_module=4, multiple_every=5):
    """`per_module` questions in each of the five modules; choice 1 (and 3 for multiple) correct."""
    from course.models import Module
    from course.services import question_create

    questions = []
    for module in Module.objects.filter(course=course()).order_by("number"):
        for i in range(per_module):
            multiple = multiple_every and (i + 1) % multiple_every == 0
            questions.append(
                question_create(
                    organisation=organisation,
                    course=course(),
                    data={
                        "module": module,
                        "kind": "multiple" if multiple else "single",
                        "text_kk": f"{module.number}.{i} сұрақ",
                        "text_ru": f"{module.number}.{i} вопрос",
                    },
                    choices=[
                        ("иә", "да", True),
                        ("жоқ", "нет", False),
                        ("мүмкін", "возможно", bool(multiple)),
                    ],
                )
            )
    return questions


def graded(cohort, *, tu=80, test=80, **user_kwargs):
    """An enrolment with one past-deadline task scored `tu` and a submitted final test `test`
    (so TU = tu and, with tu ≥ 50 and the final grade ≥ 55, eligible for a certificate)."""
    from decimal import Decimal

    from course.models import Attempt, Score, Task

    e = enrolment(cohort, **user_kwargs)
    task = Task.objects.filter(cohort=cohort).first() or TaskFactory(cohort=cohort)
    Score.objects.create(enrolment=e, task=task, value=Decimal(str(tu)))
    if test is not None:
        now = timezone.now()
        Attempt.objects.create(
            enrolment=e,
            number=1,
            started_at=now,
            deadline=now,
            submitted_at=now,
            score=Decimal(str(test)),
            on_paper=True,
        )
    return e


def certificate_row(enrolment, *, by=None, **fields):
    """A stored certificate without the render (access tests): a tiny PDF and a fresh code."""
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from course.certificates import new_code
    from course.models import Certificate

    cohort = enrolment.cohort
    now = timezone.now()
    cert = Certificate(
        enrolment=enrolment,
        serial=fields.pop("serial", f"2026-{enrolment.pk:06d}"),
        code=fields.pop("code", None) or new_code(),
        listener_name=enrolment.listener.full_name,
        course_title_kk=cohort.course.title_kk,
        course_title_ru=cohort.course.title_ru,
        organisation_name=cohort.organisation.name,
        hours=108,
        cohort_start=cohort.start,
        cohort_end=cohort.end,
        tu=Decimal(80),
        test=Decimal(80),
        final=Decimal(80),
        letter="B",
        issued_on=timezone.localdate(now),
        issued_at=now,
        issued_by=by or enrolment.listener,
        issuer_name="Әкімші",
        **fields,
    )
    cert.pdf.save(f"test-{cert.code}.pdf", ContentFile(PDF_BYTES), save=False)
    cert.save()
    return cert
