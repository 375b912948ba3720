from tian.notifications.models import Notification


def unread_count(user) -> int:
    """The user's unread notifications: as read with the user at the start of the request
    (``accounts.backends.UserBackend``), else counted now. Marking read is a POST answered with a redirect, so
    the page that follows counts afresh."""
    n = getattr(user, "unread_at_sign_in", None)
    if n is None:
        n = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return n


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
