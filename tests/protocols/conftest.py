from datetime import date

import pytest

TODAY = date(2026, 11, 23)  # a Monday of the cast's 2026–27 year


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """Protocol dates are checked against "today": pin it inside the cast's year."""
    monkeypatch.setattr("protocols.services.today", lambda: TODAY)
    return TODAY


@pytest.fixture(autouse=True)
def english(client, settings):
    """Assert on the English msgids (the default language is Kazakh)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
