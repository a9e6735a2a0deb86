"""Kazakh formats and Django's missing Kazakh messages are ours to ship (SPEC §7)."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils import formats, translation
from django.utils.translation import gettext


def test_django_messages_missing_in_kazakh_are_translated():
    with translation.override("kk"):
        assert gettext("Enter a valid integer.") == "Дұрыс бүтін сан енгізіңіз."
        assert gettext("Filter") == "Сүзгі"
        assert gettext("This field is required.") == "Бұл өрісті толтыру міндетті."


def test_kazakh_dates_are_day_first():
    with translation.override("kk"):
        assert formats.date_format(date(2026, 9, 5), "SHORT_DATE_FORMAT") == "05.09.2026"
        field = forms.DateField()
        assert field.clean("05.09.2026") == date(2026, 9, 5)
        assert field.clean("2026-09-05") == date(2026, 9, 5)  # what <input type=date> sends


def test_kazakh_decimal_comma():
    with translation.override("kk"):
        assert forms.DecimalField(localize=True).clean("85,5") == Decimal("85.5")
        assert formats.number_format(Decimal("85.5"), 1) == "85,5"


def test_russian_is_complete_for_our_words():
    with translation.override("ru"):
        assert gettext("Enter a valid IIN.") == "Введите правильный ИИН."
    with translation.override("kk"):
        assert gettext("Enter a valid IIN.") == "Дұрыс ЖСН енгізіңіз."
