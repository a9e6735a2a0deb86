"""Pages of the support team: the conclusions queue, one conclusion to review and
decide, meetings with their minutes PDF, next steps, the school overview, pupils flagged by Д
and the team's pupil dossier. Access helper → service/selector → response."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistant_portal.accounts.roles import roles_of
from students.models import ReadWhat
from students.services import record_page_view, record_read

from .. import annexes, printing
from ..access import (
    get_conclusion_for_reviewer,
    get_meeting_for_user,
    get_next_step_for_user,
    get_team_pupil_for_user,
    meetings_visible_to,
)
from ..models import AnnexCode
from ..selectors import pupil_years
from ..services import StaleEdit
from . import selectors, services
from .forms import DecisionForm, MeetingForm, MeetingItemForm


def _school_id(request, school_ids: set[int]) -> int:
    """The school the page is about: the user's only one, or the one asked for (?school=)."""
    if not school_ids:
        raise Http404
    asked = request.GET.get("school", "")
    if asked.isdigit():
        if int(asked) not in school_ids:
            raise Http404
        return int(asked)
    return min(school_ids)


def _team_school(request) -> int:
    return _school_id(request, roles_of(request.user).staff_school_ids)


# --- The queue and one conclusion ---------------------------------------------------------------


def _without(params, *names: str) -> str:
    """The page's GET parameters but `names`, every value kept (the pager's and the sort
    headers' links)."""
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
def review_queue(request):
    school_id = _school_id(request, roles_of(request.user).specialist_school_ids)
    g = request.GET
    assistant = g.get("assistant", "")
    filters = {
        "klass": g.get("class", ""),
        "assistant": int(assistant) if assistant.isdigit() else None,
        "period": g.get("period", ""),
        "state": g.get("state", "pending") or "pending",
    }
    queue = selectors.review_queue(request.user, school_id, page=g.get("page"), **filters)
    ctx = {
        "queue": queue,
        "query": _without(g, "page"),
        "filters": filters,
        "periods": selectors.PERIODS,
        "states": {k: label for k, (_s, label) in selectors.QUEUE_STATES.items()},
    }
    return render(request, "protocols/review/queue.html", ctx)


def _review_context(request, protocol, form):
    today = timezone.localdate()
    (py,) = pupil_years([protocol.student], today, fields=None)
    annex = annexes.get(AnnexCode.G)
    data = protocol.data or {}
    sections = [
        (name, field.label, data.get(name, ""), form[f"comment_{name}"])
        for name, field in annex.form.base_fields.items()
    ]
    return {
        "protocol": protocol,
        "pupil": protocol.student,
        "sections": sections,
        "general_field": form["comment_general"],
        "form": form,
        "thread": selectors.review_thread(protocol),
        "decidable": protocol.status in services.PENDING,
        "period": selectors.PERIODS.get(protocol.window_key.split(":")[-1], ""),
        **selectors.evidence(py, today),
    }


def _decision_form(request, protocol, data=None):
    meetings = meetings_visible_to(request.user).filter(school_id=protocol.student.school_id)
    initial = {"revision": protocol.revision, "action": "comment"}
    return DecisionForm(data, initial=initial, meetings=meetings[:20])


def _review_page(request, protocol, form, status=200, **extra):
    ctx = {**_review_context(request, protocol, form), **extra}
    return render(request, "protocols/review/review.html", ctx, status=status)


def _stale_page(request, conclusion_id):
    """Never a decision on a version the reviewer did not see: the current one, with what they
    wrote and the revision now shown."""
    fresh = get_conclusion_for_reviewer(request.user, conclusion_id)
    data = request.POST.copy()
    data["revision"] = str(fresh.revision)
    return _review_page(
        request, fresh, _decision_form(request, fresh, data), status=409, stale=True
    )


@login_required
def review_conclusion(request, conclusion_id):
    protocol = get_conclusion_for_reviewer(request.user, conclusion_id)
    record_page_view(request, protocol.student)
    return _review_page(request, protocol, _decision_form(request, protocol))


def _save_review(request, protocol, form):
    """The reviewer's comments, or their decision (with the comments and a note), saved on the
    revision they saw; the page to go to next."""
    data = form.cleaned_data
    if data["action"] == "comment":
        services.review_comment(
            protocol=protocol,
            by=request.user,
            comments=form.comments(),
            seen_revision=data["revision"],
        )
        messages.success(request, _("Your comments are saved."))
        return redirect("protocols:review", conclusion_id=protocol.pk)
    services.review_decide(
        protocol=protocol,
        by=request.user,
        outcome=data["action"],
        seen_revision=data["revision"],
        comments=form.comments(),
        text=data["text"],
        meeting=data["meeting"],
    )
    messages.success(request, _("The decision is recorded."))
    return redirect("protocols:review_queue")


@login_required
@require_POST
def decide(request, conclusion_id):
    protocol = get_conclusion_for_reviewer(request.user, conclusion_id)
    form = _decision_form(request, protocol, request.POST)
    if not form.is_valid():
        return _review_page(request, protocol, form, status=400)
    try:
        return _save_review(request, protocol, form)
    except StaleEdit as e:
        return _stale_page(request, e.current.pk)
    except ValidationError as e:
        for message in e.messages:
            form.add_error(None, message)
        return _review_page(request, protocol, form, status=400)


# --- Meetings -------------------------------------------------------------------------------


@login_required
def meetings(request):
    school_id = _team_school(request)
    rows = (
        meetings_visible_to(request.user).filter(school_id=school_id).prefetch_related("attendees")
    )
    return render(request, "protocols/review/meetings.html", {"meetings": rows[:100]})


@login_required
def meeting_new(request):
    school_id = _team_school(request)
    team = selectors.school_team(school_id)
    form = MeetingForm(request.POST or None, team=team, initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            meeting = services.meeting_create(
                school_id=school_id,
                held_on=d["held_on"],
                starts_at=d["starts_at"],
                attendees=list(d["attendees"]),
                notes=d["notes"],
                by=request.user,
            )
            messages.success(request, _("The meeting is recorded; the attendees are invited."))
            return redirect(meeting)
        return render(request, "protocols/review/meeting_form.html", {"form": form}, status=400)
    return render(request, "protocols/review/meeting_form.html", {"form": form})


def _item_form(meeting, data=None, initial=None):
    return MeetingItemForm(
        data,
        initial=initial,
        pupils=selectors.pupils_for_meeting(meeting.school_id),
        conclusions=selectors.conclusions_of_school(meeting.school_id),
        team=selectors.school_team(meeting.school_id),
    )


@login_required
def meeting(request, meeting_id):
    meeting = get_meeting_for_user(request.user, meeting_id)
    # An agenda line's "record a decision" link names its pupil (and conclusion).
    chosen = {
        k: request.GET[k] for k in ("pupil", "conclusion") if request.GET.get(k, "").isdigit()
    }
    form = _item_form(meeting, request.POST or None, initial=chosen)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            services.meeting_item_add(
                meeting=meeting,
                pupil=d["pupil"],
                decision=d["decision"],
                by=request.user,
                conclusion=d["conclusion"],
                step_text=d["step_text"],
                responsible=d["responsible"],
                due=d["due"],
            )
            messages.success(request, _("Saved."))
            return redirect(meeting)
        status = 400
    ctx = {
        "meeting": meeting,
        "items": selectors.meeting_detail(meeting),
        "decisions": selectors.meeting_decisions(meeting),
        "attendees": list(meeting.attendees.all()),
        "agenda": selectors.meeting_agenda(meeting.school_id, timezone.localdate()),
        "form": form,
    }
    return render(request, "protocols/review/meeting.html", ctx, status=status)


@login_required
def meeting_pdf(request, meeting_id):
    meeting = get_meeting_for_user(request.user, meeting_id)
    language = request.GET.get("lang", "")
    if language not in ("kk", "ru"):
        language = get_language()
    with translation.override(language):
        ctx = {
            "meeting": meeting,
            "school": meeting.school,
            "items": selectors.meeting_detail(meeting),
            "decisions": selectors.meeting_decisions(meeting),
            "attendees": list(meeting.attendees.all()),
            "printed_on": timezone.localdate(),
        }
        html = render_to_string("protocols/review/print/minutes.html", ctx)
    pdf = printing.html_to_document(html).write_pdf()
    name = f"minutes-{meeting.held_on.isoformat()}-{language}.pdf"
    # The minutes name every pupil discussed: each gets a print entry in the read log.
    for pupil in {item.pupil_id: item.pupil for item in ctx["items"]}.values():
        record_read(user=request.user, pupil=pupil, what=ReadWhat.PRINT, target=name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_POST
def next_step_done(request, step_id):
    step = get_next_step_for_user(request.user, step_id)
    services.next_step_done(step=step, by=request.user)
    messages.success(request, _("Marked as done."))
    target = request.POST.get("next", "")
    if target == "meeting":
        return redirect(step.item.meeting)
    return redirect(reverse("home"))


# --- Overview, flagged pupils, the team's dossier ---------------------------------------------


@login_required
def overview(request):
    school_id = _team_school(request)
    today = timezone.localdate()
    g = request.GET
    # Each number links to the list behind it: the same page with ?show=…&class=… / assistant=…
    data = selectors.school_overview(
        school_id,
        today,
        show=g.get("show", ""),
        klass=g.get("class"),
        assistant=g.get("assistant"),
        page=g.get("page"),
    )
    # Sortable columns: by a share or a count, worst first; names as given.
    sort = g.get("sort", "")
    classes, people = selectors.overview_rows(data, sort)
    ctx = {
        "overview": data,
        "classes": classes,
        "people": people,
        "today": today,
        "show": g.get("show", ""),
        "listing": data.listing,
        "query": _without(g, "page"),
        "sort": sort,
        "sort_query": _without(g, "sort", "page"),
        "sort_columns": list(selectors.OVERVIEW_SORTS.items()),
    }
    return render(request, "protocols/review/overview.html", ctx)


@login_required
def flagged(request):
    school_id = _team_school(request)
    today = timezone.localdate()
    pupils, waiting = selectors.flagged_pupils(school_id, today)
    ctx = {
        "flagged": Paginator(pupils, selectors.PAGE_SIZE).get_page(request.GET.get("page")),
        "waiting": waiting, "today": today, "query": _without(request.GET, "page"),
    }  # fmt: skip
    return render(request, "protocols/review/flagged.html", ctx)


@login_required
def team_dossier(request, pupil_id):
    pupil = get_team_pupil_for_user(request.user, pupil_id)
    record_page_view(request, pupil)
    ctx = {"pupil": pupil, **selectors.team_dossier(pupil, timezone.localdate())}
    return render(request, "protocols/review/dossier.html", ctx)
