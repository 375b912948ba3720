"""Extensions, reminders (催办) with escalation, supervision activities and follow-ups.

Each function is one atomic change that writes an event, like the lifecycle's services.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tian.core.calendar import add_working_days, is_workday, months_later, next_workday
from tian.deadlines.lifecycle import EXTENSION_REQUEST
from tian.deadlines.models import ExtensionRequest, FollowUp, Reminder
from tian.deadlines.status import COSIGN, Due, disclosure_due, unit_due, working_days_between
from tian.handling.lifecycle import ASSIGNMENT
from tian.handling.models import Assignment, Evaluation, Reply, UnitRole, latest_lead_evaluations
from tian.handling.services import REPEAT_WINDOW, plausible_day
from tian.notifications.rules import office_users, official_users, staff_users, unit_users
from tian.notifications.services import notify, retry_due_deliveries
from tian.organisations.selectors import current_committee
from tian.proposals import workflow
from tian.proposals.events import record
from tian.proposals.models import ANSWERED, IN_HANDLING, Event, Proposal, State
from tian.proposals.services import lock
from tian.proposals.workflow import INVALID_INPUT, INVALID_STATE, MSG_NOT_ALLOWED, NOT_ALLOWED, WorkflowError
from tian.supervision.models import SupervisionActivity


def _now(at):
    return at or timezone.now()


def _extension_pending(assignment: Assignment) -> bool:
    return assignment.extensions.filter(status=ExtensionRequest.Status.PENDING).exists()


def may_request_extension(user, proposal, assignment: Assignment) -> bool:
    """Whether ``user`` may ask now for a later deadline of their unit's ``assignment``, as ``extension_request``
    would take it: what the unit's page offers and the API's links name."""
    return (assignment.unit_id == getattr(user, "unit_id", None) and assignment.is_active
            and workflow.allowed(user, proposal, "request_extension") and not _extension_pending(assignment)
            and _extension_closed(assignment, proposal, timezone.localdate()) is None)


def _extension_cap(assignment: Assignment, proposal) -> datetime.date:
    """The latest reply deadline an extension can give (the committee's cap from the day of assignment)."""
    return months_later(assignment.assigned_on, proposal.committee.extension_cap_months)


def _extension_closed(assignment: Assignment, proposal, today: datetime.date) -> WorkflowError | None:
    """Why no extension can be asked or granted on ``today`` whatever the day asked for, or None. An extension gives
    a unit more time to reply: not once its reply is out (it would make a late reply count as on time, 按时办复率
    counting the deadline an extension gave), and not when the cap leaves no day after the current deadline and
    after today."""
    if unit_due(assignment, proposal).done:
        return WorkflowError(INVALID_STATE, _("The unit's reply has been released; an extension is no longer needed."))
    if (cap := _extension_cap(assignment, proposal)) <= max(assignment.deadline, today):  # no day asked could be given
        return WorkflowError(INVALID_INPUT, _("The reply deadline can no longer be extended (at most until %(cap)s).")
                             % {"cap": cap})
    return None


def _check_extended_deadline(deadline: datetime.date, current: datetime.date, cap: datetime.date,
                             today: datetime.date | None = None) -> None:
    """A new reply deadline, asked (after ``today``) or granted: after the current one, at most the cap."""
    if deadline <= current:
        raise WorkflowError(INVALID_INPUT, _("The new deadline must be later than the current one (%(day)s).")
                            % {"day": current})
    if today is not None and deadline <= today:
        raise WorkflowError(INVALID_INPUT, _("The new deadline must be later than today (%(day)s).") % {"day": today})
    if deadline > cap:
        raise WorkflowError(INVALID_INPUT, _("The reply deadline cannot be later than %(cap)s.") % {"cap": cap})


@transaction.atomic
def extension_request(*, assignment: Assignment, by, requested_deadline: datetime.date, reason: str,
                      at=None) -> ExtensionRequest:
    """延期申请: a replying unit asks for a later deadline, no later than the committee's cap."""
    if not reason.strip():
        raise WorkflowError(INVALID_INPUT, _("Please give the reason for the request."))
    assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
    proposal = lock(assignment.proposal)
    workflow.check(by, proposal, "request_extension")
    if assignment.unit_id != by.unit_id or not assignment.is_active:
        raise WorkflowError(NOT_ALLOWED, MSG_NOT_ALLOWED)
    if _extension_pending(assignment):
        raise WorkflowError(INVALID_STATE, _("An extension request is already pending."))
    today = timezone.localdate(_now(at))
    if closed := _extension_closed(assignment, proposal, today):
        raise closed
    _check_extended_deadline(requested_deadline, assignment.deadline, _extension_cap(assignment, proposal), today)
    extension = ExtensionRequest.objects.create(assignment=assignment, requested_deadline=requested_deadline,
                                                previous_deadline=assignment.deadline, reason=reason,
                                                requested_by=by, requested_at=_now(at))
    record(proposal, by, "extension.requested", from_state=proposal.state, note=reason, at=at,
           unit=assignment.unit.name, deadline=requested_deadline.isoformat())
    return extension


def _lock_extension(extension, by, step: str):
    extension = ExtensionRequest.objects.select_for_update().select_related("assignment__unit").get(pk=extension.pk)
    proposal = lock(extension.assignment.proposal)
    EXTENSION_REQUEST.authorise(by, proposal, step)
    EXTENSION_REQUEST.check(extension, step)
    return extension, proposal


@transaction.atomic
def extension_approve(*, extension: ExtensionRequest, by, deadline: datetime.date | None = None, note: str = "",
                      at=None) -> ExtensionRequest:
    extension, proposal = _lock_extension(extension, by, "approve")
    assignment = extension.assignment
    if not assignment.is_active:  # reassigned away meanwhile: the deadline is the new unit's; only a refusal is left
        raise WorkflowError(INVALID_STATE, _("This unit no longer handles the proposal."))
    deadline = deadline or extension.requested_deadline
    # Asked while the reply was owed and for a day after the request (``extension_request``): the office may grant it
    # after that day has passed or the reply has gone out, so that its own delay does not make the unit late.
    _check_extended_deadline(deadline, extension.previous_deadline, _extension_cap(assignment, proposal))
    at = _now(at)
    extension.status, extension.decided_by, extension.decided_at, extension.decision_note = (
        EXTENSION_REQUEST["approve"].target, by, at, note)
    extension.save()
    assignment.deadline = deadline
    assignment.save(update_fields=["deadline"])
    record(proposal, by, "extension.approved", from_state=proposal.state, note=note, at=at,
           unit=assignment.unit.name, deadline=deadline.isoformat())
    return extension


@transaction.atomic
def extension_refuse(*, extension: ExtensionRequest, by, note: str, at=None) -> ExtensionRequest:
    if not note.strip():
        raise WorkflowError(INVALID_INPUT, _("Please give the reason for refusing."))
    extension, proposal = _lock_extension(extension, by, "refuse")
    at = _now(at)
    extension.status, extension.decided_by, extension.decided_at, extension.decision_note = (
        EXTENSION_REQUEST["refuse"].target, by, at, note)
    extension.save()
    record(proposal, by, "extension.refused", from_state=proposal.state, note=note, at=at,
           unit=extension.assignment.unit.name)
    return extension


MSG_NOTHING_OUTSTANDING = _("This unit has nothing outstanding on the proposal.")
MSG_REMINDED_TODAY = _("%(unit)s was already reminded today; please wait until tomorrow.")


@transaction.atomic
def remind_manually(*, assignment: Assignment, by, note: str = "", at=None) -> Reminder:
    """催办 by staff or a supervising office: the unit's handlers are told at once."""
    assignment = Assignment.objects.select_related("unit", "proposal").get(pk=assignment.pk)
    proposal = lock(assignment.proposal)
    workflow.check(by, proposal, "remind")
    # What the unit owes and by when, as every page shows it (``status.unit_due``): a reply until it is released,
    # an assisting unit's opinion and then its co-signature of the reply.
    due = unit_due(assignment, proposal)
    if not assignment.is_active or due.done:
        raise WorkflowError(INVALID_STATE, MSG_NOTHING_OUTSTANDING)
    at = _now(at)
    manual = assignment.reminders.filter(stage=Reminder.Stage.MANUAL)
    # The same reminder by the same person a moment later is the same click twice: the unit is reminded once.
    last = manual.filter(sent_by=by).order_by("-sent_at", "-pk").first()
    if last is not None and last.note == note and datetime.timedelta(0) <= at - last.sent_at < REPEAT_WINDOW:
        return last
    sequence = manual.count() + 1
    reminder = Reminder.objects.create(assignment=assignment, stage=Reminder.Stage.MANUAL,
                                       deadline=due.day, sequence=sequence, sent_at=at,
                                       sent_by=by, note=note)
    record(proposal, by, "reminder.sent", from_state=proposal.state, note=note, at=at, unit=assignment.unit.name,
           stage=Reminder.Stage.MANUAL)
    with translation.override(settings.LANGUAGE_CODE):  # the committee's language, as every message (also by SMS)
        message = _("Reminder: please handle proposal %(number)s 《%(title)s》 (deadline %(day)s).") % {
            "number": proposal.number_year, "title": proposal.title, "day": reminder.deadline}
    transaction.on_commit(lambda: notify(user_condition=unit_users([assignment.unit_id]),
                                         key=f"reminder:{reminder.pk}", kind="reminder", message=message,
                                         url=proposal.get_absolute_url(), proposal=proposal))
    return reminder


def _lead_unit_of(user, proposal):
    """``user``'s unit's active lead assignment on ``proposal``, if their unit leads it."""
    return proposal.assignments.active().filter(unit_id=user.unit_id or 0, role=UnitRole.LEAD).select_related(
        "unit").first()


def remind(*, assignment: Assignment, by, note: str = "", at=None) -> Reminder:
    """催办 of one unit, as whoever sends it may: the lead unit reminds an assisting unit of what its reply waits for
    (``assisting_remind``); the office or a supervising office reminds any unit (``remind_manually``). One address
    of the API takes both, as the two pages do."""
    if assignment.role == UnitRole.ASSISTING and _lead_unit_of(by, assignment.proposal) is not None:
        return assisting_remind(assignment=assignment, by=by, note=note, at=at)
    return remind_manually(assignment=assignment, by=by, note=note, at=at)


@transaction.atomic
def assisting_remind(*, assignment: Assignment, by, note: str = "", at=None) -> Reminder:
    """催办 by the lead unit: it reminds an assisting unit of what its reply waits for (the assisting opinion, or
    the co-signature of the submitted reply). The lead unit takes this step as part of writing the reply
    (``write_reply``); once a day per assisting unit, and only while that unit has something outstanding
    (``status.unit_due``). The assisting unit's handlers are told at once."""
    assignment = Assignment.objects.select_related("unit").get(pk=assignment.pk)
    proposal = lock(assignment.proposal)
    ASSIGNMENT.authorise(by, proposal, "write_reply")
    lead = _lead_unit_of(by, proposal)
    if lead is None or assignment.role != UnitRole.ASSISTING:
        raise WorkflowError(NOT_ALLOWED, MSG_NOT_ALLOWED)
    due = unit_due(assignment, proposal)
    if not assignment.is_active or due.done:
        raise WorkflowError(INVALID_STATE, MSG_NOTHING_OUTSTANDING)
    at = _now(at)
    today = timezone.localdate(at)
    if any(timezone.localdate(r.sent_at) == today and r.sent_by is not None and r.sent_by.unit_id == lead.unit_id
           for r in assignment.reminders.filter(stage=Reminder.Stage.MANUAL).select_related("sent_by")):
        raise WorkflowError(INVALID_STATE, MSG_REMINDED_TODAY % {"unit": assignment.unit.name})
    sequence = assignment.reminders.filter(stage=Reminder.Stage.MANUAL).count() + 1
    reminder = Reminder.objects.create(assignment=assignment, stage=Reminder.Stage.MANUAL, deadline=due.day,
                                       sequence=sequence, sent_at=at, sent_by=by, note=note)
    record(proposal, by, "reminder.sent", from_state=proposal.state, note=note, at=at, unit=assignment.unit.name,
           stage=Reminder.Stage.MANUAL, by_unit=lead.unit.name, task=due.task)
    with translation.override(settings.LANGUAGE_CODE):  # the committee's language, as every message (also by SMS)
        what = (_("co-sign the reply") if due.task == COSIGN else _("send the assisting opinion"))
        message = _("%(lead)s reminds you to %(what)s on proposal %(number)s 《%(title)s》 (deadline %(day)s).") % {
            "lead": lead.unit.name, "what": what, "number": proposal.number_year, "title": proposal.title,
            "day": due.day}
    transaction.on_commit(lambda: notify(user_condition=unit_users([assignment.unit_id]),
                                         key=f"reminder:{reminder.pk}", kind="reminder", message=message,
                                         url=proposal.get_absolute_url(), proposal=proposal))
    return reminder


def _stage_for(assignment: Assignment, deadline: datetime.date, today: datetime.date) -> str | None:
    committee = assignment.proposal.committee
    left = working_days_between(today, deadline)
    if today > deadline:
        return Reminder.Stage.ESCALATED if -left >= committee.escalate_days_after else Reminder.Stage.OVERDUE
    if today == deadline:
        return Reminder.Stage.ON
    if left <= committee.remind_days_before:
        return Reminder.Stage.BEFORE
    return None


STAGE_MESSAGES = {
    Reminder.Stage.BEFORE: "提醒:提案{number}《{title}》将于{day}到期,请抓紧办理。",
    Reminder.Stage.ON: "提醒:提案{number}《{title}》今天({day})到期,请及时办理。",
    Reminder.Stage.OVERDUE: "催办:提案{number}《{title}》已于{day}逾期,请尽快办理。",
    Reminder.Stage.ESCALATED: "督办:{unit}承办的提案{number}《{title}》已于{day}逾期,请督促办理。",
}


# The same reminders of a reply that has reached the supervising office and waits for its review: the unit has done
# its part, so the office is reminded instead; the escalation goes where it always goes, but names the review as
# what is late, not the unit.
REVIEW_MESSAGES = {
    Reminder.Stage.BEFORE: "提醒:提案{number}《{title}》的答复待督办审核,办理期限{day},请及时审核。",
    Reminder.Stage.ON: "提醒:提案{number}《{title}》的答复待督办审核,今天({day})到期,请及时审核。",
    Reminder.Stage.OVERDUE: "催办:提案{number}《{title}》的答复待督办审核,已于{day}逾期,请尽快审核。",
    Reminder.Stage.ESCALATED: "督办:提案{number}《{title}》的答复待督办单位审核,已于{day}逾期,请督促审核。",
}


def _waits_for_review(assignment) -> bool:
    """The unit's reply of the round is with the supervising office (reads the assignment's ``replies``)."""
    round_ = 2 if assignment.proposal.state == State.REHANDLING else 1
    return any(r.round == round_ and r.status == Reply.Status.SUPERVISION for r in assignment.replies.all())


def scan(now=None) -> dict:
    """Send every reminder that is due and not yet sent, create due follow-ups, retry failed deliveries.

    Safe to run every few minutes and concurrently: each reminder stage is a row with a unique
    constraint, written in its own transaction before anyone is told; a second scan finds it and skips."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    # The installation's committee's work (a database may hold several, each installation scanning its own: its
    # messages link to its own address).
    committee = current_committee()
    active = (Assignment.objects.active()
              .filter(proposal__state__in=IN_HANDLING, proposal__committee=committee)
              .select_related("unit", "proposal__committee")
              .prefetch_related("opinions", "replies", "proposal__replies__cosignatures"))
    for assignment in active.iterator(chunk_size=500):
        due = unit_due(assignment)  # what the unit owes and by when, as every page shows it
        deadline = due.day
        if deadline is None or due.done:
            continue
        stage = _stage_for(assignment, deadline, today)
        if stage is None:
            continue
        stages = [stage] if stage != Reminder.Stage.ESCALATED else [Reminder.Stage.OVERDUE, stage]
        for current in stages:
            sent += _send_stage(assignment, current, deadline, now)
    return {"reminders": sent, "follow_ups": create_due_follow_ups(today, committee),
            "follow_ups_chased": chase_overdue_follow_ups(today, committee),
            "retried": retry_due_deliveries(now, committee)}


def _send_stage(assignment, stage, deadline, now) -> int:
    proposal = assignment.proposal
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(assignment=assignment, stage=stage, deadline=deadline, sent_at=now)
            record(proposal, None, "reminder.sent", from_state=proposal.state, at=now, unit=assignment.unit.name,
                   stage=stage, deadline=deadline.isoformat())
    except IntegrityError:
        return 0  # this stage was already sent (possibly by a concurrent scan)
    messages, who = STAGE_MESSAGES, unit_users([assignment.unit_id])
    if _waits_for_review(assignment):
        messages, who = REVIEW_MESSAGES, office_users(proposal)
    if stage == Reminder.Stage.ESCALATED:  # to those who chase: the office's own review is chased by the others
        who = (official_users(proposal) | staff_users() if messages is REVIEW_MESSAGES
               else office_users(proposal) | official_users(proposal) | staff_users())
    message = messages[stage].format(number=proposal.number_year, title=proposal.title, day=deadline,
                                     unit=assignment.unit.name)
    notify(user_condition=who, key=f"reminder:{reminder.pk}", kind="reminder", message=message,
           url=proposal.get_absolute_url(), proposal=proposal)
    return 1


def create_due_follow_ups(today: datetime.date, committee=None) -> int:
    """A year after a released B-class reply, the unit gets a follow-up task (回头看), on its work page, where it
    reports. Only of a proposal answered (the report is a step of an answered proposal: ``report_follow_up``): one
    handled again waits for its second round, whose replies supersede every reply of the first, whichever unit
    wrote them (the office may have given a part to another unit meanwhile, ``handling.services.assignment_adjust``)."""
    year_ago = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) else (
        today - datetime.timedelta(days=365))
    due = (Reply.objects.current().filter(status=Reply.Status.RELEASED, outcome="B", follow_up__isnull=True,
                                          reply_date__lte=year_ago, proposal__state__in=ANSWERED)
           .select_related("proposal", "unit"))
    if committee is not None:  # the scan's: its installation's committee
        due = due.filter(proposal__committee=committee)
    created = 0
    for reply in due:
        follow_up, new = FollowUp.objects.get_or_create(
            reply=reply, defaults={"due_on": add_working_days(today, reply.proposal.committee.evaluation_window_days)})
        if new:
            created += 1
            record(reply.proposal, None, "follow_up.due", from_state=reply.proposal.state, unit=reply.unit.name)
            notify(user_condition=unit_users([reply.unit_id]), key=f"follow-up:{follow_up.pk}", kind="follow_up",
                   message=f"回头看:请报告提案{reply.proposal.number_year}《{reply.proposal.title}》的落实情况。",
                   url=_work_url(reply.proposal), proposal=reply.proposal)
    return created


def follow_ups_read(proposal, policy) -> list[tuple[FollowUp, str]]:
    """The proposal's follow-ups (回头看) ``policy`` (a ``Disclosure``) lets the reader read, each with its report as
    they may read it (``follow_ups``, ``follow_up_report``: the reported ones as the released replies are read, the
    unit's words with personal mobiles masked where others' texts are; the pending ones for those tied to the
    proposal). The proposal page, the portal and the API read them here."""
    # Reported, or awaited: one asked before the proposal was handled again is no task any more (``awaited``).
    rows = (FollowUp.objects.filter(reply__proposal=proposal)
            .filter(Q(reported_at__isnull=False) | Q(pk__in=FollowUp.objects.awaited().values("pk")))
            .select_related("reply__unit").order_by("due_on", "pk"))
    return [(f, policy.follow_up_report(f)) for f in policy.follow_ups(rows)]


def _work_url(proposal) -> str:
    """The unit's work page of ``proposal``, where it reports."""
    return reverse("handling:work", args=[proposal.pk])


def chase_overdue_follow_ups(today: datetime.date, committee=None) -> int:
    """A follow-up report past its day: the unit is reminded and the office told, once for each follow-up (催办, as
    for a reply). Only of a proposal answered, as for creating one (``create_due_follow_ups``): a proposal handled
    again cannot be reported on until it is answered anew, and a reply a later round superseded is not chased. How
    many follow-ups were chased."""
    chased = 0
    overdue = (FollowUp.objects.awaited().filter(due_on__lt=today, chased_on__isnull=True)
               .select_related("reply__proposal", "reply__unit"))
    if committee is not None:  # the scan's: its installation's committee
        overdue = overdue.filter(reply__proposal__committee=committee)
    for follow_up in overdue:
        with transaction.atomic():
            if not FollowUp.objects.filter(pk=follow_up.pk, chased_on__isnull=True).update(chased_on=today):
                continue  # chased by a concurrent scan
            p, unit = follow_up.reply.proposal, follow_up.reply.unit
            message = (f"回头看报告已逾期:提案{p.number_year}《{p.title}》的落实情况报告应于{follow_up.due_on}前提交"
                       f"({unit.name})。")
            notify(user_condition=unit_users([unit.pk]), key=f"follow-up-overdue:{follow_up.pk}", kind="reminder",
                   message=message, url=_work_url(p), proposal=p)
            # A unit disabled since (merged or abolished at a reform) has nobody to read the reminder: the office,
            # which records a report sent on paper (by its successor, say), is told so.
            office_message = message if unit.is_active else message + "该单位已停用,收到书面报告后请在提案页录入。"
            notify(user_condition=staff_users(), key=f"follow-up-overdue:{follow_up.pk}", kind="reminder",
                   message=office_message, url=p.get_absolute_url(), proposal=p)
            chased += 1
    return chased


def awaited_follow_ups(proposal) -> QuerySet:
    """The proposal's follow-ups whose report is awaited (``FollowUp.objects.awaited``), oldest day first, each with
    its unit: what the office may record on paper, on the page and through the API."""
    return (FollowUp.objects.awaited().filter(reply__proposal=proposal).select_related("reply__unit")
            .order_by("due_on", "pk"))


@transaction.atomic
def follow_up_report(*, follow_up: FollowUp, by, report: str, at=None) -> FollowUp:
    """回头看: what the unit actually did, a year after its B-class reply. Sent by a user of the reply's unit, or — a
    report that came on paper, a unit abolished at a reform whose successor answers for it — entered by the office
    (``on_paper``: who sent it decides which, ``report_follow_up`` or ``record_paper_follow_up``). Once only, and only
    while it is awaited: not of a proposal handled again, nor of a reply a later round superseded."""
    if not report.strip():
        raise WorkflowError(INVALID_INPUT, _("Please describe what was done."))
    follow_up = FollowUp.objects.select_for_update().select_related("reply__unit").get(pk=follow_up.pk)
    proposal = lock(follow_up.reply.proposal)
    on_paper = not (by.unit_id and follow_up.reply.unit_id == by.unit_id)
    workflow.check(by, proposal, "record_paper_follow_up" if on_paper else "report_follow_up")
    if follow_up.reported_at is not None:  # sent once: a second sending (a double click) must not replace it
        raise WorkflowError(INVALID_STATE, _("This follow-up report has already been sent."))
    if not FollowUp.objects.awaited().filter(pk=follow_up.pk).exists():
        raise WorkflowError(INVALID_STATE, _("This follow-up report is no longer awaited: the proposal was handled "
                                             "again and answered by a later reply."))
    at = _now(at)
    follow_up.report, follow_up.reported_at, follow_up.reported_by, follow_up.on_paper = report, at, by, on_paper
    follow_up.save()
    record(proposal, by, "follow_up.reported", from_state=proposal.state, note=report, at=at,
           unit=follow_up.reply.unit.name, on_paper=on_paper)
    return follow_up


@transaction.atomic
def supervision_activity_record(*, proposal, by, kind: str, held_on: datetime.date, participants: str,
                                notes: str, at=None) -> SupervisionActivity:
    """座谈, 视察, 调研, 走访承办单位 on a key proposal, by its lead official or supervising office."""
    if kind not in SupervisionActivity.Kind.values or not participants.strip() or not notes.strip():
        raise WorkflowError(INVALID_INPUT, _("Please choose the kind and fill in the participants and notes."))
    if held_on > timezone.localdate(_now(at)):
        raise WorkflowError(INVALID_INPUT, _("The date cannot be in the future."))
    plausible_day(held_on, timezone.localdate(_now(at)), _("Date"))
    proposal = lock(proposal)
    workflow.check(by, proposal, "record_supervision_activity")
    if proposal.assigned_on and held_on < proposal.assigned_on:  # supervision follows the handling it oversees
        raise WorkflowError(INVALID_INPUT, _("%(field)s %(day)s is before the proposal was assigned (%(assigned)s).")
                            % {"field": _("Date"), "day": held_on.isoformat(), "assigned": proposal.assigned_on.isoformat()})
    activity = SupervisionActivity.objects.create(proposal=proposal, kind=kind, held_on=held_on,
                                                  participants=participants, notes=notes, recorded_by=by,
                                                  recorded_at=_now(at))
    record(proposal, by, "supervision.activity", from_state=proposal.state, note=notes, at=at, kind=kind,
           date=held_on.isoformat())
    return activity


def _replied_at():
    return (Event.objects.filter(proposal=OuterRef("pk"), action="proposal.replied").order_by("-at")
            .values("at")[:1])


def with_replied_on(proposals: QuerySet) -> QuerySet:
    """``proposals`` with the moment their replies were last all released read in the same query
    (``replied_on``), for a list that says each one's satisfaction or disclosure deadline."""
    return proposals.annotate(replied_at=Subquery(_replied_at()))


def with_ratings(proposals) -> list:
    """``proposals`` (listed, read already) with what ``satisfaction`` reads of each, for all of them in two queries:
    the lead proposer's rating that counts (``lead_rating``) and the moment the replies were out (``replied_at``,
    as ``with_replied_on`` annotates a list). For an export or a document of many proposals."""
    proposals = list(proposals)
    ids = [p.pk for p in proposals]
    ratings = {e.proposal_id: e for e in latest_lead_evaluations().filter(proposal_id__in=ids)}
    replied = dict(with_replied_on(Proposal.objects.filter(pk__in=ids)).values_list("pk", "replied_at"))
    for p in proposals:
        p.lead_rating, p.replied_at = ratings.get(p.pk), replied.get(p.pk)
    return proposals


def replied_on(proposal) -> datetime.date | None:
    """The day the proposal's replies (of the latest round) were all released: read with the proposal where it
    was listed ``with_replied_on``, otherwise asked of its events."""
    if "replied_at" in proposal.__dict__:
        at = proposal.replied_at
    else:
        at = (Event.objects.filter(proposal=proposal, action="proposal.replied").order_by("-at")
              .values_list("at", flat=True).first())
    return timezone.localdate(at) if at else None


def evaluation_deadline(proposal) -> datetime.date | None:
    """Proposers have the committee's evaluation window (working days) after the replies are out; after it,
    a missing evaluation counts as 未表态 (no opinion)."""
    day = replied_on(proposal)
    return add_working_days(day, proposal.committee.evaluation_window_days) if day else None


@dataclass(frozen=True)
class Satisfaction:
    """What a page says of the proposer's satisfaction (满意度): the rating, or why there is none."""

    text: str
    open_until: datetime.date | None = None  # the evaluation window's last day, until it has passed


def satisfaction(proposal, lead_evaluation: Evaluation | None) -> Satisfaction:
    """The satisfaction the proposal page, the portal and the API say: the lead proposer's rating that counts
    (``handling.models.latest_lead_evaluations``); with none, once the replies are all out, 未表态 (no opinion)
    when the evaluation window has closed or the proposal is closed, otherwise "not evaluated yet" with the
    window's last day; before the replies are out, nothing (an empty text)."""
    if lead_evaluation is not None:
        return Satisfaction(lead_evaluation.get_result_display())
    if proposal.state not in ANSWERED:
        return Satisfaction("")
    if proposal.state == State.CLOSED:  # closed, the rating can no longer come (and no deadline is read)
        return Satisfaction(_("No opinion"))
    due = evaluation_deadline(proposal)
    if due is not None and due < timezone.localdate():
        return Satisfaction(_("No opinion"))
    return Satisfaction(_("Not evaluated by the proposer yet"), due)


def disclosure_deadline(proposal) -> Due | None:
    """Disclosure is due within the committee's delay (working days) of the reply: the office's deadline, on a
    proposal whose handling is finished (``status.disclosure_due``)."""
    day = replied_on(proposal)
    return disclosure_due(add_working_days(day, proposal.committee.disclosure_days) if day else None)


@transaction.atomic
def _corrector(by, proposal):
    """Who moved a deadline, as the proposal's history names them: the one who corrected the calendar, if of the
    proposal's committee; else the system. The calendar is the database's, shared by the committees it holds (the
    statutory days are national: decisions.md), so another committee's deadline on the day moves too, but its history
    does not name a person of another committee."""
    return by if by is None or getattr(by, "committee_id", None) in (None, proposal.committee_id) else None


def move_deadlines_off_days_off(*, first: datetime.date, last: datetime.date, by) -> int:
    """The deadlines of proposals in handling that fall between ``first`` and ``last`` on what the calendar now says is
    a day off move to the next working day, each with an event: a deadline counted before the calendar knew the day (a
    year chinesecalendar does not know yet, a holiday entered late) ends after it, as one counted now would
    (``months_later``: 民法典 第二百零三条). The units' deadlines (reply, assisting opinion) and the rehandling deadline
    the office set. Run in the transaction of the correction (``core.calendar_days.calendar_corrected``); returns how
    many moved."""
    moved = 0
    assignments = (Assignment.objects.active().select_for_update(of=("self",))
                   .filter(proposal__state__in=IN_HANDLING, deadline__range=(first, last))
                   .select_related("proposal", "unit").order_by("pk"))
    for assignment in assignments:
        if is_workday(assignment.deadline):
            continue
        before, assignment.deadline = assignment.deadline, next_workday(assignment.deadline)
        assignment.save(update_fields=["deadline"])
        record(assignment.proposal, _corrector(by, assignment.proposal), "deadline.moved",
               from_state=assignment.proposal.state, unit=assignment.unit.name, deadline=assignment.deadline.isoformat(), previous=before.isoformat())
        moved += 1
    rehandled = (Proposal.objects.select_for_update().filter(state=State.REHANDLING,
                                                             rehandling_deadline__range=(first, last)).order_by("pk"))
    for proposal in rehandled:
        if is_workday(proposal.rehandling_deadline):
            continue
        before, proposal.rehandling_deadline = proposal.rehandling_deadline, next_workday(proposal.rehandling_deadline)
        proposal.save(update_fields=["rehandling_deadline", "updated_at"])
        record(proposal, _corrector(by, proposal), "deadline.moved", from_state=proposal.state,
               deadline=proposal.rehandling_deadline.isoformat(), previous=before.isoformat())
        moved += 1
    return moved
