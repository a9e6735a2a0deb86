"""Demo: a region with two districts; the demo school and four small schools in them, and
two oversight logins (the region, one district). Summaries are written as the nightly task
would."""

from datetime import date

from django.utils import timezone

from assistant_portal.accounts.models import RoleKind
from students import services as students
from students.demo import FIRST, LAST, user
from students.models import AcademicYear, District, Region, School

from . import services

SCHOOLS = [  # (district index, name kk, name ru, pupils)
    (0, "№ 45 гимназия", "Гимназия № 45", 12),
    (0, "№ 78 мектеп-лицей", "Школа-лицей № 78", 3),
    (1, "№ 101 жалпы білім беретін мектеп", "Общеобразовательная школа № 101", 8),
    (1, "№ 16 мектеп", "Школа № 16", 6),
]


def _school(district: District, name_kk: str, name_ru: str, pupils: int, n: int) -> School:
    school, created = School.objects.get_or_create(
        name_kk=name_kk, defaults={"name_ru": name_ru, "city": "Алматы", "district": district}
    )
    if not created:
        return school
    AcademicYear.objects.create(
        school=school,
        start=date(2026, 9, 1),
        end=date(2027, 5, 25),
        half_year_end=date(2026, 12, 29),
    )
    assistant = user(f"assistant-s{n}@demo.kz", f"{LAST[n]} {FIRST[n + 1]}")
    students.role_grant(user=assistant, kind=RoleKind.ASSISTANT, school=school)
    for i in range(pupils):
        grade = 1 + i % 9
        pupil = students.student_create(
            school=school,
            data={
                "last_name": LAST[(i + n) % 15],
                "first_name": FIRST[(i * 5 + n) % 15],
                "birth_date": date(2026 - 6 - grade, 1 + i % 12, 1 + i % 28),
                "grade": grade,
                "class_letter": "А",
                "joined": date(2026, 9, 1),
                "sen_category": "speech",
            },
        )
        students.assignment_assign(
            student=pupil, assistant=assistant, start=date(2026, 9, 1), by=assistant
        )
    return school


def load(ctx: dict) -> None:
    region, _ = Region.objects.get_or_create(
        name_kk="Алматы қаласы", defaults={"name_ru": "город Алматы"}
    )
    districts = [
        District.objects.get_or_create(region=region, name_kk=kk, defaults={"name_ru": ru})[0]
        for kk, ru in [
            ("Алмалы ауданы", "Алмалинский район"),
            ("Бостандық ауданы", "Бостандыкский район"),
        ]
    ]
    School.objects.filter(pk=ctx["school"].pk, district__isnull=True).update(district=districts[0])
    schools = [ctx["school"]]
    for n, (d, kk, ru, pupils) in enumerate(SCHOOLS, start=1):
        schools.append(_school(districts[d], kk, ru, pupils, n))
    head = user("oversight@demo.kz", "Сәуле Жұмабаева", "ru")
    students.role_grant(user=head, kind=RoleKind.OVERSIGHT, region=region)
    ctx["logins"].append(("oversight: region", head.email))
    local = user("district@demo.kz", "Ерлан Тоқтаров")
    students.role_grant(user=local, kind=RoleKind.OVERSIGHT, district=districts[0])
    ctx["logins"].append(("oversight: district", local.email))
    today = timezone.localdate()
    for school in School.objects.filter(pk__in=[s.pk for s in schools]):
        services.refresh_school(school=school, today=today)
