"""The pupils' part of the home page (assistant_portal/accounts/home.py)."""

from datetime import date
from typing import Any

from assistant_portal.accounts.home import register
from assistant_portal.accounts.models import User
from assistant_portal.accounts.roles import UserRoles

from .selectors import pupil_list

HOME_PUPILS = 50  # the home page's short list; the pupils page has them all


@register("pupils")
def pupils(user: User, roles: UserRoles, today: date) -> dict[str, Any]:
    if not roles.has("assistant", "specialist", "school_admin", "parent"):
        return {}
    return {"pupils": pupil_list(user)[:HOME_PUPILS]}
