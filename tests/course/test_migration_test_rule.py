"""Migration course 0008 (docs/DECISIONS.md C1): existing cohorts and the 70 % rule."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("course", "0007_background_job_sweeper")]
AFTER = [("course", "0008_test_rule_invitations_option_order")]


@pytest.mark.django_db(transaction=True)
def test_existing_cohorts_move_to_the_rule_unless_they_issued_below_70():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Org = apps.get_model("course", "TrainingOrganisation")
    Course = apps.get_model("course", "Course")
    Cohort = apps.get_model("course", "Cohort")
    Enrolment = apps.get_model("course", "Enrolment")
    Certificate = apps.get_model("course", "Certificate")
    User = apps.get_model("accounts", "User")
    try:
        org = Org.objects.create(name="o")
        course = Course.objects.first() or Course.objects.create(
            code="c", title_kk="k", title_ru="r", final_test_hours=1, support_hours=7
        )
        day = timezone.localdate()

        def cohort(name, strict=False):
            return Cohort.objects.create(
                organisation=org,
                course=course,
                name=name,
                start=day,
                end=day,
                require_test_pass=strict,
            )

        issued_low, issued_high = cohort("low"), cohort("high")
        cohort("none")  # no certificate yet
        user = User.objects.create(email="m@x.kz", full_name="M", password="!")
        for c, test in ((issued_low, 30), (issued_high, 80)):
            e = Enrolment.objects.create(cohort=c, listener=user, sort_key="m")
            Certificate.objects.create(
                enrolment=e,
                serial=f"S{c.pk}",
                code=f"C{c.pk}",
                status="valid",
                listener_name="M",
                course_title_kk="k",
                course_title_ru="r",
                organisation_name="o",
                hours=108,
                cohort_start=day,
                cohort_end=day,
                tu=Decimal(90),
                test=Decimal(test),
                final=Decimal(66),
                letter="C",
                issued_on=day,
                issued_at=timezone.now(),
                issued_by=user,
                issuer_name="A",
            )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        Cohort = apps.get_model("course", "Cohort")
        got = {
            c.name: (c.require_test_pass, bool(c.test_rule_decision))
            for c in Cohort.objects.filter(organisation_id=org.pk)
        }
        # a signed certificate for a 30 % test keeps its rule, recorded; the rest move to 70 %
        assert got == {"low": (False, True), "high": (True, False), "none": (True, False)}
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
