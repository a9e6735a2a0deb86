"""Issue #12, the lasting fix: all nine annexes filled through their forms with generated valid
data, saved and submitted through the service, then every reader is run and must show it —
the Б dynamics side by side, the Д week's counts and the И flag, the support team's flagged
list, digest and review page, each protocol's PDF, the dossier, the parent's archive — and
anonymisation must clear it.

The values are drawn from the annex forms themselves (field types, choices, lengths), so a
field added to a form is filled and checked here without touching this file. PDFs are slow:
a few examples only.
"""

import json
import subprocess
from collections import Counter
from datetime import date, time, timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from assistant_portal.notifications.digest import WeekRange
from protocols import annexes, digest, dynamics, privacy, services
from protocols.annexes import b_free_activity as b_annex
from protocols.annexes import d_behaviour_log as d_annex
from protocols.annexes import v_class_observation as v_annex
from protocols.annexes import zh_support_programme as zh_annex
from protocols.models import DossierJob, Protocol, ProtocolVersion
from protocols.review import selectors as review_selectors
from protocols.review import services as review_services
from protocols.selectors import pupil_years
from students.retention import anonymise_pupil
from tests.factories import AssignmentFactory, StudentFactory

from .conftest import TODAY
from .filling import fill_annex

YEAR = (date(2026, 9, 1), date(2027, 5, 25))  # the cast's academic year
D_WEEK = date(2026, 11, 16)  # the Д and К week filled (a school week before TODAY)
WINDOWS = {
    "A": "A:september",
    "B": "B:september",
    "V": "V:september",
    "G": "G:september",
    "D": f"D:{D_WEEK}",
    "E": "E:2026-11-23",
    "ZH": "ZH:programme_1",
    "K": f"K:{D_WEEK}",
    "I": None,  # on demand
}
# Typed text: Kazakh letters between two markers no label or date contains, so each value is
# found (or, after anonymisation, not found) in a PDF as one unbroken word.
LETTERS = "аәбвгғдеждзийкқлмнңоөпрстуұүфхһцчшіыэюя"
MARK = "Ъ"


# --- values drawn from the forms ------------------------------------------------------------


def _choices(field) -> list:
    return [code for code, _label in field.choices if code != ""]


def _value(name: str, field: forms.Field, week: date | None):
    """A strategy for what a person could type into `field`."""
    if isinstance(field, forms.ChoiceField):
        return st.sampled_from(_choices(field))
    if isinstance(field, forms.DateField):
        if week is not None:  # a row of a weekly protocol: a day of that week
            return st.integers(0, 4).map(lambda d: week + timedelta(days=d))
        last = TODAY if getattr(field, "past_only", False) else YEAR[1]
        return st.dates(YEAR[0], last)
    if isinstance(field, forms.TimeField):
        return st.builds(time, st.integers(8, 16), st.sampled_from([0, 15, 30, 45]))
    if isinstance(field, forms.IntegerField):
        return st.integers(field.min_value or 0, min(field.max_value or 100, 600))
    if isinstance(field, forms.CharField):
        size = min(field.max_length or 12, 12) - 2
        return st.text(LETTERS, min_size=3, max_size=size).map(lambda t: f"{MARK}{t}{MARK}")
    raise AssertionError(f"no strategy for {name}: {type(field).__name__}")


def _form_values(form_class, week=None):
    fields = form_class.base_fields
    strategy = st.fixed_dictionaries({n: _value(n, f, week) for n, f in fields.items()})

    def ordered(values):  # an end time is never before its start (the form checks it)
        if "start" in values and "end" in values:
            values["start"], values["end"] = sorted((values["start"], values["end"]))
        return values

    return strategy.map(ordered)


def _annex_values(code: str):
    annex = annexes.get(code)
    week = D_WEEK if code in ("D", "K") else None
    parts = {
        name: st.lists(_form_values(row_form, week), min_size=1, max_size=2)
        for name, row_form in annex.rows.items()
    }
    return st.tuples(_form_values(annex.form), st.fixed_dictionaries(parts)).map(
        lambda t: {**t[0], **t[1]}
    )


ALL_ANNEXES = st.fixed_dictionaries({code: _annex_values(code) for code in WINDOWS})


# --- what a reader should show ------------------------------------------------------------


def _texts(values: dict) -> list[str]:
    """Every typed text of one annex's values (main fields and rows)."""
    out = []
    for value in values.values():
        if isinstance(value, list):
            out += [t for row in value for t in _texts(row)]
        elif isinstance(value, str) and value.startswith(MARK):
            out.append(value)
    return out


def _flat(text: str) -> str:
    return "".join(text.split())  # pdftotext spaces letters by their kerning


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "round-trip.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603  our own file
        # -raw: in drawing order, so a cell's wrapped text stays together (-layout interleaves
        # the lines of a table's neighbouring cells)
        ["/usr/bin/pdftotext", "-raw", str(path), "-"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip


def _choice_labels(code: str, values: dict) -> list[str]:
    """The labels (kk) of the choices made, as the print must show them."""
    annex = annexes.get(code)
    out = []
    with translation.override("kk"):
        for name, field in annex.form.base_fields.items():
            if isinstance(field, forms.ChoiceField):
                out.append(str(dict(field.choices)[values[name]]))
        for part, row_form in annex.rows.items():
            for row in values[part]:
                for name, field in row_form.base_fields.items():
                    if isinstance(field, forms.ChoiceField):
                        out.append(str(dict(field.choices)[row[name]]))
    return out


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@settings(
    max_examples=3,  # each example renders some twenty PDFs
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure names its annex
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=ALL_ANNEXES)
def test_every_reader_shows_what_the_forms_saved(cast, client, media, tmp_path, values):
    # A new pupil per example: examples share the test's database.
    pupil = StudentFactory(school=cast.school, grade=3)
    AssignmentFactory(student=pupil, assistant=cast.assistant)
    cast.school.flag_incidents_per_week, cast.school.flag_consecutive_weeks = 1, 1
    cast.school.save()

    filled = {
        code: fill_annex(pupil, code, values[code], cast.assistant, window_key=key)
        for code, key in WINDOWS.items()
        if code != "I"
    }
    assert all(p.status == "submitted" for p in filled.values())

    # Б: the September column holds the ratings as chosen, area by area.
    (py,) = pupil_years([pupil], TODAY, fields=None)
    b_rows = {row.area: row.values[0] for row in dynamics.b_dynamics(py.protocols)}
    assert b_rows == {
        area: values["B"][b_annex.rating_field(area)] for area, _label in b_annex.AREAS
    }

    # Д: the week's count, types and intensity; with thresholds 1/1 the pupil is flagged.
    incidents = values["D"][d_annex.INCIDENTS]
    weeks = {w.monday: w for w in dynamics.d_weeks(py.protocols, py.calendar, grade=3, today=TODAY)}
    assert weeks[D_WEEK].count == len(incidents)
    assert weeks[D_WEEK].by_type == Counter(i[d_annex.BEHAVIOUR_TYPE] for i in incidents)
    levels = [int(i[d_annex.INTENSITY]) for i in incidents]
    assert weeks[D_WEEK].mean_intensity == sum(levels) / len(levels)
    assert sum(w.count for w in weeks.values()) == len(incidents)
    flagged, _waiting = review_selectors.flagged_pupils(cast.school.pk, TODAY)
    assert pupil in [f.pupil for f in flagged]

    # The digest: the filled windows are no longer due; the Г waits for the support team.
    week = WeekRange.of(TODAY)
    mine = digest.assistant_sections([cast.assistant], week)[cast.assistant.pk]
    lines = [
        item.url
        for section in mine
        if section.title.startswith(pupil.full_name)
        for _title, items in section.groups
        for item in items
    ]
    assert lines  # the earlier weeks left empty are still overdue...
    for code, key in WINDOWS.items():
        assert not any(key and key in url for url in lines), code  # ...the filled ones are not
    waiting = digest.review_sections([cast.specialist], week)[cast.specialist.pk]
    assert any(pupil.full_name in str(i.text) for s in waiting for _t, its in s.groups for i in its)

    # The review page: beside the Г, the latest Б's summary, В's adaptations, Ж's goals.
    client.force_login(cast.specialist)
    page = client.get(reverse("protocols:review", args=[filled["G"].pk])).content.decode()
    goals = values["ZH"][zh_annex.GOALS]
    beside = [values["B"][b_annex.SUMMARY], values["V"][v_annex.ADAPTATIONS]]
    beside += [g[k] for g in goals for k in (zh_annex.GOAL, zh_annex.EXPECTED)]
    assert all(text in page for text in beside + _texts(values["G"]))
    # The team approves it with a comment, which its print then carries.
    decision = f"{MARK}мақұлданды{MARK}"
    review_services.review_decide(
        protocol=filled["G"],
        by=cast.specialist,
        outcome="approved",
        seen_revision=filled["G"].revision,
        text=decision,
    )

    # И: opened and submitted through its form; it answers the flag.
    filled["I"] = fill_annex(pupil, "I", values["I"], cast.assistant)
    flagged, waiting = review_selectors.flagged_pupils(cast.school.pk, TODAY)
    assert pupil not in [f.pupil for f in flagged] and filled["I"] in waiting

    # The parent's archive: the JSON and each protocol's PDF show every typed text and the
    # label of every choice made.
    with translation.override("kk"):
        files = dict(privacy.protocol_files(pupil))
    archive = files.pop("protocols.json").decode()
    assert len(files) == len(WINDOWS)
    for code, protocol in filled.items():
        texts = _texts(values[code])
        assert all(json.dumps(t, ensure_ascii=False) in archive for t in texts), code
        (pdf,) = [f for name, f in files.items() if name.startswith(f"protocols/{protocol.pk}-")]
        printed = _flat(_pdf_text(pdf, tmp_path))
        extra = [decision] if code == "G" else []
        for expected in texts + extra + _choice_labels(code, values[code]):
            assert _flat(expected) in printed, (code, expected)

    # The dossier: the year in one PDF, with every protocol and the dynamics.
    job = DossierJob.objects.create(pupil=pupil, requested_by=cast.assistant, language="kk")
    job = services.dossier_build(job_id=job.pk, today=TODAY)
    assert job.status == "done"
    dossier = _flat(_pdf_text(job.file.read(), tmp_path))
    for code in WINDOWS:
        assert all(t in dossier for t in _texts(values[code])), code

    # Retention's anonymisation clears every typed text — protocols, versions, the team's
    # decision, prints — and keeps the numbers the dynamics are made of.
    anonymise_pupil(pupil=pupil)
    stored = json.dumps(
        [p.data for p in Protocol.objects.filter(student=pupil)]
        + [v.data for v in ProtocolVersion.objects.filter(protocol__student=pupil)],
        ensure_ascii=False,
    )
    assert MARK not in stored
    with translation.override("kk"):
        reprinted = [f for name, f in privacy.protocol_files(pupil) if name.endswith(".pdf")]
    assert all(MARK not in _pdf_text(pdf, tmp_path) for pdf in reprinted)
    (py,) = pupil_years([pupil], TODAY, fields=None)
    assert {r.area: r.values[0] for r in dynamics.b_dynamics(py.protocols)} == b_rows
