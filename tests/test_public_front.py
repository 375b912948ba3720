"""The public's front door (issue #22, point 8): a visitor at the site's address gets the public portal with
"Sign in" one click away, the list has a search box, and its filters fold away behind "筛选"."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_portal import portal  # noqa: F401 - a disclosed proposal, and one not disclosed
from tian.accounts.roles import ROLE_HOME


def _sign_in_links(html: str) -> list[str]:
    return re.findall(rf'<a class="button button--secondary" href="{reverse("accounts:login")}">登录</a>', html)


def test_a_visitor_at_the_address_gets_the_public_portal(world):
    response = Client().get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>公开提案</h1>" in html
    assert len(_sign_in_links(html)) == 1


@pytest.mark.parametrize("who", ["member", "staff", "lead_handler"])
def test_a_signed_in_person_at_the_address_gets_their_home(world, client_for, who):
    user = getattr(world, who)
    response = client_for(user).get("/")
    assert response.status_code == 302 and response.url == reverse(ROLE_HOME[user.primary_role])


@pytest.mark.parametrize("name", ["portal:index", "portal:search", "portal:data"])
def test_every_portal_page_offers_sign_in_to_visitors_only(world, client_for, name):
    assert _sign_in_links(Client().get(reverse(name)).content.decode())
    assert not _sign_in_links(client_for(world.member).get(reverse(name)).content.decode())


def test_the_list_has_a_search_box_that_searches_the_disclosed_proposals(world):
    html = Client().get("/").content.decode()
    form = re.search(r'<form method="get" action="([^"]+)"[^>]*role="search">(.*?)</form>', html, re.S)
    assert form.group(1) == reverse("portal:search")
    assert re.search(r'<input type="search" id="portal-q" name="q"', form.group(2))
    assert '<label for="portal-q">搜索公开提案</label>' in form.group(2)


def test_the_filters_fold_behind_a_toggle_unless_one_is_in_use(world, portal):  # noqa: F811
    folded = Client().get(reverse("portal:index")).content.decode()
    assert re.search(r'<details class="card portal-filters">\s*<summary>筛选', folded)
    assert portal.public.title in folded  # the proposals come right after the folded filters
    unfolded = Client().get(reverse("portal:index"), {"year": portal.public.year}).content.decode()
    assert '<details class="card portal-filters" open>' in unfolded


def test_subscribing_is_explained_in_plain_words(world):
    html = Client().get(reverse("portal:index")).content.decode()
    assert "订阅新公开的提案" in html and "有新公开的提案时自动收到" in html
    assert "Atom" not in re.sub(r"<[^>]+>", "", html)
