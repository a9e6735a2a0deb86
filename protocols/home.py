"""The protocols' part of the home page (assistant_portal/accounts/home.py): the assistant's
week, the support team's queue, a parent's sheets, everyone's next steps."""

from datetime import date
from typing import Any

from assistant_portal.accounts.home import register
from assistant_portal.accounts.models import User
from assistant_portal.accounts.roles import UserRoles

from .access import children_of
from .communication import parent_sheets
from .review.selectors import my_next_steps, waiting_for_review
from .selectors import assistant_dashboard


@register("protocols")
def protocols(user: User, roles: UserRoles, today: date) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    if roles.is_assistant:
        ctx["board"] = assistant_dashboard(user, today)
    if roles.specialist_school_ids:
        ctx["review_waiting"] = waiting_for_review(user)
    if roles.has("parent"):
        # The sheets of the user's children with unread counts.
        ctx["child_sheets"] = parent_sheets(
            user, children_of(user).select_related("school"), today=today
        )
    ctx["next_steps"] = my_next_steps(user)
    return ctx
