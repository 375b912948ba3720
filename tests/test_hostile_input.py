"""Hostile text is shown as text everywhere it is rendered; overlong or wrong input gets a field error."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tian.handling import services as handling
from tian.organisations.models import Member
from tian.proposals import services
from tian.proposals.models import TopicCategory

SCRIPT = '<script>alert("xss")</script>'
IMG = '<img src=x onerror=alert(1)>'
SVG = "<svg onload=alert(1)>"  # short enough for a name field


@pytest.fixture
def hostile(world, django_capture_on_commit_callbacks):
    Member.objects.filter(pk=world.cosigner.member.pk).update(name=f"徐{SVG}")
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    with django_capture_on_commit_callbacks(execute=True):
        p = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title=f"关于托育{SCRIPT}的建议",
                                           body=f"托育服务{IMG}\n{SCRIPT}", category=category)
        services.cosign_invite(proposal=p, by=world.member, members=[world.cosigner.member])
        services.cosign_respond(cosignature=p.cosignatures.get(), by=world.cosigner, accept=True)
        p = services.proposal_submit(proposal=p, by=world.member)
        p = services.proposal_register(proposal=p, by=world.staff, note=SCRIPT)
        p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                     supervising_offices=[world.offices["区政府办公室"]], is_key=True,
                                     lead_officials=[world.lead_official])
        a = p.assignments.get()
        handling.assignment_sign_for(assignment=a, by=world.lead_handler)
        handling.contact_record(assignment=a, by=world.lead_handler, method="phone",
                                contacted_on=datetime.date.today(), summary=SCRIPT)
        reply = handling.reply_save(assignment=a, by=world.lead_handler, body=f"答复{SCRIPT}", outcome="A",
                                    contact_name=IMG, contact_phone="0839-1", reply_date=datetime.date.today())
        reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    return p, reply


def assert_safe(html: str, where: str):
    assert SCRIPT not in html, where
    assert IMG not in html, where
    assert SVG not in html, where


def test_pages_render_hostile_text_as_text(world, client_for, hostile):
    proposal, reply = hostile
    pages = {
        "staff detail": (world.staff, proposal.get_absolute_url()),
        "member detail": (world.member, proposal.get_absolute_url()),
        "staff list": (world.staff, reverse("proposals:list")),
        "search": (world.staff, reverse("search:search") + "?q=托育"),
        "unit work": (world.lead_handler, reverse("handling:work", args=[proposal.pk])),
        "unit inbox": (world.lead_handler, reverse("handling:inbox")),
        "supervision review": (world.supervisor, reverse("supervision:review", args=[reply.pk])),
        "key proposals": (world.official, reverse("supervision:key_proposals")),
        "notifications": (world.cosigner, reverse("notifications:list")),
        "print view": (world.staff, reverse("documents:proposal_print", args=[proposal.pk])),
        "stats behind": (world.staff, reverse("stats:behind") + f"?year={proposal.year}&measure=received"),
        "admin": (world.admin, reverse("admin:organisations_member_changelist")),
        "members list": (world.staff, reverse("organisations:list", args=["members"])),
    }
    for where, (user, url) in pages.items():
        response = client_for(user).get(url)
        assert response.status_code == 200, where
        html = response.content.decode()
        assert_safe(html, where)
    detail = client_for(world.staff).get(proposal.get_absolute_url()).content.decode()
    assert "&lt;script&gt;" in detail  # shown, as text


def test_similar_panel_escapes(world, client_for, hostile):
    response = client_for(world.member).post(reverse("search:similar"), {"title": "关于托育的建议", "body": "托育服务"})
    assert_safe(response.content.decode(), "similar panel")


@pytest.mark.parametrize("field,value", [("title", "关" * 500), ("category", "99999"), ("category", "not-a-number"),
                                         ("suggested_units", "abc")])
def test_overlong_and_wrong_input_get_a_field_error(world, client_for, field, value):
    data = {"title": "关于测试的建议", "body": "建议。", field: value}
    response = client_for(world.member).post(reverse("proposals:new"), data)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


def test_unknown_enum_values_in_the_api_are_a_field_error(world):
    from tian.accounts.services import token_create

    token = token_create(user=world.staff, name="t")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/api/v1/proposals?state=nonsense")
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


def test_odd_ids_in_a_bulk_action_and_an_empty_management_form_answer_without_an_error(world, client_for):
    """A crafted bulk selection (a superscript digit, thirty digits) and a management form sent empty gave a server
    error; each is now an ordinary answer that changes nothing."""
    from tian.organisations.models import Unit

    staff = client_for(world.staff)
    for ids in (["²"], ["9" * 30], ["-1"]):
        response = staff.post(reverse("proposals:bulk"), {"action": "register", "ids": ids})
        assert response.status_code < 500, ids
    units = Unit.objects.count()
    response = staff.post(reverse("organisations:create", args=["units"]), {})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert Unit.objects.count() == units
