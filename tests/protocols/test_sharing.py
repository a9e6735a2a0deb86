"""Issue #15 item 2 (SPEC §7): what a parent sees of their child, and sharing with parents —
recorded, withdrawable, exactly what is shared — walked through the pages."""

import pytest
from django.urls import reverse

from protocols import sharing
from protocols.models import ParentShare, Protocol
from protocols.review import services as review_services
from tests.factories import GuardianFactory

from .review_factories import submitted_conclusion

PMPC = "Логопедтің көмегі, аптасына 2 сабақ."


@pytest.fixture
def world(cast):
    cast.school.contact = "Инклюзия жөніндегі орынбасар: +7 727 000 00 00"
    cast.school.save()
    cast.pupil.pmpc_text = PMPC
    cast.pupil.save()
    other = GuardianFactory(student=cast.pupil, full_name="Ахметов Ерлан", phone="+7 777 123 4567")
    return other


def _approved_conclusion(cast) -> Protocol:
    g = submitted_conclusion(cast)
    review_services.review_decide(
        protocol=g, by=cast.specialist, outcome="approved", seen_revision=g.revision,
        text="Бекітілді.",
    )  # fmt: skip
    g.refresh_from_db()
    return g


def _card(client, cast):
    client.force_login(cast.parent)
    r = client.get(reverse("students:pupil", args=[cast.pupil.pk]), follow=True)
    assert r.redirect_chain[-1][0] == reverse("protocols:child", args=[cast.pupil.pk])
    return r.text


def test_the_parents_card_shows_the_basics_and_nothing_unshared(client, cast, world):
    page = _card(client, cast)
    assert cast.pupil.full_name in page and cast.pupil.class_name in page
    assert cast.assistant.full_name in page and "+7 727 000 00 00" in page
    assert PMPC not in page and "SEN category" not in page
    assert world.phone not in page and cast.guardian.phone not in page
    assert "The school has not shared any protocol with you." in page


def test_admin_shares_an_approved_conclusion_then_withdraws_it(client, cast, world):
    g = _approved_conclusion(cast)
    approved = g.versions.get(status="approved")
    client.force_login(cast.school_admin)
    url = reverse("protocols:shares", args=[cast.pupil.pk])
    assert client.get(url).status_code == 200
    r = client.post(url, {"guardian": cast.guardian.pk, "kind": "version", "version": approved.pk})
    assert r.status_code == 302
    share = ParentShare.objects.get()
    assert (share.shared_by, share.guardian, share.version) == (
        cast.school_admin, cast.guardian, approved,
    )  # fmt: skip
    assert share.shared_at is not None
    client.post(url, {"guardian": cast.guardian.pk, "kind": "version", "version": approved.pk})
    assert ParentShare.objects.count() == 1  # a second click shares nothing twice
    # the parent sees exactly that version, and nothing of the other versions or the protocol
    page = _card(client, cast)
    shown = reverse("protocols:shared_version", args=[approved.pk])
    assert shown in page
    r = client.get(shown)
    assert r.status_code == 200 and "Нұсқауды өз бетінше орындау." in r.text
    for other in g.versions.exclude(pk=approved.pk):
        assert client.get(reverse("protocols:shared_version", args=[other.pk])).status_code == 404
    assert client.get(reverse("protocols:edit", args=[g.pk])).status_code == 404
    # the other guardian has nothing shared
    other_parent = _parent_of(world)
    client.force_login(other_parent)
    assert client.get(shown).status_code == 404
    # withdrawn: recorded, and the parent no longer sees it
    client.force_login(cast.school_admin)
    client.post(reverse("protocols:share_withdraw", args=[share.pk]))
    share.refresh_from_db()
    assert share.withdrawn_by == cast.school_admin and share.withdrawn_at is not None
    assert cast.school_admin.full_name in client.get(url).text
    client.force_login(cast.parent)
    assert client.get(shown).status_code == 404
    assert shown not in _card(client, cast)


def _parent_of(guardian):
    from assistant_portal.accounts.models import RoleKind
    from tests.factories import person

    user = person(RoleKind.PARENT, school=guardian.student.school)
    guardian.user = user
    guardian.save()
    return user


def test_an_annex_policy_shares_every_approved_version_and_only_admins_set_it(client, cast):
    client.force_login(cast.assistant)
    url = reverse("protocols:shares", args=[cast.pupil.pk])
    r = client.post(url, {"guardian": cast.guardian.pk, "kind": "annex", "annex": "G"})
    assert r.status_code == 400 and not ParentShare.objects.exists()
    client.force_login(cast.school_admin)
    r = client.post(url, {"guardian": cast.guardian.pk, "kind": "annex", "annex": "G"})
    assert r.status_code == 302
    g = submitted_conclusion(cast)
    client.force_login(cast.parent)
    assert not sharing.parent_card(cast.parent, cast.pupil).versions  # not approved yet
    g = _approved_conclusion(cast)
    (version,) = sharing.parent_card(cast.parent, cast.pupil).versions
    assert version.status == "approved" and version.protocol == g
    assert client.get(reverse("protocols:shared_version", args=[version.pk])).status_code == 200


def test_card_parts_are_shown_only_once_shared(client, cast, world):
    client.force_login(cast.assistant)
    url = reverse("protocols:shares", args=[cast.pupil.pk])
    for kind in ("pmpc", "guardians", "sen_category"):
        assert client.post(url, {"guardian": cast.guardian.pk, "kind": kind}).status_code == 302
    page = _card(client, cast)
    assert PMPC in page and world.phone in page and "SEN category" in page


def test_who_may_share(client, cast):
    url = reverse("protocols:shares", args=[cast.pupil.pk])
    for who in ("colleague", "specialist", "parent", "foreign_admin"):
        client.force_login(getattr(cast, who))
        assert client.get(url).status_code == 404, who
        assert client.post(url, {"guardian": cast.guardian.pk, "kind": "pmpc"}).status_code == 404
    assert not ParentShare.objects.exists()


def test_the_parents_pupil_list_has_no_sen_category(client, cast):
    client.force_login(cast.parent)
    page = client.get(reverse("students:list")).text
    assert cast.pupil.full_name in page and "SEN category" not in page
    client.force_login(cast.assistant)
    assert "SEN category" in client.get(reverse("students:list")).text
