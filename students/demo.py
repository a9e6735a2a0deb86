"""Demo data: one school, its 2026–27 calendar, staff of every school role, 30 pupils."""

from datetime import date

from assistant_portal.accounts.models import RoleKind, Speciality, User

from . import services
from .models import AcademicYear, Guardian, Holiday, School, Student

PASSWORD = "demo-pass-2026"  # noqa: S105  printed on purpose: demo logins only

LAST = ["Ахметов", "Серікқызы", "Нұрланов", "Әбдірахманова", "Жақсылықов", "Қасымова",
        "Омаров", "Исаева", "Төлеубаев", "Мұратова", "Бекова", "Сағынтаев", "Ғабитов",
        "Үсенова", "Іскаков"]  # fmt: skip
FIRST = ["Айбек", "Аружан", "Нұрсұлтан", "Әсел", "Данияр", "Жансая", "Ерасыл", "Іңкәр",
         "Темірлан", "Ұлпан", "Мирас", "Айгерім", "Өркен", "Дана", "Ғалым"]  # fmt: skip
CATEGORIES = ["speech", "autism", "delay", "intellectual", "hearing", "emotional"]


def user(email: str, name: str, language: str = "kk") -> User:
    u = User.objects.filter(email=email).first()
    if u is None:
        u = User.objects.create_user(email, PASSWORD, full_name=name, language=language)
    return u


def load(ctx: dict) -> None:
    school, _ = School.objects.get_or_create(
        name_kk="№ 12 жалпы білім беретін мектеп",
        defaults={
            "name_ru": "Общеобразовательная школа № 12",
            "city": "Алматы",
            "contact": "+7 727 300 12 12, inclusion12@demo.kz",
        },
    )
    ctx["school"] = school
    year, created = AcademicYear.objects.get_or_create(
        school=school,
        start=date(2026, 9, 1),
        defaults={"end": date(2027, 5, 25), "half_year_end": date(2026, 12, 29)},
    )
    if created:
        for name, start, end, grades in [
            ("Күзгі каникул", date(2026, 10, 26), date(2026, 11, 1), []),
            ("Тәуелсіздік күні", date(2026, 12, 16), date(2026, 12, 17), []),
            ("Қысқы каникул", date(2026, 12, 30), date(2027, 1, 8), []),
            ("1-сыныптарға қосымша каникул", date(2027, 2, 8), date(2027, 2, 14), [1]),
            ("Көктемгі каникул", date(2027, 3, 19), date(2027, 3, 29), []),
            ("Мереке күндері", date(2027, 5, 1), date(2027, 5, 1), []),
            ("Отан қорғаушылар күні", date(2027, 5, 7), date(2027, 5, 7), []),
            ("Жеңіс күні", date(2027, 5, 9), date(2027, 5, 10), []),
        ]:
            Holiday.objects.create(year=year, name=name, start=start, end=end, grades=grades)

    admin = user("admin@demo.kz", "Жанар Сапарова")
    services.role_grant(user=admin, kind=RoleKind.SCHOOL_ADMIN, school=school)
    ctx["logins"].append(("school administrator", admin.email))
    for i, spec in enumerate(Speciality.values, start=1):
        s = user(
            f"{spec.replace('_', '-')}@demo.kz", f"{LAST[i]} {FIRST[i]}", "ru" if i % 2 else "kk"
        )
        services.role_grant(user=s, kind=RoleKind.SPECIALIST, school=school, speciality=spec)
        ctx["logins"].append((f"specialist: {spec}", s.email))
    assistants = []
    for i in range(1, 7):
        a = user(f"assistant{i}@demo.kz", f"{LAST[-i]} {FIRST[-i]}")
        services.role_grant(user=a, kind=RoleKind.ASSISTANT, school=school)
        assistants.append(a)
    ctx["logins"].append(("teaching assistant", assistants[0].email))
    ctx["assistants"] = assistants

    if Student.objects.filter(school=school).exists():
        ctx["pupils"] = list(Student.objects.filter(school=school))
        return
    pupils = []
    for n in range(30):
        grade = 1 + n % 9
        pupil = services.student_create(
            school=school,
            data={
                "last_name": LAST[n % 15],
                "first_name": FIRST[(n * 7) % 15],
                "birth_date": date(2026 - 6 - grade, 1 + n % 12, 1 + n % 28),
                "grade": grade,
                "class_letter": "АӘБ"[n % 3],
                "sen_category": CATEGORIES[n % len(CATEGORIES)],
                "joined": date(2026, 9, 1) if n < 28 else date(2026, 11, 16),
                "pmpc_number": f"{100 + n}",
                "pmpc_date": date(2026, 5, 20),
                "pmpc_valid_until": date(2028, 5, 20),
                "pmpc_text": "Педагог-ассистенттің сүйемелдеуі ұсынылады.",
            },
        )
        Guardian.objects.create(
            student=pupil, full_name=f"{LAST[n % 15]}а Гүлнар", relation="анасы",
            phone=f"+7 701 000 {n:04d}",
        )  # fmt: skip
        services.assignment_assign(
            student=pupil, assistant=assistants[n // 5], start=pupil.joined, by=admin
        )
        pupils.append(pupil)
    ctx["pupils"] = pupils

    parent = user("parent@demo.kz", "Гүлнар Ахметова")
    services.role_grant(user=parent, kind=RoleKind.PARENT, school=school)
    Guardian.objects.filter(student=pupils[0]).update(user=parent)
    ctx["logins"].append(("parent", parent.email))
