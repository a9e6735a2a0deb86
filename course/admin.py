"""Django admin for the course: where a superuser creates training organisations. Everything
else is run in the app, where the services keep the audit and the rules right."""

from django.contrib import admin

from .models import Cohort, Course, TrainingOrganisation


@admin.register(TrainingOrganisation)
class TrainingOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "archived_at"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(_ReadOnly):
    list_display = ["code", "title_kk", "final_test_hours", "support_hours"]


@admin.register(Cohort)
class CohortAdmin(_ReadOnly):
    list_display = ["name", "organisation", "start", "end", "test_open", "require_test_pass"]
    list_filter = ["organisation"]
