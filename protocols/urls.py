from django.urls import path

from . import views, views_stub

app_name = "protocols"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("pupils/<int:pupil_id>/year/", views.pupil_year, name="pupil_year"),
    path("<int:protocol_id>/pdf/", views.protocol_pdf, name="pdf"),
    path("pupils/<int:pupil_id>/dossier/", views.dossier_start, name="dossier"),
    path("dossier/<int:job_id>/", views.dossier_job, name="dossier_job"),
    path("dossier/<int:job_id>/file/", views.dossier_file, name="dossier_file"),
    # STUBS — replaced by the protocols-core branch (the lead deletes these two at merge).
    path(
        "pupils/<int:pupil_id>/<str:annex>/<str:window_key>/",
        views_stub.window_not_yet,
        name="window",
    ),
    path("<int:protocol_id>/", views_stub.edit_not_yet, name="edit"),
]
