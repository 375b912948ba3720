"""Writing a parsed legacy page through the same service functions as the UI, with events dated as on
the page. Every step checks whether it was already done, so importing the same page again (or a later
version of it, with a reply or an evaluation added) changes only what is new. One page is one
transaction: a page that fails leaves nothing behind."""

import datetime
import functools
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from tian.accounts import services as accounts
from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.handling import services as handling
from tian.handling.models import REPLYING_ROLES, Assignment, Evaluation, OutcomeClass, Rating, Reply
from tian.importers.legacy import MAX_NUMBER, YEARS, LegacyRecord
from tian.importers.names import plain_name
from tian.organisations.models import Committee, LeadOfficial, Member, Session, SupervisingOffice, Unit
from tian.organisations.selectors import current_committee, session_for_date
from tian.organisations.services import named_save
from tian.proposals import services
from tian.proposals.events import quiet
from tian.proposals.models import ANSWERED, FIRST_HANDLING, Proposal, State
from tian.proposals.workflow import WorkflowError
from tian.supervision import services as supervision

TZ = ZoneInfo("Asia/Shanghai")
RATINGS = {"满意": Rating.SATISFIED, "基本满意": Rating.BASICALLY_SATISFIED, "不满意": Rating.DISSATISFIED}


class ImportProblem(Exception):
    """Why a record cannot be imported; ``field``: the record's field at fault (``LegacyRecord``), where one is, so
    that a spreadsheet's report can name its column."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.field = field


SYSTEM_IMPORTER = "system-import"


def import_user(username: str | None = None) -> User:
    """The office staff account an import acts as: the one named, or a system account that cannot sign in
    (created on first use), so that imported history names who wrote it."""
    # The installation's committee's (``User.committee``): a database may hold several committees, each importing.
    committee = current_committee()
    staff = accounts.accounts_here(User.objects.filter(is_active=True, role_grants__role=Role.STAFF))
    if username:
        user = staff.filter(username=username).first()
        if user is None:
            raise ImportProblem(_("No active office staff account %(name)s to import as.") % {"name": username})
        return user
    # One system account per committee: the first keeps the plain name, another committee's gets its id after it.
    system = SYSTEM_IMPORTER
    taken = User.objects.filter(username=SYSTEM_IMPORTER).exclude(committee=committee).exists() if committee else False
    if taken:
        system = f"{SYSTEM_IMPORTER}-{committee.pk}"
    user = staff.filter(username=system, committee=committee).first()
    if user is None:
        user = accounts.user_create(username=system, full_name="数据导入", password=None, roles=[Role.STAFF])
    return user


def _moment(day: str | datetime.date | None, hour: int = 10) -> datetime.datetime | None:
    if day is None:
        return None
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


class Importer:
    def __init__(self, record: LegacyRecord, by: User, committee: Committee):
        self.record, self.by, self.committee = record, by, committee
        self.new = False  # whether run() created the proposal (rather than finding it imported before)
        self.created: list[str] = []
        self.done: list[str] = []

    # People and organisations, created when the page names someone TiAn does not know, as the management pages
    # add them (named_save: audited, and the pages that show names move on).
    @functools.cached_property
    def members(self) -> dict[str, Member]:
        """The committee's members by their names as compared (``plain_name``: "李　明" is 李明), read once."""
        return {plain_name(m.name): m for m in Member.objects.filter(committee=self.committee).order_by("pk")}

    def member(self, name: str) -> Member:
        name = plain_name(name)
        member = self.members.get(name)
        if member is None:
            member = self.members[name] = named_save(Member(committee=self.committee, name=name), by=self.by)
            self.created.append(_("member %(name)s") % {"name": name})
        return member

    def unit(self, name: str) -> Unit:
        unit = (Unit.objects.filter(committee=self.committee, name=name).first()
                or Unit.objects.filter(committee=self.committee, full_name=name).first())
        if unit is None:
            unit = named_save(Unit(committee=self.committee, name=name, full_name=name), by=self.by)
            self.created.append(_("unit %(name)s") % {"name": name})
        return unit

    def office(self, name: str) -> SupervisingOffice:
        office = SupervisingOffice.objects.filter(committee=self.committee, name=name).first()
        if office is None:
            office = named_save(SupervisingOffice(committee=self.committee, name=name, full_name=name), by=self.by)
            self.created.append(_("supervising office %(name)s") % {"name": name})
        return office

    def official(self, name: str) -> LeadOfficial:
        official = LeadOfficial.objects.filter(committee=self.committee, name=name).first()
        if official is None:
            official = named_save(LeadOfficial(committee=self.committee, name=name), by=self.by)
            self.created.append(_("lead official %(name)s") % {"name": name})
        return official

    def _account(self, role, binding: dict, label: str) -> User:
        field, value = next(iter(binding.items()))
        user = User.objects.filter(is_active=True, role_grants__role=role, **binding).first()
        if user is not None:
            return user
        username = base = f"{value.name}"
        n = 1
        while User.objects.filter(username=username).exists():
            n += 1
            username = f"{base}{n}"
        full_name = f"{value.name}{label}"[:User._meta.get_field("full_name").max_length]  # a unit's name is 50
        user = accounts.user_create(username=username, full_name=full_name, password=None, roles=[role], **binding)
        self.created.append(_("account %(name)s (no password yet)") % {"name": username})
        return user

    def handler(self, unit: Unit) -> User:
        return self._account(Role.UNIT_HANDLER, {"unit": unit}, "经办人")

    def supervisor(self, office: SupervisingOffice) -> User:
        return self._account(Role.SUPERVISOR, {"office": office}, "督办员")

    def session(self) -> Session | None:
        sessions = Session.objects.filter(term__committee=self.committee).select_related("term")
        for session in sessions:
            if session.name == self.record.session:
                return session
        # The page names no session set up here: the one its year's proposals are filed under from the start of that
        # year (``session_for_date``, which decides it for every proposal), if it is a session of that year.
        session = session_for_date(self.committee, datetime.date(self.record.year, 1, 1))
        return session if session is not None and session.year == self.record.year else None

    def fresh(self, proposal: Proposal) -> Proposal:
        proposal.refresh_from_db()
        return proposal

    def check(self) -> None:
        """Refuse, before anything is written, what the database cannot store: a year or number out of range, a
        name or title longer than its column (PostgreSQL would refuse it half-way; SQLite would keep it)."""
        r = self.record
        if r.year is None:
            raise ImportProblem(_("The page shows no year."), field="year")
        if r.year not in YEARS:
            raise ImportProblem(_("The year %(year)s is not between %(first)s and %(last)s.")
                                % {"year": r.year, "first": YEARS[0], "last": YEARS[-1]}, field="year")
        if not 1 <= r.number <= MAX_NUMBER:
            raise ImportProblem(_("The number %(n)s is not between 1 and %(max)s.") % {"n": r.number, "max": MAX_NUMBER},
                                field="number")
        replies = r.replies
        columns = [  # the record's field, and the column of the model it is written to
            ("title", Proposal, "title", [r.title]),
            ("proposer", Member, "name", [r.proposer]),
            ("cosigners", Member, "name", r.cosigners),
            ("lead_units", Unit, "name", r.lead_units),
            ("assisting_units", Unit, "name", r.assisting_units),
            ("separate_units", Unit, "name", r.separate_units),
            ("replies", Unit, "full_name", [data["unit"] for data in replies] + [u for data in replies for u in data["cosign_units"]]),
            ("supervising_offices", SupervisingOffice, "name", r.supervising_offices),
            ("lead_officials", LeadOfficial, "name", r.lead_officials),
            ("replies", Reply, "contact_name", [data["contact_name"] for data in replies]),
            ("replies", Reply, "contact_phone", [data["contact_phone"] for data in replies]),
        ]
        for record_field, model, column, values in columns:
            field = model._meta.get_field(column)
            for value in values:
                if len(value) > field.max_length:
                    raise ImportProblem(_("“%(value)s…” is longer than a %(what)s may be (%(n)s characters).")
                                        % {"value": value[:20], "what": field.verbose_name, "n": field.max_length},
                                        field=record_field)

    # The steps.
    def run(self) -> str:
        r = self.record
        self.check()
        proposal = Proposal.objects.filter(committee=self.committee, year=r.year, number=r.number).first()
        self.new = new = proposal is None
        if new:
            proposal = self.create(proposal)
        proposal = self.assign(proposal)
        proposal = self.handle(proposal)
        proposal = self.evaluate(proposal)
        proposal = self.disclose(proposal)
        what = _("created") if new else (_("updated") if self.done else _("unchanged"))
        report = f"{what} {r.year}年度第{r.number}号 {r.title}"
        if self.done:
            report += "; " + "、".join(self.done)
        if self.created:
            report += "; " + _("new: %(list)s") % {"list": "、".join(self.created)}
        return report

    def create(self, proposal) -> Proposal:
        r = self.record
        session = self.session()
        if session is None:
            raise ImportProblem(_("No session of %(year)s is set up; create it first.") % {"year": r.year},
                                field="year")
        submitted = _moment(session.plenary_start) if session.year == r.year else _moment(f"{r.year}-01-02")
        if r.kind.startswith("集体"):
            raise ImportProblem(_("Collective proposals cannot be imported from pages yet."))
        lead = self.member(r.proposer)
        proposal = services.proposal_create_draft(
            by=self.by, committee=self.committee, lead_member=lead, title=r.title, body=r.body,
            disclosure_consent=r.public, at=submitted, check_content=False)
        cosigners = [self.member(name) for name in r.cosigners]
        if cosigners:
            try:
                services.cosign_record_on_paper(proposal=proposal, by=self.by, members=cosigners, at=submitted)
            except WorkflowError as e:  # the lead proposer among them, or a member no longer active
                raise ImportProblem(e.message, field="cosigners") from e
        proposal = services.proposal_submit(proposal=self.fresh(proposal), by=self.by, check_content=False,
                                            at=submitted)
        self.done.append(_("submitted"))
        if r.review_result and "立案" in r.review_result and "不予" not in r.review_result:
            registered = _moment(r.assigned_on, 9) or submitted
            proposal = services.proposal_register(proposal=proposal, by=self.by, number=r.number, at=registered)
            self.done.append(_("registered"))
        else:
            raise ImportProblem(_("Only registered proposals can be imported from pages (review result: %(r)s).")
                                % {"r": r.review_result or "—"})
        return proposal

    def assign(self, proposal: Proposal) -> Proposal:
        r = self.record
        if proposal.state != State.REGISTERED or not r.assigned_on or not (r.lead_units or r.separate_units):
            return proposal
        lead = [self.unit(n) for n in r.lead_units]
        assisting = [self.unit(n) for n in r.assisting_units]
        # The co-signature block of the first letter names the handling units in full, lead unit first.
        if r.replies and r.replies[0]["cosign_units"]:
            full = r.replies[0]["cosign_units"]
            for unit, full_name in zip(lead + assisting, full, strict=False):
                if unit.full_name == unit.name and full_name != unit.name:
                    unit.full_name = full_name
                    named_save(unit, by=self.by)  # letters show it: the pages that show names move on
        if r.replies and lead and lead[0].full_name == lead[0].name:
            lead[0].full_name = r.replies[0]["unit"]
            named_save(lead[0], by=self.by)
        proposal = handling.proposal_assign(
            proposal=proposal, by=self.by, lead_units=lead, assisting_units=assisting,
            separate_units=[self.unit(n) for n in r.separate_units],
            assigned_on=datetime.date.fromisoformat(r.assigned_on), is_key=r.key,
            lead_officials=[self.official(n) for n in r.lead_officials],
            supervising_offices=[self.office(n) for n in r.supervising_offices], at=_moment(r.assigned_on),
            check_dates=False)
        self.done.append(_("assigned"))
        return proposal

    def handle(self, proposal: Proposal) -> Proposal:
        r = self.record
        if proposal.state not in FIRST_HANDLING or not r.replies:
            return proposal
        first_reply_day = r.replies[0]["date"] or r.assigned_on
        for assignment in proposal.assignments.active().select_related("unit"):
            if assignment.status == Assignment.Status.ASSIGNED:
                handling.assignment_sign_for(assignment=assignment, by=self.handler(assignment.unit),
                                             at=_moment(r.assigned_on, 15))
        proposal = self.fresh(proposal)
        codes = set(OutcomeClass.objects.filter(committee=self.committee).values_list("code", flat=True))
        for index, data in enumerate(r.replies):
            assignment = self._replying_assignment(proposal, data["unit"])
            if assignment is None or Reply.objects.filter(assignment=assignment, round=1).exists():
                continue
            outcome = r.outcome if (r.outcome in codes and index == 0) else ""
            if not outcome:
                raise ImportProblem(_("The page gives no outcome class (落实情况) for the reply of %(unit)s.")
                                    % {"unit": data["unit"]})
            handler = self.handler(assignment.unit)
            day = _moment(data["date"] or first_reply_day, 16)
            reply = handling.reply_save(assignment=assignment, by=handler, body=data["body"], outcome=outcome,
                                        contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                                        reply_date=(data["date"] and datetime.date.fromisoformat(data["date"]))
                                        or day.date(), at=day)
            reply = handling.reply_submit(reply=reply, by=handler, at=day)
            cosigned = _moment(data["cosign_date"], 16) or day
            for signature in reply.cosignatures.select_related("unit"):
                reply = handling.reply_cosign(reply=reply, by=self.handler(signature.unit), at=cosigned).reply
            reply.refresh_from_db()
            if reply.status == Reply.Status.SUPERVISION and (r.supervision_review == "已通过" or r.satisfaction):
                office = proposal.supervising_offices.first()
                supervision.reply_approve(reply=reply, by=self.supervisor(office), at=cosigned)
            self.done.append(_("reply of %(unit)s") % {"unit": assignment.unit.name})
            proposal = self.fresh(proposal)
        return proposal

    def _replying_assignment(self, proposal, unit_name: str):
        replying = list(proposal.assignments.filter(role__in=REPLYING_ROLES)
                        .active().select_related("unit"))
        for assignment in replying:
            if unit_name in (assignment.unit.name, assignment.unit.full_name):
                return assignment
        return replying[0] if len(replying) == 1 else None

    def evaluate(self, proposal: Proposal) -> Proposal:
        r = self.record
        rating = RATINGS.get(r.satisfaction or "")
        if proposal.state != State.REPLIED or rating is None or proposal.lead_member_id is None:
            return proposal
        if Evaluation.objects.filter(proposal=proposal, member_id=proposal.lead_member_id).exists():
            return proposal
        day = Reply.objects.filter(proposal=proposal).order_by("-released_at").values_list("released_at", flat=True)
        at = (day.first() or _moment(r.assigned_on)) + datetime.timedelta(days=1)
        handling.evaluation_submit(proposal=proposal, by=self.by, member=proposal.lead_member, result=rating,
                                   feedback=r.feedback or "", at=at)
        self.done.append(_("evaluation"))
        return self.fresh(proposal)

    def disclose(self, proposal: Proposal) -> Proposal:
        if self.record.public and not proposal.is_public and proposal.state in ANSWERED:
            last = proposal.events.order_by("-at").values_list("at", flat=True).first()
            services.proposal_disclose(proposal=proposal, by=self.by, at=last + datetime.timedelta(minutes=1))
            self.done.append(_("disclosed"))
            proposal = self.fresh(proposal)
        return proposal


def import_record(record: LegacyRecord, *, by: User, committee: Committee | None = None) -> str:
    """Import one page. Its events are history: they are indexed for search but notify nobody."""
    with transaction.atomic(), quiet():
        return Importer(record, by, committee or current_committee()).run()

