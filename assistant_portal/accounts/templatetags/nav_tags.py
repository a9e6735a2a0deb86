"""The navigation bar, drawn once per language and role set (DECISIONS PC10).

Every page drew `_nav.html` afresh: a dozen `reverse()`s, twenty translations and the language
list, the same for every user with the same roles — 6 M instructions, a third of what the
framework's floor costs. It is now rendered once per process for each language, script prefix
and set of role kinds with placeholders, and each request puts the user's name, the CSRF
token and the page's path in their places (escaped as the template would). An administrator
of several places gets the switcher, drawn afresh: it lists their own schools.
"""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from assistant_portal.accounts.places import places_of
from assistant_portal.accounts.roles import roles_of

register = template.Library()

# Stand-ins the template escapes to themselves; each occurs only where its value goes.
NAME, TOKEN, NEXT = "nav-full-name-b1e0", "nav-csrf-token-b1e0", "nav-next-path-b1e0"


def _render(
    *, authenticated: bool, kinds, full_name, csrf_token, next_path, places=None, request=None
):
    context = {
        "authenticated": authenticated,
        "kinds": kinds,
        "places": places,
        "full_name": full_name,
        "csrf_token": csrf_token,
        "next": next_path,
        "LANGUAGE_CODE": get_language(),
        "request": request,  # the switcher's own form reads it
    }
    return render_to_string("_nav.html", context)


@lru_cache(maxsize=128)
def _with_placeholders(
    _language: str | None, _prefix: str, authenticated: bool, kinds: frozenset[str]
) -> str:
    return _render(
        authenticated=authenticated, kinds=kinds, full_name=NAME, csrf_token=TOKEN, next_path=NEXT
    )


@register.simple_tag(takes_context=True)
def main_nav(context) -> SafeString:
    request = context["request"]
    user = request.user
    token = str(context.get("csrf_token") or "")
    signed_in = user.is_authenticated
    kinds = frozenset(roles_of(user).kinds) if signed_in else frozenset()
    places = places_of(user) if signed_in else None
    if places and (len(places.schools) > 1 or len(places.organisations) > 1) or not token:
        return _render(
            authenticated=signed_in,
            kinds=kinds,
            full_name=user.full_name if signed_in else "",
            csrf_token=token,
            next_path=request.get_full_path(),
            places=places,
            request=request,
        )
    html = _with_placeholders(get_language(), get_script_prefix(), signed_in, kinds)
    name = escape(user.full_name) if signed_in else ""
    path = escape(request.get_full_path())
    # The template's own output, with each value escaped as the template escapes it.
    return mark_safe(html.replace(NAME, name).replace(TOKEN, escape(token)).replace(NEXT, path))  # noqa: S308
