"""Searching the audit log (office staff and administrators) and each user's own sign-in history, each entry told
as a sentence (``sentences.py``)."""

import datetime
import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tian.accounts.backends import of_committee
from tian.accounts.models import User
from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.audit.models import AuditEntry
from tian.disclosure.policy import title_matches
from tian.organisations.selectors import current_committee
from tian.pages.audit.sentences import describe
from tian.proposals.models import Proposal
from tian.proposals.selectors import visible_proposals

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A registration number as people write it: 2023-15, 2023年度第15号, 2023年第15号.
NUMBER = re.compile(r"(\d{4})\s*(?:-|/|年度第|年第|年)\s*(\d+)\s*号?")
# The older form of the filter, kept for addresses people bookmarked: proposal:15 (a record id).
OBJECT = re.compile(r"([a-z_]+):(\d*)")


class AuditSearchForm(forms.Form):
    person = forms.CharField(label=_("Person (user name or name)"), required=False, max_length=150)
    proposal = forms.CharField(label=_("Proposal (number such as 2023-15, or words of its title)"), required=False,
                               max_length=80)
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("All actions")), *AuditEntry.Action.choices])
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE)


def _about_proposals(qs, text: str, user):
    """The entries about the proposals ``text`` names: by number, or by words of the title."""
    text = text.strip()
    if match := OBJECT.fullmatch(text):
        return qs.filter(object_type=match[1], **({"object_id": match[2]} if match[2] else {}))
    if match := NUMBER.fullmatch(text):
        proposals = Proposal.objects.filter(committee=current_committee(), year=int(match[1]), number=int(match[2]))
    elif text.isdigit():
        proposals = Proposal.objects.filter(committee=current_committee(), number=int(text))
    else:  # words of the title: of the proposals the reader may open, or the search would tell what others hold
        proposals = title_matches(user, visible_proposals(user).filter(title__icontains=text), text)
    return qs.filter(object_type="proposal",
                     object_id__in=proposals.annotate(key=Cast("pk", CharField())).values("key"))


def here(entries):
    """The entries of the committee this installation serves (a database may hold many): not those done by an account
    of another committee, nor those about another committee's proposals or accounts. (An entry by nobody known about
    nothing of a committee — a failed sign-in of a name no account has — stays, as on a one-committee installation.)"""
    committee = current_committee()
    if committee is None:
        return entries
    others = Proposal.objects.exclude(committee=committee).annotate(key=Cast("pk", CharField())).values("key")
    other_users = User.objects.exclude(of_committee(committee)).annotate(
        key=Cast("pk", CharField())).values("key")
    other_names = User.objects.exclude(of_committee(committee)).values("username")
    return (entries.filter(Q(actor__isnull=True) | of_committee(committee, through="actor__"))
            .exclude(object_type="proposal", object_id__in=others)
            .exclude(object_type="user", object_id__in=other_users)
            # a failed sign-in (no actor) with the name of another committee's account, on its installation
            .exclude(actor__isnull=True, username__in=other_names))


@require_permission(Perm.VIEW_AUDIT)
def search(request):
    form = AuditSearchForm(request.GET or None)
    qs = here(AuditEntry.objects.select_related("actor"))
    if form.is_valid():
        d = form.cleaned_data
        if d["person"]:
            qs = qs.filter(Q(username=d["person"]) | Q(actor__full_name=d["person"]))
        if d["proposal"]:
            qs = _about_proposals(qs, d["proposal"], request.user)
        if d["action"]:
            qs = qs.filter(action=d["action"])
        if d["start"]:
            qs = qs.filter(at__date__gte=d["start"])
        if d["end"]:
            qs = qs.filter(at__date__lte=d["end"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = describe(page.object_list, request.user)
    return render(request, "audit/search.html", {"form": form, "page": page})


@login_required
def my_history(request):
    """The user's own sign-ins and failed sign-ins."""
    since = datetime.date.today() - datetime.timedelta(days=180)
    qs = AuditEntry.objects.select_related("actor").filter(
        Q(actor=request.user) | Q(username=request.user.get_username()),
        action__in=[AuditEntry.Action.LOGIN, AuditEntry.Action.LOGIN_FAILED, AuditEntry.Action.LOGOUT],
        at__date__gte=since)
    return render(request, "audit/history.html", {"entries": describe(qs[:100], request.user)})
