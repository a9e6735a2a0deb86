from .places import places_of
from .roles import roles_of


def roles(request):
    """The user's roles for templates; loaded lazily, once per request."""
    return {
        "user_roles": lambda: roles_of(request.user),
        "admin_places": lambda: places_of(request.user),  # the school / organisation switcher
    }
