"""Deny by default: every URL is classified in assistant_portal/access_policy.py, and every
non-public one turns an anonymous visitor to the login page."""

import pytest
from django.conf import settings
from django.urls import reverse

from assistant_portal.access_policy import PUBLIC, classify

from .urlwalk import all_routes


def test_every_url_is_classified():
    unnamed = [r for r in all_routes() if not r.name]
    unclassified = sorted({r.name for r in all_routes() if r.name and classify(r.name) is None})
    assert not unnamed, "every URL pattern needs a name to be classified"
    assert not unclassified, f"classify these in assistant_portal/access_policy.py: {unclassified}"


def _routes_without_kwargs():
    return sorted(
        {
            r.name
            for r in all_routes()
            if r.name and not r.kwargs and not r.name.startswith("admin:")
        }
    )


@pytest.mark.parametrize("name", _routes_without_kwargs())
def test_anonymous_is_sent_to_login(client, db, name):
    if classify(name) == PUBLIC:
        return
    for method in (client.get, client.post):
        response = method(reverse(name))
        assert response.status_code in (302, 405), (name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse(settings.LOGIN_URL)), name
