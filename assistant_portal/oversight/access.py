"""Who may see which part of the organisational tree: an oversight role's district, or every
district of its region. Outsiders get 404. No oversight path ever leads to a pupil."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from assistant_portal.accounts.roles import roles_of
from assistant_portal.annotations import AnyUser
from students.models import District, Region, School


def districts_visible_to(user: AnyUser) -> QuerySet[District]:
    roles = roles_of(user)
    return District.objects.active().filter(
        Q(pk__in=roles.oversight_district_ids) | Q(region_id__in=roles.oversight_region_ids)
    )


def regions_visible_to(user: AnyUser) -> QuerySet[Region]:
    return Region.objects.active().filter(pk__in=roles_of(user).oversight_region_ids)


def schools_visible_to(user: AnyUser) -> QuerySet[School]:
    return School.objects.active().filter(district__in=districts_visible_to(user))


def get_district_for_user(user: AnyUser, district_id: int) -> District:
    return get_object_or_404(districts_visible_to(user).select_related("region"), pk=district_id)


def get_region_for_user(user: AnyUser, region_id: int) -> Region:
    return get_object_or_404(regions_visible_to(user), pk=region_id)


def get_school_for_user(user: AnyUser, school_id: int) -> School:
    return get_object_or_404(schools_visible_to(user).select_related("district"), pk=school_id)
