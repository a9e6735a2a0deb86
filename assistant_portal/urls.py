from django.contrib import admin
from django.urls import include, path

from assistant_portal.accounts.views import home
from assistant_portal.security.views import privacy_notice

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("assistant_portal.accounts.urls")),
    path("security/", include("assistant_portal.security.urls")),
    path("privacy/", privacy_notice, name="privacy"),
    path("pupils/", include("students.urls")),
    path("protocols/", include("protocols.urls")),
    path("notifications/", include("assistant_portal.notifications.urls")),
    path("course/", include("course.urls")),
    path("grading/", include("course.gradebook_urls")),
    path("oversight/", include("assistant_portal.oversight.urls")),
    path("admin/", admin.site.urls),
]
