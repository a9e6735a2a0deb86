"""A part's row template drawn once per language (`empty_row`): the include's markup."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from protocols import annexes
from protocols.forms import build
from protocols.templatetags.protocols_tags import empty_row

pytestmark = pytest.mark.django_db


def _drawn_by_the_include(formset) -> str:
    context = {"form": formset.empty_form, "label": formset.row_label, "number": ""}
    return render_to_string("protocols/_row.html", context | {"editable": True})


@pytest.mark.parametrize("strict", [False, True])
def test_the_row_template_is_the_includes_in_each_language(strict):
    annex = annexes.get("D")
    seen = {}
    for language in ("kk", "ru", "en", "kk"):
        with translation.override(language):
            formset = build(annex, None, strict=strict).rows["incidents"]
            row = empty_row(formset)
            assert row == _drawn_by_the_include(formset)
            assert 'name="incidents-__prefix__-incident_date"' in row
            seen.setdefault(language, row)
            assert row == seen[language]
    assert len(set(seen.values())) == 3  # one per language, not the first one drawn
    with translation.override("en"):
        assert (
            "requiredField" in empty_row(build(annex, None, strict=strict).rows["incidents"])
        ) is strict
