import time

import pyotp
import pytest

from chorus.audit.models import AuditEntry
from chorus.common.errors import Conflict, InvalidInput, NotFound
from chorus.identity.mfa import services
from chorus.identity.mfa.crypto import decrypt_secret
from chorus.identity.mfa.models import Authenticator, RecoveryCode
from chorus.identity.mfa.tests.helpers import enroll_totp, now_code
from chorus.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _audit_text(org) -> str:
    return " ".join(str(e.data) for e in AuditEntry.objects.filter(organization_id=org.pk))


def test_enrolling_an_authenticator_app_confirms_it_with_a_code_and_issues_recovery_codes(
    employee, org
):
    device, secret = services.totp_enroll_begin(user=employee)
    assert device.confirmed_at is None
    assert secret not in device.totp_secret_encrypted  # stored encrypted
    assert decrypt_secret(device.totp_secret_encrypted) == secret

    device, codes = services.totp_enroll_confirm(
        user=employee, authenticator_id=device.pk, code=pyotp.TOTP(secret).now(), name="Work phone"
    )

    assert device.is_confirmed and device.name == "Work phone"
    assert codes is not None and len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=employee).values_list("code_hash", flat=True))
    assert all(c.replace("-", "") not in stored for c in codes)  # only digests are kept
    audit = _audit_text(org)
    assert secret not in audit and not any(c in audit for c in codes)
    assert AuditEntry.objects.filter(
        action="identity.factor_added", target_id=str(device.pk)
    ).exists()
    assert Notification.objects.filter(recipient=employee, kind="identity.factor_added").exists()


def test_a_wrong_enrollment_code_is_refused_and_the_device_stays_unconfirmed(employee):
    device, secret = services.totp_enroll_begin(user=employee)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    with pytest.raises(InvalidInput, match="does not match the QR code"):
        services.totp_enroll_confirm(user=employee, authenticator_id=device.pk, code=wrong)
    device.refresh_from_db()
    assert device.confirmed_at is None
    assert not services.user_has_factor(user=employee)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_a_code_that_is_not_six_digits_says_what_to_type(employee, code):
    enroll_totp(user=employee)
    with pytest.raises(InvalidInput, match="6-digit code") as exc:
        services.totp_verify(user=employee, code=code)
    assert exc.value.field == "code"


def test_a_current_code_passes_once_and_its_replay_is_refused(employee, org):
    _, secret, _ = enroll_totp(user=employee)
    code = now_code(secret)

    services.totp_verify(user=employee, code=code)
    with pytest.raises(InvalidInput, match="already used"):
        services.totp_verify(user=employee, code=code)

    failed = AuditEntry.objects.filter(action="identity.mfa_failed").get()
    assert failed.data["reason"] == "replayed" and code not in str(failed.data)


def test_an_expired_code_is_refused_as_expired(employee):
    _, secret, _ = enroll_totp(user=employee)
    old = pyotp.TOTP(secret).at(time.time() - 5 * 30)
    if old == now_code(secret):
        pytest.skip("the old and current codes collide (1 in a million)")
    with pytest.raises(InvalidInput, match="expired"):
        services.totp_verify(user=employee, code=old)


def test_spaces_in_a_code_are_ignored(employee):
    _, secret, _ = enroll_totp(user=employee)
    code = now_code(secret)
    services.totp_verify(user=employee, code=f" {code[:3]} {code[3:]} ")


def test_five_wrong_codes_lock_every_factor_for_the_cooloff_and_are_audited(employee, settings):
    settings.AXES_FAILURE_LIMIT = 5
    _, secret, codes = enroll_totp(user=employee)
    current = now_code(secret)
    wrong = "999999" if current != "999999" else "888888"
    for _ in range(5):
        with pytest.raises(InvalidInput):
            services.totp_verify(user=employee, code=wrong)
    with pytest.raises(services.TooManyAttempts, match="Too many wrong attempts"):
        services.totp_verify(user=employee, code=current)  # even the right code
    with pytest.raises(services.TooManyAttempts):
        services.recovery_code_use(user=employee, code=codes[0])
    assert AuditEntry.objects.filter(action="identity.mfa_failed").count() == 5
    assert AuditEntry.objects.filter(action="identity.mfa_locked").count() == 1


def test_a_recovery_code_works_once_and_the_person_is_told(employee):
    _, _, codes = enroll_totp(user=employee)
    assert codes

    left = services.recovery_code_use(user=employee, code=codes[0].upper())
    assert left == 9
    with pytest.raises(InvalidInput, match="already used"):
        services.recovery_code_use(user=employee, code=codes[0])
    with pytest.raises(InvalidInput, match="not one of your recovery codes"):
        services.recovery_code_use(user=employee, code="aaaaa-bbbbb")
    with pytest.raises(InvalidInput, match="10 letters"):
        services.recovery_code_use(user=employee, code="short")
    assert (
        Notification.objects.filter(recipient=employee, kind="identity.recovery_code_used").count()
        == 1
    )


def test_regenerating_recovery_codes_invalidates_the_old_ones(employee, org):
    _, _, old = enroll_totp(user=employee)
    new = services.recovery_codes_regenerate(user=employee)
    assert set(new).isdisjoint(old or [])
    with pytest.raises(InvalidInput):
        services.recovery_code_use(user=employee, code=old[0])
    services.recovery_code_use(user=employee, code=new[0])
    entry = AuditEntry.objects.get(action="identity.recovery_codes_regenerated")
    assert entry.data == {"count": 10}


def test_recovery_codes_need_a_factor_first(employee):
    with pytest.raises(Conflict, match="first"):
        services.recovery_codes_regenerate(user=employee)


def test_the_last_factor_cannot_be_removed_while_the_rule_applies(hr):
    device, _, _ = enroll_totp(user=hr)
    with pytest.raises(Conflict, match="requires a second factor"):
        services.authenticator_remove(user=hr, authenticator_id=device.pk)
    second, _, _ = enroll_totp(user=hr, name="Backup phone")
    services.authenticator_remove(user=hr, authenticator_id=device.pk)
    assert list(Authenticator.objects.filter(user=hr)) == [second]


def test_removing_an_optional_last_factor_removes_the_recovery_codes_too(employee):
    device, _, _ = enroll_totp(user=employee)
    services.authenticator_remove(user=employee, authenticator_id=device.pk)
    assert not RecoveryCode.objects.filter(user=employee).exists()


def test_another_persons_factor_cannot_be_removed(employee, employee2):
    device, _, _ = enroll_totp(user=employee2)
    with pytest.raises(NotFound):
        services.authenticator_remove(user=employee, authenticator_id=device.pk)


def test_a_long_device_name_is_refused(employee):
    device, secret = services.totp_enroll_begin(user=employee)
    with pytest.raises(InvalidInput, match="under 60") as exc:
        services.totp_enroll_confirm(
            user=employee, authenticator_id=device.pk, code=pyotp.TOTP(secret).now(), name="x" * 61
        )
    assert exc.value.field == "name"
