"""Course pages: access helper → service → response."""

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assistant_portal.accounts.places import admin_organisation
from assistant_portal.accounts.roles import roles_of
from assistant_portal.forms import add_service_errors
from assistant_portal.spreadsheets import SpreadsheetUploadForm
from grading.display import LISTENER_BLOCKING

from . import importing, selectors, services
from .access import (
    get_attempt_for_listener,
    get_cohort_for_admin,
    get_cohort_for_user,
    get_enrolment_for_admin,
    get_invitation_for_admin,
    get_invitation_for_invitee,
    get_own_enrolment,
    get_question_for_admin,
    get_session_for_admin,
    get_task_for_admin,
    is_course_admin,
)
from .forms import (
    CohortForm,
    EnrolForm,
    PaperScoreForm,
    PostForm,
    QuestionForm,
    ScoreCellForm,
    SessionForm,
    SupportForm,
    TaskForm,
)
from .gradebook import listener_standing
from .models import (
    Course,
    EnrolmentInvitation,
    TrainingOrganisation,
)
from .rubric import RUBRIC


def _admin_organisation(user) -> TrainingOrganisation:
    # The one chosen in the navbar when the user administers several (issue #12 defect 13).
    return admin_organisation(user)


def _course() -> Course:
    return selectors.the_course()


@login_required
def programme(request):
    course = _course()
    plan = selectors.programme(course)
    return render(request, "course/programme.html", {"course": course, **plan})


@login_required
def cohort_list(request):
    managed, own = selectors.cohort_lists(request.user)
    if not is_course_admin(request.user) and not own:
        raise Http404
    return render(
        request,
        "course/cohort_list.html",
        {"cohorts": managed, "enrolments": own, "is_admin": is_course_admin(request.user)},
    )


@login_required
def cohort_edit(request, cohort_id=None):
    cohort = get_cohort_for_admin(request.user, cohort_id) if cohort_id else None
    organisation = cohort.organisation if cohort else _admin_organisation(request.user)
    form = CohortForm(request.POST or None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_save(
                organisation=organisation, course=_course(), cohort=cohort, data=form.cleaned_data
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect(cohort)
    ctx = {"form": form, "cohort": cohort}
    return render(request, "course/cohort_form.html", ctx, status=400 if form.errors else 200)


@login_required
def cohort_detail(request, cohort_id):
    cohort = get_cohort_for_user(request.user, cohort_id)
    if cohort.organisation_id not in roles_of(request.user).organisation_ids:
        return redirect("course:my", cohort_id=cohort.pk)
    return render(request, "course/cohort_detail.html", _cohort_ctx(cohort, EnrolForm()))


def _cohort_ctx(cohort, enrol_form):
    return {"cohort": cohort, **selectors.cohort_roster(cohort), "enrol_form": enrol_form}


@login_required
@require_POST
def enrol(request, cohort_id):
    cohort = get_cohort_for_admin(request.user, cohort_id)
    form = EnrolForm(request.POST)
    if form.is_valid():
        try:
            result = services.enrol(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            if isinstance(result, EnrolmentInvitation):
                messages.success(
                    request,
                    _("%(email)s already has an account: an invitation was sent, and the "
                      "listener joins the cohort once they accept.") % {"email": result.email},
                )  # fmt: skip
            else:
                messages.success(request, _("The listener is enrolled."))
            return redirect(cohort)
    return render(request, "course/cohort_detail.html", _cohort_ctx(cohort, form), status=400)


@login_required
@require_POST
def enrolment_archive(request, enrolment_id):
    enrolment = get_enrolment_for_admin(request.user, enrolment_id)
    services.enrolment_archive(enrolment=enrolment)
    messages.success(request, _("The listener was removed from the cohort."))
    return redirect(enrolment.cohort)


def _import_view(request, *, key, template, parse, apply, ctx, done):
    """Upload → check every row → preview → confirm; a file with errors saves nothing."""
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    parsed = None
    if request.method == "POST" and "confirm" in request.POST:
        rows = request.session.pop(key, None)
        if not rows:
            messages.error(request, _("Nothing to import: upload the file again."))
            return redirect(request.path)
        try:
            n = apply(importing.Parsed(rows=rows))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect(request.path)
        messages.success(request, _("Imported rows: %(n)d.") % {"n": n})
        return redirect(done)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            parsed = parse(upload.read(), upload.name, form.cleaned_data["encoding"])
        except importing.ImportFileError as e:
            form.add_error("file", str(e))
        else:
            if parsed.valid:
                request.session[key] = parsed.rows
            elif not parsed.rows and not parsed.errors:
                form.add_error("file", _("The file has no rows under its header."))
    bad = bool(form.errors) or bool(parsed and parsed.errors)
    return render(
        request, template, {"form": form, "parsed": parsed, **ctx}, status=400 if bad else 200
    )


@login_required
def listeners_import(request, cohort_id):
    cohort = get_cohort_for_admin(request.user, cohort_id)
    return _import_view(
        request,
        key=f"course-import-listeners-{cohort.pk}",
        template="course/import_listeners.html",
        parse=importing.parse_listeners,
        apply=lambda p: len(importing.import_listeners(cohort=cohort, parsed=p)),
        ctx={"cohort": cohort},
        done=cohort.get_absolute_url(),
    )


@login_required
def scores_import(request, cohort_id):
    cohort = get_cohort_for_admin(request.user, cohort_id)

    def apply(p):
        rows = [(e, t, Decimal(v)) for e, t, v in p.rows]
        return services.scores_apply(
            cohort=cohort, rows=rows, by=request.user, reason=_("import from a file")
        )

    return _import_view(
        request,
        key=f"course-import-scores-{cohort.pk}",
        template="course/import_scores.html",
        parse=lambda raw, name, enc: importing.parse_scores(raw, name, cohort=cohort, encoding=enc),
        apply=apply,
        ctx={"cohort": cohort, "tasks": selectors.cohort_tasks(cohort)},
        done=reverse("course:scores", args=[cohort.pk]),
    )


@login_required
def task_edit(request, cohort_id=None, task_id=None):
    task = get_task_for_admin(request.user, task_id) if task_id else None
    cohort = task.cohort if task else get_cohort_for_admin(request.user, cohort_id)
    form = TaskForm(request.POST or None, instance=task, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_save(cohort=cohort, task=task, data=form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect(cohort)
    ctx = {"form": form, "cohort": cohort, "task": task}
    return render(request, "course/task_form.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def task_archive(request, task_id):
    task = get_task_for_admin(request.user, task_id)
    services.task_archive(task=task)
    messages.success(request, _("The task was archived."))
    return redirect(task.cohort)


@login_required
def score_grid(request, cohort_id):
    cohort = get_cohort_for_admin(request.user, cohort_id)
    grid = selectors.score_grid(cohort)
    ctx = {"cohort": cohort, "rubric": RUBRIC, **grid}
    return render(request, "course/score_grid.html", ctx)


@login_required
@require_POST
def score_save(request, cohort_id):
    """One cell of the grid (htmx): saves and answers with the cell, or the cell and its error."""
    cohort = get_cohort_for_admin(request.user, cohort_id)
    try:
        e_id, t_id = int(request.POST.get("enrolment", "")), int(request.POST.get("task", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Which listener and task?"))
    enrolment, task = selectors.grid_targets(cohort, enrolment_id=e_id, task_id=t_id)
    form = ScoreCellForm(request.POST)
    if form.is_valid():
        services.score_set(
            enrolment=enrolment, task=task, value=form.cleaned_data["value"], by=request.user,
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
        cell = selectors.grid_cell(enrolment, task, form.cleaned_data["value"])
        cell["saved"] = True
    else:
        cell = selectors.grid_cell(enrolment, task, None)
        cell["text"] = form.data.get("value", "")
        cell["error"] = " ".join(form.errors.get("value", []))
    return render(
        request,
        "course/_score_cell.html",
        {"cell": cell, "cohort": cohort},
        status=200 if form.is_valid() else 400,
    )


def _bank_ctx(user, course) -> dict:
    return {"questions": selectors.question_bank(user, course), "course": course}


@login_required
def question_bank(request):
    organisation = _admin_organisation(request.user)
    course = _course()
    return _import_view(
        request,
        key="course-import-questions",
        template="course/question_bank.html",
        parse=importing.parse_questions,
        apply=lambda p: len(
            importing.import_questions(organisation=organisation, course=course, parsed=p)
        ),
        ctx={**_bank_ctx(request.user, course), "question_form": QuestionForm(course=course)},
        done=reverse("course:questions"),
    )


@login_required
@require_POST
def question_new(request):
    organisation = _admin_organisation(request.user)
    course = _course()
    form = QuestionForm(request.POST, course=course)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.question_create(
                organisation=organisation, course=course,
                data={k: d[k] for k in ("module", "kind", "text_kk", "text_ru")},
                choices=d["choices"],
            )  # fmt: skip
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("course:questions")
    ctx = {
        **_bank_ctx(request.user, course),
        "form": SpreadsheetUploadForm(),
        "question_form": form,
    }
    return render(request, "course/question_bank.html", ctx, status=400)


@login_required
@require_POST
def question_archive(request, question_id):
    question = get_question_for_admin(request.user, question_id)
    services.question_archive(question=question)
    messages.success(request, _("The question was archived."))
    return redirect("course:questions")


@login_required
def paper_score(request, enrolment_id):
    enrolment = get_enrolment_for_admin(request.user, enrolment_id)
    form = PaperScoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_test_score(
                enrolment=enrolment, score=form.cleaned_data["score"], by=request.user,
                reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("grading:gradebook", cohort_id=enrolment.cohort_id)
    ctx = {"form": form, "enrolment": enrolment, "cohort": enrolment.cohort}
    return render(request, "course/paper_score.html", ctx, status=400 if form.errors else 200)


# --- the listener's side --------------------------------------------------------------------


@login_required
def my_course(request, cohort_id):
    """The listener's own scores, standing, test and support hours; nobody else's."""
    enrolment = get_own_enrolment(request.user, cohort_id)
    cohort = enrolment.cohort
    now = timezone.now()
    # A page view writes nothing (issue #12 defect 14): an attempt past its limit is scored by
    # the standing's read and stored by the next POST or the sweeper.
    st = listener_standing(enrolment, now=now)
    page = selectors.my_course(enrolment, now=now)
    return render(
        request,
        "course/my_course.html",
        {
            "cohort": cohort,
            "enrolment": enrolment,
            "st": st,
            "rows": [(t, st.scores.get(t.id)) for t in page.pop("tasks")],
            **page,
            "now": now,
            # which rule blocks the certificate, in the listener's words
            "blocking_text": LISTENER_BLOCKING.get(st.blocking, ""),
        },
    )


@login_required
@require_POST
def test_start(request, cohort_id):
    enrolment = get_own_enrolment(request.user, cohort_id)
    try:
        attempt = services.attempt_start(enrolment=enrolment)
    except services.TestNotAllowed as e:
        messages.error(request, str(e))
        return redirect("course:my", cohort_id=cohort_id)
    return redirect(attempt)


@login_required
def attempt_page(request, attempt_id):
    attempt = get_attempt_for_listener(request.user, attempt_id)
    now = timezone.now()
    items = selectors.attempt_items(attempt)
    if attempt.submitted_at is not None or now > attempt.deadline or not items:
        return _result(request, attempt, now=now)
    try:
        position = min(max(int(request.GET.get("q", 1)), 1), len(items))
    except ValueError:
        position = 1
    item = items[position - 1]
    choices = selectors.choices_by_id(item.question)
    # The order was drawn on the server when the attempt started; each answer's value is an
    # opaque per-attempt token, never its id (issue #14 item 7).
    options = [
        (services.option_token(attempt.pk, c_id), choices[c_id], c_id in item.chosen)
        for c_id in services.shown_order(item)
        if c_id in choices
    ]
    return render(
        request,
        "course/attempt.html",
        {
            "attempt": attempt,
            "item": item,
            "options": options,
            "items": items,
            "position": position,
            "answered": sum(1 for i in items if i.chosen),
        },
    )


def _result(request, attempt, *, now):
    """The result page, also for an attempt past its limit that nothing has stored yet."""
    outcome = selectors.attempt_outcome(attempt, now=now)
    st = listener_standing(attempt.enrolment, now=now)
    certificate = selectors.valid_certificate(attempt.enrolment)
    return render(
        request,
        "course/attempt_result.html",
        {"attempt": attempt, "outcome": outcome, "st": st, "certificate": certificate,
         "cohort": attempt.enrolment.cohort,
         "blocking_text": LISTENER_BLOCKING.get(st.blocking, ""),
         "items_total": sum(m.total for m in outcome.modules) or 20},
    )  # fmt: skip


@login_required
@require_POST
def attempt_answer(request, attempt_id):
    attempt = get_attempt_for_listener(request.user, attempt_id)
    try:
        position = int(request.POST.get("position", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Which question?"))
    item = selectors.attempt_item(attempt, position)
    try:
        chosen = services.chosen_from_tokens(
            attempt=attempt, item=item, tokens=request.POST.getlist("choice")
        )
        services.attempt_answer(attempt=attempt, position=position, chosen=chosen)
    except services.AttemptClosed as e:
        messages.warning(request, str(e))
        return redirect(attempt)
    except ValidationError as e:
        if request.htmx:
            return HttpResponseBadRequest(" ".join(e.messages))
        messages.error(request, " ".join(e.messages))
        return redirect(f"{attempt.get_absolute_url()}?q={position}")
    if request.htmx:
        return render(request, "course/_saved.html", {})
    nxt = request.POST.get("go")
    if nxt == "finish":
        return redirect("course:attempt_finish", attempt_id=attempt.pk)
    target = position + 1 if nxt == "next" else position - 1 if nxt == "prev" else position
    return redirect(f"{attempt.get_absolute_url()}?q={max(target, 1)}")


# The page's timer posts at zero; a clock a little ahead of the server's is still "time up".
TIMER_SLACK = timedelta(seconds=3)


@login_required
def attempt_finish(request, attempt_id):
    """Issue #12 defect 7: "Finish" asks first, naming the unanswered questions.

    A read: the attempt stays open until the listener confirms (POST) or the time runs out.
    """
    attempt = get_attempt_for_listener(request.user, attempt_id)
    if attempt.submitted_at is not None or timezone.now() > attempt.deadline:
        return redirect(attempt)
    items = selectors.answered_items(attempt)
    unanswered = [i.position for i in items if not i.chosen]
    return render(
        request,
        "course/attempt_finish.html",
        {"attempt": attempt, "items": items, "unanswered": unanswered,
         "answered": len(items) - len(unanswered)},
    )  # fmt: skip


@login_required
@require_POST
def attempt_submit(request, attempt_id):
    attempt = get_attempt_for_listener(request.user, attempt_id)
    # Only the confirmation page's button (or the timer at zero) carries `confirm`; a stray
    # POST from the question page asks first and leaves the attempt open.
    confirm = request.POST.get("confirm")
    timed_out = confirm == "timeout" and timezone.now() >= attempt.deadline - TIMER_SLACK
    if confirm != "yes" and not timed_out:
        return redirect("course:attempt_finish", attempt_id=attempt.pk)
    services.attempt_submit(attempt=attempt)
    messages.success(request, _("The test is submitted."))
    return redirect(attempt)


# --- invitations (issue #14 item 8) --------------------------------------------------------


@login_required
def invitation(request, token):
    """The invited person's page: accept or decline. Only the invited account sees it."""
    inv = get_invitation_for_invitee(request.user, token)
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "accept":
                enrolment = services.invitation_accept(invitation=inv, user=request.user)
                messages.success(request, _("You have joined the cohort."))
                return redirect("course:my", cohort_id=enrolment.cohort_id)
            services.invitation_decline(invitation=inv, user=request.user)
            messages.info(request, _("You declined the invitation."))
            return redirect("home")
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    return render(request, "course/invitation.html", {"invitation": inv, "cohort": inv.cohort})


@login_required
@require_POST
def invitation_withdraw(request, invitation_id):
    inv = get_invitation_for_admin(request.user, invitation_id)
    services.invitation_withdraw(invitation=inv)
    messages.success(request, _("The invitation was withdrawn."))
    return redirect(inv.cohort)


# --- timetable and attendance ---------------------------------------------------------------


@login_required
def timetable(request, cohort_id):
    cohort = get_cohort_for_user(request.user, cohort_id)
    is_admin = cohort.organisation_id in roles_of(request.user).organisation_ids
    form = SessionForm(request.POST or None, cohort=cohort)
    if request.method == "POST":
        if not is_admin:
            raise Http404
        if form.is_valid():
            try:
                services.session_add(cohort=cohort, data=form.cleaned_data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, _("Saved."))
                return redirect("course:timetable", cohort_id=cohort.pk)
    sessions = selectors.timetable(cohort)
    ctx = {"cohort": cohort, "sessions": sessions, "form": form if is_admin else None}
    return render(request, "course/timetable.html", ctx, status=400 if form.errors else 200)


@login_required
def attendance(request, session_id):
    session = get_session_for_admin(request.user, session_id)
    if request.method == "POST":
        present = {int(x) for x in request.POST.getlist("present") if x.isdigit()}
        services.attendance_save(session=session, present_ids=present)
        messages.success(request, _("Saved."))
        return redirect("course:timetable", cohort_id=session.cohort_id)
    rows = selectors.attendance_rows(session)
    return render(request, "course/attendance.html", {"session": session, "rows": rows})


# --- post-course support --------------------------------------------------------------------


@login_required
def support(request, enrolment_id):
    enrolment = get_enrolment_for_admin(request.user, enrolment_id)
    form = SupportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_add(enrolment=enrolment, data=form.cleaned_data, by=request.user)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("course:support", enrolment_id=enrolment.pk)
    activities, total = selectors.support_activities(enrolment)
    ctx = {"enrolment": enrolment, "cohort": enrolment.cohort, "form": form,
           "activities": activities, "total": total}  # fmt: skip
    return render(request, "course/support.html", ctx, status=400 if form.errors else 200)


@login_required
def board(request, cohort_id):
    cohort = get_cohort_for_user(request.user, cohort_id)
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.post_add(cohort=cohort, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Saved."))
        return redirect("course:board", cohort_id=cohort.pk)
    posts = selectors.board_posts(cohort)
    ctx = {"cohort": cohort, "posts": posts, "form": form}
    return render(request, "course/board.html", ctx, status=400 if form.errors else 200)
