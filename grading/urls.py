from django.urls import path

from . import views

app_name = "grading"

urlpatterns = [
    path("cohorts/<int:cohort_id>/", views.gradebook, name="gradebook"),
    path("cohorts/<int:cohort_id>/export.csv", views.export_csv, name="export_csv"),
    path("cohorts/<int:cohort_id>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("listeners/<int:enrolment_id>/", views.listener_record, name="listener"),
]
