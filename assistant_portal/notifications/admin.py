from django.contrib import admin

from .models import DigestOutbox, Notification, NotificationPreference


@admin.register(DigestOutbox)
class DigestOutboxAdmin(admin.ModelAdmin):
    list_display = ["recipient", "week_start", "status", "attempts", "sent_at"]
    list_filter = ["status", "week_start"]
    search_fields = ["recipient__email"]
    readonly_fields = [f.name for f in DigestOutbox._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False  # the outbox is the record that a digest was decided: never deleted


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "title", "created_at", "read_at"]
    search_fields = ["user__email", "title"]
    raw_id_fields = ["user", "outbox"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "in_app", "muted_until"]
    raw_id_fields = ["user"]
