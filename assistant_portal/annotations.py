"""Names for annotations that Django's own types do not spell.

`type` statements are evaluated lazily, so the imports they need are for mypy only: importing
this module imports no model.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import _StrPromise

    from assistant_portal.accounts.models import User

# `request.user`: the signed-in user, or the anonymous one.
type AnyUser = User | AnonymousUser

# Text, or a `gettext_lazy` promise that becomes text in the language active when it is shown.
type StrOrPromise = str | _StrPromise
