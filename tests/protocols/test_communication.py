"""Annex К between the parent and the specialists, walked
through the pages people use: the sheet, a new entry, a reply, the parent's home."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assistant_portal.notifications import services as notices
from assistant_portal.notifications.digest import WeekRange
from assistant_portal.notifications.models import DigestOutbox, Notification
from protocols import communication
from protocols.models import Protocol
from tests.protocols.factories import protocol_of

WEEK = "K:2026-11-16"  # a school week of the cast's year that has begun


@pytest.fixture
def mail(settings):
    from django.core import mail

    mail.outbox = []
    return mail.outbox


def _sheet_url(cast, key=WEEK):
    return reverse("protocols:sheet", args=[cast.pupil.pk, key])


def _write(client, who, cast, message, **extra):
    client.force_login(who)
    return client.post(_sheet_url(cast), {"message": message, **extra})


def _sheet(cast):
    return Protocol.objects.get(student=cast.pupil, annex="K", window_key=WEEK)


def test_parent_is_told_of_the_assistants_entry_and_finds_it_from_home(
    client, cast, mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = _write(
            client,
            cast.assistant,
            cast,
            "Бүгін әріптерді жақсы оқыды.",
            recommendations="Үйде 10 минут оқыңыз.",
        )
    assert r.status_code == 302
    sheet = _sheet(cast)
    assert sheet.status == "submitted"  # the staff's first entry makes the week's К done
    note = Notification.objects.get(user=cast.parent)
    assert note.url == _sheet_url(cast) and cast.pupil.full_name in note.title
    assert [m.to for m in mail] == [[cast.parent.email]]
    assert _sheet_url(cast) in mail[0].body
    # the parent's home lists the child's sheet with one unread entry and links to it
    client.force_login(cast.parent)
    home = client.get(reverse("home")).text
    assert _sheet_url(cast) in home
    assert re.search(r'data-unread="1"', home)
    # opened: the entry once, one reply box, the date in the user's format, the author's role
    client.cookies["django_language"] = "kk"
    page = client.get(_sheet_url(cast)).text
    assert page.count("Бүгін әріптерді жақсы оқыды.") == 1
    assert page.count('name="reply"') == 1
    assert not re.findall(r">[^<]*2026-\d\d-\d\d[^<]*<", page), re.findall(
        r".{40}2026-\d\d.{20}", page
    )  # no ISO date
    assert "педагог-ассистент" in page.lower()
    # reading marks the notice and the entry read
    assert Notification.objects.get(user=cast.parent).read_at is not None
    client.cookies["django_language"] = "en"
    assert 'data-unread="0"' in client.get(reverse("home")).text


def test_parent_replies_and_the_assistant_is_told(client, cast, django_capture_on_commit_callbacks):
    _write(client, cast.assistant, cast, "Дыбыстарды қайталаңыз.")
    key = _sheet(cast).data["entries"][0]["id"]
    client.force_login(cast.parent)
    url = reverse("protocols:reply", args=[_sheet(cast).pk])
    r = client.post(url, {"entry": key, "reply": ""})
    assert r.status_code == 400 and "This field is required." in r.text
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"entry": key, "reply": "<i>Жарайды</i>"})
    assert r.status_code == 302
    entry = _sheet(cast).data["entries"][0]
    assert entry["reply"] == "<i>Жарайды</i>" and entry["reply_author"] == cast.parent.full_name
    assert Notification.objects.filter(user=cast.assistant).count() == 1
    client.force_login(cast.assistant)
    page = client.get(_sheet_url(cast)).text
    assert "&lt;i&gt;Жарайды&lt;/i&gt;" in page
    # the assistant cannot answer their own entry, nor overwrite the parent's reply
    r = client.post(url, {"entry": key, "reply": "x"})
    assert r.status_code == 400 and _sheet(cast).data["entries"][0]["reply"] == "<i>Жарайды</i>"


def test_a_specialist_writes_with_their_role_and_the_parent_starts_an_entry(client, cast):
    _write(client, cast.specialist, cast, "Логопедиялық жаттығулар қосылды.")
    assert Notification.objects.filter(user=cast.parent).count() == 1
    entry = _sheet(cast).data["entries"][0]
    assert entry["author_role"] == "speech_therapist"
    r = _write(client, cast.parent, cast, "Үйде жаттығуларды жасадық.")
    assert r.status_code == 302
    # the parent's entry tells the staff side: the assistant and the specialist who wrote
    assert Notification.objects.filter(user=cast.assistant).count() == 1
    assert Notification.objects.filter(user=cast.specialist).count() == 1
    assert Notification.objects.filter(user=cast.psychologist).count() == 0
    roles = [e["author_role"] for e in _sheet(cast).data["entries"]]
    assert roles == ["speech_therapist", "parent"]
    client.force_login(cast.assistant)
    page = client.get(_sheet_url(cast)).text
    assert "speech therapist" in page and "parent / guardian" in page
    # the assistant may answer the parent's entry
    assert page.count('name="reply"') == 1


def test_a_parents_entry_alone_does_not_do_the_staffs_week(client, cast):
    _write(client, cast.parent, cast, "Сұрағым бар.")
    assert _sheet(cast).status == "draft"


def test_who_may_write_on_the_sheet(client, cast):
    for who in ("colleague", "foreign_specialist", "listener"):
        r = _write(client, getattr(cast, who), cast, "x")
        assert r.status_code == 404, who
    # the school administrator reads but does not write
    client.force_login(cast.school_admin)
    assert client.post(_sheet_url(cast), {"message": "x"}).status_code == 404
    assert not Protocol.objects.filter(annex="K").exists()
    # a week that has not begun, or a key that is no week of this pupil
    client.force_login(cast.assistant)
    assert client.post(_sheet_url(cast, "K:2027-05-17"), {"message": "x"}).status_code == 404
    assert client.get(_sheet_url(cast, "K:nonsense")).status_code == 404
    r = client.post(_sheet_url(cast), {"message": "   "})
    assert (
        r.status_code == 400 and "This field is required." in r.text or "Write a message" in r.text
    )


def test_the_sheet_is_not_edited_as_a_form(client, cast):
    k = protocol_of(cast, annex="K", window_key=WEEK, data={"entries": []})
    client.force_login(cast.assistant)
    assert client.get(reverse("protocols:edit", args=[k.pk])).status_code == 302
    for name in ("edit", "autosave", "submit"):
        r = client.post(reverse(f"protocols:{name}", args=[k.pk]), {"revision": 1})
        assert r.status_code == 404, name
    window = reverse("protocols:window", args=[cast.pupil.pk, "K", WEEK])
    assert client.get(window)["Location"] == _sheet_url(cast)
    assert client.post(window, {"action": "save"}).status_code == 404


def test_entries_written_before_ids_are_shown_once_and_answerable(client, cast):
    """Sheets kept as the assistant's form before К became a thread: no id, an ISO date string."""
    entries = [{"entry_date": "2026-11-17", "author": "логопед", "message": "Ескі жазба."}]
    protocol_of(cast, annex="K", window_key=WEEK, data={"entries": entries})
    client.force_login(cast.parent)
    page = client.get(_sheet_url(cast)).text
    assert page.count("Ескі жазба.") == 1 and page.count('name="reply"') == 1
    assert "11/17/2026" in page and "2026-11-17" not in page
    key = re.search(r'name="entry" value="([^"]+)"', page).group(1)
    r = client.post(
        reverse("protocols:reply", args=[_sheet(cast).pk]), {"entry": key, "reply": "Иә"}
    )
    assert r.status_code == 302 and _sheet(cast).data["entries"][0]["reply"] == "Иә"


def test_the_weekly_digest_has_a_line_per_entry_from_the_other_side(
    client, cast, django_capture_on_commit_callbacks
):
    _write(client, cast.specialist, cast, "Жаттығулар.")
    _write(client, cast.parent, cast, "Рақмет, жасаймыз.")
    # the digest of the Monday after the entries
    next_monday = WeekRange.of(timezone.localdate()).start + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        notices.digests_create(week=WeekRange.of(next_monday))
    parent = DigestOutbox.objects.get(recipient=cast.parent)
    assert cast.specialist.full_name in parent.body_text and _sheet_url(cast) in parent.body_text
    assert cast.parent.full_name not in parent.body_text.split("\n", 1)[1]  # not their own
    for staff in (cast.assistant, cast.specialist):
        body = DigestOutbox.objects.get(recipient=staff).body_text
        assert cast.parent.full_name in body, staff
    assert not DigestOutbox.objects.filter(recipient=cast.psychologist).exists()


@pytest.mark.parametrize("weeks", [1, 6])
def test_the_parents_home_queries_do_not_grow_with_sheets(
    client, cast, weeks, django_assert_num_queries
):
    from datetime import date, timedelta

    for n in range(weeks):
        monday = date(2026, 11, 16) - timedelta(days=7 * n)
        communication.sheet_entry_add(
            pupil=cast.pupil,
            window_key=f"K:{monday.isoformat()}",
            by=cast.specialist,
            message="Жазба",
            today=monday + timedelta(days=1),
        )
    client.force_login(cast.parent)
    # 1 session, 2 user, 3 roles; 4 the children, 5 their sheets, 6 the user's read marks,
    # 7 the child's current year with its holidays (this week's sheet); 8 next steps;
    # 9 visible pupils with their assistants (the pupil table, at render)
    with django_assert_num_queries(9):
        r = client.get(reverse("home"))
    assert r.text.count("data-unread=") == weeks
