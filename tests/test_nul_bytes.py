"""A NUL character never reaches PostgreSQL: `/pupils/?q=%00` answered 500
for every role. One middleware strips NULs from query strings and form fields and refuses other
bodies (JSON) and paths that carry one."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from students.models import Student

ROLES = [
    "assistant",
    "specialist",
    "psychologist",
    "school_admin",
    "course_admin",
    "listener",
    "parent",
]


@pytest.mark.parametrize("role", ROLES)
def test_pupil_search_with_a_nul_answers_for_every_role(client, cast, role):
    client.force_login(getattr(cast, role))
    r = client.get(reverse("students:list"), {"q": "Ахм\x00етов"})
    assert r.status_code == 200
    if role in ("assistant", "school_admin"):
        assert cast.pupil.last_name in r.content.decode()  # the rest of the search still works


@pytest.mark.parametrize(
    "url, params",
    [
        ("/course/verify/", {"code": "ABC\x00DEF"}),
        ("/accounts/login/", {"next": "/\x00"}),
        ("/notifications/", {"page": "1\x00"}),
    ],
)
def test_other_query_strings_with_a_nul(client, cast, url, params):
    client.force_login(cast.school_admin)
    r = client.get(url, params)
    assert r.status_code < 500  # "not found" for the code is fine; a 500 is not


def test_a_form_field_with_a_nul_is_saved_without_it(client, cast):
    client.force_login(cast.school_admin)
    r = client.post(
        reverse("students:new"),
        {
            "last_name": "Нұр\x00ланов",
            "first_name": "Ержан\x00",
            "birth_date": "2016-05-01",
            "grade": 3,
            "class_letter": "А",
            "sen_category": "speech",
            "joined": timezone.localdate().isoformat(),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    pupil = Student.objects.get(last_name="Нұрланов")
    assert pupil.first_name == "Ержан"


def test_a_nul_in_a_form_field_name_and_in_an_uploaded_file_name(client, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.school_admin)
    f = SimpleUploadedFile("pup\x00ils.csv", b"last_name\n")
    r = client.post(reverse("students:import"), {"file": f, "encoding": "auto", "x\x00": "1"})
    assert r.status_code in (200, 400)


def test_a_json_body_with_a_nul_is_refused_with_400(client, cast):
    client.force_login(cast.assistant)
    url = reverse("students:list")
    for body in ('{"text": "a\\u0000b"}', '{"text": "a\x00b"}'):
        r = client.post(url, data=body, content_type="application/json")
        assert r.status_code == 400
        assert "NUL" in json.loads(r.content)["error"]


def test_the_autosave_with_a_nul_in_a_json_body_is_refused(client, cast):
    from tests.protocols.factories import protocol_of

    protocol = protocol_of(cast)
    client.force_login(cast.assistant)
    url = reverse("protocols:autosave", args=[protocol.pk])
    r = client.post(url, data='{"data": {"notes": "a\\u0000"}}', content_type="application/json")
    assert r.status_code == 400


def test_the_autosave_form_with_a_nul_saves_the_text_without_it(client, cast):
    from protocols import annexes
    from protocols.forms import to_post
    from tests.protocols.factories import protocol_of

    protocol = protocol_of(cast)
    client.force_login(cast.assistant)
    post = to_post(
        annexes.get(protocol.annex), {"family": "Отбасы\x00 толық"}, revision=protocol.revision
    )
    r = client.post(reverse("protocols:autosave", args=[protocol.pk]), post)
    assert r.status_code == 200, r.content[:500]
    protocol.refresh_from_db()
    assert protocol.data["family"] == "Отбасы толық"


def test_a_nul_in_the_path_is_refused(client, cast):
    client.force_login(cast.school_admin)
    r = client.get("/course/verify/AB%00CD/")
    assert r.status_code in (400, 404)
