"""The one write path (autosave, save, submit) as the edit page uses it: one person's saves in
one tab never conflict with each other, another tab's or person's do, and two first saves of an
empty window at once never give a 500."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from protocols import services
from protocols.models import Protocol, Status

from .factories import protocol_of
from .review_factories import returned
from .test_forms import VALID


def _autosave_url(p):
    return reverse("protocols:autosave", args=[p.pk])


def _window_url(cast):
    return reverse("protocols:window", args=[cast.pupil.pk, "A", "A:september"])


@pytest.fixture
def assistant(client, cast):
    client.force_login(cast.assistant)
    return client


def test_save_pressed_while_the_pages_autosave_is_in_flight_is_not_a_conflict(assistant, cast):
    p = protocol_of(cast)
    # The page was loaded at revision 1; its autosave is answered (revision 2) only after the
    # browser has already posted Save with the form's revision 1.
    r = assistant.post(
        _autosave_url(p), {"revision": 1, "client_token": "tab-1", "family": "Толық"}
    )
    assert r.status_code == 200 and r.json()["revision"] == 2
    r = assistant.post(
        p.get_absolute_url(),
        {"revision": 1, "client_token": "tab-1", "family": "Толық отбасы", "action": "save"},
    )
    assert r.status_code == 302, r.content.decode()[:300]
    p.refresh_from_db()
    assert p.data == {"family": "Толық отбасы"} and p.versions.count() == 1


def test_resubmitting_a_returned_conclusion_while_autosaving_is_not_a_conflict(assistant, cast):
    p = protocol_of(cast, annex="G", window_key="G:september", status=Status.SUBMITTED)
    p = returned(p, by=cast.specialist, comments={"goals": "Нақты."})
    seen = p.revision
    page = {"revision": seen, "client_token": "tab-1", "filled_on": "2026-09-11", **VALID["G"]}
    assistant.post(_autosave_url(p), {**page, "goals": "Нақты мақсат"})
    r = assistant.post(
        reverse("protocols:submit", args=[p.pk]), {**page, "goals": "Нақты мақсаттар."}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == Status.SUBMITTED and p.data["goals"] == "Нақты мақсаттар."


def test_an_old_revision_with_the_stored_values_is_not_a_conflict(assistant, cast):
    p = protocol_of(cast, data={"family": "бірдей"}, revision=3, updated_by=cast.colleague)
    r = assistant.post(p.get_absolute_url(), {"revision": 2, "family": "бірдей"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.revision == 4 and p.versions.count() == 1


def test_two_tabs_of_the_same_user_conflict_and_the_panel_lists_what_differs(assistant, cast):
    p = protocol_of(cast, data={"strengths": "бірдей"})
    same = {"revision": 1, "strengths": "бірдей"}
    r = assistant.post(
        _autosave_url(p), {**same, "client_token": "tab-1", "family": "Бірінші беттің мәтіні"}
    )
    assert r.status_code == 200
    r = assistant.post(
        _autosave_url(p), {**same, "client_token": "tab-2", "family": "Екінші беттің мәтіні"}
    )
    assert r.status_code == 409
    html = r.json()["conflict_html"]
    assert "You changed this protocol in another tab or window" in html
    assert "Бірінші беттің мәтіні" in html and "Екінші беттің мәтіні" in html
    assert "Family and living situation" in html and "Strengths" not in html  # only what differs
    assert Protocol.objects.get(pk=p.pk).data["family"] == "Бірінші беттің мәтіні"


def test_the_same_tab_conflicts_once_someone_else_wrote_in_between(assistant, cast):
    p = protocol_of(cast)
    assistant.post(_autosave_url(p), {"revision": 1, "client_token": "tab-1", "family": "a"})
    services.protocol_autosave(
        protocol=p, by=cast.colleague, data={"family": "b"}, filled_on=None, seen_revision=2
    )
    r = assistant.post(_autosave_url(p), {"revision": 2, "client_token": "tab-1", "family": "c"})
    assert r.status_code == 409
    assert "Someone else saved this protocol after you opened it." in r.json()["conflict_html"]


def test_a_review_step_after_the_tabs_own_submission_still_conflicts(assistant, cast):
    """The review bumps the revision without writing the data: the tab's mark no longer holds."""
    p = protocol_of(cast, annex="G", window_key="G:september")
    page = {"revision": 1, "client_token": "tab-1", "filled_on": "2026-09-11", **VALID["G"]}
    assistant.post(reverse("protocols:submit", args=[p.pk]), page)
    returned(Protocol.objects.get(pk=p.pk), by=cast.specialist, comments={"goals": "x"})
    r = assistant.post(_autosave_url(p), {**page, "revision": 2, "goals": "жаңа"})
    assert r.status_code == 409


# --- Two first saves of an empty window at once, on two real connections ------------------


def _race(cast, monkeypatch, posts: list[dict]) -> list[int]:
    """Post each body to the empty window from its own thread (and database connection); both
    requests get past "no protocol yet" before either inserts, as in a double click."""
    barrier = threading.Barrier(len(posts), timeout=20)
    full_clean = Protocol.full_clean

    def both_inside(self, *args, **kwargs):
        if self._state.adding:  # the window's new row: wait for the other request
            barrier.wait()
        return full_clean(self, *args, **kwargs)

    monkeypatch.setattr(Protocol, "full_clean", both_inside)
    statuses = [0] * len(posts)

    def post(i: int, body: dict) -> None:
        browser = Client(raise_request_exception=False)
        browser.force_login(cast.assistant)
        try:
            statuses[i] = browser.post(_window_url(cast), body).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, b)) for i, b in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_double_click_on_save_of_an_empty_window_saves_once_without_a_500(cast, monkeypatch):
    body = {"action": "save", "client_token": "tab-1", "family": "Толық отбасы"}
    assert _race(cast, monkeypatch, [body, body]) == [302, 302]
    p = Protocol.objects.get()
    assert p.data == {"family": "Толық отбасы"} and p.versions.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_tabs_saving_an_empty_window_at_once_get_a_conflict_not_a_500(cast, monkeypatch):
    first = {"action": "autosave", "client_token": "tab-1", "family": "Бірінші"}
    second = {"action": "save", "client_token": "tab-2", "family": "Екінші"}
    statuses = _race(cast, monkeypatch, [first, second])
    assert sorted(statuses) in ([200, 409], [302, 409]), statuses
    (p,) = Protocol.objects.all()
    assert p.data["family"] in ("Бірінші", "Екінші")  # the winner's text; the other is shown


def test_a_locked_protocol_is_refused_with_the_reason(assistant, cast):
    p = protocol_of(cast, annex="G", window_key="G:september", status=Status.UNDER_REVIEW)
    r = assistant.post(_autosave_url(p), {"revision": 1, "strengths": "x"})
    assert r.status_code == 400 and "cannot be changed now" in r.json()["error"]
    r = assistant.post(p.get_absolute_url(), {"revision": 1, "strengths": "x"})
    assert r.status_code == 302 and Protocol.objects.get(pk=p.pk).data == {}


def test_the_page_carries_a_fresh_token_per_load(assistant, cast):
    p = protocol_of(cast)
    tokens = {
        assistant.get(p.get_absolute_url()).text.split('name="client_token" value="')[1][:22]
        for _ in range(2)
    }
    assert len(tokens) == 2 and all(len(t) == 22 for t in tokens)


def test_filled_on_is_part_of_what_is_compared(assistant, cast):
    p = protocol_of(cast, filled_on=date(2026, 9, 3), revision=2, updated_by=cast.colleague)
    r = assistant.post(p.get_absolute_url(), {"revision": 1, "filled_on": "2026-09-04"})
    assert r.status_code == 409
