"""Review: two clerks and a unit working at the same time on the same proposals, and a clerk whose form is refused.

Each page is opened first (as the user had it on screen), the record then moves on through the services (the other
clerk, the other handler, the other tab), and the form on screen is sent as the page built it: its hidden fields are
read from the page, so a mend that adds a hidden version to a form is taken by these tests as the browser would take
it. Each test not marked "holds" failed on the code it was written against (since mended); those marked "holds" guard
something important."""

import datetime
import hashlib
import re

from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.test_lifecycle_services import build
from tian.accounts import services as account_services
from tian.accounts.roles import Role
from tian.core.calendar_days import calendar_days_set
from tian.core.models import CalendarDay
from tian.deadlines.models import Reminder
from tian.handling import services as handling
from tian.handling.models import AssistingOpinion, Evaluation, Reply
from tian.proposals.models import Event, Proposal, State
from tian.supervision import services as supervision
from tian.supervision.models import SupervisionReview

CONFLICT_ZH = "已被他人处理"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _form_hidden(html: str, marker: str) -> dict:
    """The hidden fields (the CSRF token aside) of the form on the page whose HTML contains ``marker``, as the browser
    would send them."""
    for form in re.findall(r"<form\b.*?</form>", html, flags=re.S):
        if marker in form:
            fields = {}
            for tag in re.findall(r"<input\b[^>]*>", form):
                if 'type="hidden"' not in tag:
                    continue
                name = re.search(r'name="([^"]*)"', tag)
                value = re.search(r'value="([^"]*)"', tag)
                if name and name.group(1) != "csrfmiddlewaretoken":
                    fields[name.group(1)] = value.group(1) if value else ""
            return fields
    raise AssertionError(f"no form with {marker!r} on the page")


def _handler(world, unit_name, username):
    """Another handler of the same unit (units have several, each with the work page open)."""
    return account_services.user_create(username=username, full_name=username, password=PASSWORD,
                                        roles=[Role.UNIT_HANDLER], unit=world.units[unit_name], validate=False)


def _supervisor(world, username):
    """Another reviewer of 区政府办公室."""
    return account_services.user_create(username=username, full_name=username, password=PASSWORD,
                                        roles=[Role.SUPERVISOR], office=world.offices["区政府办公室"], validate=False)


# --- A stale page whose form is accepted though the record moved on ---------------------------------------------


def test_approving_from_a_review_page_opened_before_the_reply_was_returned_and_rewritten_is_refused(world, client_for):
    """A reviewer of 区政府办公室 opens a reply; a colleague returns it, the unit rewrites it and sends it again. The
    first reviewer's "批准并发布" on the old page releases a text nobody in the office has read, because the review
    form carries nothing of the reply it showed (pages/supervision/views.review, supervision.services.reply_approve)."""
    case = build(world, "supervision")
    reply = case.reply
    first = client_for(world.supervisor)
    page = first.get(reverse("supervision:review", args=[reply.pk]))
    assert page.status_code == 200
    hidden = _form_hidden(page.content.decode(), 'name="decision" value="approve"')

    colleague = _supervisor(world, "区政府办公室2")
    supervision.reply_return(reply=Reply.objects.get(pk=reply.pk), by=colleague,
                             comments="未回应提案人提出的关爱站建设问题，请补充。")
    rewritten = "经研究，我局将于年内在全区建成未成年人关爱站三个，所需经费列入年度预算。"
    handling.reply_save(assignment=case.lead, by=world.lead_handler, body=rewritten, outcome="B",
                        contact_name="贺威", contact_phone="13795952836", reply_date=timezone.localdate())
    handling.reply_submit(reply=Reply.objects.get(pk=reply.pk), by=world.lead_handler)
    handling.reply_cosign(reply=Reply.objects.get(pk=reply.pk), by=world.assisting_handler)
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.SUPERVISION

    comments = "同意发布。"
    response = first.post(reverse("supervision:review", args=[reply.pk]),
                          {**hidden, "decision": "approve", "approve-comments": comments, "comments": comments},
                          follow=True)
    assert Reply.objects.get(pk=reply.pk).status == Reply.Status.SUPERVISION, \
        "a reply rewritten since the page was opened was released on the strength of the old text"
    assert CONFLICT_ZH in _text(response) or "刷新" in _text(response)


def test_a_second_handler_saving_the_reply_from_a_page_opened_before_a_colleagues_save_does_not_overwrite_it(
        world, client_for):
    """Two handlers of 区民政局 have the work page open; one saves a long reply draft, then the other saves the draft as
    their old page had it. The first handler's whole text is silently overwritten, with "答复草稿已保存" shown
    (the reply form has no version: pages/handling/views.reply, handling.services.reply_save)."""
    case = build(world, "reply_draft")
    colleague = _handler(world, "区民政局", "区民政局2")
    second = client_for(colleague)
    page = second.get(reverse("handling:work", args=[case.proposal.pk]))
    assert page.status_code == 200
    hidden = _form_hidden(page.content.decode(), reverse("handling:reply", args=[case.lead.pk]))

    long_text = ("首先感谢您对我区未成年人关爱保护工作的关注。一、关于关爱站建设：我局已会同区教科局完成选址，"
                 "年内建成三个。二、关于经费保障：所需经费已列入2024年预算。三、关于队伍建设：每站配备专职社工两名。")
    handling.reply_save(assignment=case.lead, by=world.lead_handler, body=long_text, outcome="A",
                        contact_name="贺威", contact_phone="13795952836", reply_date=datetime.date(2023, 10, 11))

    stale_body = "（旧页面上的草稿）首先感谢您的关注。"
    response = second.post(reverse("handling:reply", args=[case.lead.pk]), {
        **hidden, "body": stale_body, "outcome": "A", "document_number": "", "signer": "", "contact_name": "贺威",
        "contact_phone": "13795952836", "reply_date": "2023-10-11"}, follow=True)
    assert Reply.objects.get(pk=case.reply.pk).body == long_text, \
        "a colleague's saved reply was overwritten by a page opened before it was saved"
    assert stale_body in response.content.decode()  # what the second handler typed, shown to copy


def test_a_calendar_confirmation_after_another_clerk_corrected_a_previewed_day_is_refused(world, client_for):
    """Clerk A previews 2027-10-01..07 as days off, the preview saying 10-07 is an ordinary working day; clerk B meanwhile
    marks 10-07 a make-up working day (调休上班). A's confirmation still goes through and B's correction is gone, though
    A never saw it: the preview's digest covers what was typed, not what each day was (pages/manage/calendar._digest)."""
    a = client_for(world.staff)
    data = {"form": "range", "range-start": "2027-10-01", "range-end": "2027-10-07", "range-kind": "holiday",
            "range-note": "国庆节"}
    preview = a.post(reverse("organisations:calendar_days"), data)
    assert preview.status_code == 200
    digest = re.search(r'name="digest" value="([^"]+)"', preview.content.decode()).group(1)

    other = _clerk(world)
    calendar_days_set(days={datetime.date(2027, 10, 7): (True, "调休上班")}, by=other, source="range")

    response = a.post(reverse("organisations:calendar_days"), {**data, "confirm": "1", "digest": digest}, follow=True)
    day = CalendarDay.objects.get(date=datetime.date(2027, 10, 7))
    assert day.is_workday, \
        "another clerk's correction of a previewed day was overwritten by a preview that did not show it"
    assert response.status_code == 200


def _clerk(world):
    return account_services.user_create(username="tiwei2", full_name="提案委2", password=PASSWORD,
                                        roles=[Role.STAFF], validate=False)


# --- A second click doing a state change twice ---------------------------------------------------------------------


def test_a_double_click_on_send_the_opinion_sends_one_opinion(world, client_for):
    """The assisting unit's handler clicks "发送会办意见" twice (a slow connection): the lead unit gets the same
    opinion twice, with two events on the timeline and two notifications, because nothing tells a second click from
    a new opinion (pages/handling/views.opinion, handling.services.opinion_send)."""
    case = build(world, "handling")
    handler = client_for(world.assisting_handler)
    page = handler.get(reverse("handling:work", args=[case.proposal.pk]))
    url = reverse("handling:opinion", args=[case.assisting.pk])
    hidden = _form_hidden(page.content.decode(), url)
    body = "建议将关爱站建设纳入我局校外活动场所统筹，我局可提供场地两处。"
    for _click in range(2):
        handler.post(url, {**hidden, "body": body})
    assert AssistingOpinion.objects.filter(assignment=case.assisting).count() == 1, \
        "one opinion sent by a double click is recorded twice"
    assert Event.objects.filter(proposal=case.proposal, action="opinion.sent").count() == 1


def test_a_double_click_on_the_offices_reminder_reminds_the_unit_once(world, client_for):
    """A clerk clicks "催办" twice on an overdue unit: the unit's handlers get two identical reminders (by SMS too) a
    second apart, where the lead unit's own reminders are limited to one a day (deadlines.services.remind_manually has
    no such guard, nor the page any sign of a repeated click)."""
    case = build(world, "handling")  # assigned in 2023: long overdue
    clerk = client_for(world.staff)
    page = clerk.get(case.proposal.get_absolute_url())
    url = reverse("proposals:remind", args=[case.lead.pk])
    hidden = _form_hidden(page.content.decode(), url)
    for _click in range(2):
        clerk.post(url, {**hidden, "note": "请抓紧办理。"})
    assert Reminder.objects.filter(assignment=case.lead, stage=Reminder.Stage.MANUAL).count() == 1, \
        "a double click sent the unit two reminders"


# --- Idempotency-Key ---------------------------------------------------------------------------------------------------


def test_a_retry_after_the_first_request_died_unanswered_is_served_not_told_to_wait_a_day(world):
    """An integrator's submit was cut off (the worker was killed at its time limit, the server restarted) before it
    answered; ten minutes later the client retries with the same Idempotency-Key and is told 409 "正在处理" again and
    again for 24 hours, though nothing is running: a claim that never completes is never freed (api/idempotency.claim).
    """
    from tests.test_api_protocol import Api
    from tian.api.models import IdempotentRequest
    from tian.proposals.models import TopicCategory

    api = Api(world.member)
    category = TopicCategory.objects.filter(committee=world.committee).first()
    pk = api.post("/proposals", {"title": "关于重试的建议", "body": "建议。", "category": category.pk}).json()["id"]
    path = f"/api/v1/proposals/{pk}/submit"
    # What the killed request left behind: its claim, without an answer, ten minutes old.
    IdempotentRequest.objects.create(user=world.member, key="submit-once", method="POST", path=path,
                                     fingerprint=hashlib.sha256(b"{}").hexdigest(),  # the body {} sent below
                                     created_at=timezone.now() - datetime.timedelta(minutes=10))
    retry = api.post(f"/proposals/{pk}/submit", **{"Idempotency-Key": "submit-once"})
    assert retry.status_code == 200, (retry.status_code, retry.json())
    assert Proposal.objects.get(pk=pk).state == State.SUBMITTED


# --- Holds -----------------------------------------------------------------------------------------------------------


def test_holds_a_double_click_on_evaluate_records_one_evaluation_and_says_why_in_chinese(world, client_for):
    """Holds: the co-signer's second click on "提交评价" is refused in Chinese, and only one evaluation is recorded."""
    case = build(world, "replied")
    c = client_for(world.cosigner)
    url = reverse("proposals:action", args=[case.proposal.pk, "evaluate"])
    data = {"state": State.REPLIED, "result": "satisfied", "feedback": "很好。"}
    c.post(url, data)
    second = c.post(url, data, follow=True)
    assert Evaluation.objects.filter(proposal=case.proposal, member=world.cosigner.member).count() == 1
    assert re.search(r"[\u4e00-\u9fff]", " ".join(str(m) for m in second.context["messages"]))


def test_holds_two_clerks_registering_from_stale_pages_take_one_number(world, client_for):
    """Holds: two clerks click "立案" on the same proposal; the second is told it was handled meanwhile and no second
    number is taken."""
    case = build(world, "submitted")
    one, two = client_for(world.staff), client_for(_clerk(world))
    url = reverse("proposals:action", args=[case.proposal.pk, "register"])
    one.post(url, {"state": State.SUBMITTED, "note": ""})
    response = two.post(url, {"state": State.SUBMITTED, "note": ""}, follow=True)
    assert Proposal.objects.get(pk=case.proposal.pk).number == 1
    assert Event.objects.filter(proposal=case.proposal, action="proposal.registered").count() == 1
    assert CONFLICT_ZH in _text(response)


def test_holds_a_second_approval_of_a_released_reply_is_refused_with_one_release(world, client_for):
    """Holds: the reviewer's second click on "批准并发布" releases nothing twice: one review, one release event."""
    case = build(world, "supervision")
    c = client_for(world.supervisor)
    url = reverse("supervision:review", args=[case.reply.pk])
    c.post(url, {"decision": "approve", "comments": ""})
    c.post(url, {"decision": "approve", "comments": ""}, follow=True)
    assert SupervisionReview.objects.filter(reply=case.reply).count() == 1
    assert Event.objects.filter(proposal=case.proposal, action="reply.released").count() == 1
