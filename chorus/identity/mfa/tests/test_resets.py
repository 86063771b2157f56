import pytest

from chorus.audit.models import AuditEntry
from chorus.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from chorus.identity.mfa import services
from chorus.identity.mfa.models import Authenticator, FactorResetRequest, RecoveryCode
from chorus.identity.mfa.tests.helpers import enroll_totp
from chorus.notifications.models import Notification

pytestmark = pytest.mark.django_db

REASON = "Lost phone; identity confirmed by video call"


def test_a_reset_needs_a_second_admin_and_removes_every_factor(admin, admin2, hr):
    enroll_totp(user=hr)
    epoch = hr.session_epoch

    reset = services.factor_reset_request(actor=admin, subject_id=hr.pk, reason=REASON)
    assert Authenticator.objects.filter(user=hr).exists()  # nothing happens yet
    assert Notification.objects.filter(
        recipient=admin2, kind="identity.factor_reset_requested"
    ).exists()
    assert Notification.objects.filter(
        recipient=hr, kind="identity.factor_reset_requested"
    ).exists()
    assert not Notification.objects.filter(
        recipient=admin, kind="identity.factor_reset_requested"
    ).exists()

    with pytest.raises(PermissionDenied, match="another administrator must approve"):
        services.factor_reset_approve(actor=admin, reset_id=reset.pk)

    services.factor_reset_approve(actor=admin2, reset_id=reset.pk)
    reset.refresh_from_db()
    hr.refresh_from_db()
    assert reset.status == FactorResetRequest.Status.APPROVED and reset.decided_by == admin2
    assert not Authenticator.objects.filter(user=hr).exists()
    assert not RecoveryCode.objects.filter(user=hr).exists()
    assert hr.session_epoch == epoch + 1  # signed out everywhere
    assert Notification.objects.filter(recipient=hr, kind="identity.factor_reset").exists()
    entry = AuditEntry.objects.get(action="identity.factor_reset_approved")
    assert entry.actor_id == admin2.pk and entry.data["requested_by"] == admin.email
    assert entry.data["factors_removed"] == 1


def test_the_person_concerned_cannot_approve_their_own_reset(admin, admin2, org):
    from conftest import make_member

    make_member(org=org, key="admin3", roles=["admin"])
    enroll_totp(user=admin2)
    reset = services.factor_reset_request(actor=admin, subject_id=admin2.pk, reason=REASON)
    with pytest.raises(PermissionDenied, match="someone else"):
        services.factor_reset_approve(actor=admin2, reset_id=reset.pk)


def test_a_reset_cannot_be_requested_for_oneself(admin, admin2):
    enroll_totp(user=admin)
    with pytest.raises(Conflict, match="your own factors"):
        services.factor_reset_request(actor=admin, subject_id=admin.pk, reason=REASON)


def test_a_reset_needs_someone_who_can_approve(admin, hr):
    enroll_totp(user=hr)
    with pytest.raises(Conflict, match="second administrator"):
        services.factor_reset_request(actor=admin, subject_id=hr.pk, reason=REASON)


def test_only_admins_request_and_approve(admin, admin2, hr, employee):
    enroll_totp(user=employee)
    with pytest.raises(PermissionDenied):
        services.factor_reset_request(actor=hr, subject_id=employee.pk, reason=REASON)
    reset = services.factor_reset_request(actor=admin, subject_id=employee.pk, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.factor_reset_approve(actor=hr, reset_id=reset.pk)


def test_another_organizations_people_and_requests_are_not_found(admin, admin2, outsider, employee):
    enroll_totp(user=outsider)
    with pytest.raises(NotFound):
        services.factor_reset_request(actor=admin, subject_id=outsider.pk, reason=REASON)
    enroll_totp(user=employee)
    reset = services.factor_reset_request(actor=admin, subject_id=employee.pk, reason=REASON)
    with pytest.raises(NotFound):
        services.factor_reset_approve(actor=outsider, reset_id=reset.pk)
    with pytest.raises(NotFound):
        services.factor_reset_cancel(actor=outsider, reset_id=reset.pk)


def test_one_pending_reset_per_person_and_a_reason_is_required(admin, admin2, employee):
    enroll_totp(user=employee)
    with pytest.raises(InvalidInput, match="Say why") as exc:
        services.factor_reset_request(actor=admin, subject_id=employee.pk, reason="  ")
    assert exc.value.field == "reason"
    services.factor_reset_request(actor=admin, subject_id=employee.pk, reason=REASON)
    with pytest.raises(Conflict, match="already waiting"):
        services.factor_reset_request(actor=admin2, subject_id=employee.pk, reason=REASON)


def test_a_person_without_a_factor_has_nothing_to_reset(admin, admin2, employee):
    with pytest.raises(Conflict, match="no second factor"):
        services.factor_reset_request(actor=admin, subject_id=employee.pk, reason=REASON)


def test_a_cancelled_reset_keeps_the_factors_and_cannot_be_approved(admin, admin2, employee):
    enroll_totp(user=employee)
    reset = services.factor_reset_request(actor=admin, subject_id=employee.pk, reason=REASON)
    services.factor_reset_cancel(actor=admin, reset_id=reset.pk)
    with pytest.raises(Conflict, match="already cancelled"):
        services.factor_reset_approve(actor=admin2, reset_id=reset.pk)
    assert Authenticator.objects.filter(user=employee).exists()
    assert AuditEntry.objects.filter(action="identity.factor_reset_cancelled").exists()


def test_an_expired_request_cannot_be_approved(admin, admin2, employee):
    from datetime import timedelta

    from django.utils import timezone

    enroll_totp(user=employee)
    reset = services.factor_reset_request(actor=admin, subject_id=employee.pk, reason=REASON)
    FactorResetRequest.objects.filter(pk=reset.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(Conflict, match="expired"):
        services.factor_reset_approve(actor=admin2, reset_id=reset.pk)
    assert Authenticator.objects.filter(user=employee).exists()
    # ... and a new request can be made at once.
    services.factor_reset_request(actor=admin2, subject_id=employee.pk, reason=REASON)


def test_the_database_refuses_an_approval_by_the_requester(admin, employee):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    enroll_totp(user=employee)
    with pytest.raises(IntegrityError), transaction.atomic():
        FactorResetRequest.objects.create(
            organization_id=admin.org_id,
            subject=employee,
            requested_by=admin,
            reason=REASON,
            expires_at=timezone.now(),
            status="approved",
            decided_by=admin,
        )


def test_the_operator_break_glass_command_resets_and_audits(admin):
    from django.core.management import CommandError, call_command

    enroll_totp(user=admin)
    with pytest.raises(CommandError, match="No account"):
        call_command("mfa_reset", email="nobody@x.example", reason=REASON)
    with pytest.raises(CommandError, match="5 to 300"):
        call_command("mfa_reset", email=admin.email, reason="x")
    assert Authenticator.objects.filter(user=admin).exists()

    call_command("mfa_reset", email=admin.email.upper(), reason=REASON)
    assert not Authenticator.objects.filter(user=admin).exists()
    entry = AuditEntry.objects.get(action="identity.factor_reset_by_operator")
    assert entry.actor_id is None and entry.data["reason"] == REASON
    assert Notification.objects.filter(recipient=admin, kind="identity.factor_reset").exists()
