"""The gradebook's URLs keep their `grading:` names and /grading/ paths; the views are the
course's (course/gradebook_views.py), so grading imports nothing from the course."""

from django.urls import path

from . import gradebook_views as views

app_name = "grading"

urlpatterns = [
    path("cohorts/<int:cohort_id>/", views.gradebook, name="gradebook"),
    path("cohorts/<int:cohort_id>/export.csv", views.export_csv, name="export_csv"),
    path("cohorts/<int:cohort_id>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("listeners/<int:enrolment_id>/", views.listener_record, name="listener"),
]
