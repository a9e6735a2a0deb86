from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory


def test_login_with_email_remembers_language(client, db):
    user = UserFactory(email="aigerim@example.kz", language="ru")
    r = client.post(
        reverse("accounts:login"), {"username": "Aigerim@example.kz", "password": "pass-1234-word"}
    )
    assert r.status_code == 302
    assert r.cookies["django_language"].value == "ru"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_language_switch_is_saved_on_the_account(client, db):
    user = UserFactory()
    client.force_login(user)
    r = client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    r = client.get(reverse("home"))
    assert r.context["LANGUAGE_CODE"] == "en"


def test_kazakh_is_the_default(client, db):
    r = client.get(reverse("accounts:login"))
    assert r.context["LANGUAGE_CODE"] == "kk"
    assert 'lang="kk"' in r.content.decode()


def test_lockout_by_account_and_address(client, db):
    UserFactory(email="a@example.kz")
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "a@example.kz", "password": "wrong"})
    r = client.post(
        reverse("accounts:login"), {"username": "a@example.kz", "password": "pass-1234-word"}
    )
    assert r.status_code == 429
    # the same account from another address is not locked out
    r = client.post(
        reverse("accounts:login"),
        {"username": "a@example.kz", "password": "pass-1234-word"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert r.status_code == 302


def test_forged_forwarded_for_does_not_bypass_lockout(client, db):
    UserFactory(email="b@example.kz")
    for i in range(6):
        client.post(
            reverse("accounts:login"),
            {"username": "b@example.kz", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    r = client.post(
        reverse("accounts:login"),
        {"username": "b@example.kz", "password": "pass-1234-word"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert r.status_code == 429


def test_password_reset_does_not_reveal_accounts(client, db):
    UserFactory(email="known@example.kz")
    known = client.post(reverse("accounts:password_reset"), {"email": "known@example.kz"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.kz"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1


def test_home_is_role_aware(client, cast):
    client.force_login(cast.assistant)
    body = client.get(reverse("home")).content.decode()
    assert cast.pupil.last_name in body and cast.other_pupil.last_name not in body
    client.force_login(cast.course_admin)
    body = client.get(reverse("home")).content.decode()
    assert cast.pupil.last_name not in body


def test_pages_with_pupil_data_are_not_cached(client, cast):
    client.force_login(cast.assistant)
    r = client.get(reverse("students:pupil", args=[cast.pupil.pk]))
    assert "no-store" in r["Cache-Control"]
    assert "script-src 'self'" in r["Content-Security-Policy"]


def test_password_pages_share_the_form_page(client, db, settings):
    """One template (form_page.html) for the three password forms: title, form, extra link."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.get(reverse("accounts:password_reset"))
    assert '<h1 class="h3 mb-3">Reset password</h1>' in r.text and 'name="email"' in r.text
    bad = reverse("accounts:password_reset_confirm", args=["MQ", "set-password"])
    r = client.get(bad)
    assert "Set a new password</h1>" in r.text and "The link is invalid" in r.text
    client.force_login(UserFactory())
    r = client.get(reverse("accounts:password_change"))
    assert "<title>Change password" in r.text and 'name="old_password"' in r.text
    assert reverse("security:otp_setup") in r.text
