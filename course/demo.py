"""Demo data for the course: a training organisation, its course administrator, a cohort of
12 listeners with tasks and scores, and a bank of 25 real questions in Kazakh and Russian."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from assistant_portal.accounts.models import RoleKind
from students.demo import PASSWORD as DEMO_PASSWORD
from students.demo import user
from students.services import role_grant

from . import services
from .certificates import certificate_issue
from .demo_questions import QUESTIONS
from .models import Module, Question, Task, TrainingOrganisation
from .programme import ensure_programme

LISTENERS = [
    "Айгүл Сейітова",
    "Бауыржан Омаров",
    "Гүлмира Әлиева",
    "Дәурен Қасенов",
    "Еркежан Нұрова",
    "Жанна Бекова",
    "Зарина Төлеуова",
    "Ильяс Мұқанов",
    "Камила Ахметова",
    "Лаура Серікова",
    "Мадина Ғалиева",
    "Нұржан Үсенов",
]
# Scores of the twelve over the demo's six past tasks: a spread of standings.
SCORES = [
    [95, 90, 88, 92, 100, 94],
    [80, 75, "72.5", 85, 78, 81],
    [60, 55, 70, 65, 58, 62],
    [45, 40, 50, 38, 42, 47],
    [70, 72, 68, 75, 80, 66],
    [90, 85, 95, 88, 92, 91],
    [55, 50, 52, 58, 60, 49],
    [30, 25, 40, 35, None, 20],
    [85, 80, 82, 88, 90, 84],
    [65, 70, 60, 68, 72, 64],
    [75, 78, 80, 70, 74, 76],
    [100, 98, 96, 99, 97, 95],
]
# Listeners who finished (task 7 scored, final test on paper) and their test scores; the first
# gets a certificate in the demo, the others wait for the bulk issue.
FINISHED = {12: Decimal(95), 6: Decimal(85), 9: Decimal(75)}
CERTIFIED = 12


def _questions(org, course):
    """Real questions in Kazakh and Russian (course/demo_questions.py): five per module, so a
    20-question test is drawn from a bank of 25."""
    if Question.objects.filter(organisation=org).exists():
        return
    modules = {m.number: m for m in Module.objects.filter(course=course)}
    for module, text_kk, text_ru, choices in QUESTIONS:
        multiple = sum(1 for c in choices if c[2]) > 1
        services.question_create(
            organisation=org,
            course=course,
            data={
                "module": modules[module],
                "kind": "multiple" if multiple else "single",
                "text_kk": text_kk,
                "text_ru": text_ru,
            },
            choices=choices,
        )


def load(ctx: dict) -> None:
    org, _ = TrainingOrganisation.objects.get_or_create(
        name="«Өрлеу» біліктілікті арттыру орталығы"
    )
    course = ensure_programme()
    admin = user("course-admin@demo.kz", "Сәуле Жұмабаева")
    role_grant(user=admin, kind=RoleKind.COURSE_ADMIN, organisation=org)
    ctx["logins"].append(("course administrator", admin.email))
    _questions(org, course)
    cohort = org.cohorts.filter(name="2026-1").first()
    today = timezone.localdate()
    if cohort is None:
        start = today - timedelta(days=10)
        cohort = services.cohort_save(
            organisation=org,
            course=course,
            cohort=None,
            data={
                "name": "2026-1",
                "start": start,
                "end": start + timedelta(days=13),
                "trainers": "Ахметова Г.Б.\nСейітов Қ.Н.",
                "test_minutes": 45,
                "test_open": True,
                "require_test_pass": True,
            },
        )
        modules = list(Module.objects.filter(course=course).order_by("number"))
        tz = timezone.get_current_timezone()

        def at(days):
            return datetime.combine(start + timedelta(days=days), time(18, 0), tzinfo=tz)

        plan = [
            (Task.Kind.EXPRESS_SURVEY, 0, "Экспресс-сауалнама 1", 1),
            (Task.Kind.CASE_TASK, 1, "Кейс-тапсырма 1", 3),
            (Task.Kind.PROJECT_DEFENCE, 0, "Жобаны қорғау: 1-модуль", 4),
            (Task.Kind.INDEPENDENT_WORK, 2, "Өз бетінше жұмыс 1", 5),
            (Task.Kind.PROJECT_DEFENCE, 1, "Жобаны қорғау: 2-модуль", 6),
            (Task.Kind.PROJECT_DEFENCE, 2, "Жобаны қорғау: 3-модуль", 8),
            # Still ahead: the gradebook shows those listeners' TU as provisional until then.
            (Task.Kind.PROJECT_DEFENCE, 3, "Жобаны қорғау: 4-модуль", 20),
        ]
        tasks = [
            services.task_save(
                cohort=cohort,
                task=None,
                data={"kind": k, "module": modules[m], "title": title, "deadline": at(d)},
            )
            for k, m, title, d in plan
        ]
        for i, name in enumerate(LISTENERS, start=1):
            # Enrolled first (an account that exists already would be invited instead, issue
            # #14 item 8), then given the demo password like every demo login.
            enrolment = services.enrol(cohort=cohort, email=f"listener{i}@demo.kz", full_name=name)
            listener = user(f"listener{i}@demo.kz", name)
            listener.set_password(DEMO_PASSWORD)
            listener.save(update_fields=["password"])
            for task, value in zip(tasks[:6], SCORES[i - 1], strict=True):
                if value is not None:
                    services.score_set(
                        enrolment=enrolment,
                        task=task,
                        value=Decimal(str(value)),
                        by=admin,
                        reason="",
                    )
            if i == 1:  # listener1 has every score: the final test is open to them
                services.score_set(enrolment=enrolment, task=tasks[6], value=Decimal(90), by=admin)
            if i in FINISHED:  # wrote the final test on paper: eligible for a certificate
                services.score_set(enrolment=enrolment, task=tasks[6], value=Decimal(88), by=admin)
                services.paper_test_score(
                    enrolment=enrolment, score=FINISHED[i], by=admin, reason=""
                )
    ctx["logins"].append(("course listener", "listener1@demo.kz"))
    # One certificate issued (idempotent), so the public verification page can be tried; the
    # other finished listeners await the bulk issue.
    first = cohort.enrolments.get(listener__email=f"listener{CERTIFIED}@demo.kz")
    cert, _created = certificate_issue(enrolment=first, by=admin)
    ctx["logins"].append(("certificate (public verification)", cert.get_verify_url()))
