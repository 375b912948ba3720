"""A proposal draft has several authors (a collective proposer's accounts; the clerk who entered a paper proposal and
its member): a save from a page opened before another author's save — the page's 保存 or its autosave — is refused,
not written over theirs, and the page says so with what is saved now and what was typed. The page's own autosave
moves the revision the page sends back, so that its next autosave and its 保存 are never refused."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import PASSWORD
from tian.accounts import services as account_services
from tian.accounts.roles import Role
from tian.proposals import services
from tian.proposals.models import Attachment, Event, Proposal, TopicCategory
from tian.proposals.workflow import CONFLICT, WorkflowError

TITLE = "关于养老服务体系建设的建议"
HERS = "王敏补充：全区60岁以上老人3.2万人，其中独居1860人，建议每个乡镇建一所区域养老服务中心。"
HIS = "建议推进医养结合，由区卫健局牵头，每季度到敬老院巡诊一次。"
REVISION = re.compile(r'<input type="hidden" name="revision" value="([^"]*)"')
# What the page says (the Chinese once the lead merges the new strings; the English source until then).
REFUSED = "Someone else saved this draft after this page was opened: your changes were not saved, so as not to " \
          "replace theirs."
AUTOSAVE_REFUSED = "Not saved: someone else changed this draft"


def _said(msgid: str) -> str:
    with translation.override("zh-hans"):
        return gettext(msgid)


@pytest.fixture
def category(world):
    return TopicCategory.objects.get(committee=world.committee, name="社会建设")


@pytest.fixture
def colleague(world):
    """The collective proposer's second account (民盟朝天区支部 has two people drafting)."""
    return account_services.user_create(username="民盟朝天区支部2", full_name="王敏", password=PASSWORD,
                                        roles=[Role.COLLECTIVE], collective=world.collective_org, validate=False)


@pytest.fixture
def draft(world, category):
    return services.proposal_create_draft(by=world.collective, committee=world.committee,
                                          collective=world.collective_org, title=TITLE, body="初稿。",
                                          category=category)


def _fields(category, body, **extra):
    return {"title": TITLE, "category": category.pk, "body": body, "disclosure_consent": "on", **extra}


def _revision(response) -> str:
    found = REVISION.findall(response.content.decode())
    assert len(found) == 1, response.content.decode()
    return found[0]


def _edit(draft):
    return reverse("proposals:edit", args=[draft.pk])


def _autosave(draft):
    return reverse("proposals:autosave", args=[draft.pk])


def _body(draft) -> str:
    return Proposal.objects.get(pk=draft.pk).body


def test_a_save_from_a_page_opened_before_a_colleagues_save_is_refused_with_both_texts_shown(
        world, client_for, colleague, draft, category):
    mine, theirs = client_for(world.collective), client_for(colleague)
    opened = _revision(mine.get(_edit(draft)))
    saved = theirs.post(_edit(draft), _fields(category, HERS, revision=_revision(theirs.get(_edit(draft))),
                                               save="1"))
    assert saved.status_code == 302 and _body(draft) == HERS
    response = mine.post(_edit(draft), _fields(category, HIS, revision=opened, save="1"), follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and _body(draft) == HERS  # nothing saved
    assert _said(REFUSED) in html
    assert f">\n{HIS}</textarea>" in html or f">{HIS}</textarea>" in html  # what he typed, in the form
    panel = html[html.index('id="saved-meanwhile"'):html.index("</section>", html.index('id="saved-meanwhile"'))]
    assert HERS in panel and TITLE not in panel  # what is saved now, where it differs
    assert not Event.objects.filter(proposal=draft).exclude(action="proposal.drafted").exists()
    # The form shown again carries the revision of now: sent again (the texts combined), it is saved.
    again = _revision(response)
    assert again != opened
    combined = HERS + "\n" + HIS
    done = mine.post(_edit(draft), _fields(category, combined, revision=again, save="1"))
    assert done.status_code == 302 and _body(draft) == combined


def test_a_paper_proposals_clerk_and_its_member_do_not_overwrite_each_other(world, client_for, category):
    paper = services.proposal_create_draft(by=world.staff, committee=world.committee,
                                           lead_member=world.member.member, title=TITLE, body="初稿。",
                                           category=category)
    clerk, member = client_for(world.staff), client_for(world.member)
    opened = _revision(clerk.get(_edit(paper)))
    member.post(_edit(paper), _fields(category, HERS, revision=_revision(member.get(_edit(paper))), save="1"))
    assert _body(paper) == HERS
    refused = clerk.post(_autosave(paper), _fields(category, HIS, revision=opened), HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and _body(paper) == HERS
    assert _said(AUTOSAVE_REFUSED) in refused.content.decode()
    assert 'name="revision"' not in refused.content.decode()  # the page keeps what it showed: 保存 will say why


def test_autosave_answers_the_new_revision_and_the_pages_next_saves_are_taken(world, client_for, draft, category):
    """Types, autosaves, types more, autosaves, types more and presses 保存: never refused by its own autosave."""
    me = client_for(world.collective)
    revision = _revision(me.get(_edit(draft)))
    first = me.post(_autosave(draft), _fields(category, "一稿。", revision=revision), HTTP_HX_REQUEST="true")
    assert first.status_code == 200 and "hx-swap-oob" in first.content.decode() and _body(draft) == "一稿。"
    second = me.post(_autosave(draft), _fields(category, "二稿。", revision=_revision(first)),
                     HTTP_HX_REQUEST="true")
    assert _body(draft) == "二稿。" and "badge--danger" not in second.content.decode()
    saved = me.post(_edit(draft), _fields(category, "三稿。", revision=_revision(second), save="1"), follow=True)
    assert _body(draft) == "三稿。" and _said(REFUSED) not in saved.content.decode()
    assert "草稿已保存" in saved.content.decode()


def test_the_pages_save_overtaken_by_its_own_autosave_of_the_same_text_is_taken(world, client_for, draft, category):
    """Leaving the text for 保存 sets off an autosave of the same text, which may reach the server first: the save,
    carrying the revision before it, changes nothing and is not refused."""
    me = client_for(world.collective)
    revision = _revision(me.get(_edit(draft)))
    me.post(_autosave(draft), _fields(category, HIS, revision=revision), HTTP_HX_REQUEST="true")
    saved = me.post(_edit(draft), _fields(category, HIS, revision=revision, save="1"), follow=True)
    assert _said(REFUSED) not in saved.content.decode() and "草稿已保存" in saved.content.decode()
    assert _body(draft) == HIS


def test_a_save_that_changes_nothing_leaves_the_revision_for_a_colleagues_page(world, client_for, colleague, draft,
                                                                               category):
    mine, theirs = client_for(world.collective), client_for(colleague)
    page = mine.get(_edit(draft))
    their_page = _revision(theirs.get(_edit(draft)))
    mine.post(_edit(draft), _fields(category, "初稿。", revision=_revision(page), save="1"))  # 保存, nothing changed
    theirs.post(_edit(draft), _fields(category, HERS, revision=their_page, save="1"))
    assert _body(draft) == HERS


def test_attachments_and_invitations_do_not_make_an_open_page_stale(world, client_for, colleague, draft, category,
                                                                    settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mine, theirs = client_for(world.collective), client_for(colleague)
    opened = _revision(mine.get(_edit(draft)))
    upload = SimpleUploadedFile("调研报告.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    theirs.post(reverse("proposals:upload", args=[draft.pk]), {"file": upload})
    theirs.post(reverse("proposals:invite", args=[draft.pk]), {"members": [world.cosigner.member.pk]})
    assert Attachment.objects.filter(proposal=draft).exists() and draft.cosignatures.exists()
    mine.post(_edit(draft), _fields(category, HIS, revision=opened, save="1"))
    assert _body(draft) == HIS


def test_a_form_without_a_revision_is_saved_as_before(world, client_for, colleague, draft, category):
    """A page opened before the page carried the revision (or a caller that does not send one)."""
    client_for(colleague).post(_edit(draft), _fields(category, HERS, save="1"))
    client_for(world.collective).post(_autosave(draft), _fields(category, HIS), HTTP_HX_REQUEST="true")
    assert _body(draft) == HIS


def test_the_service_refuses_a_stale_revision_and_takes_the_current_one(world, colleague, draft):
    shown = services.draft_revision(draft)
    services.proposal_update_draft(proposal=draft, by=colleague, body=HERS, seen=shown)
    with pytest.raises(WorkflowError) as refused:
        services.proposal_update_draft(proposal=Proposal.objects.get(pk=draft.pk), by=world.collective, body=HIS,
                                       seen=shown)
    assert refused.value.code == CONFLICT and _body(draft) == HERS
    now = services.draft_revision(Proposal.objects.get(pk=draft.pk))
    services.proposal_update_draft(proposal=Proposal.objects.get(pk=draft.pk), by=world.collective, body=HIS, seen=now)
    assert _body(draft) == HIS
    services.proposal_update_draft(proposal=Proposal.objects.get(pk=draft.pk), by=colleague, body=HERS)  # no seen
    assert _body(draft) == HERS
