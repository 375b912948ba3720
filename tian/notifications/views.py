"""The notification list (the bell), marking read, and the delivery status page for staff."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.notifications import services
from tian.notifications.models import Delivery, Notification
from tian.proposals.selectors import visible_proposals


@login_required
def notification_list(request):
    qs = Notification.objects.filter(user=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.mark_read(user=request.user, notification_ids=[notification.pk])
    return redirect(notification.url or "notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    services.mark_read(user=request.user)
    return redirect("notifications:list")


@require_permission(Perm.MANAGE_USERS)
def delivery_list(request):
    qs = Delivery.objects.select_related("notification__user")
    status = request.GET.get("status", "")
    if status in Delivery.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # The message of a notification about a proposal the reader may not open (a member's draft, which the office
    # does not see until it is submitted) is not theirs to read: the delivery's state is.
    about = {d.notification.proposal_id for d in page.object_list if d.notification.proposal_id}
    readable = set(visible_proposals(request.user).filter(pk__in=about).values_list("pk", flat=True)) if about else set()
    for delivery in page.object_list:
        proposal_id = delivery.notification.proposal_id
        delivery.shown_message = delivery.notification.message if not proposal_id or proposal_id in readable else None
    return render(request, "notifications/deliveries.html",
                  {"page": page, "status": status, "statuses": Delivery.Status.choices})
