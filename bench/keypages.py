"""The key pages of issue 17 on the demo data: who reads which page (shared by `pages.py`, which
loads them under wrk, and `profile_page.py`, which costs them in-process)."""

FLOOR = "/bench/floor/"
FLOOR_READER = "assistant1@demo.kz"


def key_pages() -> list[tuple[str, str, str, str]]:
    """(short name, label, path, reader's e-mail) per key page; Django must be set up."""
    from django.urls import reverse

    from assistant_portal.accounts.models import User
    from course.models import Cohort
    from protocols.models import Protocol, Status

    assistant = User.objects.get(email="assistant1@demo.kz")
    # Drafts: a submitted К or Д is entered on the weekly sheet, and its edit page redirects.
    drafts = Protocol.objects.filter(
        author=assistant, archived_at__isnull=True, status=Status.DRAFT
    ).order_by("pk")
    d = drafts.filter(annex="D").exclude(data__incidents=[]).first()
    k = drafts.filter(annex="K").first() or drafts.exclude(pk=d.pk).first()
    cohort = Cohort.objects.order_by("pk").first()
    a, psy, ca = "assistant1@demo.kz", "psychologist@demo.kz", "course-admin@demo.kz"
    return [
        ("layout", "the floor in the layout", "/bench/floor/layout/", a),
        ("dashboard", "assistant dashboard", reverse("protocols:dashboard"), a),
        ("year", "pupil year", reverse("protocols:pupil_year", args=[d.student_id]), a),
        ("edit-k", f"protocol edit ({k.annex})", reverse("protocols:edit", args=[k.pk]), a),
        ("edit-d", "protocol edit (D, incidents)", reverse("protocols:edit", args=[d.pk]), a),
        ("queue", "review queue", reverse("protocols:review_queue"), psy),
        ("overview", "school overview", reverse("protocols:overview"), psy),
        ("gradebook", "gradebook", reverse("grading:gradebook", args=[cohort.pk]), ca),
    ]
