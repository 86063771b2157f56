from django.contrib import admin

from chorus.advocacy.models import ContentItem, GuidanceCard, Share


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "status", "author", "approved_by", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "slug")
    # Status changes go through content_transition (events, audit), never the admin.
    readonly_fields = ("status", "approved_by", "approved_at", "author")


@admin.register(GuidanceCard)
class GuidanceCardAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "kind", "is_active")


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ("code", "organization", "network", "item", "created_at")
    readonly_fields = [f.name for f in Share._meta.fields]
