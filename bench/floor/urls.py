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


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("", include("assistant_portal.urls")),
]
