"""Roles are permission groups. Each app declares what its permissions mean for each role in
its AppConfig as `role_permissions = {"hr": ["app_label.codename", ...]}`; `roles_sync()`
(run after every migrate) creates the groups and grants exactly those permissions.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    COMMUNICATIONS = "communications", "Communications"
    HR = "hr", "HR"
    LEGAL = "legal", "Legal"
    MANAGER = "manager", "Manager"
    EMPLOYEE = "employee", "Employee"


ROLE_DESCRIPTIONS = {
    Role.ADMIN: "Manages the organization, people, roles and settings; can do everything.",
    Role.COMMUNICATIONS: "Authors policies and advocacy content; sees engagement analytics.",
    Role.HR: "Runs onboarding and attestation, triages reports and handles incidents.",
    Role.LEGAL: "Reviews policies and lints, legal gates on incidents, legal holds.",
    Role.MANAGER: "Sees their own team's attestation status and shared incidents.",
    Role.EMPLOYEE: "Reads and acknowledges the policy, checks posts, shares and reports.",
}
