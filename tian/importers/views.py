"""Office staff import legacy pages from the browser: several files at once, a line of report each."""

from urllib.parse import quote

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tian.accounts.permissions import require_permission
from tian.accounts.roles import Perm, has_permission
from tian.importers.excel import KINDS, TEMPLATE_NAMES, import_file, template
from tian.importers.legacy import MAX_PAGE_BYTES, LegacyParseError, parse
from tian.importers.legacy_import import ImportProblem, import_record
from tian.organisations.selectors import current_committee
from tian.proposals.workflow import WorkflowError


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,text/plain"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class LegacyUploadForm(forms.Form):
    files = MultipleFileField(label=gettext_lazy("Saved pages (UTF-8 text)"))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check, import nothing"), required=False)


@require_permission(Perm.REVIEW)
def legacy_upload(request):
    form = LegacyUploadForm(request.POST or None, request.FILES or None)
    results = []
    if request.method == "POST" and form.is_valid():
        for upload in form.cleaned_data["files"]:
            results.append(_import_one(upload, request.user, form.cleaned_data["dry_run"]))
    return render(request, "importers/legacy.html", {"form": form, "results": results})


def _import_one(upload, user, dry_run: bool) -> dict:
    name = upload.name
    if upload.size > MAX_PAGE_BYTES:
        return {"file": name, "ok": False, "message": _("The file is too large for a proposal page.")}
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return {"file": name, "ok": False, "message": _("The file is not UTF-8 text.")}
    try:
        record = parse(text)
    except LegacyParseError as e:
        return {"file": name, "ok": False,
                "message": _("line %(line)s: expected %(what)s") % {"line": e.line, "what": e.expected}}
    if dry_run:
        return {"file": name, "ok": True, "message": _("readable: %(year)s年度第%(n)s号 %(title)s")
                % {"year": record.year, "n": record.number, "title": record.title}}
    try:
        return {"file": name, "ok": True, "message": import_record(record, by=user)}
    except (ImportProblem, WorkflowError) as e:
        return {"file": name, "ok": False, "message": str(getattr(e, "message", e))}


EXCEL_PERMS = {"members": Perm.MANAGE_PEOPLE, "units": Perm.MANAGE_PEOPLE, "users": Perm.MANAGE_USERS,
               "proposals": Perm.REVIEW}
EXCEL_LABELS = {"members": gettext_lazy("Members"), "units": gettext_lazy("Units"), "users": gettext_lazy("Users"),
                "proposals": gettext_lazy("Proposal lists")}


class ExcelUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=list(EXCEL_LABELS.items()))
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx) made from the template"))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check, import nothing"), required=False)


@require_permission(Perm.MANAGE_PEOPLE, Perm.MANAGE_USERS, Perm.REVIEW)
def excel_upload(request):
    allowed = {k: v for k, v in EXCEL_LABELS.items() if has_permission(request.user, EXCEL_PERMS[k])}
    form = ExcelUploadForm(request.POST or None, request.FILES or None)
    form.fields["kind"].choices = list(allowed.items())
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            form.add_error("file", _("The file is too large (at most %(mb)d MB).") % {"mb": 10})
        else:
            report = import_file(form.cleaned_data["kind"], upload.read(), committee=current_committee(),
                                 by=request.user, dry_run=form.cleaned_data["dry_run"])
    return render(request, "importers/excel.html", {"form": form, "report": report, "kinds": allowed})


@require_permission(Perm.MANAGE_PEOPLE, Perm.MANAGE_USERS, Perm.REVIEW)
def excel_template(request, kind):

    if kind not in KINDS or not has_permission(request.user, EXCEL_PERMS[kind]):
        raise Http404
    response = HttpResponse(template(kind),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(TEMPLATE_NAMES[kind] + '导入模板.xlsx')}"
    return response
