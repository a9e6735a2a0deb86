"""The navigation bar drawn once per language and role set (accounts/templatetags/nav_tags.py,
DECISIONS PC10): what a user sees is what the template draws for them afresh."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from assistant_portal.accounts.roles import roles_of
from assistant_portal.accounts.templatetags import nav_tags

NAV = re.compile(r"<nav .*?</nav>", re.S)


def nav_of(page: str) -> str:
    return NAV.search(page).group(0)


def drawn_afresh(user, page: str, path: str, language: str) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    with translation.override(language):
        return nav_tags._render(
            authenticated=True,
            kinds=frozenset(roles_of(user).kinds),
            full_name=user.full_name,
            csrf_token=token,
            next_path=path,
        )


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize(
    "who", ["assistant", "specialist", "school_admin", "parent", "course_admin", "oversight"]
)
def test_every_role_sees_the_menu_drawn_for_them(client, cast, who, language):
    user = getattr(cast, who)
    client.force_login(user)
    path = reverse("home") + "?tab=1"
    for _ in range(2):  # the first draws and keeps it, the second reads what was kept
        page = client.get(path, headers={"accept-language": language}).text
        assert nav_of(page) == drawn_afresh(user, page, path, language).strip()


def test_the_name_and_the_path_are_escaped(client, cast):
    cast.assistant.full_name = 'Әсел <script>"&'
    cast.assistant.save(update_fields=["full_name"])
    client.force_login(cast.assistant)
    nav = nav_of(client.get(reverse("home") + "?a=1&b='x'").text)
    assert "Әсел &lt;script&gt;&quot;&amp;" in nav and "<script>" not in nav
    assert 'value="/?a=1&amp;b=&#x27;x&#x27;"' in nav


def test_each_role_set_gets_its_own_menu(client, cast):
    client.force_login(cast.assistant)
    assert reverse("students:years") not in nav_of(client.get(reverse("home")).text)
    client.force_login(cast.school_admin)
    assert reverse("students:years") in nav_of(client.get(reverse("home")).text)
    client.logout()
    login = client.get(reverse("accounts:login")).text
    assert reverse("accounts:logout") not in nav_of(login)


def test_without_a_csrf_token_the_menu_has_no_token_field(cast, rf):
    """Drawn without a CSRF token in the context: as the template would, with no token field,
    not with a placeholder's leftovers."""
    request = rf.get("/")
    request.user = cast.assistant
    nav = Template("{% load nav_tags %}{% main_nav %}").render(Context({"request": request}))
    assert "csrfmiddlewaretoken" not in nav and nav_tags.TOKEN not in nav
    assert "Асель Ассистент" in nav
