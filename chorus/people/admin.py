from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from chorus.people.models import ApiToken, Department, Organization, Person, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "organization", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "organization")}),
        ("Roles", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = (
        (None, {"fields": ("email", "full_name", "organization", "password1", "password2")}),
    )


admin.site.register(Organization)
admin.site.register(Department)
admin.site.register(Person)
admin.site.register(ApiToken)
