"""Forms answer bad input in Chinese beside its field and change nothing: the managed lists' duplicate codes and
names, the committee's settings within bounds, a member's mobile, a form part sent by htmx after the session ended,
a crafted id. Each test was found failing by a review of every form of the sixteenth session."""

import re

from django.test import Client
from django.urls import reverse

from tests.test_lifecycle_services import build
from tian.handling.models import OutcomeClass
from tian.organisations.models import Committee, Member
from tian.proposals.models import TopicCategory


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_duplicate_outcome_code_or_category_is_refused_in_plain_chinese(world, client_for):
    """"包含 Committee 和 代码 的 办理结果类别 已经存在。": an English field name the user never saw, in Django's
    generic sentence (the constraints ``outcome_unique_code`` and ``category_unique_name`` carry no message; the
    managed form moves only ``DUPLICATE_NAME`` to its field)."""
    admin = client_for(world.admin)
    outcome = admin.post(reverse("organisations:create", args=["outcome-classes"]),
                         {"code": "A", "label": "已解决", "order": "9"})
    category = admin.post(reverse("organisations:create", args=["topic-categories"]),
                          {"name": "社会建设", "order": "9", "is_active": "on"})
    assert OutcomeClass.objects.filter(committee=world.committee, code="A").count() == 1
    assert TopicCategory.objects.filter(committee=world.committee, name="社会建设").count() == 1
    for response in (outcome, category):
        page = _text(response)
        assert response.status_code == 200 and "存在" in page
        assert "Committee" not in page


def test_the_committee_settings_refuse_a_co_sign_window_that_breaks_invitations(world, client_for):
    """The co-sign windows (and the body length) have no upper bound (organisations/models.py: Committee): 99999999
    hours is saved, and the next member who invites co-signers gets a server error (``cosign_invite``: expiry past
    the year 9999) with the draft they typed lost."""
    c = world.committee
    fields = ["name", "region", "short_name", "office_phones", "body_max_chars", "cosign_window_plenary_hours",
              "cosign_window_recess_hours", "reply_months", "reply_months_plenary", "assisting_opinion_months",
              "reassignment_window_days", "rehandling_months", "evaluation_window_days", "extension_cap_months",
              "reply_working_days", "assisting_opinion_working_days", "rehandling_working_days",
              "remind_days_before", "due_soon_days", "escalate_days_after", "disclosure_days"]
    data = {f: getattr(c, f) for f in fields}
    data.update(cosign_window_plenary_hours="99999999", cosign_window_recess_hours="99999999")
    response = client_for(world.admin).post(reverse("organisations:settings"), data)
    member = client_for(world.member)
    member.raise_request_exception = False
    invited = member.post(reverse("proposals:new"), {
        "title": "关于加强农村饮水安全的建议", "body": "建议。", "invite": "1", "members": [world.cosigner.member.pk]})
    assert invited.status_code != 500
    assert response.status_code == 200
    assert Committee.objects.get(pk=c.pk).cosign_window_recess_hours == c.cosign_window_recess_hours


def test_a_member_with_a_mobile_that_is_not_one_is_refused_beside_the_field(world, client_for):
    """The member form takes any text as a mobile ("请问", nine digits), while the Excel import of the same members
    refuses it ("a mobile number has 11 digits"); the account made on the same form then silently gets no phone, so
    the member can never reset a password by SMS (Member.mobile has no validator; views._phone_of drops it)."""
    response = client_for(world.staff).post(reverse("organisations:create", args=["members"]), {
        "name": "王五", "gender": "male", "sector": world.sector.pk, "mobile": "137959528", "workplace": "区人民医院",
        "terms": [world.term.pk], "is_active": "on", "login-create": "on"})
    assert not Member.objects.filter(name="王五").exists()
    assert response.status_code == 200 and 'id="id_mobile_errors"' in response.content.decode()
    assert 'value="区人民医院"' in response.content.decode()


def test_autosave_after_the_session_ended_answers_htmx_with_a_short_message_not_the_sign_in_page(world):
    """The draft page's autosave (htmx, into the one-line status under the text) after the idle timeout: the answer is
    a redirect to the whole sign-in page, which htmx follows and swaps into the status line (login_required and
    accounts.middleware.ExpiredFormMiddleware answer htmx like a page). The status line should say, in a line, that
    the session ended and what is typed now is not saved."""
    case = build(world, "draft")
    edit = reverse("proposals:edit", args=[case.proposal.pk])
    response = Client().post(reverse("proposals:autosave", args=[case.proposal.pk]),
                             {"title": case.proposal.title, "body": "新写的一段"}, HTTP_HX_REQUEST="true",
                             HTTP_REFERER=f"http://testserver{edit}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body.lower() and "登录" in body


def test_revoking_a_token_with_an_id_that_is_not_one_is_not_a_server_error(world, client_for):
    """accounts/views.py: token_list passes ``revoke`` straight to get_object_or_404 (ValueError → 500)."""
    client = client_for(world.member)
    client.raise_request_exception = False
    response = client.post(reverse("accounts:tokens"), {"revoke": "abc"})
    assert response.status_code != 500
