"""Each annex form: one valid and one invalid case, strict (submit) and lax (draft) modes."""

from datetime import date

import pytest

from protocols import annexes
from protocols.forms import build, to_post

YEAR = (date(2026, 9, 1), date(2027, 5, 25))
TODAY = date(2026, 11, 23)
TEXT = "Бәрі жақсы."

VALID = {
    "A": {
        "attendees": "анасы",
        "family": TEXT,
        "strengths": TEXT,
        "worries": TEXT,
        "expectations": TEXT,
        "contact": "WhatsApp, аптасына бір рет",
    },
    "B": {
        "setting": "break",
        "duration": 20,
        "summary": TEXT,
        **{
            f"{a}_rating": 2
            for a in (
                "peers",
                "adults",
                "play",
                "speech",
                "emotions",
                "motor",
                "self_care",
                "rules",
            )
        },
    },
    "V": {
        "adaptations": TEXT,
        "lessons": [
            {
                "subject": "maths",
                "lesson_date": "2026-09-02",
                "teacher": "Сапарова Ж.",
                "attention": 1,
                "instructions": 2,
                "completion": 1,
                "pace": 1,
                "help_level": "verbal",
                "behaviour": 2,
                "interaction": 2,
            }
        ],
    },
    "G": {
        "observations": TEXT,
        "strengths": TEXT,
        "difficulties": TEXT,
        "adaptations": TEXT,
        "goals": TEXT,
    },
    "D": {
        "summary": TEXT,
        "incidents": [
            {
                "incident_date": "2026-11-18",
                "start": "10:05",
                "end": "10:15",
                "place": "сабақ",
                "antecedent": "тапсырма берілді",
                "behaviour": "айқайлады",
                "behaviour_type": "refusal",
                "intensity": "2",
                "consequence": "үзіліс берілді",
            }
        ],
    },
    "E": {"sessions": [{"session_date": "2026-11-25", "goal": "сөздік", "content": TEXT}]},
    "ZH": {
        "goals": [
            {
                "area": "communication",
                "goal": "сәлемдесу",
                "tasks": TEXT,
                "methods": TEXT,
                "responsible": "ассистент",
                "timeline": "желтоқсан",
                "expected": TEXT,
            }
        ]
    },
    "I": {
        "target": TEXT,
        "function": "escape",
        "replacement": TEXT,
        "prevention": TEXT,
        "response": TEXT,
        "reinforcement": TEXT,
        "responsible": "ассистент, психолог",
        "review_date": "2026-12-20",
    },
    "K": {"entries": [{"entry_date": "2026-11-20", "author": "логопед", "message": TEXT}]},
}

# One invalid case per annex: (change to the valid data, the field that must show the error)
INVALID = {
    "A": ({"family": ""}, "family"),
    "B": ({"peers_rating": 7}, "peers_rating"),
    "V": ({"lessons": []}, "lessons"),
    "G": ({"strengths": "x" * 4001}, "strengths"),
    "D": ({"incidents": [{**VALID["D"]["incidents"][0], "end": "09:00"}]}, "incidents-0-end"),
    "E": (
        {"sessions": [{**VALID["E"]["sessions"][0], "session_date": "2027-07-01"}]},
        "sessions-0-session_date",
    ),
    "ZH": ({"goals": [{**VALID["ZH"]["goals"][0], "area": "<script>"}]}, "goals-0-area"),
    "I": ({"function": "revenge"}, "function"),
    "K": (
        {"entries": [{**VALID["K"]["entries"][0], "entry_date": "2026-12-01"}]},
        "entries-0-entry_date",
    ),
}


def _forms(code, data, *, strict=True, filled_on=date(2026, 11, 20)):
    annex = annexes.get(code)
    return build(
        annex, to_post(annex, data, filled_on=filled_on), strict=strict, year=YEAR, today=TODAY
    )


def _errors(forms) -> dict:
    errors = {**forms.meta.errors, **forms.main.errors}
    for name, formset in forms.rows.items():
        if formset.non_form_errors():
            errors[name] = formset.non_form_errors()
        for form in formset.forms:
            errors |= {form.add_prefix(k): v for k, v in form.errors.items()}
    return errors


def test_all_nine_are_registered_in_kazakh_order():
    assert [a.letter for a in annexes.all_annexes()] == list("АБВГДЕЖИК")


@pytest.mark.parametrize("code", VALID)
def test_valid_data_submits(code):
    forms = _forms(code, VALID[code])
    assert forms.is_valid(), _errors(forms)


@pytest.mark.parametrize("code", INVALID)
def test_invalid_data_is_refused_next_to_the_field(code):
    change, field = INVALID[code]
    forms = _forms(code, {**VALID[code], **change})
    assert not forms.is_valid()
    assert field in _errors(forms)


@pytest.mark.parametrize("code", VALID)
def test_an_empty_draft_is_fine_but_cannot_be_submitted(code):
    assert _forms(code, {}, strict=False, filled_on=None).is_valid()
    assert not _forms(code, {}, strict=True).is_valid()


@pytest.mark.parametrize("code", VALID)
def test_every_text_field_has_a_length_limit(code):
    annex = annexes.get(code)
    for form_class in [annex.form, *annex.rows.values()]:
        for name, field in form_class().fields.items():
            if field.__class__.__name__ == "CharField":
                assert field.max_length and field.max_length <= 4000, (code, name)


def test_incident_end_before_start_is_an_error_even_in_a_draft():
    data = {"incidents": [{"start": "10:00", "end": "09:30"}]}
    forms = _forms("D", data, strict=False)
    assert not forms.is_valid()
    assert "incidents-0-end" in _errors(forms)
    # ...and the typed value is kept, not dropped
    assert forms.data()["incidents"][0] == {"start": "10:00", "end": "09:30"}


def test_filled_on_outside_the_year_or_in_the_future_is_an_error():
    assert "filled_on" in _errors(_forms("G", VALID["G"], filled_on=date(2026, 8, 31)))
    assert "filled_on" in _errors(_forms("G", VALID["G"], filled_on=date(2026, 11, 24)))


def test_invalid_values_are_kept_as_typed():
    forms = _forms("B", {**VALID["B"], "duration": "жиырма"}, strict=False)
    assert not forms.is_valid()
    assert forms.data()["duration"] == "жиырма"


def test_deleted_and_empty_rows_are_dropped():
    annex = annexes.get("K")
    post = to_post(annex, {"entries": [VALID["K"]["entries"][0], {"author": "ата-ана"}, {}]})
    post["entries-1-DELETE"] = "on"
    forms = build(annex, post, year=YEAR, today=TODAY)
    assert [e["author"] for e in forms.data()["entries"]] == ["логопед"]


def test_html_is_stored_as_plain_text():
    forms = _forms("G", {**VALID["G"], "strengths": "<script>alert(1)</script>"})
    assert forms.is_valid()
    assert forms.data()["strengths"] == "<script>alert(1)</script>"


def test_the_names_readers_use_are_the_forms_fields():
    """Readers read `data` through names the annex modules give; each must be a field the form
    saves (a reader's own key, never saved by the form, showed nothing)."""
    from protocols.annexes import b_free_activity as b
    from protocols.annexes import d_behaviour_log as d
    from protocols.annexes import v_class_observation as v
    from protocols.annexes import zh_support_programme as zh

    b_fields = set(b.ANNEX.form.base_fields)
    assert {b.rating_field(a) for a, _label in b.AREAS} | {b.SUMMARY} <= b_fields
    assert {d.INCIDENT_DATE, d.INTENSITY, d.BEHAVIOUR_TYPE} <= set(
        d.ANNEX.rows[d.INCIDENTS].base_fields
    )
    assert v.ADAPTATIONS in v.ANNEX.form.base_fields and v.LESSONS in v.ANNEX.rows
    assert {zh.GOAL, zh.EXPECTED, zh.RESULT} <= set(zh.ANNEX.rows[zh.GOALS].base_fields)
