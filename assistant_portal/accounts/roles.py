"""What a request's user may do, read once per request."""

from dataclasses import dataclass, field
from functools import cached_property

from assistant_portal.annotations import AnyUser

from .models import Role, RoleKind, Speciality


@dataclass
class UserRoles:
    """The active roles of one user, loaded with one query and kept on the request."""

    roles: list[Role] = field(default_factory=list)

    @classmethod
    def for_user(cls, user: AnyUser) -> "UserRoles":
        if not user.is_authenticated:
            return cls()
        cache = getattr(user, "_roles_cache", None)
        if cache is None:
            qs = Role.objects.filter(user=user, archived_at__isnull=True)
            cache = cls(list(qs.select_related("school", "organisation", "district", "region")))
            user._roles_cache = cache  # type: ignore[attr-defined]  # memo on the request's user
        return cache

    def _of(self, kind: str) -> list[Role]:
        return [r for r in self.roles if r.kind == kind]

    @cached_property
    def kinds(self) -> set[str]:
        return {r.kind for r in self.roles}

    def has(self, *kinds: str) -> bool:
        return bool(self.kinds.intersection(kinds))

    @cached_property
    def staff_school_ids(self) -> set[int]:
        """Schools where the user is a specialist or school administrator."""
        # A school role always has its school (the role_school_when_school_role constraint);
        # the `is not None` tests here say so to the type checker.
        return {
            r.school_id
            for r in self.roles
            if r.kind in (RoleKind.SPECIALIST, RoleKind.SCHOOL_ADMIN) and r.school_id is not None
        }

    @cached_property
    def admin_school_ids(self) -> set[int]:
        return {r.school_id for r in self._of(RoleKind.SCHOOL_ADMIN) if r.school_id is not None}

    @cached_property
    def specialist_school_ids(self) -> set[int]:
        return {r.school_id for r in self._of(RoleKind.SPECIALIST) if r.school_id is not None}

    @cached_property
    def psychologist_school_ids(self) -> set[int]:
        return {
            r.school_id
            for r in self._of(RoleKind.SPECIALIST)
            if r.speciality == Speciality.PSYCHOLOGIST and r.school_id is not None
        }

    @cached_property
    def organisation_ids(self) -> set[int]:
        return {
            r.organisation_id
            for r in self._of(RoleKind.COURSE_ADMIN)
            if r.organisation_id is not None
        }

    @cached_property
    def oversight_district_ids(self) -> set[int]:
        return {r.district_id for r in self._of(RoleKind.OVERSIGHT) if r.district_id}

    @cached_property
    def oversight_region_ids(self) -> set[int]:
        return {r.region_id for r in self._of(RoleKind.OVERSIGHT) if r.region_id}

    @cached_property
    def fingerprint(self) -> frozenset[tuple[object, ...]]:
        """Everything of the roles that an access rule may read: equal for two users' roles
        exactly when the rules give them the same statement (with their own user id)."""
        return frozenset(
            (r.kind, r.speciality, r.school_id, r.organisation_id, r.district_id, r.region_id)
            for r in self.roles
        )

    @property
    def is_assistant(self) -> bool:
        return RoleKind.ASSISTANT in self.kinds


def roles_of(user: AnyUser) -> UserRoles:
    return UserRoles.for_user(user)
