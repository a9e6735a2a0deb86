"""Issue #9 on the pupil side: read log, consent, safe exports, retention, the pupil archive."""

import csv
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from students.models import Consent, Guardian, PupilExport, ReadLogEntry, ReadWhat, Student
from students.retention import ANONYMISERS, anonymise_departed, anonymise_pupil
from students.safe_cells import safe_cell
from students.services import record_read
from tests.factories import PDF_BYTES, ConsentFactory, GuardianFactory, StudentFactory, person

# --- read log ---------------------------------------------------------------------------------


def test_one_entry_per_page_view(client, cast):
    client.force_login(cast.assistant)
    url = reverse("students:pupil", args=[cast.pupil.pk])
    client.get(url)
    client.get(url)
    entries = list(ReadLogEntry.objects.filter(pupil=cast.pupil).order_by("at"))
    assert len(entries) == 2
    assert {(e.user, e.what, e.target) for e in entries} == {(cast.assistant, "page", url)}


def test_no_entry_for_htmx_partials(client, cast):
    client.force_login(cast.assistant)
    client.get(reverse("students:pupil", args=[cast.pupil.pk]), HTTP_HX_REQUEST="true")
    assert not ReadLogEntry.objects.exists()


def test_no_entry_for_outsiders(client, cast):
    client.force_login(cast.foreign_admin)
    assert client.get(reverse("students:pupil", args=[cast.pupil.pk])).status_code == 404
    assert not ReadLogEntry.objects.exists()


def test_history_page_is_logged(client, cast):
    client.force_login(cast.school_admin)
    client.get(reverse("students:history", args=[cast.pupil.pk]))
    assert ReadLogEntry.objects.get().target.endswith("/history/")


def test_admin_sees_who_has_seen_the_record(client, cast):
    client.force_login(cast.assistant)
    client.get(reverse("students:pupil", args=[cast.pupil.pk]))
    client.force_login(cast.school_admin)
    r = client.get(reverse("students:pupil", args=[cast.pupil.pk]))
    assert "Асель Ассистент" in r.content.decode()
    readers = [g.user_name for g in r.context["readers"]]
    assert readers == [cast.school_admin.full_name, cast.assistant.full_name]


def test_others_do_not_see_the_readers(client, cast):
    client.force_login(cast.assistant)
    r = client.get(reverse("students:pupil", args=[cast.pupil.pk]))
    assert r.context["readers"] is None


@pytest.mark.parametrize("n", [1, 6])
def test_pupil_page_queries_are_pinned(client, cast, n, django_assert_num_queries):
    for _ in range(n):  # the read log grows; the page's queries do not
        record_read(user=cast.specialist, pupil=cast.pupil, what=ReadWhat.PAGE, target="/x/")
        GuardianFactory(student=cast.pupil)
    client.force_login(cast.school_admin)
    url = reverse("students:pupil", args=[cast.pupil.pk])
    # session, user, roles, pupil (+school), read-log INSERT, guardians, assignments,
    # active consent, readers (+user), the pupil's due and overdue list: the
    # school's year with holidays, the pupil's protocols of that year
    with django_assert_num_queries(11) as ctx:
        client.get(url)
    inserts = [q["sql"] for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1 and "students_readlogentry" in inserts[0], ctx.captured_queries


def test_admin_exports_the_read_log_for_a_range(client, cast):
    record_read(user=cast.assistant, pupil=cast.pupil, what=ReadWhat.PAGE, target="=HYPERLINK()")
    record_read(user=cast.assistant, pupil=cast.foreign_pupil, what=ReadWhat.PAGE, target="/f/")
    old = record_read(user=cast.assistant, pupil=cast.other_pupil, what=ReadWhat.PRINT)
    ReadLogEntry.objects.filter(pupil=cast.other_pupil).update(
        at=timezone.now() - timedelta(days=60)
    )
    del old
    client.force_login(cast.school_admin)
    today = timezone.localdate()
    period = {"start": today - timedelta(days=7), "end": today}
    r = client.get(reverse("students:read_log_csv"), period)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 2  # header + the one in range of this school
    assert rows[1][4] == str(cast.pupil.pk)
    assert rows[1][7] == "'=HYPERLINK()"  # neutralised


def test_read_log_export_refuses_a_bad_range_and_non_admins(client, cast):
    client.force_login(cast.school_admin)
    for name in ("students:read_log", "students:read_log_csv"):
        r = client.get(reverse(name), {"start": "2026-10-10", "end": "2026-10-01"})
        assert r.status_code == 400 and "end" in r.context["form"].errors
    client.force_login(cast.specialist)
    assert client.get(reverse("students:read_log")).status_code == 404
    assert client.get(reverse("students:read_log_csv")).status_code == 404


# --- safe cells -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+7 701", "'+7 701"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Ахметов", "Ахметов"),
        ("a=b", "a=b"),
        (5, 5),
        (-5, -5),  # numbers are data, not formulas
        (None, ""),
        (date(2026, 9, 1), date(2026, 9, 1)),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


# --- consent ----------------------------------------------------------------------------------


def consent_form(**over):
    data = {"given_by": "Ахметова Гүлнар", "given_on": "2026-09-01", "scope": "Өңдеу"}
    data.update(over)
    return data


def test_pupil_page_warns_without_consent(client, cast):
    client.force_login(cast.assistant)
    url = reverse("students:pupil", args=[cast.pupil.pk])
    assert "alert-warning" in client.get(url).content.decode()
    ConsentFactory(student=cast.pupil)
    assert "alert-warning" not in client.get(url).content.decode()


def test_admin_records_a_consent_with_a_pdf(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.school_admin)
    doc = SimpleUploadedFile("Ахметов келісім.pdf", PDF_BYTES, content_type="application/pdf")
    r = client.post(
        reverse("students:consent_new", args=[cast.pupil.pk]), consent_form(document=doc)
    )
    assert r.status_code == 302
    consent = Consent.objects.get(student=cast.pupil)
    assert consent.recorded_by == cast.school_admin
    # stored privately, under a name that does not carry the uploaded one
    assert (tmp_path / "private" / consent.document.name).exists()
    assert "Ахметов" not in consent.document.name


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "content"),
        ("scan.exe", b"MZ\x90\x00", "PDF, JPEG or PNG"),
        ("photo.png", b"\xff\xd8\xff\xe0JFIF", "content"),  # a JPEG named .png
        ("page.pdf", b"<html><script>alert(1)</script>", "content"),
    ],
)
def test_disguised_uploads_are_refused(client, cast, settings, tmp_path, name, content, message):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    client.force_login(cast.school_admin)
    doc = SimpleUploadedFile(name, content, content_type="application/pdf")
    r = client.post(
        reverse("students:consent_new", args=[cast.pupil.pk]),
        consent_form(document=doc),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 400
    assert message in " ".join(r.context["form"].errors["document"])
    assert r.context["form"].data["given_by"] == "Ахметова Гүлнар"  # typed text kept
    assert not Consent.objects.exists()
    assert not (tmp_path / "private").exists() or not any((tmp_path / "private").rglob("*.*"))


def test_oversized_upload_is_refused(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MAX_DOCUMENT_BYTES = 1000
    client.force_login(cast.school_admin)
    doc = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 2000)
    r = client.post(
        reverse("students:consent_new", args=[cast.pupil.pk]), consent_form(document=doc)
    )
    assert r.status_code == 400 and "document" in r.context["form"].errors


def test_document_is_served_only_through_the_checked_view(client, cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    consent = ConsentFactory(student=cast.pupil)
    url = reverse("students:consent_document", args=[cast.pupil.pk, consent.pk])
    client.force_login(cast.school_admin)
    r = client.get(url)
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF_BYTES
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment")
    assert "no-store" in r["Cache-Control"]
    assert r["X-Content-Type-Options"] == "nosniff"
    assert ReadLogEntry.objects.get().what == ReadWhat.EXPORT
    # the assistant sees the pupil, but not the scanned document
    client.force_login(cast.assistant)
    assert client.get(url).status_code == 404
    # and there is no public URL for it
    with pytest.raises(ValueError):
        _ = consent.document.url


def test_consent_withdrawn(client, cast):
    consent = ConsentFactory(student=cast.pupil, document="")
    client.force_login(cast.school_admin)
    r = client.post(reverse("students:consent_withdraw", args=[cast.pupil.pk, consent.pk]))
    assert r.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    r = client.get(reverse("students:pupil", args=[cast.pupil.pk]))
    assert r.context["consent"] is None


# --- the pupil archive ------------------------------------------------------------------------


def _export(client, pupil, django_capture_on_commit_callbacks):
    """POST the export as the page's button does; the job runs at commit (the embedded default)."""
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("students:export", args=[pupil.pk]))
    assert r.status_code == 302
    job = PupilExport.objects.get(pupil=pupil)
    assert r["Location"] == reverse("students:export_job", args=[job.pk])
    job.refresh_from_db()
    return job


def _download(client, job):
    r = client.get(reverse("students:export_file", args=[job.pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/zip"
    assert r["Content-Disposition"].startswith("attachment")
    assert "no-store" in r["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))


def test_admin_exports_everything_about_a_pupil(
    client, cast, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    ConsentFactory(student=cast.pupil)
    record_read(user=cast.assistant, pupil=cast.pupil, what=ReadWhat.PAGE, target="/p/")

    seen = []

    def extra(pupil):
        # progress is saved after each part: pupil.json, the consent document and the
        # protocols' protocols.json (their hook comes first) so far
        seen.append(PupilExport.objects.values_list("status", "done").get())
        yield f"protocols/{pupil.pk}.pdf", PDF_BYTES

    from students.archive import EXTRA_FILES

    EXTRA_FILES.append(extra)
    try:
        client.force_login(cast.school_admin)
        job = _export(client, cast.pupil, django_capture_on_commit_callbacks)
    finally:
        EXTRA_FILES.remove(extra)
    assert seen == [(PupilExport.State.RUNNING, 3)]
    # this hook has no `count`: its file is counted as it comes
    assert (job.status, job.done, job.total) == (PupilExport.State.DONE, 4, 4)
    assert job.requested_by == cast.school_admin and job.finished_at is not None
    assert job.file.path.startswith(str(tmp_path / "private"))  # never under a public URL
    # neither starting nor watching the job is a read of the pupil's data; the download is
    page = client.get(reverse("students:export_job", args=[job.pk]))
    assert page.status_code == 200 and reverse("students:export_file", args=[job.pk]) in (
        page.content.decode()
    )
    assert not ReadLogEntry.objects.filter(what=ReadWhat.EXPORT).exists()
    archive = _download(client, job)
    names = archive.namelist()
    assert names[0] == "pupil.json" and f"protocols/{cast.pupil.pk}.pdf" in names
    assert any(n.startswith("consents/") for n in names)
    data = json.loads(archive.read("pupil.json"))
    assert data["pupil"]["last_name"] == "Ахметов"
    assert data["guardians"][0]["full_name"] == cast.guardian.full_name
    assert data["assignments"][0]["assistant"] == "Асель Ассистент"
    assert len(data["consents"]) == 1 and data["read_log"][0]["target"] == "/p/"
    assert ReadLogEntry.objects.filter(what=ReadWhat.EXPORT, pupil=cast.pupil).count() == 1


def test_export_page_polls_until_done_without_keeping_the_session(client, cast):
    job = PupilExport.objects.create(
        pupil=cast.pupil,
        requested_by=cast.school_admin,
        language="kk",
        total=5,
        done=2,
        status=PupilExport.State.RUNNING,
    )
    url = reverse("students:export_job", args=[job.pk])
    client.force_login(cast.school_admin)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<h1" not in fragment  # the fragment only
    assert 'hx-trigger="every 1s"' in fragment and "X-Background" in fragment
    assert 'value="2" max="5"' in fragment
    # not ready: the file URL sends back to the progress, and nothing is logged
    r = client.get(reverse("students:export_file", args=[job.pk]))
    assert r.status_code == 302 and r["Location"] == url
    assert not ReadLogEntry.objects.exists()
    PupilExport.objects.filter(pk=job.pk).update(status=PupilExport.State.FAILED)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and "alert-danger" in fragment  # polling stops


def test_a_failing_part_marks_the_job_failed(cast, settings, tmp_path, caplog):
    from students.archive import EXTRA_FILES, export_build

    settings.MEDIA_ROOT = tmp_path
    job = PupilExport.objects.create(
        pupil=cast.pupil, requested_by=cast.school_admin, language="kk"
    )

    def broken(pupil):
        yield "a.txt", b"a"
        raise OSError("disk full")

    EXTRA_FILES.append(broken)
    try:
        export_build(job_id=job.pk)
    finally:
        EXTRA_FILES.remove(broken)
    job.refresh_from_db()
    assert job.status == PupilExport.State.FAILED and not job.file and job.finished_at
    assert "pupil export" in caplog.text
    # a finished job is not built again
    assert export_build(job_id=job.pk).status == PupilExport.State.FAILED


def test_only_admins_export_the_archive(client, cast):
    client.force_login(cast.assistant)
    assert client.post(reverse("students:export", args=[cast.pupil.pk])).status_code == 404
    assert not PupilExport.objects.exists()


@pytest.mark.parametrize("who", ["assistant", "specialist", "foreign_admin", "parent", "colleague"])
def test_outsiders_do_not_reach_an_export(client, cast, who, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from students.archive import export_build

    job = PupilExport.objects.create(
        pupil=cast.pupil, requested_by=cast.school_admin, language="kk"
    )
    export_build(job_id=job.pk)
    client.force_login(getattr(cast, who))
    assert client.get(reverse("students:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("students:export_file", args=[job.pk])).status_code == 404
    assert not ReadLogEntry.objects.exists()


def test_another_admin_of_the_school_does_not_reach_my_export(client, cast):
    from assistant_portal.accounts.models import RoleKind

    job = PupilExport.objects.create(
        pupil=cast.pupil, requested_by=cast.school_admin, language="kk"
    )
    client.force_login(person(RoleKind.SCHOOL_ADMIN, school=cast.school))
    assert client.get(reverse("students:export_job", args=[job.pk])).status_code == 404


def test_an_admin_who_no_longer_manages_the_pupil_loses_the_export(client, cast):
    job = PupilExport.objects.create(
        pupil=cast.pupil, requested_by=cast.school_admin, language="kk"
    )
    Student.objects.filter(pk=cast.pupil.pk).update(archived_at=timezone.now())
    client.force_login(cast.school_admin)
    assert client.get(reverse("students:export_job", args=[job.pk])).status_code == 404


# --- retention --------------------------------------------------------------------------------


@pytest.fixture
def departed(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_YEARS = 5
    pupil = StudentFactory(
        school=cast.school,
        last_name="Кеткенов",
        iin=None,
        pmpc_text="Сөйлеу тілі бұзылған",
        joined=date(2015, 9, 1),
        left=date(2019, 5, 25),
        birth_date=date(2008, 7, 19),
    )
    Student.objects.filter(pk=pupil.pk).update(pmpc_text="Сөйлеу тілі бұзылған, екінші нұсқа")
    GuardianFactory(student=pupil, full_name="Кеткенова Әйгерім", email="a@example.kz")
    consent = ConsentFactory(student=pupil)
    record_read(user=cast.school_admin, pupil=pupil, what=ReadWhat.EXPORT, target="Кеткенов.pdf")
    pupil.refresh_from_db()
    return pupil, consent


def test_dry_run_lists_and_changes_nothing(departed, cast):
    pupil, _consent = departed
    out = io.StringIO()
    call_command("anonymise_departed", "--dry-run", stdout=out)
    assert f"pupil #{pupil.pk}" in out.getvalue()
    assert f"pupil #{cast.pupil.pk}" not in out.getvalue()  # still at school
    assert "Кеткенов" not in out.getvalue()
    pupil.refresh_from_db()
    assert pupil.last_name == "Кеткенов" and pupil.anonymised_at is None


def test_anonymise_removes_names_history_and_documents(departed, cast):
    pupil, consent = departed
    path = consent.document.path
    calls = []
    ANONYMISERS.append(lambda p: calls.append(p.pk) or 1)
    try:
        done = anonymise_departed()
    finally:
        ANONYMISERS.pop()
    assert [d.pupil_id for d in done] == [pupil.pk] and calls == [pupil.pk]
    pupil.refresh_from_db()
    assert pupil.last_name == f"Anonymised pupil #{pupil.pk}" and pupil.first_name == ""
    assert pupil.iin is None and pupil.pmpc_text == "" and pupil.birth_date == date(2008, 1, 1)
    assert pupil.grade == 3 and pupil.left == date(2019, 5, 25)  # kept for statistics
    g = Guardian.objects.get(student=pupil)
    assert (g.full_name, g.email, g.phone) == ("", "", "")
    consent.refresh_from_db()
    assert not consent.document and consent.given_by == ""
    import os

    assert not os.path.exists(path)
    # nothing of the old values is left in the change history or the read log
    history = json.dumps([e.pgh_data for e in Events.objects.references(pupil)], default=str)
    for secret in ("Кеткенов", "Сөйлеу", "Кеткенова", "a@example.kz", "2008-07-19"):
        assert secret not in history
    assert ReadLogEntry.objects.get(pupil=pupil).target == ""
    # the pupil still at school is untouched; a second run finds nothing
    cast.pupil.refresh_from_db()
    assert cast.pupil.last_name == "Ахметов"
    assert anonymise_departed() == []


def test_the_task_runs_the_retention(departed):
    from students.tasks import anonymise_departed_pupils

    assert anonymise_departed_pupils.delay().get() == 1


def test_anonymise_deletes_the_pupils_export_archives(departed, cast):
    from students.archive import export_build

    pupil, _ = departed
    job = PupilExport.objects.create(pupil=pupil, requested_by=cast.school_admin, language="kk")
    path = export_build(job_id=job.pk).file.path
    import os

    assert os.path.exists(path)
    assert anonymise_pupil(pupil=pupil).changed["exports"] == 1
    job.refresh_from_db()
    assert not job.file and not os.path.exists(path)


def test_anonymise_pupil_is_idempotent(departed):
    pupil, _ = departed
    anonymise_pupil(pupil=pupil)
    anonymise_pupil(pupil=Student.objects.get(pk=pupil.pk))
    assert Student.objects.get(pk=pupil.pk).last_name.startswith("Anonymised")


def test_html_typed_into_a_record_is_shown_as_text(client, cast):
    Student.objects.filter(pk=cast.pupil.pk).update(
        pmpc_text="<script>alert(1)</script><img src=x onerror=alert(2)>"
    )
    client.force_login(cast.assistant)
    html = client.get(reverse("students:pupil", args=[cast.pupil.pk])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html


def test_safe_cells_stay_text_in_xlsx(tmp_path):
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    wb.active.append([safe_cell(v) for v in ('=HYPERLINK("http://x")', "@SUM(A1)", 7)])
    wb.save(tmp_path / "x.xlsx")
    cells = list(load_workbook(tmp_path / "x.xlsx").active.iter_rows(values_only=False))[0]
    assert [c.data_type for c in cells] == ["s", "s", "n"]
    assert cells[0].value.startswith("'=")


def test_consent_dated_in_the_future_is_refused(client, cast):
    client.force_login(cast.school_admin)
    tomorrow = timezone.localdate() + timedelta(days=1)
    r = client.post(
        reverse("students:consent_new", args=[cast.pupil.pk]), consent_form(given_on=tomorrow)
    )
    assert r.status_code == 400 and "given_on" in r.context["form"].errors
    assert not Consent.objects.exists()
