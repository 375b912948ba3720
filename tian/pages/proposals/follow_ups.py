"""The office's list of follow-ups (回头看): a year after a B-class reply each unit reports what was actually done
(``deadlines.services.create_due_follow_ups``); here the office sees which units have reported, which have not and
which are late, filtered by status and by the proposal's year, and downloads the list as Excel."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.core.request_limits import MAX_PAGE_NUMBER, whole_number
from tian.deadlines.selectors import (
    FOLLOW_UP_OVERDUE,
    FOLLOW_UP_PENDING,
    FOLLOW_UP_REPORTED,
    FOLLOW_UP_VOID,
    committee_follow_ups,
    follow_up_condition,
    follow_up_status,
)
from tian.disclosure.policy import ListDisclosure
from tian.organisations.selectors import current_committee
from tian.stats.exports import Column, Table, xlsx_response

PER_PAGE = 30
OPEN, ALL = "open", "all"  # not reported (the overdue included), the list's first view; every follow-up
STATUS_LABELS = {FOLLOW_UP_PENDING: gettext_lazy("To report"), FOLLOW_UP_OVERDUE: gettext_lazy("Overdue"),
                 FOLLOW_UP_REPORTED: gettext_lazy("Reported"),
                 FOLLOW_UP_VOID: gettext_lazy("No longer due (handled again)")}
STATUS_CHOICES = [(OPEN, gettext_lazy("Not reported (overdue included)")),
                  *STATUS_LABELS.items(), (ALL, gettext_lazy("All"))]


class FollowUpFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=STATUS_CHOICES, required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", gettext_lazy("All years")), *[(y, str(y)) for y in years]]

    def chosen(self) -> tuple[str, int | None]:
        """The status and the year asked for; a value not offered counts as not given."""
        self.is_valid()
        return self.cleaned_data.get("status") or OPEN, self.cleaned_data.get("year")


def _filtered(committee, params, today):
    rows = committee_follow_ups(committee)
    years = rows.order_by("-reply__proposal__year").values_list("reply__proposal__year", flat=True).distinct()
    form = FollowUpFilterForm(params, years=years)
    status, year = form.chosen()
    if status == OPEN:
        rows = rows.filter(follow_up_condition(FOLLOW_UP_PENDING, today) | follow_up_condition(FOLLOW_UP_OVERDUE, today))
    elif status != ALL:
        rows = rows.filter(follow_up_condition(status, today))
    if year is not None:
        rows = rows.filter(reply__proposal__year=year)
    return form, status, year, rows.select_related("reply__proposal", "reply__unit")


def _read(user, follow_ups, today) -> list[dict]:
    """Each row as the list and its Excel file show it: the title and the report as the disclosure policy lets the
    reader read them (the office, everything), the status of today."""
    follow_ups = list(follow_ups)
    proposals = [f.reply.proposal for f in follow_ups]
    policy = ListDisclosure(user, proposals)
    policy.for_display(proposals)
    rows = []
    for f in follow_ups:
        report = policy.others_text(f.reply.proposal, f.report).strip()
        status = follow_up_status(f, today)
        rows.append({"follow_up": f, "proposal": f.reply.proposal, "unit": f.reply.unit, "status": status,
                     "reported": status == FOLLOW_UP_REPORTED, "overdue": status == FOLLOW_UP_OVERDUE,
                     "void": status == FOLLOW_UP_VOID,
                     "report": report, "first_line": report.splitlines()[0] if report else ""})
    return rows


def _reported_on(row) -> str:
    reported_at = row["follow_up"].reported_at
    return timezone.localdate(reported_at).isoformat() if reported_at else ""


EXPORT = Table(gettext_lazy("Follow-ups"), [
    Column(gettext_lazy("Number"), lambda r: r["proposal"].number_year),
    Column(gettext_lazy("Title"), lambda r: r["proposal"].title),
    Column(gettext_lazy("Unit"), lambda r: r["unit"].name),
    Column(gettext_lazy("Reply date"), lambda r: r["follow_up"].reply.reply_date.isoformat()),
    Column(gettext_lazy("Report due"), lambda r: r["follow_up"].due_on.isoformat()),
    Column(gettext_lazy("Status"), lambda r: str(STATUS_LABELS[r["status"]])),
    Column(gettext_lazy("Reported on"), _reported_on),
    Column(gettext_lazy("Received on paper"), lambda r: str(gettext_lazy("Yes")) if r["follow_up"].on_paper else ""),
    Column(gettext_lazy("Follow-up report"), lambda r: r["report"]),
])


def _file_name(status: str, year: int | None) -> str:
    """回头看-未报告(含逾期), 2025年度回头看-已报告 …: named in Chinese, as the list was filtered."""
    name = _("Follow-ups of %(year)s") % {"year": year} if year else _("Follow-ups")
    return f"{name}-{dict(STATUS_CHOICES)[status]}"


@require_permission(Perm.VIEW_ALL_PROPOSALS)
def follow_up_list(request):
    """回头看: the committee's follow-ups, the most urgent first (overdue, then due soonest; reported ones last)."""
    committee = current_committee()
    today = timezone.localdate()
    form, status, year, rows = _filtered(committee, request.GET, today)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(request, EXPORT, _read(request.user, rows, today), _file_name(status, year))
    page = Paginator(rows, PER_PAGE).get_page(whole_number(request.GET.get("page"), default=1,
                                                           maximum=MAX_PAGE_NUMBER))
    page.object_list = _read(request.user, page.object_list, today)
    return render(request, "proposals/follow_ups.html", {
        "form": form, "page": page, "due_soon_days": committee.due_soon_days if committee else 5})
