from datetime import date

import pytest
from django import forms

from protocols import annexes
from protocols.annexes.base import AnnexDef
from protocols.schedule import Annex

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


class _Simple(forms.Form):
    observed_on = forms.DateField(label="Бақылау күні")
    setting = forms.ChoiceField(
        label="Орны", choices=[("break", "Үзіліс"), ("canteen", "Асхана")], required=False
    )
    summary = forms.CharField(label="Қорытынды", required=False)


class _Week(forms.Form):
    summary = forms.CharField(label="Апталық қорытынды", required=False)


class _Incident(forms.Form):
    title = "Оқиғалар"
    incident_date = forms.DateField(label="Күні")
    behaviour_type = forms.ChoiceField(
        label="Мінез-құлық түрі", choices=[("aggression", "Агрессия"), ("refusal", "Бас тарту")]
    )
    intensity = forms.IntegerField(label="Қарқындылығы", min_value=1, max_value=3)
    duration_minutes = forms.IntegerField(label="Ұзақтығы", required=False)


TEST_ANNEXES = {
    code: AnnexDef(
        code=code,
        title=title,
        menu_name=menu,
        form=form,
        rows=rows,
        needs_review=code == Annex.G,
        needs_psychologist=code == Annex.I,
        on_demand=code == Annex.I,
    )
    for code, title, menu, form, rows in [
        (Annex.A, "Сауалнама", "Ата-анамен әңгіме", _Simple, {}),
        (Annex.B, "Оқушының еркін іс-әрекетін бақылау хаттамасы", "Еркін іс-әрекет", _Simple, {}),
        (Annex.G, "Тұжырымдама", "Тұжырымдама", _Simple, {}),
        (
            Annex.D,
            "Жағымсыз мінез-құлықты бақылау хаттамалары",
            "Мінез-құлық журналы",
            _Week,
            {"incidents": _Incident},
        ),
        (Annex.I, "Жағымсыз мінез-құлықты түзету хаттамасы", "Мінез-құлықты түзету", _Simple, {}),
    ]
}


@pytest.fixture
def test_annexes(monkeypatch):
    """Small annexes of the tests' own, for code that must work with whatever the registry
    holds (the year grid, the menus); modules opt in with usefixtures. Not for readers of
    `data` (dynamics, flags, print): those are tested on the real annexes, filled through
    their forms (tests/README.md)."""
    monkeypatch.setattr(annexes, "REGISTRY", dict(TEST_ANNEXES))
    return TEST_ANNEXES
