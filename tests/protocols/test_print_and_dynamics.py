"""PDF of one protocol (text extracted with pdftotext), the dossier job (eager, end to end)
and the dynamics: Б side by side, Д per week, the И flag."""

import subprocess
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from protocols import annexes, dynamics, printing
from protocols.forms import to_post
from protocols.models import DossierJob
from protocols.selectors import pupil_years
from protocols.services import correction_open
from students.models import Holiday

from .factories import ProtocolFactory
from .filling import b_observation, behaviour_week, fill_annex, incident
from .test_forms import VALID

# Every protocol a reader reads here is filled through its annex's form and the service
# (tests/README.md): the readers must show what the real forms save.

TODAY = date(2026, 11, 25)
KAZAKH = "ә ғ қ ң ө ұ ү һ і"


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603  our own file
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def pdf_pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(  # noqa: S603  our own file
        ["/usr/bin/pdfinfo", str(path)], capture_output=True, check=True, text=True
    )
    return int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


def test_protocol_pdf_text(cast, tmp_path):
    protocol = behaviour_week(
        cast.pupil,
        cast.assistant,
        date(2026, 11, 16),
        [incident(date(2026, 11, 17), intensity=3, behaviour="Дәптерін лақтырды")],
        filled_on=date(2026, 11, 19),
    )
    protocol.data["summary"] = f"{KAZAKH} <script>alert(1)</script>"  # printed, not run
    html = printing.protocol_html(protocol, language="kk")
    assert "&lt;script&gt;" in html and "<script>" not in html  # data is escaped
    text = pdf_text(printing.protocol_pdf(protocol, language="kk"), tmp_path)
    flat = "".join(text.split())  # pdftotext spaces letters by their kerning
    for letter in KAZAKH.split():
        assert letter in text
    assert "Жағымсыз мінез-құлықты бақылау хаттамалары" in text  # the Kazakh title
    assert "Д" in text and cast.pupil.full_name in text and "3Ә" in flat
    assert "Апталық қорытынды" in text  # a field label from the annex form
    assert "Оқиғалар" in text  # the row part's heading, not its key in `data`
    assert "Мінез-құлықтүрі" in flat and "өзгелерге агрессия" in text  # a row table, choice
    assert "Дәптерінлақтырды" in flat and "17.11.2026" in flat  # the incident as typed
    assert "19.11.2026" in text and "20.11.2026" in text  # filled on, due
    assert cast.assistant.full_name in text  # the signature line
    assert flat.endswith("1/1")  # page numbers


def test_psychologist_signs_annex_i_and_russian_labels(cast, tmp_path):
    protocol = fill_annex(cast.pupil, "I", VALID["I"], cast.assistant)
    text = pdf_text(printing.protocol_pdf(protocol, language="ru"), tmp_path)
    assert "Педагог-психолог" in text  # the second signature line, in Russian
    assert "Обучающийся" in text


def test_unknown_data_keys_still_print(cast, tmp_path):
    # Deliberately a stored shape no form makes: an older form's key must not be hidden.
    protocol = ProtocolFactory(
        student=cast.pupil, author=cast.assistant, annex="A", data={"legacy_note": "ескі жазба"}
    )
    assert "ескі жазба" in pdf_text(printing.protocol_pdf(protocol, language="kk"), tmp_path)


def test_pdf_view_inline(cast, client, today):
    protocol = ProtocolFactory(student=cast.pupil, author=cast.assistant)
    client.force_login(cast.specialist)  # any insider of the school
    r = client.get(reverse("protocols:pdf", args=[protocol.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("inline")
    assert r.content.startswith(b"%PDF")
    client.force_login(cast.colleague)
    assert client.get(reverse("protocols:pdf", args=[protocol.pk])).status_code == 404


# --- dossier --------------------------------------------------------------------------


def test_dossier_end_to_end_eager(
    cast, client, today, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    fill_annex(cast.pupil, "A", {**VALID["A"], "family": f"A {KAZAKH}"}, cast.assistant)
    b_values = {**b_observation(peers=1), "summary": f"B {KAZAKH}"}
    fill_annex(cast.pupil, "B", b_values, cast.assistant)
    behaviour_week(cast.pupil, cast.assistant, date(2026, 11, 16), [incident(date(2026, 11, 18))])
    client.force_login(cast.assistant)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("protocols:dossier", args=[cast.pupil.pk]))
    job = DossierJob.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("protocols:dossier_job", args=[job.pk])
    assert job.status == "done" and job.done == job.total == 5  # cover, 3 protocols, dynamics
    assert job.file.name.startswith("private/dossiers/")
    page = client.get(r["Location"])
    assert (
        b"<progress" in page.content
        and reverse("protocols:dossier_file", args=[job.pk]).encode() in page.content
    )
    assert b'hx-trigger="every' not in page.content  # finished: no more polling
    fragment = client.get(r["Location"], headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b"dossier-progress" in fragment.content
    f = client.get(reverse("protocols:dossier_file", args=[job.pk]))
    pdf = b"".join(f.streaming_content)
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf, tmp_path) >= 5
    text = pdf_text(pdf, tmp_path)
    flat = "".join(text.split())
    assert "A" + KAZAKH.replace(" ", "") in flat and "B" + KAZAKH.replace(" ", "") in flat
    assert cast.pupil.full_name in text
    assert "Contact with peers" in text  # Б's dynamics page has the ratings
    assert "No ratings yet" not in text
    # Someone else (even of the school) does not get the job or its file.
    client.force_login(cast.specialist)
    assert client.get(reverse("protocols:dossier_file", args=[job.pk])).status_code == 404


def test_dossier_job_polls_while_running(cast, client, today):
    job = DossierJob.objects.create(
        pupil=cast.pupil,
        requested_by=cast.assistant,
        language="kk",
        status="running",
        done=2,
        total=7,
    )
    client.force_login(cast.assistant)
    html = client.get(reverse("protocols:dossier_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="2"' in html and 'max="7"' in html
    assert reverse("protocols:dossier_file", args=[job.pk]) not in html
    assert client.get(reverse("protocols:dossier_file", args=[job.pk])).status_code == 302


# --- dynamics -------------------------------------------------------------------------


def test_b_side_by_side_with_changes(cast, client, today):
    """Issue #12 defect 1: Б filled through its form shows in the dynamics (it showed "no
    ratings yet" because the reader looked for keys the form never saves)."""
    fill_annex(
        cast.pupil,
        "B",
        b_observation(peers=1, adults=2, play="x"),
        cast.assistant,
        window_key="B:september",
        submit=False,
    )  # a draft keeps a bad value as typed
    fill_annex(
        cast.pupil, "B", b_observation(peers=2, adults=1), cast.assistant, window_key="B:half_year"
    )
    fill_annex(
        cast.pupil,
        "B",
        b_observation(peers=2, adults=None, play=3),
        cast.assistant,
        window_key="B:year_end",
        submit=False,
    )
    (py,) = pupil_years([cast.pupil], TODAY, fields=None)
    rows = {r.area: r for r in dynamics.b_dynamics(py.protocols)}
    assert rows["peers"].values == [1, 2, 2] and rows["peers"].changes == ["", "up", "same"]
    assert rows["adults"].values == [2, 1, None] and rows["adults"].changes == ["", "down", ""]
    assert rows["play"].values == [None, 2, 3]  # a bad value is not shown as a rating
    client.force_login(cast.assistant)
    html = client.get(reverse("protocols:pupil_year", args=[cast.pupil.pk])).content.decode()
    assert "No ratings yet." not in html and "Contact with peers" in html


def test_b_and_d_submitted_on_their_pages_show_in_the_dynamics(cast, client, today):
    """Defects 1 and 2 through the pages a person uses: Б and Д submitted on their edit pages,
    then the pupil's year shows the ratings and the week's chart."""
    client.force_login(cast.assistant)
    typed = {
        ("B", "B:september"): b_observation(peers=1, rules=3),
        ("D", "D:2026-11-16"): {
            "summary": "апта",
            "incidents": [incident(date(2026, 11, 17)), incident(date(2026, 11, 18))],
        },
    }
    for (annex, key), values in typed.items():
        post = to_post(annexes.get(annex), values, filled_on=date(2026, 11, 20))
        post["action"] = "submit"
        r = client.post(reverse("protocols:window", args=[cast.pupil.pk, annex, key]), post)
        assert r.status_code == 302, r.content.decode()[:2000]
    r = client.get(reverse("protocols:pupil_year", args=[cast.pupil.pk]))
    rows = {row.area: row.values for row in r.context["b_rows"]}
    assert rows["peers"][0] == 1 and rows["rules"][0] == 3
    assert [(w.monday, w.count) for w in r.context["d_weeks"]] == [(date(2026, 11, 16), 2)]
    assert r.context["d_chart"] is not None and "No ratings yet." not in r.content.decode()


def _d_week(cast, monday: date, n: int, intensity=2, kind="aggression"):
    days = [monday + timedelta(days=i % 5) for i in range(n)]
    behaviour_week(
        cast.pupil,
        cast.assistant,
        monday,
        [incident(min(day, date(2026, 11, 23)), intensity=intensity, kind=kind) for day in days],
    )


def test_d_weeks_chart_and_flag(cast, client, today):
    """Issue #12 defect 2: Д filled through its form is counted per week and raises the И
    flag (the reader looked for `date`, the form saves `incident_date`)."""
    Holiday.objects.create(
        year=cast.school.years.get(),
        name="Күзгі каникул",
        start=date(2026, 10, 26),
        end=date(2026, 11, 1),
    )
    _d_week(cast, date(2026, 11, 9), 3, intensity=1)
    _d_week(cast, date(2026, 11, 16), 4, intensity=3, kind="refusal")
    (py,) = pupil_years([cast.pupil], TODAY, fields=None)
    weeks = dynamics.d_weeks(py.protocols, py.calendar, grade=cast.pupil.grade, today=TODAY)
    by_monday = {w.monday: w for w in weeks}
    assert date(2026, 10, 26) not in by_monday  # the autumn break has no school week
    assert by_monday[date(2026, 11, 9)].count == 3
    assert by_monday[date(2026, 11, 16)].count == 4
    assert by_monday[date(2026, 11, 16)].mean_intensity == 3
    with translation.override("en"):
        types = {t.behaviour_type: (t.label, t.total) for t in dynamics.d_types(weeks)}
    assert types == {
        "aggression": ("aggression towards others", 3),
        "refusal": ("refusing tasks", 4),
    }
    assert dynamics.i_flag(weeks, [], per_week=3, weeks_needed=2)
    assert not dynamics.i_flag(weeks, [], per_week=4, weeks_needed=2)
    client.force_login(cast.assistant)
    html = client.get(reverse("protocols:pupil_year", args=[cast.pupil.pk])).content.decode()
    assert "<svg" in html and "<rect" in html and "<polyline" in html
    i_url = reverse("protocols:window", args=[cast.pupil.pk, "I", "I:2026-11-25"])
    assert i_url in html  # the flag banner links to a new И


def test_flag_counts_only_weeks_after_the_latest_i(cast, today):
    _d_week(cast, date(2026, 11, 9), 3)
    _d_week(cast, date(2026, 11, 16), 3)
    i = correction_open(student=cast.pupil, year=cast.school.years.get(), by=cast.assistant)
    i.created_at = timezone.make_aware(timezone.datetime(2026, 11, 18, 10))
    i.save(update_fields=["created_at"])
    (py,) = pupil_years([cast.pupil], TODAY, fields=None)
    weeks = dynamics.d_weeks(py.protocols, py.calendar, grade=cast.pupil.grade, today=TODAY)
    assert sum(w.count for w in weeks) == 6  # the incidents are there...
    assert not dynamics.i_flag(weeks, py.on_demand, per_week=3, weeks_needed=2)  # ...handled


def test_school_thresholds_drive_the_flag(cast, client, today):
    _d_week(cast, date(2026, 11, 16), 2)
    cast.school.flag_incidents_per_week, cast.school.flag_consecutive_weeks = 2, 1
    cast.school.save()
    client.force_login(cast.assistant)
    html = client.get(reverse("protocols:pupil_year", args=[cast.pupil.pk])).content.decode()
    assert reverse("protocols:window", args=[cast.pupil.pk, "I", "I:2026-11-25"]) in html


def test_missing_keys_are_tolerated(cast):
    # Deliberately malformed stored data (an old import, a hand edit): readers must not break.
    ProtocolFactory(
        student=cast.pupil,
        author=cast.assistant,
        annex="D",
        window_key="D:a",
        data={"incidents": [{"incident_date": "bad"}, "junk", {"intensity": 9}]},
    )
    ProtocolFactory(
        student=cast.pupil,
        author=cast.assistant,
        annex="B",
        window_key="B:september",
        data={"peers_rating": "junk", "adults_rating": 9},
    )
    (py,) = pupil_years([cast.pupil], TODAY, fields=None)
    weeks = dynamics.d_weeks(py.protocols, py.calendar, grade=3, today=TODAY)
    assert sum(w.count for w in weeks) == 0 and dynamics.d_chart(weeks) is None
    assert dynamics.b_dynamics(py.protocols) is None


def test_failed_dossier_is_marked_not_raised(cast, monkeypatch):
    job = DossierJob.objects.create(pupil=cast.pupil, requested_by=cast.assistant, language="kk")

    def broken(html):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(printing, "html_to_document", broken)
    from protocols.services import dossier_build

    assert dossier_build(job_id=job.pk, today=TODAY).status == "failed"
