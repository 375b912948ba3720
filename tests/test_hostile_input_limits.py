"""Hostile input never answers 500 and never takes long: request sizes, control characters in any field, query,
path or cookie."""

import contextlib
import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tian.accounts.services import token_create
from tian.core.request_limits import CONTROL
from tian.proposals import services
from tian.proposals.models import Proposal

# Request sizes --------------------------------------------------------------------------------------------------

class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.fixture
def draft(world):
    return services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                          title="关于测试的建议", body="建议。")


def test_an_upload_over_the_limit_is_refused_from_its_length_before_its_body_is_read(world, client_for, draft,
                                                                                      settings):
    response = client_for(world.member).generic(
        "POST", reverse("proposals:upload", args=[draft.pk]), CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(120 * 1024 * 1024), **{"wsgi.input": Unreadable()})
    assert response.status_code == 413
    assert "超过了 21 MB" in response.content.decode()
    assert not draft.attachments.exists()


def test_a_large_json_body_is_a_413_in_the_apis_shape(world):
    token = token_create(user=world.member, name="t")[1]
    body = json.dumps({"title": "关于测试的建议", "body": "建" * (2 * 1024 * 1024)})  # 6 MB in UTF-8
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post("/api/v1/proposals", body,
                                                                 content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large" and "5 MB" in response.json()["message"]
    assert not Proposal.objects.filter(title="关于测试的建议").exists()


def test_a_json_body_with_a_wrong_length_is_not_read(world):
    response = Client().generic("POST", "/api/v1/proposals", CONTENT_TYPE="application/json",
                                CONTENT_LENGTH=str(6 * 1024 * 1024), **{"wsgi.input": Unreadable()})
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_an_overlong_query_string_is_refused(world):
    response = Client().get("/api/v1/public/proposals?q=" + "a" * 9000)
    assert response.status_code == 414 and response.json()["code"] == "too_large"
    response = Client().get(reverse("portal:index") + "?page=" + "9" * 9000)
    assert response.status_code == 414 and "地址过长" in response.content.decode()


# Control characters -------------------------------------------------------------------------------------------

@contextlib.contextmanager
def database_parameters():
    """Every string the database is sent as a parameter while the block runs."""
    seen = []

    def flatten(value):
        if isinstance(value, str):
            seen.append(value)
        elif isinstance(value, list | tuple | dict):
            for item in value.values() if isinstance(value, dict) else value:
                flatten(item)

    def record(execute, sql, params, many, context):
        flatten(params)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def holds_control_characters(strings) -> bool:
    return any(CONTROL.search(s) for s in strings)


def test_nul_in_an_api_query_never_reaches_the_database(world):
    with database_parameters() as sent:
        response = Client().get("/api/v1/public/proposals?q=%00&kind=%1b")
    assert response.status_code == 200
    assert not holds_control_characters(sent)


@pytest.mark.parametrize("body,title,text", [
    ({"title": "关于\u0000托育的建议", "body": "建议。"}, "关于托育的建议", "建议。"),
    ({"title": "关于托育的建议", "body": "第一段。\u000b第二段。\u001b"}, "关于托育的建议", "第一段。\n第二段。"),
    ({"title": "关于托育的建议", "body": "建议\ud800。"}, "关于托育的建议", "建议。"),  # no database stores it
])
def test_control_characters_are_removed_from_an_api_json_body(world, body, title, text):
    token = token_create(user=world.member, name="t")[1]
    with database_parameters() as sent:
        response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").post(
            "/api/v1/proposals", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    proposal = Proposal.objects.get(pk=response.json()["id"])
    assert (proposal.title, proposal.body) == (title, text)
    assert not holds_control_characters(sent)


def test_control_characters_in_page_fields_are_removed_and_the_text_kept(world, client_for):
    response = client_for(world.member).post(reverse("proposals:new"), {
        "title": "关于\x00托育服务\x1b的建议", "body": "第一段。\x0b第二段。\x07"})
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="关于托育服务的建议")
    assert proposal.body == "第一段。\n第二段。"


def test_nul_in_a_page_query_never_reaches_the_database(world, client_for):
    with database_parameters() as sent:
        response = client_for(world.staff).get(reverse("proposals:list") + "?q=%00托育")
        assert client_for(world.staff).get(reverse("search:search") + "?q=%00").status_code == 200
    assert response.status_code == 200
    assert not holds_control_characters(sent)


def test_an_address_holding_nul_names_no_page(world, client_for):
    with database_parameters() as sent:
        assert client_for(world.staff).get("/manage/%00/").status_code == 404
        response = Client().get("/api/v1/proposals/1/actions/%00")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not holds_control_characters(sent)


def test_a_cookie_holding_nul_is_ignored(world):
    with database_parameters() as sent:
        response = Client().get(reverse("core:home"), HTTP_COOKIE='sessionid="\\000abcdefghijk"')
    assert response.status_code == 302
    assert not holds_control_characters(sent)


def test_search_terms_never_hold_control_characters():
    from tian.search.text import query_terms

    controls = [chr(c) for c in (*range(0x20), *range(0x7f, 0xa0)) if chr(c) not in "\t\n\r"]
    for c in controls:
        assert not any(c in term for term in query_terms(f"托{c}育 a{c}b {c}"))
