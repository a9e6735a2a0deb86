from django.contrib import admin

from .models import AcademicYear, Assignment, Guardian, Holiday, ReadLogEntry, School, Student


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    search_fields = ["name_kk", "name_ru"]
    list_display = ["name_kk", "city", "contact", "archived_at"]


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = ["school", "start", "end", "half_year_end"]
    inlines = [HolidayInline]


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    # Pupils are edited in the app, where the services keep sort keys and history right.
    list_display = ["last_name", "first_name", "school", "grade", "class_letter"]
    search_fields = ["last_name", "first_name", "iin"]
    readonly_fields = [f.name for f in Student._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Guardian)
admin.site.register(Assignment)


@admin.register(ReadLogEntry)
class ReadLogEntryAdmin(admin.ModelAdmin):
    # The read log is evidence: nobody adds, edits or deletes rows, not even superusers.
    list_display = ["at", "user", "pupil", "what", "target"]
    list_filter = ["what"]
    readonly_fields = [f.name for f in ReadLogEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
