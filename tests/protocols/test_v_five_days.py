"""Annex В over the first five school days: the school's core subjects and PE are listed, and
a missing one is a warning on submit, never a refusal."""

from django.urls import reverse

from protocols.models import Protocol, Status

from .test_forms import VALID

LESSON = VALID["V"]["lessons"][0]
CORE = ["kazakh", "russian", "literacy", "maths", "science"]


def _posted(subjects: list[str]) -> dict:
    """The В form as the page posts it: one lesson row per subject, over the first days."""
    data = {
        "action": "submit",
        "filled_on": "2026-09-04",
        "adaptations": VALID["V"]["adaptations"],
        "lessons-TOTAL_FORMS": str(len(subjects)),
        "lessons-INITIAL_FORMS": "0",
    }
    for i, subject in enumerate(subjects):
        for key, value in {**LESSON, "subject": subject}.items():
            data[f"lessons-{i}-{key}"] = str(value)
        data[f"lessons-{i}-lesson_date"] = f"2026-09-0{1 + i % 4}"
    return data


def _window(cast):
    return reverse("protocols:window", args=[cast.pupil.pk, "V", "V:september"])


def test_missing_pe_warns_but_the_protocol_is_submitted(client, cast):
    client.force_login(cast.assistant)
    r = client.post(_window(cast), _posted(CORE))
    protocol = Protocol.objects.get(annex="V")
    assert r.status_code == 302 and protocol.status == Status.SUBMITTED
    assert len(protocol.data["lessons"]) == 5
    page = client.get(protocol.get_absolute_url()).text
    assert 'id="checklist-warning"' in page
    warning = page.split('id="checklist-warning"')[1].split("</p>")[0]
    assert "Physical education" in warning and "Mathematics" not in warning


def test_every_core_subject_and_pe_observed_no_warning(client, cast):
    client.force_login(cast.assistant)
    client.post(_window(cast), _posted([*CORE, "pe"]))
    page = client.get(Protocol.objects.get(annex="V").get_absolute_url()).text
    assert 'id="checklist"' in page and 'id="checklist-warning"' not in page


def test_the_list_is_the_schools_core_subjects_and_pe(client, cast):
    cast.school.core_subjects = ["maths"]
    cast.school.save()
    client.force_login(cast.assistant)
    page = client.get(_window(cast)).text  # an empty window: nothing observed yet
    checklist = page.split('id="checklist"')[1].split("</section>")[0]
    assert "Mathematics" in checklist and "Physical education" in checklist
    assert "Kazakh language" not in checklist
