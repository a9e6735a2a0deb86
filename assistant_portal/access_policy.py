"""Every URL of the project, classified in one place (deny by default).

tests/test_url_policy.py walks the URL configuration and fails for any pattern not listed
here, so a new page cannot ship without someone deciding who may open it.

- PUBLIC: anyone, signed in or not.
- LOGIN: any signed-in user; the view shows only what is theirs.
- ROLE: signed-in users with a role; objects are scoped by an access helper (outsiders: 404).
"""

PUBLIC = "public"
LOGIN = "login"
ROLE = "role"

POLICY: dict[str, str] = {
    # accounts
    "accounts:login": PUBLIC,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:set_language": PUBLIC,
    "accounts:logout": LOGIN,
    "accounts:password_change": LOGIN,
    "accounts:password_change_done": LOGIN,
    "home": LOGIN,
    # notifications: each user's own (access.notifications_of)
    "notifications:list": LOGIN,
    "notifications:mark_read": LOGIN,
    "notifications:mark_all_read": LOGIN,
    "notifications:preferences": LOGIN,
    # students
    "students:list": ROLE,
    "students:new": ROLE,
    "students:import": ROLE,
    "students:import_confirm": ROLE,
    "students:pupil": ROLE,
    "students:edit": ROLE,
    "students:archive": ROLE,
    "students:assign": ROLE,
    "students:history": ROLE,
    "students:guardian_new": ROLE,
    "students:guardian": ROLE,
    "students:years": ROLE,
    "students:year_new": ROLE,
    "students:year": ROLE,
    "students:holiday_add": ROLE,
    "students:holiday_archive": ROLE,
}

# Django's admin guards itself (is_staff); classified as a whole.
NAMESPACES: dict[str, str] = {"admin": ROLE}


def classify(name: str) -> str | None:
    if name in POLICY:
        return POLICY[name]
    namespace = name.split(":", 1)[0] if ":" in name else ""
    return NAMESPACES.get(namespace)
