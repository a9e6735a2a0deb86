"""Which school or training organisation an administrator of several is working in (an admin
of two schools used to get the lowest id, silently).

The choice is kept on the user (`User.chosen_school`, `User.chosen_organisation`), so it holds
across sessions and devices; it counts only while the user still administers that place, else
the lowest id is the default. Pages that create something for "my school" (a pupil, an import,
a year) or "my organisation" (a cohort, a question) ask here; lists still show every place the
user administers.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from .models import User
from .roles import roles_of


@dataclass(frozen=True)
class Places:
    """What the switcher shows: the places (id, name) and the chosen id, per kind."""

    schools: list
    school_id: int | None
    organisations: list
    organisation_id: int | None


def _chosen(chosen_id: int | None, ids: set[int]) -> int | None:
    if not ids:
        return None
    return chosen_id if chosen_id in ids else min(ids)


def admin_school(user):
    """The school this administrator is working in; 404 for anyone else."""
    from students.models import School

    chosen = _chosen(getattr(user, "chosen_school_id", None), roles_of(user).admin_school_ids)
    if chosen is None:
        raise Http404
    return School.objects.get(pk=chosen)


def admin_organisation(user):
    """The training organisation this course administrator is working in; 404 for others."""
    from course.models import TrainingOrganisation

    chosen = _chosen(getattr(user, "chosen_organisation_id", None), roles_of(user).organisation_ids)
    if chosen is None:
        raise Http404
    return TrainingOrganisation.objects.get(pk=chosen)


def places_of(user) -> Places:
    """For the navbar: read from the roles already loaded for the request (no query)."""
    roles = roles_of(user)
    schools = {r.school_id: r.school for r in roles.roles if r.school_id in roles.admin_school_ids}
    organisations = {
        r.organisation_id: r.organisation
        for r in roles.roles
        if r.organisation_id in roles.organisation_ids
    }
    return Places(
        schools=sorted(schools.items()),
        school_id=_chosen(getattr(user, "chosen_school_id", None), set(schools)),
        organisations=sorted(organisations.items()),
        organisation_id=_chosen(getattr(user, "chosen_organisation_id", None), set(organisations)),
    )


@transaction.atomic
def place_choose(*, user: User, school_id: int | None = None, organisation_id: int | None = None):
    """Remember where an administrator works; only a place they administer."""
    roles = roles_of(user)
    fields = []
    if school_id is not None:
        if school_id not in roles.admin_school_ids:
            raise ValidationError(_("You do not administer this school."))
        user.chosen_school_id = school_id
        fields.append("chosen_school")
    if organisation_id is not None:
        if organisation_id not in roles.organisation_ids:
            raise ValidationError(_("You do not administer this organisation."))
        user.chosen_organisation_id = organisation_id
        fields.append("chosen_organisation")
    if fields:
        user.save(update_fields=fields)
    return user
