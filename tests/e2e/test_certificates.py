"""Certificates in the browser: the administrator bulk-issues the demo cohort with visible
progress and downloads the ZIP; the public verification page says valid, then, after a
revocation, revoked; axe on the verify page."""

import zipfile

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from course.models import Certificate, Cohort

from .conftest import AXE_OPTIONS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_bulk_issue_verify_and_revoke(page, login, demo, shot, axe_check, tmp_path):
    login("course-admin@demo.kz")
    cohort = Cohort.objects.get(name="2026-1")
    page.goto(demo.url + reverse("course:certificates", args=[cohort.pk]))
    shot("certificates-cohort")
    axe_check()
    page.click("#issue-all")
    # Without Redis the batch finishes inside the request; the same progress page shows it.
    bar = page.locator("#batch-bar")
    expect(bar).to_be_visible()
    expect(page.locator("#batch-download")).to_be_visible()
    assert bar.get_attribute("value") == bar.get_attribute("max") == "3"
    shot("certificates-batch")
    axe_check()
    with page.expect_download() as dl:
        page.click("#batch-download")
    path = tmp_path / "all.zip"
    dl.value.save_as(path)
    assert len(zipfile.ZipFile(path).namelist()) == 3

    # What the phone lands on when it reads the QR: the code's page, no login needed.
    cert = Certificate.objects.get(enrolment__listener__email="listener12@demo.kz")
    assert cert.get_verify_url().endswith(reverse("course:verify", args=[cert.code]))
    anon = page.context.browser.new_context(locale="kk-KZ").new_page()  # a phone in Kazakh
    anon.goto(demo.url + reverse("course:verify", args=[cert.code]))
    expect(anon.locator("#verify-status")).to_have_attribute("data-status", "valid")
    expect(anon.locator("#verify-status")).to_contain_text("Жарамды")
    expect(anon.locator("#verify-name")).to_have_text("Нұржан Үсенов")

    page.goto(demo.url + reverse("course:certificates", args=[cohort.pk]))
    row = page.locator(f"#cert-row-{cert.enrolment_id}")
    row.locator("summary").click()
    row.locator("select[name=category]").select_option("issued_in_error")
    row.locator("input[name=reason]").fill("Телефонмен хабарлады: құжаттары жалған")
    row.locator("button.btn-danger").click()
    expect(page.locator(f"#cert-row-{cert.enrolment_id}")).to_contain_text("күші жойылған")

    anon.reload()
    expect(anon.locator("#verify-status")).to_have_attribute("data-status", "revoked")
    # the category and the date, never the staff's typed reason (issue #14 item 10)
    expect(anon.locator("#revoke-category")).to_have_text("қателікпен берілген")
    expect(anon.locator("#verify-status")).not_to_contain_text("Телефонмен")
    results = Axe().run(anon, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    page.goto(demo.url + reverse("course:verify", args=[cert.code]))
    shot("certificates-verify-revoked")
    axe_check()
