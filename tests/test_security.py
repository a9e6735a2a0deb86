"""Issue #9, the request side: CSRF, dead sessions, idle and absolute timeouts, the second
factor, the client address behind a proxy, headers."""

import json
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from assistant_portal.security import sessions
from assistant_portal.security.client_ip import client_ip
from students.models import Student
from tests.factories import UserFactory

# --- CSRF and sessions ------------------------------------------------------------------------


def test_forged_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.school_admin)
    client.get(reverse("students:edit", args=[cast.pupil.pk]))  # sets the real CSRF cookie
    r = client.post(
        reverse("students:archive", args=[cast.pupil.pk]),
        {"csrfmiddlewaretoken": "forged" * 8},
    )
    assert r.status_code == 403
    assert Student.objects.get(pk=cast.pupil.pk).archived_at is None


def test_replayed_csrf_token_of_another_session_is_refused(cast):
    other = Client(enforce_csrf_checks=True)
    other.force_login(cast.specialist)
    other.get(reverse("home"))
    stolen = other.cookies["csrftoken"].value
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.school_admin)
    client.get(reverse("home"))
    r = client.post(
        reverse("students:archive", args=[cast.pupil.pk]), {"csrfmiddlewaretoken": stolen}
    )
    assert r.status_code == 403
    assert Student.objects.get(pk=cast.pupil.pk).archived_at is None


def test_cookie_of_a_logged_out_session_is_refused(client, cast):
    client.force_login(cast.school_admin)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies["sessionid"] = cookie
    r = replay.get(reverse("students:pupil", args=[cast.pupil.pk]))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))


def _age_session(client, *, idle: float = 0, total: float = 0):
    session = client.session
    now = time.time()
    session[sessions.STARTED] = now - total
    session[sessions.LAST_ACTIVE] = now - idle
    session.save()


def test_idle_session_ends(client, cast, settings):
    client.force_login(cast.assistant)
    _age_session(client, idle=settings.SESSION_IDLE_SECONDS + 1, total=3600)
    url = reverse("students:pupil", args=[cast.pupil.pk])
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))
    assert "next=" in r["Location"]
    # really signed out, not just redirected once
    assert client.get(url).status_code == 302


def test_idle_end_for_htmx_is_a_full_redirect(client, cast, settings):
    client.force_login(cast.assistant)
    _age_session(client, idle=settings.SESSION_IDLE_SECONDS + 1)
    r = client.get(reverse("students:pupil", args=[cast.pupil.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 401 and r["HX-Redirect"].startswith(reverse("accounts:login"))


def test_absolute_end_even_when_active(client, cast, settings):
    client.force_login(cast.assistant)
    _age_session(client, idle=10, total=settings.SESSION_ABSOLUTE_SECONDS + 1)
    r = client.get(reverse("home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))


def test_activity_extends_but_background_polling_does_not(client, cast, settings):
    client.force_login(cast.assistant)
    idle = settings.SESSION_IDLE_SECONDS - 100
    _age_session(client, idle=idle)
    r = client.get(reverse("home"), HTTP_X_BACKGROUND="1")
    assert r.status_code == 200
    assert int(r["X-Session-Seconds-Left"]) <= 100  # not extended
    r = client.get(reverse("home"))  # typing, autosave, a page: extends
    assert int(r["X-Session-Seconds-Left"]) >= settings.SESSION_IDLE_SECONDS - 5


def test_keep_alive_extends_and_page_carries_the_warning(client, cast, settings):
    client.force_login(cast.assistant)
    _age_session(client, idle=settings.SESSION_IDLE_SECONDS - 60)
    r = client.get(reverse("home"), HTTP_X_BACKGROUND="1")
    html = r.content.decode()
    assert 'data-session-left="' in html and 'id="session-warning"' in html
    assert "js/session.js" in html
    r = client.post(reverse("security:keep_alive"))
    assert r.json()["seconds_left"] >= settings.SESSION_IDLE_SECONDS - 5


def test_anonymous_pages_have_no_session_clock(client, db):
    html = client.get(reverse("privacy")).content.decode()
    assert "data-session-left" not in html and "session.js" not in html


# --- second factor ----------------------------------------------------------------------------


def _token(device) -> str:
    # A wrong code before throttles the device for a second (django-otp): reset it.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def strict_school(cast):
    cast.school.require_admin_2fa = True
    cast.school.save(update_fields=["require_admin_2fa"])
    return cast.school


def test_admin_of_a_strict_school_must_set_up_totp(client, cast, strict_school):
    client.force_login(cast.school_admin)
    url = reverse("students:pupil", args=[cast.pupil.pk])
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("security:otp_setup"))
    r = client.get(r["Location"])
    assert r.status_code == 200 and r.context["qr"].startswith("data:image/svg+xml")
    device = TOTPDevice.objects.get(user=cast.school_admin)
    bad = client.post(reverse("security:otp_setup"), {"token": "000000", "next": url})
    assert bad.status_code == 400 and "token" in bad.context["form"].errors
    r = client.post(reverse("security:otp_setup"), {"token": _token(device), "next": url})
    assert r.status_code == 302 and r["Location"] == url
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(url).status_code == 200


def test_next_sign_in_asks_for_the_code(client, cast, strict_school):
    device = TOTPDevice.objects.create(user=cast.school_admin, name="default", confirmed=True)
    client.force_login(cast.school_admin)
    r = client.get(reverse("home"))
    assert r["Location"].startswith(reverse("security:otp_verify"))
    r = client.post(reverse("security:otp_verify"), {"token": "123"})
    assert r.status_code == 400
    r = client.post(reverse("security:otp_verify"), {"token": _token(device), "next": "/"})
    assert r.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_password_alone_cannot_enrol_a_new_device(client, cast, strict_school):
    TOTPDevice.objects.create(user=cast.school_admin, name="default", confirmed=True)
    client.force_login(cast.school_admin)
    r = client.get(reverse("security:otp_setup"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("security:otp_verify"))
    assert TOTPDevice.objects.filter(user=cast.school_admin).count() == 1


def test_course_admins_of_a_strict_organisation_must_use_totp(client, cast):
    organisation = cast.course_admin.roles.get().organisation
    client.force_login(cast.course_admin)
    assert client.get(reverse("home")).status_code == 200  # not required yet
    organisation.require_admin_2fa = True
    organisation.save(update_fields=["require_admin_2fa"])
    r = client.get(reverse("home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("security:otp_setup"))
    # a listener of that organisation's cohort is not an administrator: not asked
    client.force_login(cast.listener)
    assert client.get(reverse("home")).status_code == 200


def test_anyone_may_turn_on_the_second_factor(client, cast):
    client.force_login(cast.assistant)
    assert (
        reverse("security:otp_setup")
        in client.get(reverse("accounts:password_change")).content.decode()
    )
    r = client.get(reverse("security:otp_setup"))
    assert r.status_code == 200
    device = TOTPDevice.objects.get(user=cast.assistant, confirmed=False)
    r = client.post(reverse("security:otp_setup"), {"token": _token(device)})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_offsite_next_is_ignored(client, cast, strict_school):
    device = TOTPDevice.objects.create(user=cast.school_admin, name="default", confirmed=True)
    client.force_login(cast.school_admin)
    r = client.post(
        reverse("security:otp_verify"), {"token": _token(device), "next": "https://evil.example/"}
    )
    assert r["Location"] == reverse("home")


def test_others_are_not_asked(client, cast, strict_school):
    client.force_login(cast.assistant)  # not an admin
    assert client.get(reverse("home")).status_code == 200
    client.force_login(cast.foreign_admin)  # admin of a school without the rule
    assert client.get(reverse("home")).status_code == 200


# --- client address ---------------------------------------------------------------------------


class _Req:
    def __init__(self, remote, xff=None):
        self.META = {"REMOTE_ADDR": remote}
        if xff is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = xff


def test_client_ip_ignores_forwarded_for_without_a_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_Req("10.0.0.5", "1.2.3.4")) == "10.0.0.5"


def test_client_ip_behind_one_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # the client forged "1.2.3.4"; the proxy appended the address it really saw
    assert client_ip(_Req("172.18.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_Req("172.18.0.2")) == "172.18.0.2"
    assert client_ip(_Req("172.18.0.2", "not-an-ip")) == "172.18.0.2"


def test_forged_forwarded_for_behind_a_proxy_does_not_bypass_lockout(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="c@example.kz")
    login = reverse("accounts:login")
    for i in range(6):
        client.post(
            login,
            {"username": "c@example.kz", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 198.51.100.7",
        )
    r = client.post(
        login,
        {"username": "c@example.kz", "password": "pass-1234-word"},
        HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7",
    )
    assert r.status_code == 429
    # a colleague at another real address is not locked out
    r = client.post(
        login,
        {"username": "c@example.kz", "password": "pass-1234-word"},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert r.status_code == 302


# --- headers and the privacy notice -----------------------------------------------------------


def test_pupil_page_headers(client, cast):
    client.force_login(cast.assistant)
    r = client.get(reverse("students:pupil", args=[cast.pupil.pk]))
    assert "no-store" in r["Cache-Control"]
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in r["Content-Security-Policy"]
    assert "unsafe-inline" not in r["Content-Security-Policy"]


@pytest.mark.parametrize(
    "lang,text", [("kk", "Құпиялылық"), ("ru", "конфиденциальности"), ("en", "Privacy notice")]
)
def test_privacy_notice_is_public_in_three_languages(client, db, lang, text):
    r = client.get(reverse("privacy"), HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 200 and text in r.content.decode()


def test_footer_links_the_notice(client, db):
    assert reverse("privacy") in client.get(reverse("accounts:login")).content.decode()


def test_htmx_keeps_no_page_copies_in_browser_storage(client, cast):
    """SPEC §7: htmx's history cache would copy whole pages (children's data) into
    sessionStorage; its size is 0 on every page."""
    client.force_login(cast.assistant)
    html = client.get(reverse("students:pupil", args=[cast.pupil.pk])).text
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config and json.loads(config.group(1))["historyCacheSize"] == 0
