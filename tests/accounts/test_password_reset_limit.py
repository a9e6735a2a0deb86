"""Password reset has a limit: 15 requests in 2 s sent 15 e-mails. At most
3 an hour go to one address, at most 10 requests an hour come from one client, and the answer
is always the same."""

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory


def _ask(client, email, ip="203.0.113.5"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_fifteen_requests_send_three_emails_with_the_same_answer(client, db):
    UserFactory(email="victim@example.kz")
    answers = {
        (r.status_code, r["Location"])
        for r in (_ask(client, "victim@example.kz") for _ in range(15))
    }
    assert answers == {(302, reverse("accounts:password_reset_done"))}
    assert len(mail.outbox) == 3


def test_the_address_limit_holds_across_clients_and_letter_case(client, db):
    UserFactory(email="victim@example.kz")
    for i in range(6):
        _ask(client, "Victim@Example.kz" if i % 2 else "victim@example.kz", ip=f"198.51.100.{i}")
    assert len(mail.outbox) == 3


def test_one_client_is_limited_across_addresses(client, db):
    for i in range(12):
        UserFactory(email=f"user{i}@example.kz")
    answers = {_ask(client, f"user{i}@example.kz")["Location"] for i in range(12)}
    assert len(answers) == 1
    assert len(mail.outbox) == 10
    _ask(client, "user11@example.kz", ip="192.0.2.77")  # another client still gets through
    assert len(mail.outbox) == 11


@override_settings(PASSWORD_RESET_PER_ADDRESS=1)
def test_the_limit_is_a_setting_and_the_next_hour_resets_it(client, db, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    UserFactory(email="a@example.kz")
    _ask(client, "a@example.kz")
    _ask(client, "a@example.kz")
    assert len(mail.outbox) == 1
    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    _ask(client, "a@example.kz")
    assert len(mail.outbox) == 2
