"""The second factor's writes: keyword-only, one transaction each."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from assistant_portal.accounts.models import User


@transaction.atomic
def otp_device_pending(*, user: User) -> TOTPDevice:
    """The user's authenticator being set up: the unconfirmed one, or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


@transaction.atomic
def otp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm the device with one code from the app; False (nothing changed) when wrong."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True
