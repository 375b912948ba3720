"""The notification list (the bell), marking read, and the delivery status page for staff."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tian.accounts.backends import of_committee
from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.disclosure.policy import disclosure_for
from tian.notifications import services
from tian.notifications.models import Delivery, Notification
from tian.organisations.selectors import current_committee
from tian.proposals.selectors import tie_prefetches, visible_proposals


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
    # The messages to the people of the committee this installation serves (an operator's account, of none, too):
    # another committee's held in the same database are not listed here.
    committee = current_committee()
    qs = Delivery.objects.select_related("notification__user", "notification__event").filter(
        of_committee(committee, through="notification__user__"))
    status = request.GET.get("status", "")
    if status in Delivery.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # A message about a proposal is the reader's only where the proposal page would tell them the same: they may
    # open the proposal, and read the event in its history with its note (a member's draft, which the office does
    # not see until it is submitted; an office's return note, which an administrator does not read). The delivery's
    # state is theirs either way.
    about = {d.notification.proposal_id for d in page.object_list if d.notification.proposal_id}
    readable = {p.pk: p for p in visible_proposals(request.user).filter(pk__in=about).select_related(
        "committee").prefetch_related(
        *tie_prefetches())} if about else {}
    for delivery in page.object_list:
        notification = delivery.notification
        proposal = readable.get(notification.proposal_id)
        told = not notification.proposal_id or (
            proposal is not None and disclosure_for(request.user, proposal).told(notification.event))
        delivery.shown_message = notification.message if told else None
    return render(request, "notifications/deliveries.html",
                  {"page": page, "status": status, "statuses": Delivery.Status.choices})
