"""Tables defined once — columns with Chinese headers and how to read each value — and written as .xlsx.
The statistics pages, the proposal list and (later) the API all download through these."""

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tian.audit.log import audit_download
from tian.core.spreadsheets import safe_cell
from tian.deadlines.services import satisfaction, with_ratings
from tian.deadlines.status import PROPOSAL_DUE_PREFETCH, proposal_due
from tian.handling.models import Reply, UnitRole
from tian.proposals.selectors import CREDIT_LOOKUPS, cosigner_members


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[Column]

    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def rows(self, items) -> list[list]:
        return [[c.value(item) for c in self.columns] for item in items]

    def xlsx(self, items, *, title: str = "") -> bytes:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(self.name)[:31]
        if title:
            sheet.append([safe_cell(title)])
            sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(self.headers())
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
        for row in self.rows(items):
            sheet.append(["" if v is None else safe_cell(v) for v in row])
        for index, header in enumerate(self.headers(), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(header) * 2 + 4))
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


def _classes(row):
    return " ".join(f"{k}:{v}" for k, v in row.get("classes", {}).items())


def _shares(row):
    return " ".join(f"{k}:{v}%" for k, v in row.get("class_shares", {}).items())


# What is measured of a set of proposals (``kpis.summary``), after how many they are: received for a scope or a
# group, led for a member.
MEASURED_COLUMNS = [
    Column(_("Registered"), lambda r: r["registered"]),
    Column(_("Registration rate (%)"), lambda r: r["registered_rate"]),
    Column(_("Not registered"), lambda r: r["declined"]),
    Column(_("Merged"), lambda r: r["merged"]),
    Column(_("Assigned"), lambda r: r["assigned"]),
    Column(_("Replied"), lambda r: r["replied"]),
    Column(_("Reply rate (%)"), lambda r: r["replied_rate"]),
    Column(_("Replied on time"), lambda r: r["on_time"]),
    Column(_("On-time rate (%)"), lambda r: r["on_time_rate"]),
    Column(_("Outcome classes"), _classes),
    Column(_("Class shares"), _shares),
    Column(_("Contacted before reply"), lambda r: r["contacted"]),
    Column(_("Contact rate (%)"), lambda r: r["contact_rate"]),
    Column(_("Evaluated"), lambda r: r["evaluated"]),
    Column(_("Satisfaction rate (%)"), lambda r: r["satisfaction_rate"]),
    Column(_("Rehandled"), lambda r: r["rehandled"]),
    Column(_("Overdue now"), lambda r: r["overdue"]),
]
SUMMARY_COLUMNS = [Column(_("Received"), lambda r: r["received"]), *MEASURED_COLUMNS]

SUMMARY = Table(_("Overview"), SUMMARY_COLUMNS)
GROUPED = Table(_("By group"), [Column(_("Group"), lambda r: r["group"]), *SUMMARY_COLUMNS])
UNITS = Table(_("By unit"), [
    Column(_("Unit"), lambda r: r["unit"]),
    Column(_("Role"), lambda r: str(r["role_label"])),
    Column(_("Assigned"), lambda r: r["assigned"]),
    Column(_("Replied"), lambda r: r["replied"]),
    Column(_("Reply rate (%)"), lambda r: r["replied_rate"]),
    Column(_("Replied on time"), lambda r: r["on_time"]),
    Column(_("On-time rate (%)"), lambda r: r["on_time_rate"]),
    Column(_("Overdue now"), lambda r: r["overdue"]),
    Column(_("Outcome classes"), _classes),
    Column(_("Contacted before reply"), lambda r: r["contacted"]),
    Column(_("Contact rate (%)"), lambda r: r["contact_rate"]),
    Column(_("Satisfaction rate (%)"), lambda r: r["satisfaction_rate"]),
    Column(_("Rehandled"), lambda r: r["rehandled"]),
])
MEMBERS = Table(_("By member"), [
    Column(_("Member"), lambda r: r["member"]),
    Column(_("Led"), lambda r: r["led"]),
    Column(_("Co-signed"), lambda r: r["cosigned"]),
    Column(_("Key proposals"), lambda r: r["key"]),
    *MEASURED_COLUMNS,
])


def _units(p, role: str) -> str:
    return "、".join(a.unit.name for a in p.assignments.all() if a.role == role and a.is_active)


def _deadline(p) -> str:
    """The reply deadline the list shows (``proposal_due``): the earliest of the units still owing a reply."""
    day = proposal_due(p).day
    return day.isoformat() if day else ""


PROPOSALS = Table(_("Proposals"), [
    Column(_("Number"), lambda p: p.number_year),
    Column(_("Title"), lambda p: p.title),
    Column(_("Kind"), lambda p: p.kind_label),
    Column(_("Proposer"), lambda p: p.proposer_name),
    Column(_("Co-signers"), lambda p: "、".join(m.name for m in cosigner_members(p))),
    Column(_("Topic category"), lambda p: p.category.name if p.category_id else ""),
    Column(_("Session"), lambda p: p.session.name),
    Column(_("State"), lambda p: str(p.get_state_display())),
    Column(_("Key proposal"), lambda p: "是" if p.is_key else "否"),
    Column(_("Submitted"), lambda p: timezone.localdate(p.submitted_at).isoformat() if p.submitted_at else ""),
    Column(_("Lead unit"), lambda p: _units(p, UnitRole.LEAD)),
    Column(_("Separate units"), lambda p: _units(p, UnitRole.SEPARATE)),
    Column(_("Assisting units"), lambda p: _units(p, UnitRole.ASSISTING)),
    Column(_("Assigned on"), lambda p: p.assigned_on.isoformat() if p.assigned_on else ""),
    Column(_("Deadline"), _deadline),
    Column(_("Outcome classes"), lambda p: "、".join(dict.fromkeys(r.outcome for r in p.released if r.outcome))),
    Column(_("Satisfaction"), lambda p: str(satisfaction(p, p.lead_rating).text)),
])


def with_handling(proposals) -> list:
    """``proposals`` with what the list's Excel file says of their handling (the seed page's 联名人, 主办/协办单位,
    交办时间, 期限, 落实情况, 满意评价), read for all of them in a few queries: their co-signers, units, released replies,
    the lead proposer's rating that counts and the day the replies were out (the rating's window)."""
    proposals = list(proposals)
    # Lookups, not querysets, so that they extend what the list prefetched already (the deadline column's replies).
    prefetch_related_objects(
        proposals, *CREDIT_LOOKUPS, "assignments__unit", *PROPOSAL_DUE_PREFETCH, "collective",
        "committee",  # the committee: the rating window's calendar
        Prefetch("replies", queryset=Reply.objects.filter(status=Reply.Status.RELEASED).order_by("round", "id"),
                 to_attr="released"))
    return with_ratings(proposals)


def xlsx_response(request, table: Table, items, name: str):
    """An HTTP download of ``table`` filled with ``items`` (audited)."""
    from urllib.parse import quote

    from django.http import HttpResponse

    audit_download(request, f"{name}.xlsx", "export", table.name)

    response = HttpResponse(table.xlsx(items, title=str(name)),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(str(name))}.xlsx"
    return response
