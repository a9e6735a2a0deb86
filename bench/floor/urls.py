"""The project's URLs and the floor: a minimal login-required view rendering a 50-row table
from one query, through the same middleware stack (what the key pages are compared
with)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import include, path

from students.models import Student


@login_required
def floor(request):
    rows = Student.objects.order_by("pk").values_list("pk", "last_name", "first_name")[:50]
    return render(request, "floor.html", {"rows": rows})


@login_required
def floor_layout(request):
    """The floor's table inside the project's layout (navigation, language form, footer): what
    every page pays before its own content."""
    rows = Student.objects.order_by("pk").values_list("pk", "last_name", "first_name")[:50]
    return render(request, "floor_layout.html", {"rows": rows})


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/floor/layout/", floor_layout, name="bench_floor_layout"),
    path("", include("assistant_portal.urls")),
]
