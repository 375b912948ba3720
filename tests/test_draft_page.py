"""The member's draft page (issue #22 point 4) and the layout around every page: co-signers and attachments offered
before the first save and above 提交, each button coming back to its section, nothing typed lost after an error;
大字模式 one tap away; no navigation while the second factor is owed; the home greets by name once."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tian.accounts.roles import Role
from tian.proposals import services
from tian.proposals.models import Attachment, CoSignature, Event, Proposal, State, TopicCategory

TITLE = "关于完善社区养老服务设施的建议"
BODY = "社区养老服务设施不足。建议加大投入。"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _section(response, anchor: str) -> str:
    """The HTML of one section of the draft page, up to the next section."""
    html = response.content.decode()
    start = html.index(f'id="{anchor}"')
    end = html.find('class="draft__section"', html.index(">", start))
    return html[start:end if end != -1 else len(html)]


@pytest.fixture
def category(world):
    return TopicCategory.objects.get(committee=world.committee, name="社会建设")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _text_fields(category_, **extra):
    return {"title": TITLE, "body": BODY, "category": category_.pk, "disclosure_consent": "on", **extra}


def test_the_new_page_offers_cosigners_and_attachments_above_submit(world, client_for):
    html = client_for(world.member).get(reverse("proposals:new")).content.decode()
    cosigners, attachments, submit = (html.index('id="cosigners"'), html.index('id="attachments"'),
                                      html.index('name="submit"'))
    assert cosigners < submit and attachments < submit
    assert 'name="members"' in html and 'type="file"' in html
    assert html.index('<button type="submit" class="visually-hidden"') < cosigners  # Enter saves, never withdraws


def test_the_title_is_labelled_as_the_proposals_subject(world, client_for):
    page = _text(client_for(world.member).get(reverse("proposals:new")))
    assert "案由/标题" in page and "职务" not in page


def test_the_first_invitation_saves_the_draft_and_comes_back_to_the_cosigners(world, client_for, category):
    member = client_for(world.member)
    response = member.post(reverse("proposals:new"), _text_fields(category, members=[world.cosigner.member.pk],
                                                                  invite="1"))
    proposal = Proposal.objects.get(title=TITLE)
    assert response.status_code == 302 and response["Location"] == f"/proposals/{proposal.pk}/edit/#cosigners"
    assert proposal.state == State.DRAFT and proposal.lead_member == world.member.member
    assert CoSignature.objects.get(proposal=proposal).status == CoSignature.Status.INVITED
    assert Event.objects.filter(proposal=proposal, action="cosign.invited").exists()
    page = member.get(response["Location"])
    assert "联名邀请已发送" in _text_client_section(page, "cosigners")
    # Each co-signer with where their invitation stands.
    assert f"{world.cosigner.member.name} — 已邀请" in re.sub(r"\s+", " ", _text_client_section(page, "cosigners"))
    invitation = CoSignature.objects.get(proposal=proposal)
    services.cosign_respond(cosignature=invitation, by=world.cosigner, accept=True)
    assert "同意联名" in _text_client_section(member.get(response["Location"]), "cosigners")


def _text_client_section(response, anchor):
    return re.sub(r"<[^>]+>", " ", _section(response, anchor))


def test_the_first_upload_saves_the_draft_and_comes_back_to_the_attachments(world, client_for, category, media):
    member = client_for(world.member)
    response = member.post(reverse("proposals:new"), _text_fields(
        category, file=SimpleUploadedFile("调研报告.pdf", b"%PDF-1.4 report"), upload="1"))
    proposal = Proposal.objects.get(title=TITLE)
    assert response["Location"] == f"/proposals/{proposal.pk}/edit/#attachments"
    assert Attachment.objects.get(proposal=proposal).name == "调研报告.pdf"
    assert "调研报告.pdf" in _text_client_section(member.get(response["Location"]), "attachments")


def test_a_refused_file_on_the_new_page_keeps_what_was_typed_and_saves_nothing(world, client_for, category, media):
    response = client_for(world.member).post(reverse("proposals:new"), _text_fields(
        category, file=SimpleUploadedFile("说明.pdf", b"<html>not a pdf</html>"), upload="1"))
    assert response.status_code == 200
    assert not Proposal.objects.exists() and not Attachment.objects.exists()
    html = response.content.decode()
    assert f'value="{TITLE}"' in html and BODY in html
    assert "文件内容与文件名不符" in _text_client_section(response, "attachments")  # next to the file field
    assert 'id="id_file_errors"' in html


def test_inviting_nobody_is_an_error_next_to_the_list_and_keeps_the_edited_text(world, client_for, category):
    member = client_for(world.member)
    member.post(reverse("proposals:new"), _text_fields(category))
    proposal = Proposal.objects.get(title=TITLE)
    response = member.post(reverse("proposals:edit", args=[proposal.pk]),
                           _text_fields(category, title=TITLE + "(修改稿)", invite="1"))
    assert response.status_code == 200
    assert "这个字段是必填项" in _text_client_section(response, "cosigners")
    assert f'value="{TITLE}(修改稿)"' in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.title == TITLE  # nothing changed: the whole step is refused together
    assert not CoSignature.objects.exists()


def test_a_refused_paper_cosigner_leaves_no_half_made_draft(world, client_for, category):
    """Staff entering a paper proposal name its lead proposer among the co-signers: the service refuses, and the
    draft the same step would have created is not left behind."""
    response = client_for(world.staff).post(reverse("proposals:new"), _text_fields(
        category, lead_member=world.member.member.pk, members=[world.member.member.pk], invite="1"))
    assert response.status_code == 200
    assert not Proposal.objects.exists()
    assert "领衔" in _text_client_section(response, "cosigners")
    assert f'value="{TITLE}"' in response.content.decode()


def test_withdrawing_an_invitation_saves_the_text_and_comes_back_to_the_cosigners(world, client_for, category):
    member = client_for(world.member)
    member.post(reverse("proposals:new"), _text_fields(category, members=[world.cosigner.member.pk], invite="1"))
    proposal = Proposal.objects.get(title=TITLE)
    invitation = CoSignature.objects.get(proposal=proposal)
    response = member.post(reverse("proposals:edit", args=[proposal.pk]),
                           _text_fields(category, body=BODY + "补充。", withdraw=str(invitation.pk)))
    assert response["Location"] == f"/proposals/{proposal.pk}/edit/#cosigners"
    invitation.refresh_from_db()
    proposal.refresh_from_db()
    assert invitation.status == CoSignature.Status.WITHDRAWN and proposal.body.endswith("补充。")


def test_an_invitation_of_another_proposal_cannot_be_withdrawn_from_this_page(world, client_for, category):
    other = services.proposal_create_draft(by=world.cosigner, committee=world.committee,
                                           lead_member=world.cosigner.member, title="别人的提案", body="。")
    theirs = services.cosign_invite(proposal=other, by=world.cosigner, members=[world.stranger.member])[0]
    member = client_for(world.member)
    member.post(reverse("proposals:new"), _text_fields(category))
    mine = Proposal.objects.get(title=TITLE)
    response = member.post(reverse("proposals:edit", args=[mine.pk]), _text_fields(category, withdraw=str(theirs.pk)))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == CoSignature.Status.INVITED


def test_enter_in_a_field_saves_and_comes_back_to_the_buttons(world, client_for, category):
    member = client_for(world.member)
    response = member.post(reverse("proposals:new"), _text_fields(category))  # no button named: Enter
    proposal = Proposal.objects.get(title=TITLE)
    assert response["Location"] == f"/proposals/{proposal.pk}/edit/#draft-actions"
    assert "草稿已保存" in _text_client_section(member.get(response["Location"]), "draft-actions")


def test_a_refused_submission_keeps_the_draft_and_says_why_by_the_buttons(world, client_for, category):
    member = client_for(world.member)
    member.post(reverse("proposals:new"), _text_fields(category))
    proposal = Proposal.objects.get(title=TITLE)
    response = member.post(reverse("proposals:edit", args=[proposal.pk]),
                           _text_fields(category, category="", submit="1"))
    assert response["Location"] == f"/proposals/{proposal.pk}/edit/#draft-actions"
    assert "请选择提案类别" in _text_client_section(member.get(response["Location"]), "draft-actions")
    proposal.refresh_from_db()
    assert proposal.state == State.DRAFT


# The layout around every page.

def test_large_text_is_one_tap_from_every_page_and_remembered(world, client_for):
    visitor = Client()
    assert "大字模式" in _text(visitor.get(reverse("accounts:login")))
    member = client_for(world.member)
    page = member.get(reverse("dashboard:home_member"))
    html = page.content.decode()
    assert 'class="header-button"' in html and "大字模式" in _text(page)
    member.get(reverse("dashboard:toggle_large_text") + "?next=/home/member/")
    html = member.get(reverse("proposals:new")).content.decode()
    assert 'class="large-text"' in html and "标准字号" in html


def test_nothing_but_sign_out_shows_while_the_second_factor_is_owed(world):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": world.staff.username, "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/")
    html = client.get(response["Location"]).content.decode()
    assert 'class="main-nav"' not in html and 'class="bell"' not in html and "user-menu" not in html
    assert "退出登录" in html


def test_the_navigation_shows_once_signed_in(world, client_for):
    html = client_for(world.staff).get(reverse("dashboard:home_staff")).content.decode()
    assert 'class="main-nav"' in html and 'class="bell"' in html


def test_the_home_greets_by_name_once_when_the_name_is_the_roles(world, client_for):
    world.staff.full_name = str(Role.STAFF.label)
    world.staff.save()
    response = client_for(world.staff).get(reverse("dashboard:home_staff"))
    heading = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1)
    assert re.sub(r"<[^>]+>", "", heading).count("提案委工作人员") == 1


def test_the_home_shows_the_role_beside_a_persons_name(world, client_for):
    response = client_for(world.staff).get(reverse("dashboard:home_staff"))
    heading = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S).group(1)
    assert "提案委" in heading and "提案委工作人员" in heading
