from django.urls import path

from . import views

app_name = "students"

urlpatterns = [
    path("", views.pupil_list, name="list"),
    path("new/", views.pupil_new, name="new"),
    path("import/", views.pupil_import, name="import"),
    path("import/confirm/", views.pupil_import_confirm, name="import_confirm"),
    path("<int:pupil_id>/", views.pupil_detail, name="pupil"),
    path("<int:pupil_id>/edit/", views.pupil_edit, name="edit"),
    path("<int:pupil_id>/archive/", views.pupil_archive, name="archive"),
    path("<int:pupil_id>/assign/", views.pupil_assign, name="assign"),
    path("<int:pupil_id>/history/", views.pupil_history, name="history"),
    path("<int:pupil_id>/guardians/new/", views.guardian_edit, name="guardian_new"),
    path("<int:pupil_id>/guardians/<int:guardian_id>/", views.guardian_edit, name="guardian"),
    path("<int:pupil_id>/consents/new/", views.consent_new, name="consent_new"),
    path(
        "<int:pupil_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "<int:pupil_id>/consents/<int:consent_id>/document/",
        views.consent_document,
        name="consent_document",
    ),
    path("<int:pupil_id>/export/", views.pupil_export, name="export"),
    path("exports/<int:export_id>/", views.export_job, name="export_job"),
    path("exports/<int:export_id>/file/", views.export_file, name="export_file"),
    path("read-log/", views.read_log, name="read_log"),
    path("read-log/csv/", views.read_log_csv, name="read_log_csv"),
    path("years/", views.year_list, name="years"),
    path("years/new/", views.year_edit, name="year_new"),
    path("years/<int:year_id>/", views.year_edit, name="year"),
    path("years/<int:year_id>/holidays/", views.holiday_add, name="holiday_add"),
    path(
        "years/<int:year_id>/holidays/<int:holiday_id>/archive/",
        views.holiday_archive,
        name="holiday_archive",
    ),
]
