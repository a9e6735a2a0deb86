"""Protocol services: transitions, revision conflicts, versions, the Г review, the И sign-off."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from protocols import services
from protocols.models import Outcome, Protocol, ProtocolVersion, ReviewComment, Status
from protocols.review import services as review_services

from .factories import protocol_of
from .review_factories import returned
from .test_forms import VALID

FILLED = date(2026, 11, 20)


def _save(p, by, data=None, **kw):
    return services.protocol_save(
        protocol=p, by=by, data=data or {}, filled_on=FILLED, seen_revision=p.revision, **kw
    )


def _submit(p, by, data):
    return services.protocol_submit(
        protocol=p, by=by, data=data, filled_on=FILLED, seen_revision=p.revision
    )


def test_autosave_bumps_the_revision_without_a_version(cast):
    p = protocol_of(cast)
    p = services.protocol_autosave(
        protocol=p, by=cast.assistant, data={"family": "x"}, filled_on=None, seen_revision=1
    )
    assert p.revision == 2 and p.data == {"family": "x"}
    assert not p.versions.exists()


def test_a_stale_revision_is_refused_and_nothing_is_overwritten(cast):
    p = protocol_of(cast)
    services.protocol_autosave(
        protocol=p, by=cast.assistant, data={"family": "first"}, filled_on=None, seen_revision=1
    )
    with pytest.raises(services.StaleEdit) as e:
        services.protocol_autosave(
            protocol=p, by=cast.assistant, data={"family": "second"}, filled_on=None,
            seen_revision=1,
        )  # fmt: skip
    assert e.value.current.data == {"family": "first"}
    assert Protocol.objects.get(pk=p.pk).data == {"family": "first"}


def test_creating_a_window_twice_is_a_conflict_not_an_overwrite(cast):
    p = protocol_of(cast, data={"family": "mine"})
    with pytest.raises(services.StaleEdit):
        services.protocol_create(
            student=cast.pupil, year=p.year, annex="A", window_key="A:september", due=p.due,
            by=cast.assistant, data={"family": "theirs"},
        )  # fmt: skip
    assert Protocol.objects.get().data == {"family": "mine"}


def test_explicit_saves_and_submissions_freeze_versions(cast):
    p = protocol_of(cast)
    p = _save(p, cast.assistant, {"family": "a"})
    p = _submit(p, cast.assistant, VALID["A"])
    assert p.status == Status.SUBMITTED and p.submitted_at
    # editing a submitted protocol creates a new version; the submitted one stays
    p = _save(p, cast.assistant, {**VALID["A"], "family": "changed"})
    versions = list(p.versions.order_by("number").values_list("number", "status"))
    assert versions == [(1, "draft"), (2, "submitted"), (3, "submitted")]
    assert ProtocolVersion.objects.get(protocol=p, number=2).data["family"] == VALID["A"]["family"]


def test_submit_needs_the_required_fields(cast):
    p = protocol_of(cast)
    with pytest.raises(ValidationError):
        _submit(p, cast.assistant, {"family": "only this"})
    p.refresh_from_db()
    assert p.status == Status.DRAFT and p.revision == 1


def _conclusion(cast):
    p = protocol_of(cast, annex="G", window_key="G:september", due=date(2026, 9, 14))
    return _submit(p, cast.assistant, VALID["G"])


def _approve(p, by):
    decision = review_services.review_decide(
        protocol=p, by=by, outcome=Outcome.APPROVED, seen_revision=p.revision, text="Мақұлданды."
    )
    return decision.protocol


def test_conclusion_review_approve(cast):
    p = _conclusion(cast)
    p = review_services.review_comment(
        protocol=p, by=cast.specialist, comments={"strengths": "x"}, seen_revision=p.revision
    )
    assert p.status == Status.UNDER_REVIEW
    # under review the assistant cannot change it
    with pytest.raises(ValidationError):
        _save(p, cast.assistant, VALID["G"])
    p = _approve(p, cast.psychologist)
    assert p.status == Status.APPROVED and p.reviewed_by == cast.psychologist
    with pytest.raises(ValidationError):
        returned(p, by=cast.specialist, comments={"goals": "x"})


def test_conclusion_returned_with_comments_then_resubmitted(cast):
    p = _conclusion(cast)
    p = returned(p, by=cast.specialist, comments={"goals": "Нақтылаңыз.", "": "Жалпы."})
    assert p.status == Status.RETURNED
    assert set(ReviewComment.objects.values_list("section", "round")) == {("goals", 1), ("", 1)}
    p = _submit(p, cast.assistant, {**VALID["G"], "goals": "Нақты мақсаттар."})
    assert p.status == Status.SUBMITTED
    p = returned(p, by=cast.specialist, comments={"goals": "Тағы."})
    assert p.comments.filter(round=2).count() == 1 and p.comments.count() == 3


@pytest.mark.parametrize("who", ["assistant", "colleague", "school_admin", "foreign_specialist"])
def test_only_the_schools_support_team_decides(cast, who):
    p = _conclusion(cast)
    with pytest.raises(ValidationError):
        review_services.review_comment(
            protocol=p, by=getattr(cast, who), comments={"goals": "x"}, seen_revision=p.revision
        )
    with pytest.raises(ValidationError):
        _approve(p, getattr(cast, who))
    assert Protocol.objects.get(pk=p.pk).status == Status.SUBMITTED


def test_a_support_team_member_does_not_decide_on_their_own_conclusion(cast):
    p = protocol_of(cast, annex="G", window_key="G:september", author=cast.specialist)
    p.status = Status.SUBMITTED
    p.save()
    with pytest.raises(ValidationError):
        _approve(p, cast.specialist)


def test_return_needs_a_comment_on_a_real_section(cast):
    p = _conclusion(cast)
    with pytest.raises(ValidationError):
        returned(p, by=cast.specialist, comments={"goals": "  "})
    with pytest.raises(ValidationError):
        returned(p, by=cast.specialist, comments={"nope": "x"})


def _correction(cast):
    p = services.correction_open(
        student=cast.pupil, year=cast.school.years.get(), by=cast.assistant
    )
    assert p.window_key == "I:1" and p.due is None
    return _submit(p, cast.assistant, VALID["I"])


def test_correction_is_signed_off_by_the_school_psychologist_only(cast):
    p = _correction(cast)
    for who in ("assistant", "specialist", "school_admin", "foreign_specialist"):
        with pytest.raises(ValidationError):
            services.correction_sign_off(protocol=p, by=getattr(cast, who))
    p = services.correction_sign_off(protocol=p, by=cast.psychologist)
    assert p.signed_off_by == cast.psychologist and p.signed_off_at


def test_changing_a_signed_off_correction_needs_a_new_sign_off(cast):
    p = services.correction_sign_off(protocol=_correction(cast), by=cast.psychologist)
    p = _save(p, cast.assistant, VALID["I"])  # same text: the sign-off stands
    assert p.signed_off_at
    p = _save(p, cast.assistant, {**VALID["I"], "reinforcement": "Жаңа"})
    assert p.signed_off_at is None and p.signed_off_by is None


def test_a_draft_correction_cannot_be_signed_off(cast):
    p = services.correction_open(
        student=cast.pupil, year=cast.school.years.get(), by=cast.assistant
    )
    with pytest.raises(ValidationError):
        services.correction_sign_off(protocol=p, by=cast.psychologist)
    second = services.correction_open(
        student=cast.pupil, year=cast.school.years.get(), by=cast.assistant
    )
    assert second.window_key == "I:2"


def test_nothing_is_deleted(cast):
    p = _conclusion(cast)
    returned(p, by=cast.specialist, comments={"goals": "x"})
    with pytest.raises(Exception):  # noqa: B017, PT011  PROTECT: versions keep the protocol
        Protocol.objects.filter(pk=p.pk).delete()
    assert Protocol.objects.filter(pk=p.pk).exists()
