"""Django admin: routing rules, and hand assignment when everyone who could handle a report
is named in it (the routing note says so). Reporter identity is never editable here."""

from __future__ import annotations

from django.contrib import admin

from chorus.reports.models import Report, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("organization", "category", "lead", "sla_hours")
    list_filter = ("organization", "category")
    filter_horizontal = ("team",)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("reference", "organization", "category", "status", "assignee", "due_at")
    list_filter = ("organization", "status", "category")
    fields = ("assignee", "routing_note")
    readonly_fields = ("routing_note",)
