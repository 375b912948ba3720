"""Audit entries for sign-ins, failed sign-ins and sign-outs, from Django's own signals. (State changes
are written by ``proposals.events.record`` beside each event.)"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tian.audit.log import audit
from tian.audit.models import AuditEntry, Kind
from tian.core.calendar_days import calendar_corrected

# Set on a request that signs its user out by itself, to the reason (e.g. "absolute_timeout": the session lasted
# as long as a sign-in may, ``accounts.middleware.SessionLifetimeMiddleware``), for the sign-out's entry.
SIGNED_OUT_BECAUSE = "tian_signed_out_because"


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    audit(AuditEntry.Action.LOGIN, request=request, user=user, detail="signed in with the password",
          kind=Kind.SIGNED_IN)


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit(AuditEntry.Action.LOGIN_FAILED, request=request, username=username,
          detail="wrong user name or password", kind=Kind.SIGN_IN_FAILED, data={"username": username})


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, SIGNED_OUT_BECAUSE, None)
        audit(AuditEntry.Action.LOGOUT, request=request, user=user,
              detail=f"signed out ({reason})" if reason else "signed out", kind=Kind.SIGNED_OUT,
              data={"reason": reason} if reason else None)


@receiver(calendar_corrected)
def calendar_changed(sender, by, changed, first, last, source, **kwargs):
    """Staff corrected the working-day calendar (``core/calendar_days.py``): one entry a change, in its transaction."""
    audit(AuditEntry.Action.CHANGE, user=by, object_type="calendar", object_id=first,
          detail=f"calendar: {changed} days from {first} to {last} ({source})", kind=Kind.CALENDAR_CORRECTED,
          data={"changed": changed, "first": first, "last": last, "source": source})
