from django.contrib import admin

from chorus.monitoring.models import ConsentRecord, LinkedAccount, MonitoringSettings


@admin.register(MonitoringSettings)
class MonitoringSettingsAdmin(admin.ModelAdmin):
    list_display = ("organization", "alert_threshold", "retention_days")


@admin.register(LinkedAccount)
class LinkedAccountAdmin(admin.ModelAdmin):
    # Health only: post content stays out of the admin on purpose.
    list_display = ("handle", "network", "person", "status", "last_read_at")
    list_filter = ("network", "status")
    readonly_fields = ("consented_at", "read_from", "consent_version", "cursor")


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ("account", "action", "version", "created_at")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
