"""The fields drawn in Python (`assistant_portal.forms`: `field_block` for crispy's bootstrap5
field, `WidgetRenderer` for Django's widget templates) have the markup the templates draw:
labels, required marks, aria attributes, error lists and ids that the tests and the axe checks
rely on. Compared on every annex's forms, empty and with errors, and on a form of every kind
of widget."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict

from assistant_portal.forms import WidgetRenderer, field_block
from protocols import annexes
from protocols.forms import build

pytestmark = pytest.mark.django_db


def _same_up_to_whitespace(html: str) -> str:
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html)


def _junk_post(annex) -> QueryDict:
    """Every field posted with a value most of them refuse, one row in every part."""
    post = QueryDict(mutable=True)
    post["filled_on"] = "not a date"
    for name in annex.form.base_fields:
        post[name] = "zz <b>"
    for part, row_form in annex.rows.items():
        post[f"{part}-TOTAL_FORMS"], post[f"{part}-INITIAL_FORMS"] = "1", "0"
        for name in row_form.base_fields:
            post[f"{part}-0-{name}"] = "zz"
    return post


def _fields(annex, post, renderer):
    made = build(annex, post, strict=True, year=None, today=None)
    made.meta.renderer = made.main.renderer = renderer
    found = [*made.meta, *made.main]
    for formset in made.rows.values():
        formset.renderer = renderer
        for form in [*formset.forms, formset.empty_form]:
            found.extend(form)
    return found


@pytest.mark.parametrize("code", [a.code for a in annexes.all_annexes()])
@pytest.mark.parametrize("posted", [False, True], ids=["empty", "with errors"])
def test_annex_fields_draw_as_crispy_and_django_draw_them(code, posted):
    annex = annexes.get(code)
    post = _junk_post(annex) if posted else None
    theirs = _fields(annex, post, DjangoTemplates())
    ours = _fields(annex, post, WidgetRenderer())
    assert len(theirs) == len(ours) > 0
    for their, our in zip(theirs, ours, strict=True):
        assert our.as_widget() == their.as_widget(), our.html_name
        assert _same_up_to_whitespace(field_block(our)) == _same_up_to_whitespace(
            as_crispy_field(their)
        ), our.html_name
    if posted:
        assert any(f.errors for f in ours)


class EveryWidget(forms.Form):
    text = forms.CharField(label="Name & <title>", help_text="Say <em>who</em>", max_length=9)
    optional = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "wide"}))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "placeholder": 'a "b"'}))
    number = forms.IntegerField(min_value=1)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), required=False)
    mail = forms.EmailField(required=False)
    agree = forms.BooleanField(label="I agree")
    maybe = forms.BooleanField(required=False, help_text="If you like")
    pick = forms.ChoiceField(choices=[("", "—"), ("a", "A & B"), ("b", "<B>")])
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("x", "Other")]
    )
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")], required=False)
    radio = forms.ChoiceField(choices=[("1", "One")], widget=forms.RadioSelect, required=False)
    boxes = forms.MultipleChoiceField(
        choices=[("1", "One")], widget=forms.CheckboxSelectMultiple, required=False
    )
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    unlabelled = forms.CharField(label="", required=False)


@pytest.mark.parametrize(
    "data",
    [None, {"text": "far too long a name", "number": "0", "day": "x", "many": ["1", "2"]},
     {"text": "Ann", "note": "<script>", "number": "3", "day": "2026-09-01", "agree": "on",
      "maybe": "on", "pick": "b", "grouped": "pear", "secret": 'q"'}],
    ids=["empty", "errors", "valid"],
)  # fmt: skip
def test_every_kind_of_widget_draws_as_the_templates_draw_it(data):
    theirs = EveryWidget(data, renderer=DjangoTemplates())
    ours = EveryWidget(data, renderer=WidgetRenderer())
    for their, our in zip(theirs, ours, strict=True):
        assert our.as_widget() == their.as_widget(), our.name
        assert _same_up_to_whitespace(field_block(our)) == _same_up_to_whitespace(
            as_crispy_field(their)
        ), our.name


def test_the_project_renders_forms_with_the_python_widgets():
    assert isinstance(EveryWidget().renderer, WidgetRenderer)
