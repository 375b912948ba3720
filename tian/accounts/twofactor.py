"""Two-factor sign-in: a time-based code from an authenticator app (TOTP), with one-time recovery codes.

Required for the roles in ``settings.TWO_FACTOR_REQUIRED_ROLES`` (office staff, supervisors and
administrators by default), optional for everyone else. The devices are django-otp's: one confirmed
``TOTPDevice`` named "authenticator" and one ``StaticDevice`` holding the recovery codes.

Sign-in with a password through ``accounts:login`` leaves the session *pending* when the user needs a second
step (``PENDING``); ``TwoFactorMiddleware`` then lets the session reach nothing but the set-up and check
pages and sign-out until a code has been given. Each change is one atomic function here, audited.
"""

import base64

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tian.accounts.models import User
from tian.accounts.services import sign_out_everywhere
from tian.audit.log import audit
from tian.audit.models import AuditEntry, Kind

PENDING = "tian_two_factor_pending"
NEXT = "tian_two_factor_next"
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"
RECOVERY_CODES = 10


def required_for(user: User) -> bool:
    """Whether the user's roles oblige them to use a second factor; always for a superuser (the operator's account,
    which opens the Django admin of every committee) where any role needs one."""
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    return bool(required) and (user.is_superuser or any(role in required for role in user.roles))


def authenticator(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed, name=DEVICE_NAME).order_by("pk").first()


def enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_step(user: User) -> bool:
    """After the password: must this user give a code (or first set up an app) before going on?"""
    return enabled(user) or required_for(user)


def second_step_page(user: User) -> str:
    """Where a session owing its second factor is sent: the code page, or set-up when there is no app yet."""
    return "accounts:two_factor_verify" if enabled(user) else "accounts:two_factor_setup"


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


@transaction.atomic
def setup_device(user: User) -> TOTPDevice:
    """The unconfirmed device shown while setting up (a new secret each time set-up starts afresh)."""
    device = authenticator(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def base32(key_hex: str) -> str:
    return base64.b32encode(bytes.fromhex(key_hex)).decode().rstrip("=")


def current_code(key_hex: str) -> str:
    """The code an app holding this key shows now (for the demo's published key)."""
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key_hex)):06d}"


@transaction.atomic
def ensure_device(user: User, key_hex: str) -> None:
    """Give a user an authenticator with a known key unless they have one (the demo's accounts)."""
    if not enabled(user):
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True, key=key_hex)


def secret_text(device: TOTPDevice) -> str:
    """The secret in the base32 form an authenticator app accepts when typed in, in groups of four."""
    key = base32(device.key)
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def provisioning_uri(device: TOTPDevice, issuer: str) -> str:
    from urllib.parse import quote

    label = quote(f"{issuer}:{device.user.get_username()}")
    return (f"otpauth://totp/{label}?secret={base32(device.key)}&issuer={quote(issuer)}&algorithm=SHA1"
            f"&digits={device.digits}&period={device.step}")


def qr_svg(uri: str) -> str:
    """The provisioning address as an inline SVG QR code (no image file, no outside service)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff",
                                                 title=str(_("QR code")), omitsize=True)


def _clean(code: str) -> str:
    return "".join(str(code or "").split()).lower()


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME,
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def confirm_setup(*, request, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app with a first code: the device becomes the user's, the session is verified and ten
    recovery codes are made (returned once, to be shown once). ``None`` if the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(_clean(code)):
        audit(AuditEntry.Action.LOGIN_FAILED, request=request, user=user, object_type="user", object_id=user.pk,
              detail="wrong code while setting up two-factor sign-in", kind=Kind.WRONG_CODE,
              data={"setting_up": True})
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _verified(request, device)
    audit(AuditEntry.Action.ACCOUNT, request=request, user=user, object_type="user", object_id=user.pk,
          detail="two-factor sign-in set up", kind=Kind.TWO_FACTOR_SET_UP)
    return codes


def _verified(request, device) -> None:
    if request is not None:
        otp_login(request, device)
        request.session.pop(PENDING, None)


@transaction.atomic
def verify(*, request, user: User, code: str) -> bool:
    """Check a code from the app, or a recovery code (used up by using it), for a pending sign-in."""
    code = _clean(code)
    device = authenticator(user)
    used = None
    if device is not None and code.isdigit():
        if device.verify_token(code):
            used = device
    elif code:
        recovery = StaticDevice.objects.filter(user=user, name=RECOVERY_NAME).first()
        if recovery is not None and recovery.verify_token(code):
            used = recovery
    if used is None:
        audit(AuditEntry.Action.LOGIN_FAILED, request=request, user=user, object_type="user", object_id=user.pk,
              detail="wrong code at the second step of signing in", kind=Kind.WRONG_CODE,
              data={"setting_up": False})
        return False
    _verified(request, used)
    method = "recovery" if isinstance(used, StaticDevice) else "app"
    audit(AuditEntry.Action.LOGIN, request=request, user=user, object_type="user", object_id=user.pk,
          detail=("second step of signing in with a recovery code" if method == "recovery"
                  else "second step of signing in with a code from the authenticator app"),
          kind=Kind.SECOND_FACTOR, data={"method": method})
    return True


def throttled(user: User) -> bool:
    """Whether wrong codes have been given too often just now (django-otp's growing delay)."""
    device = authenticator(user)
    return device is not None and not device.verify_is_allowed()[0]


@transaction.atomic
def regenerate_recovery_codes(*, request, user: User, code: str) -> list[str] | None:
    """Ten new recovery codes in place of the old ones, after a code from the app. ``None`` if wrong."""
    device = authenticator(user)
    if device is None or not device.verify_token(_clean(code)):
        return None
    codes = _new_recovery_codes(user)
    audit(AuditEntry.Action.ACCOUNT, request=request, user=user, object_type="user", object_id=user.pk,
          detail="new recovery codes", kind=Kind.RECOVERY_CODES_RENEWED)
    return codes


@transaction.atomic
def disable(*, request, user: User, code: str) -> bool:
    """The user turns two-factor sign-in off (only where it is optional), after a code from the app."""
    device = authenticator(user)
    if required_for(user) or device is None or not device.verify_token(_clean(code)):
        return False
    _remove_devices(user)
    audit(AuditEntry.Action.ACCOUNT, request=request, user=user, object_type="user", object_id=user.pk,
          detail="two-factor sign-in turned off", kind=Kind.TWO_FACTOR_OFF)
    return True


@transaction.atomic
def reset(*, request, user: User, by: User) -> None:
    """Office staff remove a user's app and recovery codes (a lost phone): the user sets up a new app at the
    next sign-in (where it is required), and every signed-in session and API token of theirs ends."""

    _remove_devices(user)
    own = request is not None and user.pk == by.pk  # staff resetting their own: this session stays
    sign_out_everywhere(user=user, keep_session=request.session.session_key if own else None)
    audit(AuditEntry.Action.ACCOUNT, request=request, user=by, object_type="user", object_id=user.pk,
          detail=f"two-factor sign-in reset for {user.get_username()}", kind=Kind.TWO_FACTOR_RESET,
          data={"user": user.get_username(), "user_name": user.full_name})


def _remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
