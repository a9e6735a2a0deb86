"""Issue #12 defect 10: the assistant is told when the support team returns or approves their
conclusion (Г) — in the notification list and by e-mail, as they prefer."""

import pytest
from django.urls import reverse

from assistant_portal.notifications.models import Notification, NotificationPreference
from protocols import services
from protocols.models import Status

from .review_factories import CONCLUSION, submitted_conclusion


@pytest.fixture
def mail():
    from django.core import mail

    mail.outbox = []
    return mail.outbox


def _decide(client, p, action, **comments):
    data = {"revision": p.revision, "action": action}
    data.update({f"comment_{k or 'general'}": v for k, v in comments.items()})
    return client.post(reverse("protocols:decide", args=[p.pk]), data)


def test_return_then_approval_reach_the_assistant(
    cast, client, mail, django_capture_on_commit_callbacks
):
    p = submitted_conclusion(cast)
    client.force_login(cast.specialist)
    with django_capture_on_commit_callbacks(execute=True):
        assert _decide(client, p, "returned", goals="Мақсаттарды нақтылаңыз.").status_code == 302
    (note,) = Notification.objects.filter(user=cast.assistant)
    assert note.url == p.get_absolute_url() and cast.pupil.full_name in note.title
    assert cast.specialist.full_name in note.body
    assert [m.to for m in mail] == [[cast.assistant.email]]
    assert not Notification.objects.filter(user=cast.specialist).exists()
    # the assistant resubmits; the psychologist approves; the assistant wants no e-mail now
    NotificationPreference.objects.create(user=cast.assistant, email=False, in_app=True)
    p.refresh_from_db()
    p = services.protocol_submit(
        protocol=p,
        by=cast.assistant,
        data={**CONCLUSION, "goals": "Нақты мақсат."},
        filled_on=p.filled_on,
        seen_revision=p.revision,
    )
    client.force_login(cast.psychologist)
    with django_capture_on_commit_callbacks(execute=True):
        assert _decide(client, p, "approved").status_code == 302
    p.refresh_from_db()
    assert p.status == Status.APPROVED
    assert Notification.objects.filter(user=cast.assistant).count() == 2
    assert len(mail) == 1  # no second e-mail: the preference says in-app only
    client.force_login(cast.assistant)
    page = client.get(reverse("notifications:list")).text
    assert p.get_absolute_url() in page
