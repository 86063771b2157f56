from django.contrib import admin

from chorus.onboarding.models import (
    Assignment,
    Attestation,
    Campaign,
    KnowledgeCheck,
    OnboardingSettings,
    PersonOnboarding,
    Reminder,
)


@admin.register(Attestation)
class AttestationAdmin(admin.ModelAdmin):
    """Read-only: attestations are evidence and never change."""

    list_display = ["person_name", "version_number", "attested_at", "channel"]
    search_fields = ["person_name", "person_email"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


admin.site.register(OnboardingSettings)
admin.site.register(PersonOnboarding)
admin.site.register(Campaign)
admin.site.register(Assignment)
admin.site.register(KnowledgeCheck)
admin.site.register(Reminder)
