"""Issue #15 item 3: annex И is drawn up jointly with the school psychologist — they edit the
draft through the same page, both are named on the print, the sign-off stays as it was."""

from django.urls import reverse

from protocols import printing
from protocols.models import Protocol

from .test_forms import VALID


def _open_correction(client, cast) -> Protocol:
    client.force_login(cast.assistant)
    client.post(reverse("protocols:new_correction", args=[cast.pupil.pk]))
    return Protocol.objects.get(annex="I")


def _fields(**over):
    return {**VALID["I"], "filled_on": "2026-11-20", **over}


def test_the_psychologist_edits_the_draft_and_is_named_on_the_print(client, cast):
    p = _open_correction(client, cast)
    client.post(p.get_absolute_url(), {"revision": p.revision, **_fields(target="Ассистент")})
    p.refresh_from_db()
    # the psychologist opens the draft: an editable form, and saves their part
    client.force_login(cast.psychologist)
    page = client.get(p.get_absolute_url()).text
    assert 'name="prevention"' in page and 'data-autosave-url="' in page
    r = client.post(
        p.get_absolute_url(),
        {"revision": p.revision, **_fields(prevention="Психологтың стратегиясы")},
    )
    assert r.status_code == 302, r.text[:500]
    p.refresh_from_db()
    assert p.data["prevention"] == "Психологтың стратегиясы"
    assert p.co_author == cast.psychologist and p.author == cast.assistant
    r = client.post(
        reverse("protocols:autosave", args=[p.pk]), {"revision": p.revision, **_fields()}
    )
    assert r.status_code == 200
    # the assistant continues on the same protocol, then submits; the psychologist signs off
    p.refresh_from_db()
    client.force_login(cast.assistant)
    assert "Drawn up with the psychologist" in client.get(p.get_absolute_url()).text
    r = client.post(reverse("protocols:submit", args=[p.pk]), {"revision": p.revision, **_fields()})
    assert Protocol.objects.get(pk=p.pk).status == "submitted", r.status_code
    client.force_login(cast.psychologist)
    client.post(reverse("protocols:sign_off", args=[p.pk]))
    p.refresh_from_db()
    assert p.signed_off_by == cast.psychologist and p.co_author == cast.psychologist
    html = printing.protocol_html(p, language="en")
    assert cast.assistant.full_name in html and cast.psychologist.full_name in html


def test_only_the_schools_psychologist_co_edits_and_only_an_И(client, cast):
    p = _open_correction(client, cast)
    a = Protocol.objects.create(
        student=cast.pupil,
        year=p.year,
        annex="A",
        window_key="A:september",
        author=cast.assistant,
        updated_by=cast.assistant,
    )
    client.force_login(cast.psychologist)
    assert client.post(a.get_absolute_url(), {"revision": 1}).status_code == 404
    assert 'data-autosave-url="' not in client.get(a.get_absolute_url()).text
    for who in ("specialist", "foreign_specialist", "parent"):
        client.force_login(getattr(cast, who))
        r = client.post(reverse("protocols:autosave", args=[p.pk]), {"revision": p.revision})
        assert r.status_code == 404, who
    assert Protocol.objects.get(pk=p.pk).co_author is None
