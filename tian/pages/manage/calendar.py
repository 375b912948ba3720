"""The working-day calendar's corrections, many days at a time: a range of dates, a pasted list of dates, or a year's
statutory holidays. Each is previewed (what each day is now and will be) and then confirmed; the change is one call
of ``core.calendar_days.calendar_days_set`` (one audit entry; every deadline follows at once). Bad input changes
nothing and is shown again as typed, with the error beside its field."""

import datetime
import hashlib
import re

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm
from tian.core.calendar_days import (
    MAX_DAYS,
    UnknownYear,
    calendar_days_preview,
    calendar_days_set,
    statutory_days,
)
from tian.core.models import CalendarDay

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
KIND_CHOICES = [("holiday", gettext_lazy("Day off (holiday)")), ("workday", gettext_lazy("Working day (调休上班)"))]
MSG_TOO_MANY = gettext_lazy("At most %(max)s days at a time; this is %(n)s days.")


class _Days(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("The days become"), choices=KIND_CHOICES, widget=forms.RadioSelect,
                             initial="holiday")
    note = forms.CharField(label=gettext_lazy("Note"), max_length=60, required=False,
                           help_text=gettext_lazy("e.g. 国庆节 or 调休上班"))

    def days(self) -> dict[datetime.date, tuple[bool, str]]:
        workday = self.cleaned_data["kind"] == "workday"
        return {day: (workday, self.cleaned_data["note"].strip()) for day in self.dates()}


class RangeForm(_Days):
    source = "range"
    start = forms.DateField(label=gettext_lazy("From"), widget=DATE)
    end = forms.DateField(label=gettext_lazy("To (inclusive)"), widget=DATE)
    field_order = ["start", "end", "kind", "note"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date cannot be before the start date."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", MSG_TOO_MANY % {"max": MAX_DAYS, "n": (end - start).days + 1})
        return data

    def dates(self):
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        return [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]


_SEPARATORS = re.compile(r"[\s,，、;；]+")
_FORMATS = [re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
            re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")]


def parse_date(text: str) -> datetime.date | None:
    """A date written 2027-01-01, 2027/1/1, 2027.1.1 or 2027年1月1日; None if it is none of them."""
    for pattern in _FORMATS:
        if match := pattern.match(text):
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


class ListForm(_Days):
    source = "list"
    dates_text = forms.CharField(label=gettext_lazy("Dates"), widget=forms.Textarea(attrs={"rows": 6}),
                                 max_length=20000,
                                 help_text=gettext_lazy("One a line, or separated by commas or spaces; written "
                                                        "2027-01-01, 2027/1/1 or 2027年1月1日."))
    field_order = ["dates_text", "kind", "note"]

    def clean_dates_text(self):
        text = self.cleaned_data["dates_text"]
        found, wrong = set(), []
        for number, line in enumerate(text.splitlines(), start=1):
            for token in _SEPARATORS.split(line.strip()):
                if not token:
                    continue
                day = parse_date(token)
                if day is None:
                    wrong.append(_("line %(line)s: “%(text)s”") % {"line": number, "text": token[:30]})
                else:
                    found.add(day)
        if wrong:
            raise forms.ValidationError(_("These are not dates: %(wrong)s. Nothing was changed.")
                                        % {"wrong": "; ".join(wrong[:10])})
        if not found:
            raise forms.ValidationError(_("Please enter at least one date."))
        if len(found) > MAX_DAYS:
            raise forms.ValidationError(MSG_TOO_MANY % {"max": MAX_DAYS, "n": len(found)})
        self.parsed = sorted(found)
        return text

    def dates(self):
        return self.parsed


class YearForm(forms.Form):
    source = "statutory"
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2004, max_value=2100)

    def clean_year(self):
        year = self.cleaned_data["year"]
        try:
            self.statutory = statutory_days(year)
        except UnknownYear:
            raise forms.ValidationError(_(
                "The statutory holidays of %(year)s are not known to this system yet (the State Council usually "
                "publishes them in November of the year before, and an update of the chinesecalendar package "
                "brings them). Until then, enter them above as ranges of dates.") % {"year": year}) from None
        return year

    def days(self):
        return self.statutory


FORMS = {"range": RangeForm, "list": ListForm, "year": YearForm}
TITLES = {"range": (gettext_lazy("A range of dates"), ""),
          "list": (gettext_lazy("A list of dates"), ""),
          "year": (gettext_lazy("A year's statutory holidays"),
                   gettext_lazy("Loads the statutory holidays on weekdays and the make-up working days on weekends, "
                                "as the chinesecalendar package knows them."))}


def _digest(days) -> str:
    """What was previewed, so that a confirmation saves exactly that: the days typed (the form may have been changed
    since) and what each of them was then (another clerk may have corrected one since: the new preview shows it)."""
    now = {row.date: row for row in CalendarDay.objects.filter(date__in=list(days))}
    text = ";".join(f"{d.isoformat()}:{int(w)}:{n}:{_state(now.get(d))}" for d, (w, n) in sorted(days.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _state(row) -> str:
    return f"{int(row.is_workday)}:{row.note}:{row.changed_at.isoformat()}" if row is not None else "-"


@require_permission(Perm.MANAGE_PEOPLE)
def calendar_days(request):
    """The corrections, and the three ways of entering many: preview first, then confirm."""
    today = timezone.localdate()
    bound, preview, digest = {}, None, ""
    kind = request.POST.get("form", "")
    if request.method == "POST" and kind in FORMS:
        form = bound[kind] = FORMS[kind](request.POST, prefix=kind)
        if form.is_valid():
            days = form.days()
            digest = _digest(days)
            if request.POST.get("confirm") and request.POST.get("digest") == digest:
                saved = calendar_days_set(days=days, by=request.user, source=form.source)
                messages.success(request, _("%(n)s days of the calendar were saved; every deadline now counts "
                                            "with them.") % {"n": saved})
                return redirect("organisations:calendar_days")
            if request.POST.get("confirm"):
                messages.warning(request, _("The input changed after the preview: please check the new preview."))
            preview = calendar_days_preview(days) if days else []
            if not days:
                messages.info(request, _("That year has no holiday on a weekday and no make-up working day."))
    sections = [{"name": name, "title": TITLES[name][0], "help": TITLES[name][1],
                 "form": bound.get(name) or cls(prefix=name, initial=_initial(name, today))}
                for name, cls in FORMS.items()]
    page = Paginator(CalendarDay.objects.order_by("-date"), 50).get_page(request.GET.get("page"))
    return render(request, "organisations/calendar_days.html", {
        "sections": sections, "active": kind if kind in FORMS else "range", "preview": preview, "digest": digest,
        "changing": sum(1 for c in preview or [] if c.changes), "page": page, "rows": page.object_list})


def _initial(name, today) -> dict:
    if name == "range":
        return {"start": today, "end": today, "kind": "holiday"}
    if name == "year":
        return {"year": today.year + 1}
    return {"kind": "holiday"}
