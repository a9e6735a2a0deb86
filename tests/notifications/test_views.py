"""The in-app notification list, its unread badge, and the reminder settings page."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from assistant_portal.notifications.models import (
    DigestOutbox,
    Notification,
    NotificationPreference,
)

from .conftest import SEPT_14


def _note(user, title="Апталық хабарлама", **kw):
    return Notification.objects.create(user=user, title=title, body="https://x.kz/p/1/", **kw)


def test_list_shows_only_my_notifications_and_the_unread_badge(client, cast):
    mine = _note(cast.assistant, title="Менің хабарламам")
    _note(cast.colleague, title="Әріптестің хабарламасы")
    client.force_login(cast.assistant)
    r = client.get(reverse("notifications:list"))
    assert r.status_code == 200
    assert list(r.context["page"]) == [mine]
    html = r.content.decode()
    assert "Әріптестің хабарламасы" not in html
    assert 'href="https://x.kz/p/1/"' in html  # links in the text are clickable
    badge = client.get(reverse("notifications:badge")).content.decode()
    assert '<span class="badge text-bg-warning">1<' in badge


def test_mark_read_and_mark_all(client, cast):
    first, second = _note(cast.assistant), _note(cast.assistant)
    client.force_login(cast.assistant)
    r = client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert r.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    client.post(reverse("notifications:mark_all_read"))
    second.refresh_from_db()
    assert second.read_at is not None
    assert (
        "badge text-bg-warning" not in client.get(reverse("notifications:badge")).content.decode()
    )


def test_someone_elses_notification_is_not_found(client, cast):
    theirs = _note(cast.colleague)
    client.force_login(cast.assistant)
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_are_saved(client, cast):
    client.force_login(cast.assistant)
    r = client.post(
        reverse("notifications:preferences"), {"in_app": "on", "muted_until": "2026-11-01"}
    )
    assert r.status_code == 302
    pref = NotificationPreference.objects.get(user=cast.assistant)
    assert (pref.email, pref.in_app, pref.muted_until) == (False, True, date(2026, 11, 1))
    r = client.get(reverse("notifications:preferences"))
    assert r.context["form"].initial["muted_until"] == date(2026, 11, 1)


def test_bad_preferences_are_refused_and_kept(client, cast):
    client.force_login(cast.assistant)
    r = client.post(
        reverse("notifications:preferences"),
        {"email": "on", "muted_until": "31.02.2026"},
        HTTP_ACCEPT_LANGUAGE="kk",
    )
    assert r.status_code == 400
    assert "muted_until" in r.context["form"].errors
    assert r.context["form"].data["email"] == "on"
    assert not NotificationPreference.objects.filter(user=cast.assistant).exists()


def test_command_dry_run_prints_and_writes_nothing(cast, capsys):
    call_command("send_digests", "--week", "2026-09-16", "--dry-run")
    out = capsys.readouterr().out
    assert "week of 2026-09-14" in out
    assert cast.assistant.email in out and cast.pupil.full_name in out
    assert cast.specialist.email not in out  # nothing to say to them: no empty digest
    assert not DigestOutbox.objects.exists() and not Notification.objects.exists()


def test_command_sends_and_is_safe_to_repeat(
    cast, mail_outbox, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--week", SEPT_14.isoformat())
    sent = len(mail_outbox)
    assert sent == DigestOutbox.objects.count() == 5
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--week", SEPT_14.isoformat())
    assert len(mail_outbox) == sent
    assert "0 digest(s) queued" in capsys.readouterr().out


@pytest.mark.parametrize("n", [3, 30])
def test_list_query_count_is_constant(client, cast, n, django_assert_num_queries):
    for _ in range(n):
        _note(cast.assistant)
    client.force_login(cast.assistant)
    # 1 session, 2 user, 3 count for the pager, 4 the page's notifications, 5 roles (menu),
    # 6 unread count (the "mark all as read" button)
    with django_assert_num_queries(6):
        r = client.get(reverse("notifications:list"))
    assert len(r.context["page"]) == min(n, 20)
