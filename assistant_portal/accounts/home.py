"""What the home page shows besides the user's roles: each feature app registers a *provider*
in its own `home.py` (found by `autodiscover_modules("home")` in AccountsConfig.ready()), a
function

    provider(user: User, roles: UserRoles, today: date) -> dict[str, object]

that returns the template context it adds for this user (nothing when the user's roles have
no use for it). The accounts app never imports a feature by name: the dependency points from
the features to the base layer, as for the weekly digest (notifications/digest.py).
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from .models import User
from .roles import UserRoles

HomeProvider = Callable[[User, UserRoles, date], dict[str, Any]]

# name -> provider; a second registration under the same name replaces the first
PROVIDERS: dict[str, HomeProvider] = {}


def register(name: str) -> Callable[[HomeProvider], HomeProvider]:
    def decorator(fn: HomeProvider) -> HomeProvider:
        PROVIDERS[name] = fn
        return fn

    return decorator


def home_context(*, user: User, roles: UserRoles, today: date) -> dict[str, Any]:
    """Every provider's part of the home page's context."""
    ctx: dict[str, Any] = {}
    for provider in PROVIDERS.values():
        ctx.update(provider(user, roles, today))
    return ctx
