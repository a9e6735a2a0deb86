from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<int:region_id>/", views.region, name="region"),
    path("regions/<int:region_id>/export.xlsx", views.region_export, name="region_export"),
    path("districts/<int:district_id>/", views.district, name="district"),
    path("districts/<int:district_id>/export.xlsx", views.district_export, name="district_export"),
    path("schools/<int:school_id>/", views.school, name="school"),
]
