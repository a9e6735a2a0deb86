"""Send (or preview) the weekly digest of a given week by hand.

The same service the Monday beat task runs: safe to repeat, since a recipient gets at most one
digest per week; a repeat sends what an earlier run left unsent. Without Redis this is how the
digest goes out (SPEC §7 "Embedded default").
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assistant_portal.notifications import services
from assistant_portal.notifications.digest import WeekRange
from assistant_portal.notifications.models import DigestOutbox


class Command(BaseCommand):
    help = "Send the weekly digest for a week (any day of it; default: this week)."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="a day of the week, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--dry-run", action="store_true", help="print who would get what; write nothing"
        )

    def handle(self, *args, week=None, dry_run=False, **options):
        try:
            day = date.fromisoformat(week) if week else timezone.localdate()
        except ValueError as e:
            raise CommandError(f"--week must be YYYY-MM-DD: {e}") from e
        week_range = WeekRange.of(day)
        if dry_run:
            self._preview(week_range)
            return
        queued = services.digests_create(week=week_range)
        counts = dict.fromkeys(("pending", "sending", "sent", "failed", "skipped"), 0)
        for status in DigestOutbox.objects.filter(week_start=week_range.start).values_list(
            "status", flat=True
        ):
            counts[status] += 1
        self.stdout.write(
            f"Week of {week_range.start}: {len(queued)} digest(s) queued for sending; "
            + ", ".join(f"{k} {v}" for k, v in counts.items())
        )

    def _preview(self, week: WeekRange):
        already = DigestOutbox.objects.filter(week_start=week.start).count()
        planned = services.digests_plan(week)
        self.stdout.write(
            f"Dry run, week of {week.start}: {len(planned)} digest(s) would be written"
            f" ({already} already written this week are not repeated)."
        )
        for p in planned:
            pref = services.preference_of(p.user)
            channels = [c for c, on in (("e-mail", pref.email), ("in-app", pref.in_app)) if on]
            self.stdout.write(
                f"\n--- {p.user.email} [{p.rendered.language}; {', '.join(channels)}]\n"
                f"Subject: {p.rendered.subject}\n\n{p.rendered.text}"
            )
