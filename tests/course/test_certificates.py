"""Certificates: eligibility, idempotent issue, frozen snapshots, serials, codes,
revoke and reissue, the public verification page and its JSON, downloads, the PDF's QR code
and Kazakh text, and bulk issue (eager here; a real worker in test_certificates_worker.py)."""

import io
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from course import certificates as svc
from course.models import Attempt, Certificate, CertificateBatch, CertificateCounter, Score
from tests.factories import CohortFactory, graded

SITE = "https://portal.example.kz"


@pytest.fixture(autouse=True)
def _fresh_rate_limit(client):
    client.cookies["django_language"] = "en"  # English msgids in the assertions
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eligible(cast):
    return graded(cast.cohort, tu=80, test=80, full_name="Әлия Қуанышқызы")


def _issue(enrolment, by):
    return svc.certificate_issue(enrolment=enrolment, by=by)[0]


# --- eligibility and idempotence ---------------------------------------------------------


def test_only_eligible_listeners_get_one_and_the_page_says_why(client, cast):
    low = graded(cast.cohort, tu=40, test=90, full_name="Төмен Балл")
    no_test = graded(cast.cohort, tu=80, test=None, full_name="Тест Жоқ")
    with pytest.raises(svc.NotEligible) as e:
        svc.certificate_issue(enrolment=low, by=cast.course_admin)
    assert e.value.blocking == "not_admitted"
    with pytest.raises(svc.NotEligible) as e:
        svc.certificate_issue(enrolment=no_test, by=cast.course_admin)
    assert e.value.blocking == "no_test"
    assert not Certificate.objects.exists()
    client.force_login(cast.course_admin)
    page = client.get(reverse("course:certificates", args=[cast.cohort.pk])).content.decode()
    assert "not admitted: current performance below 50" in page
    assert "no final test yet" in page
    r = client.post(reverse("course:certificate_issue", args=[low.pk]), follow=True)
    assert "Not eligible: not admitted" in r.content.decode()
    assert not Certificate.objects.exists()


def test_issuing_twice_does_nothing_new(cast, eligible):
    first, created = svc.certificate_issue(enrolment=eligible, by=cast.course_admin)
    again, created_again = svc.certificate_issue(enrolment=eligible, by=cast.course_admin)
    assert created and not created_again
    assert again.pk == first.pk and Certificate.objects.count() == 1
    assert CertificateCounter.objects.get().last == 1


def test_issue_view_is_idempotent(client, cast, eligible):
    client.force_login(cast.course_admin)
    url = reverse("course:certificate_issue", args=[eligible.pk])
    client.post(url)
    client.post(url)
    assert Certificate.objects.filter(enrolment=eligible).count() == 1


# --- snapshot, serial, code -------------------------------------------------------------


def test_snapshot_is_frozen_and_the_gradebook_flags_a_changed_grade(client, cast, eligible):
    cert = _issue(eligible, cast.course_admin)
    assert (cert.listener_name, cert.hours, cert.final, cert.letter) == (
        "Әлия Қуанышқызы",
        108,
        Decimal("80.00"),
        "B",
    )
    assert cert.course_title_kk == cast.cohort.course.title_kk
    assert (cert.cohort_start, cert.cohort_end) == (cast.cohort.start, cast.cohort.end)
    assert len(cert.sha256) == 64
    digest = cert.sha256
    eligible.listener.full_name = "Басқа Есім"
    eligible.listener.save()
    Score.objects.filter(enrolment=eligible).update(value=Decimal(95))
    cert.refresh_from_db()
    assert cert.listener_name == "Әлия Қуанышқызы" and cert.final == Decimal("80.00")
    assert cert.sha256 == digest
    client.force_login(cast.course_admin)
    page = client.get(reverse("grading:gradebook", args=[cast.cohort.pk])).content.decode()
    assert page.count("cert-changed") == 1
    page = client.get(reverse("course:certificates", args=[cast.cohort.pk])).content.decode()
    assert "grade changed since issue" in page


def test_unchanged_grade_is_not_flagged(client, cast, eligible):
    _issue(eligible, cast.course_admin)
    client.force_login(cast.course_admin)
    page = client.get(reverse("grading:gradebook", args=[cast.cohort.pk])).content.decode()
    assert "cert-changed" not in page


def test_the_gradebook_compares_only_the_valid_certificate(client, cast, eligible):
    # The superseded issue printed 80.00, the reissue 89.00 = today's grade: no flag, and the
    # certificates joined to the rows add none (one row per listener).
    old = _issue(eligible, cast.course_admin)
    Score.objects.filter(enrolment=eligible).update(value=Decimal(95))
    svc.certificate_reissue(certificate=old, by=cast.course_admin)
    client.force_login(cast.course_admin)
    page = client.get(reverse("grading:gradebook", args=[cast.cohort.pk])).content.decode()
    assert "cert-changed" not in page
    assert page.count(f'data-listener="{eligible.listener.email}"') == 1
    # A revoked certificate is not in force either: nothing to compare.
    Score.objects.filter(enrolment=eligible).update(value=Decimal(60))
    svc.certificate_revoke(
        certificate=Certificate.objects.get(enrolment=eligible, status="valid"),
        by=cast.course_admin,
        reason="test",
        category="other",
    )
    page = client.get(reverse("grading:gradebook", args=[cast.cohort.pk])).content.decode()
    assert "cert-changed" not in page


def test_serials_are_sequential_per_year(cast):
    from datetime import UTC, datetime

    a = graded(cast.cohort)
    b = graded(cast.cohort)
    c = graded(cast.cohort)
    n26 = datetime(2026, 12, 1, 12, tzinfo=UTC)
    n27 = datetime(2027, 1, 10, 12, tzinfo=UTC)
    s1 = svc.certificate_issue(enrolment=a, by=cast.course_admin, now=n26)[0].serial
    s2 = svc.certificate_issue(enrolment=b, by=cast.course_admin, now=n26)[0].serial
    s3 = svc.certificate_issue(enrolment=c, by=cast.course_admin, now=n27)[0].serial
    assert (s1, s2, s3) == ("2026-000001", "2026-000002", "2027-000001")
    assert re.fullmatch(r"\d{4}-\d{6}", s1)


def test_codes_are_long_random_unique_and_normalised(cast):
    codes = {svc.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) >= 10 and set(c) <= set(svc.CODE_ALPHABET) for c in codes)
    code = next(iter(codes))
    spaced = " ".join(code[i : i + 4] for i in range(0, 12, 4)).lower()
    assert svc.normalise_code(spaced) == code
    assert svc.normalise_code(f"{code[:4]}-{code[4:]}") == code
    for bad in ["", "abc", code + "2", code[:-1] + "0", code[:-1] + "!", "' OR 1=1 --"]:
        assert svc.normalise_code(bad) is None


def test_code_field_is_unique_in_the_database(cast, eligible):
    from django.db import IntegrityError

    from tests.factories import certificate_row

    cert = _issue(eligible, cast.course_admin)
    with pytest.raises(IntegrityError):
        certificate_row(graded(cast.cohort), code=cert.code)


# --- revoke and reissue -------------------------------------------------------------------


def test_revoke_keeps_the_row_and_needs_a_reason(client, cast, eligible):
    cert = _issue(eligible, cast.course_admin)
    client.force_login(cast.course_admin)
    r = client.post(reverse("course:certificate_revoke", args=[cert.pk]), {"reason": ""})
    assert r.status_code == 400
    cert.refresh_from_db()
    assert cert.status == "valid"
    r = client.post(
        reverse("course:certificate_revoke", args=[cert.pk]),
        {"reason": "Құжаттар жалған", "category": "academic_misconduct"},
    )
    assert r.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "revoked" and cert.revoke_reason == "Құжаттар жалған"
    assert cert.revoke_category == "academic_misconduct"
    assert cert.revoked_by == cast.course_admin and cert.revoked_at is not None
    assert Certificate.objects.count() == 1


def test_reissue_keeps_serial_new_code_and_history(cast, eligible):
    old = _issue(eligible, cast.course_admin)
    Score.objects.filter(enrolment=eligible).update(value=Decimal(95))
    new = svc.certificate_reissue(certificate=old, by=cast.course_admin)
    old.refresh_from_db()
    assert new.serial == old.serial and new.code != old.code
    assert new.replaces == old and old.status == "superseded" and old.superseded_at
    assert new.final == Decimal("89.00") and new.sha256 != old.sha256
    assert Certificate.objects.filter(enrolment=eligible).count() == 2
    assert CertificateCounter.objects.get().last == 1  # no serial drawn for the reissue
    with pytest.raises(Exception, match="Only a valid"):
        svc.certificate_reissue(certificate=old, by=cast.course_admin)


def test_the_cohort_page_shows_the_reissue_history(client, cast, eligible):
    old = _issue(eligible, cast.course_admin)
    new = svc.certificate_reissue(certificate=old, by=cast.course_admin)
    client.force_login(cast.course_admin)
    page = client.get(reverse("course:certificates", args=[cast.cohort.pk])).content.decode()
    assert "Earlier issues (1)" in page and "superseded on" in page
    assert reverse("course:certificate_pdf", args=[old.pk]) in page
    assert reverse("course:verify", args=[new.code]) in page


# --- public verification ------------------------------------------------------------------


def test_verify_page_says_valid_and_accepts_spaced_lower_case(client, cast, eligible):
    cert = _issue(eligible, cast.course_admin)
    typed = " ".join(cert.code[i : i + 4] for i in range(0, 12, 4)).lower()
    r = client.get(reverse("course:verify_form"), {"code": typed}, follow=True)
    page = r.content.decode()
    assert r.status_code == 200 and 'id="verify-status"' in page
    assert "Valid" in page and "Әлия Қуанышқызы" in page and "108" in page
    assert reverse("course:verify_pdf", args=[cert.code]) in page
    pdf = client.get(reverse("course:verify_pdf", args=[cert.code]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("code", ["ZZZZZZZZZZZZ", "abc", "0000-0000-0000", "A" * 40])
def test_unknown_or_malformed_codes_say_only_not_found(client, cast, eligible, code):
    _issue(eligible, cast.course_admin)
    r = client.get(reverse("course:verify", args=[code]))
    page = r.content.decode()
    assert r.status_code == 404 and "Not found." in page
    assert "Әлия" not in page
    j = client.get(reverse("course:verify_json", args=[code]))
    assert j.status_code == 404 and j.json() == {"status": "not_found"}


def test_revoked_page_shows_date_and_category_never_the_typed_reason(client, cast, eligible):
    """Issue #14 item 10: staff free text stays internal; the public sees a date and a category."""
    cert = _issue(eligible, cast.course_admin)
    svc.certificate_revoke(
        certificate=cert,
        by=cast.course_admin,
        category="issued_in_error",
        reason="Иванова сказала по телефону, что диплом купила",
    )
    cert.refresh_from_db()
    r = client.get(reverse("course:verify", args=[cert.code]))
    page = r.content.decode()
    assert "Revoked" in page and "issued in error" in page
    assert "Revoked on" in page
    assert "телефону" not in page
    r = client.get(reverse("course:verify_pdf", args=[cert.code]))
    assert r.status_code == 302 and r["Location"] == reverse("course:verify", args=[cert.code])
    j = client.get(reverse("course:verify_json", args=[cert.code]))
    data = j.json()
    assert data["status"] == "revoked" and data["revoke_category"] == "issued_in_error"
    assert data["revoked_on"] == timezone.localdate(cert.revoked_at).isoformat()
    assert "телефону" not in j.content.decode("unicode_escape") and "revoke_reason" not in data


@pytest.mark.parametrize("name", ["course:verify", "course:verify_json"])
def test_verify_pages_ask_search_engines_not_to_index(client, cast, eligible, name):
    cert = _issue(eligible, cast.course_admin)
    for code in (cert.code, "ZZZZZZZZZZ"):
        r = client.get(reverse(name, args=[code]))
        assert "noindex" in r["X-Robots-Tag"], (code, r.status_code)
        if name == "course:verify":
            assert '<meta name="robots" content="noindex' in r.content.decode()


def test_superseded_page_links_to_the_reissue(client, cast, eligible):
    old = _issue(eligible, cast.course_admin)
    new = svc.certificate_reissue(certificate=old, by=cast.course_admin)
    page = client.get(reverse("course:verify", args=[old.code])).content.decode()
    assert "Superseded by the reissue of" in page
    assert reverse("course:verify", args=[new.code]) in page
    j = client.get(reverse("course:verify_json", args=[old.code])).json()
    assert j["status"] == "superseded" and new.code in j["current"]
    assert client.get(reverse("course:verify_json", args=[new.code])).json()["status"] == "valid"


def test_verify_json(client, cast, eligible):
    cert = _issue(eligible, cast.course_admin)
    j = client.get(reverse("course:verify_json", args=[cert.code.lower()])).json()
    assert j["status"] == "valid" and j["serial"] == cert.serial and j["hours"] == 108
    assert j["final_grade"] == "80.00" and j["letter"] == "B" and j["name"] == "Әлия Қуанышқызы"


@pytest.mark.parametrize("extra", [0, 3])
def test_verify_page_queries_are_constant(client, cast, django_assert_num_queries, extra):
    certs = [_issue(graded(cast.cohort), cast.course_admin) for _ in range(1 + extra)]
    old = certs[0]
    new = svc.certificate_reissue(certificate=old, by=cast.course_admin)
    svc.certificate_revoke(
        certificate=certs[-1] if extra else new, by=cast.course_admin, category="other", reason="x"
    )
    for cert in (old, new, certs[-1]):
        # the certificate with its reissue: one query, anonymous (no session row)
        with django_assert_num_queries(1):
            assert client.get(reverse("course:verify", args=[cert.code])).status_code == 200


@override_settings(CERTIFICATE_VERIFY_RATE=3)
def test_verify_is_rate_limited_per_address(client, cast, eligible):
    cert = _issue(eligible, cast.course_admin)
    url = reverse("course:verify", args=[cert.code])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    r = client.get(url)
    assert r.status_code == 429 and "Too many checks" in r.content.decode()
    assert client.get(reverse("course:verify_json", args=[cert.code])).status_code == 429
    # another address is not affected
    assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200


# --- downloads and access -----------------------------------------------------------------


def test_listener_downloads_own_only(client, cast):
    mine = graded(cast.cohort)
    theirs = graded(cast.cohort)
    my_cert = _issue(mine, cast.course_admin)
    their_cert = _issue(theirs, cast.course_admin)
    client.force_login(mine.listener)
    page = client.get(reverse("course:my", args=[cast.cohort.pk])).content.decode()
    assert reverse("course:certificate_pdf", args=[my_cert.pk]) in page
    r = client.get(reverse("course:certificate_pdf", args=[my_cert.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert client.get(reverse("course:certificate_pdf", args=[their_cert.pk])).status_code == 404


def test_other_organisations_admin_gets_404(client, cast, eligible):
    cert = _issue(eligible, cast.course_admin)
    client.force_login(cast.foreign_course_admin)
    for name, arg in [
        ("course:certificate_pdf", cert.pk),
        ("course:certificate_revoke", cert.pk),
        ("course:certificate_reissue", cert.pk),
        ("course:certificates", cast.cohort.pk),
        ("course:certificate_issue", eligible.pk),
    ]:
        assert client.post(reverse(name, args=[arg]), {"reason": "x"}).status_code == 404
    cert.refresh_from_db()
    assert cert.status == "valid"


# --- the PDF ------------------------------------------------------------------------------


def _run(tool, *args) -> str:
    return subprocess.run(  # noqa: S603  our own files
        [f"/usr/bin/{tool}", *args], capture_output=True, check=True, text=True
    ).stdout


@override_settings(SITE_URL=SITE)
def test_pdf_qr_points_at_the_verify_page_and_kazakh_renders(cast, eligible, tmp_path):
    cert = _issue(eligible, cast.course_admin)
    pdf = tmp_path / "c.pdf"
    with cert.pdf.open("rb") as f:
        pdf.write_bytes(f.read())
    text = _run("pdftotext", "-layout", str(pdf), "-")
    for word in [
        "Әлия Қуанышқызы",
        "біліктілікті арттыру курсынан",
        "Тіркеу нөмірі",
        "академиялық сағат",
        "академических часов",
        cert.serial,
        "108",
    ]:
        assert word in text, word
    _run("pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "p"))
    decoded = _run("zbarimg", "--raw", "-q", str(tmp_path / "p.png")).strip()
    assert decoded == SITE + reverse("course:verify", args=[cert.code])
    info = _run("pdfinfo", str(pdf))
    assert re.search(r"Pages:\s+1\n", info) and re.search(r"84\d\.\d+ x 595\.\d+ pts", info)


def test_template_is_in_templates_folder():
    root = Path(__file__).resolve().parents[2]
    assert (root / "templates/course/certificates/certificate.html").exists()
    assert (root / "static/css/certificate.css").exists()


# --- bulk issue (eager: inside the request, like the embedded default) --------------------


def test_bulk_issue_in_the_request_then_zip(client, cast, django_capture_on_commit_callbacks):
    cohort = CohortFactory(organisation=cast.cohort.organisation)
    ok = [graded(cohort) for _ in range(4)]
    graded(cohort, tu=30)  # not eligible: not counted
    _issue(ok[0], cast.course_admin)  # already has one: counted as done, not issued again
    client.force_login(cast.course_admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("course:certificate_batch_start", args=[cohort.pk]))
    batch = CertificateBatch.objects.get()
    assert r["Location"] == reverse("course:certificate_batch", args=[batch.pk])
    assert (batch.status, batch.done, batch.total) == ("done", 4, 4)
    page = client.get(r["Location"]).content.decode()
    assert (
        "<progress" in page and 'value="4"' in page and 'hx-trigger="every' not in page
    )  # finished: no polling
    z = client.get(reverse("course:certificate_batch_zip", args=[batch.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(z.streaming_content))).namelist()
    assert len(names) == 4 and Certificate.objects.filter(enrolment__cohort=cohort).count() == 4


def test_a_rerun_chunk_after_a_crash_adds_nothing(cast):
    cohort = CohortFactory(organisation=cast.cohort.organisation)
    es = [graded(cohort) for _ in range(3)]
    batch = CertificateBatch.objects.create(
        cohort=cohort, requested_by=cast.course_admin, total=3, status="running"
    )
    # the worker died after issuing the first one: the redelivered chunk runs again
    svc.certificate_issue(enrolment=es[0], by=cast.course_admin, batch=batch)
    svc.batch_issue_chunk(batch_id=batch.pk, enrolment_ids=[e.pk for e in es])
    svc.batch_issue_chunk(batch_id=batch.pk, enrolment_ids=[e.pk for e in es])
    batch.refresh_from_db()
    assert (batch.done, batch.status) == (3, "done")
    assert Certificate.objects.filter(enrolment__cohort=cohort).count() == 3
    assert CertificateCounter.objects.get().last == 3


def test_a_listener_no_longer_eligible_is_skipped(cast):
    cohort = CohortFactory(organisation=cast.cohort.organisation)
    es = [graded(cohort) for _ in range(2)]
    batch = CertificateBatch.objects.create(
        cohort=cohort, requested_by=cast.course_admin, total=2, status="running"
    )
    Attempt.objects.filter(enrolment=es[1]).update(score=Decimal(0))
    svc.batch_issue_chunk(batch_id=batch.pk, enrolment_ids=[e.pk for e in es])
    batch.refresh_from_db()
    assert (batch.done, batch.skipped, batch.status) == (1, 1, "done")


@pytest.mark.parametrize("n", [2, 12])
def test_cohort_certificates_page_queries_are_constant(client, cast, django_assert_num_queries, n):
    for i in range(n):
        e = graded(cast.cohort)
        if i % 2:
            _issue(e, cast.course_admin)
    client.force_login(cast.course_admin)
    # session, user, roles, cohort, enrolments, tasks, scores, attempts (standings),
    # certificates, last batch
    with django_assert_num_queries(10):
        r = client.get(reverse("course:certificates", args=[cast.cohort.pk]))
    assert r.status_code == 200


def test_a_row_left_without_its_pdf_is_completed_once(cast):
    """The worker died between committing the row and attaching the PDF."""
    cohort = CohortFactory(organisation=cast.cohort.organisation)
    e = graded(cohort)
    batch = CertificateBatch.objects.create(
        cohort=cohort, requested_by=cast.course_admin, total=1, status="running"
    )
    from django.utils import timezone

    row, created = svc._issue_row(
        enrolment=e, by=cast.course_admin, batch=batch, now=timezone.now()
    )
    assert created and not row.sha256
    svc.batch_issue_chunk(batch_id=batch.pk, enrolment_ids=[e.pk])
    batch.refresh_from_db()
    row.refresh_from_db()
    assert len(row.sha256) == 64 and (batch.done, batch.status) == (1, "done")
    assert Certificate.objects.filter(enrolment=e).count() == 1
