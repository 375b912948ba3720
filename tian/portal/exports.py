"""Open data: the disclosed proposals of one session as CSV or JSON.

The columns are declared once; CSV and JSON are two writings of the same rows. The files are written in
Chinese whatever the reader's interface language, so that a file means the same for everyone."""

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from tian.core.spreadsheets import safe_cell
from tian.deadlines.services import satisfaction, with_replied_on
from tian.disclosure.policy import public_disclosure, public_text
from tian.handling.models import UnitRole
from tian.organisations.models import Session
from tian.organisations.selectors import current_committee
from tian.portal import selectors
from tian.proposals.selectors import credited_cosigners

FILE_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    value: Callable


def _names(items) -> list[str]:
    return [item.name for item in items]


def _iso(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _replies(p) -> list[dict]:
    return [{"unit": r.unit.name, "round": r.round, "date": r.reply_date.isoformat(), "outcome": r.outcome,
             "body": public_text(p, r.body)} for r in p.public_replies]


def follow_up_rows(p) -> list[dict]:
    """回头看 as the portal shows them (the disclosure policy: the reported ones, their reports masked)."""
    policy = public_disclosure(p)
    return [{"unit": r.unit.name, "reported_on": timezone.localdate(f.reported_at).isoformat(),
             "report": policy.follow_up_report(f)}
            for r in p.public_replies if (f := getattr(r, "follow_up", None)) and policy.follow_up_visible(f)]


def _satisfaction(p, evaluations) -> str | None:
    """As the portal's page says it (``deadlines.services.satisfaction``): the rating, or 未表态 …"""
    return satisfaction(p, evaluations.get(p.pk)).text or None


COLUMNS = [
    Column("number", _("Number"), lambda p, ev: p.number),
    Column("year", _("Year"), lambda p, ev: p.year),
    Column("session", _("Session"), lambda p, ev: p.session.name),
    Column("kind", _("Kind"), lambda p, ev: p.kind_label),
    Column("category", _("Topic category"), lambda p, ev: p.category.name if p.category_id else None),
    Column("title", _("Title"), lambda p, ev: public_text(p, p.title)),
    Column("proposer", _("Proposer"), lambda p, ev: p.proposer_name),
    Column("cosigners", _("Co-signers"), lambda p, ev: _names(credited_cosigners(p))),
    Column("body", _("body"), lambda p, ev: public_text(p, p.full_body)),
    Column("lead_units", _("Lead unit"), lambda p, ev: _names(selectors.units_by_role(p)[UnitRole.LEAD])),
    Column("assisting_units", _("Assisting units"),
           lambda p, ev: _names(selectors.units_by_role(p)[UnitRole.ASSISTING])),
    Column("separate_units", _("Separate units"),
           lambda p, ev: _names(selectors.units_by_role(p)[UnitRole.SEPARATE])),
    Column("is_key", _("Key proposal"), lambda p, ev: p.is_key),
    Column("lead_officials", _("Lead officials"), lambda p, ev: _names(p.lead_officials.all())),
    Column("supervising_offices", _("Supervising offices"), lambda p, ev: _names(p.supervising_offices.all())),
    Column("assigned_on", _("Assigned on"), lambda p, ev: p.assigned_on.isoformat() if p.assigned_on else None),
    Column("outcome_classes", _("Outcome classes"),
           lambda p, ev: list(dict.fromkeys(r.outcome for r in p.public_replies if r.outcome))),
    Column("satisfaction", _("Satisfaction"), _satisfaction),
    Column("replies", _("Replies"), lambda p, ev: _replies(p)),
    Column("follow_ups", _("Follow-up a year later"), lambda p, ev: follow_up_rows(p)),
    Column("disclosed_at", _("disclosed at"), lambda p, ev: _iso(p.disclosed_at)),
]


def session_rows(session: Session) -> list[dict]:
    """One dict per disclosed proposal of the session, by number."""
    proposals = list(with_replied_on(selectors.for_listing(
        selectors.disclosed_proposals(session.term.committee).filter(session=session))
        .prefetch_related("lead_officials", "supervising_offices").order_by("number", "pk")))
    evaluations = selectors.lead_evaluations(proposals)
    return [{c.key: c.value(p, evaluations) for c in COLUMNS} for p in proposals]


def _cell(key: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if key == "replies":
        return "\n\n".join(f"{r['unit']}({r['date']}):{r['body']}" for r in value)
    if key == "follow_ups":
        return "\n\n".join(f"{f['unit']}({f['reported_on']}):{f['report']}" for f in value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def as_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(c.header) for c in COLUMNS])
    for row in rows:
        writer.writerow([safe_cell(_cell(c.key, row[c.key])) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_json(session: Session, rows: list[dict]) -> bytes:
    document = {"committee": session.term.committee.name, "session": session.name, "year": session.year,
                "count": len(rows), "proposals": rows}
    return json.dumps(document, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder).encode("utf-8")


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


@require_safe
def export(request, session_pk: int, fmt: str):
    if fmt not in CONTENT_TYPES:
        raise Http404
    committee = current_committee()
    session = get_object_or_404(Session.objects.select_related("term__committee"), pk=session_pk,
                                term__committee=committee)
    with translation.override(FILE_LANGUAGE):
        rows = session_rows(session)
        content = as_csv(rows) if fmt == "csv" else as_json(session, rows)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"{session.name}提案公开数据.{fmt}"  # in Chinese, as every download of the system is named
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
