from django.urls import path

from . import certificate_views as cv
from . import feedback_views as fv
from . import views

app_name = "course"

urlpatterns = [
    path("programme/", views.programme, name="programme"),
    path("cohorts/", views.cohort_list, name="cohorts"),
    path("cohorts/new/", views.cohort_edit, name="cohort_new"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort"),
    path("cohorts/<int:cohort_id>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:cohort_id>/enrol/", views.enrol, name="enrol"),
    path("cohorts/<int:cohort_id>/import/", views.listeners_import, name="listeners_import"),
    path("cohorts/<int:cohort_id>/tasks/new/", views.task_edit, name="task_new"),
    path("cohorts/<int:cohort_id>/scores/", views.score_grid, name="scores"),
    path("cohorts/<int:cohort_id>/scores/save/", views.score_save, name="score_save"),
    path("cohorts/<int:cohort_id>/scores/import/", views.scores_import, name="scores_import"),
    path("cohorts/<int:cohort_id>/timetable/", views.timetable, name="timetable"),
    path("cohorts/<int:cohort_id>/board/", views.board, name="board"),
    path("cohorts/<int:cohort_id>/my/", views.my_course, name="my"),
    path("cohorts/<int:cohort_id>/test/start/", views.test_start, name="test_start"),
    path("cohorts/<int:cohort_id>/feedback/", fv.feedback_results, name="feedback_results"),
    path(
        "cohorts/<int:cohort_id>/feedback/<int:module_number>/", fv.module_feedback, name="feedback"
    ),
    path("enrolments/<int:enrolment_id>/archive/", views.enrolment_archive, name="unenrol"),
    path("enrolments/<int:enrolment_id>/paper-test/", views.paper_score, name="paper_score"),
    path("enrolments/<int:enrolment_id>/support/", views.support, name="support"),
    path("tasks/<int:task_id>/", views.task_edit, name="task"),
    path("tasks/<int:task_id>/archive/", views.task_archive, name="task_archive"),
    path("sessions/<int:session_id>/attendance/", views.attendance, name="attendance"),
    path("questions/", views.question_bank, name="questions"),
    path("questions/new/", views.question_new, name="question_new"),
    path("questions/<int:question_id>/archive/", views.question_archive, name="question_archive"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/answer/", views.attempt_answer, name="attempt_answer"),
    path("attempts/<int:attempt_id>/finish/", views.attempt_finish, name="attempt_finish"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="attempt_submit"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path(
        "invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    # certificates
    path("cohorts/<int:cohort_id>/certificates/", cv.cohort_certificates, name="certificates"),
    path(
        "cohorts/<int:cohort_id>/certificates/batch/",
        cv.batch_start,
        name="certificate_batch_start",
    ),
    path("certificate-batches/<int:batch_id>/", cv.batch_page, name="certificate_batch"),
    path("certificate-batches/<int:batch_id>/zip/", cv.batch_zip, name="certificate_batch_zip"),
    path(
        "enrolments/<int:enrolment_id>/certificate/", cv.certificate_issue, name="certificate_issue"
    ),
    path("certificates/<int:certificate_id>/pdf/", cv.certificate_pdf, name="certificate_pdf"),
    path(
        "certificates/<int:certificate_id>/revoke/",
        cv.certificate_revoke,
        name="certificate_revoke",
    ),
    path(
        "certificates/<int:certificate_id>/reissue/",
        cv.certificate_reissue,
        name="certificate_reissue",
    ),
    path("verify/", cv.verify_form, name="verify_form"),
    path("verify/<str:code>/", cv.verify, name="verify"),
    path("verify/<str:code>/json/", cv.verify_json, name="verify_json"),
    path("verify/<str:code>/pdf/", cv.verify_pdf, name="verify_pdf"),
]
