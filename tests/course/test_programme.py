"""The programme as data: loaded by the migration, totals computed (SPEC §4)."""

from django.urls import reverse

from course.models import Topic
from course.programme import ensure_programme
from course.selectors import programme


def test_programme_loaded(db):
    course = ensure_programme()  # the migration's rows (or the same file loaded again)
    assert course.modules.count() == 5
    assert Topic.objects.filter(module__course=course).count() == 25
    plan = programme(course)
    assert plan["totals"] == {"lecture": 40, "practical": 30, "self_study": 25, "masterclass": 5}
    assert plan["modules_total"] == 100
    assert plan["classroom"] == 70
    assert plan["course_total"] == 108
    assert all(row["total"] == 20 for row in plan["rows"])


def test_programme_page_shows_computed_totals(client, cast, django_assert_num_queries):
    client.force_login(cast.listener)
    # session, user, roles (menu), course, modules, topics
    with django_assert_num_queries(6):
        r = client.get(reverse("course:programme"))
    html = r.content.decode()
    assert 'id="total-lecture">40<' in html
    assert 'id="total-modules">100<' in html
    assert 'id="total-course">108<' in html
    assert "Жобалық және зерттеушілік оқыту" in html or "1.1" in html


def test_programme_in_russian(client, cast):
    client.force_login(cast.course_admin)
    r = client.get(reverse("course:programme"), HTTP_ACCEPT_LANGUAGE="ru")
    client.cookies["django_language"] = "ru"
    r = client.get(reverse("course:programme"))
    assert "Теоретико-правовые основы" in r.content.decode()
