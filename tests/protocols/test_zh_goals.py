"""Annex Ж carries its goals through the year: the II half-year programme
opens with the I half-year's goals, the report with the programme's open goals, and the report
cannot be submitted without a result and a comment per goal. Everything goes through the
pages, as the assistant fills them."""

from django.urls import reverse

from protocols.models import Protocol, Status

from .page_form import form_values
from .test_forms import VALID

GOAL = VALID["ZH"]["goals"][0]


def _window(cast, key):
    return reverse("protocols:window", args=[cast.pupil.pk, "ZH", key])


def _goals(rows: list[dict]) -> dict:
    data = {"goals-TOTAL_FORMS": str(len(rows)), "goals-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data |= {f"goals-{i}-{k}": str(v) for k, v in row.items()}
    return data


def _first_half(client, cast):
    rows = [{**GOAL, "goal": "сәлемдесу"}, {**GOAL, "area": "learning", "goal": "кезек күту"}]
    r = client.post(
        _window(cast, "ZH:programme_1"),
        {"action": "submit", "filled_on": "2026-11-20", **_goals(rows)},
    )
    assert r.status_code == 302


def test_second_half_starts_from_the_first_halfs_goals(client, cast):
    client.force_login(cast.assistant)
    _first_half(client, cast)
    page = form_values(client.get(_window(cast, "ZH:programme_2")).text)
    assert page["goals-TOTAL_FORMS"] == "2"
    assert [page["goals-0-goal"], page["goals-1-goal"]] == ["сәлемдесу", "кезек күту"]
    assert page["goals-0-continuation"] == page["goals-1-continuation"] == "carried"
    assert page["goals-0-tasks"] == GOAL["tasks"]


def test_report_lists_open_goals_and_needs_a_result_and_comment_each(client, cast):
    client.force_login(cast.assistant)
    _first_half(client, cast)
    # The II half-year: the page's own rows, one goal closed.
    second = form_values(client.get(_window(cast, "ZH:programme_2")).text)
    second |= {"goals-1-continuation": "closed", "action": "submit", "filled_on": "2026-11-21"}
    assert client.post(_window(cast, "ZH:programme_2"), second).status_code == 302

    report = form_values(client.get(_window(cast, "ZH:report")).text)
    assert report["goals-TOTAL_FORMS"] == "1" and report["goals-0-goal"] == "сәлемдесу"
    report |= {"action": "submit", "filled_on": "2026-11-23"}
    r = client.post(_window(cast, "ZH:report"), report)
    assert r.status_code == 400
    assert "Give the result of this goal." in r.text and "Add a comment on the result." in r.text
    protocol = Protocol.objects.get(window_key="ZH:report")
    assert protocol.status != Status.SUBMITTED

    page = form_values(client.get(protocol.get_absolute_url()).text)
    page |= {"goals-0-achievement": "partly", "goals-0-evidence": "Таныс адамдармен сәлемдеседі."}
    r = client.post(reverse("protocols:submit", args=[protocol.pk]), page)
    protocol.refresh_from_db()
    assert r.status_code == 302 and protocol.status == Status.SUBMITTED
    assert protocol.data["goals"][0]["achievement"] == "partly"


def test_a_programme_without_results_submits_as_before(client, cast):
    client.force_login(cast.assistant)
    _first_half(client, cast)
    assert Protocol.objects.get(window_key="ZH:programme_1").status == Status.SUBMITTED
