"""The layout kept per user (``tian.core.layout``) and the user read with roles and unread count in one query
(``tian.accounts.backends``).

A page served through the kept layout must be the very page the ordinary rendering gives, and every part of the
layout that changes from one request to the next (the bell, messages, the page's address, the CSRF token) must
be this request's, while what is kept (name, roles, navigation) follows a change at once."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tian.accounts import services as accounts
from tian.accounts.backends import UserBackend
from tian.accounts.roles import Role
from tian.core import layout
from tian.notifications.models import Notification

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def _page(client, url, *, kept: bool, monkeypatch) -> str:
    monkeypatch.setattr(layout, "enabled", kept)
    response = client.get(url)
    assert response.status_code == 200
    return TOKEN.sub(r"\1T", response.content.decode())


def _pages(world, assigned):
    both = world.staff
    accounts.user_update(user=both, roles=[Role.STAFF, Role.ADMIN], full_name=both.full_name)
    return [
        (world.staff, reverse("proposals:list") + "?page=1&q=%E5%BB%BA%E8%AE%AE%26%22%3C"),
        (world.staff, reverse("proposals:detail", args=[assigned.pk])),
        (world.staff, reverse("core:home_staff")),
        (world.member, reverse("core:home_member")),
        (world.member, reverse("proposals:detail", args=[assigned.pk])),
        (world.lead_handler, reverse("handling:inbox")),
        (world.lead_handler, reverse("handling:inbox") + "?group=to_sign"),
        (world.lead_handler, reverse("handling:work", args=[assigned.pk])),
        (world.staff, reverse("stats:index")),
        (world.staff, reverse("stats:index") + "?term=&start=2026-13-01"),  # a filter refused: its message
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("large_text", [False, True])
def test_a_kept_layout_page_is_the_page_the_ordinary_rendering_gives(world, assigned, monkeypatch, language,
                                                                     large_text):
    Notification.objects.create(user=world.staff, key="k1", kind="test", message="新消息")
    for user, url in _pages(world, assigned):
        client = Client()
        client.force_login(user)
        client.cookies["django_language"] = language
        if large_text:
            client.cookies["tian_large_text"] = "1"
        ordinary = _page(client, url, kept=False, monkeypatch=monkeypatch)
        assert _page(client, url, kept=True, monkeypatch=monkeypatch) == ordinary, url
        assert _page(client, url, kept=True, monkeypatch=monkeypatch) == ordinary, url  # and served kept


def test_each_request_gets_its_own_token_address_and_bell(world, assigned, client_for):
    client = client_for(world.staff)
    url = reverse("proposals:list")
    first = client.get(url + "?page=1").content.decode()
    assert 'aria-label="0 条未读消息"' in first and "bell__count" not in first
    Notification.objects.create(user=world.staff, key="k1", kind="test", message="新消息")
    Notification.objects.create(user=world.staff, key="k2", kind="test", message="新消息")
    second = client.get(url + "?page=1&state=registered").content.decode()
    assert '<span class="bell__count">2</span>' in second
    # The page's own address in the large-text switch and the language form, not the first page's.
    assert "next=/proposals/%3Fpage%3D1%26state%3Dregistered" in second
    assert 'name="next" value="/proposals/?page=1&amp;state=registered"' in second
    # Another browser of the same user: its own CSRF token in the layout's forms and htmx headers.
    other = client_for(world.staff)
    third = other.get(url + "?page=1").content.decode()
    mine = set(TOKEN.findall(second) and re.findall(r'"X-CSRFToken": "([^"]+)"', second))
    theirs = set(re.findall(r'"X-CSRFToken": "([^"]+)"', third))
    assert mine and theirs and mine != theirs
    assert "csrf" + layout._TOKEN not in third and layout.BELL not in third and layout.PATH not in third


def test_messages_are_shown_once(world, assigned, client_for):
    client = client_for(world.lead_handler)
    work = reverse("handling:work", args=[assigned.pk])
    client.get(work)  # the layout is kept before the message arrives
    response = client.post(reverse("handling:sign", args=[assigned.assignments.get(role="lead").pk]))
    assert response.status_code == 302 and response.url == work
    page = client.get(work).content.decode()
    assert '<p class="message message--success">已签收。</p>' in page
    assert "message--success" not in client.get(work).content.decode()
    # A refusal's message too (signing twice), escaped like any text.
    client.post(reverse("handling:sign", args=[assigned.assignments.get(role="lead").pk]))
    assert "message--error" in client.get(work).content.decode()


def test_a_new_name_or_role_shows_at_once(world, assigned, client_for):
    client = client_for(world.staff)
    url = reverse("proposals:list") + "?page=1"
    page = client.get(url).content.decode()
    assert "提案委" in page and reverse("core:home_admin") not in page and "我的角色" not in page
    accounts.user_update(user=world.staff, roles=[Role.STAFF, Role.ADMIN], full_name="提案委员会办公室")
    page = client.get(url).content.decode()
    assert "提案委员会办公室" in page
    assert "我的角色" in page and reverse("core:home_admin") in page  # "My roles" in the user menu
    assert reverse("admin:index") in page  # the administrator's entry in the navigation


def test_layouts_are_not_shared_between_users(world, assigned, client_for):
    url = reverse("proposals:detail", args=[assigned.pk])
    assert '<span class="user-menu__name">提案委</span>' in client_for(world.staff).get(url).content.decode()
    page = client_for(world.member).get(url).content.decode()
    assert '<span class="user-menu__name">刘安泽</span>' in page
    assert f'<a href="{reverse("proposals:list")}"' not in page  # the staff's navigation entry


def test_the_active_navigation_entry_is_the_pages_own(world, assigned, client_for):
    client = client_for(world.staff)
    home = client.get(reverse("core:home_staff")).content.decode()
    listing = client.get(reverse("proposals:list") + "?page=1").content.decode()
    assert f'<a href="{reverse("proposals:list")}" aria-current="page">' in listing
    assert f'<a href="{reverse("proposals:list")}" aria-current="page">' not in home


def test_the_user_is_read_with_roles_and_unread_count_in_one_query(world, django_assert_num_queries):
    Notification.objects.create(user=world.member, key="k1", kind="test", message="新消息")
    Notification.objects.create(user=world.member, key="k2", kind="test", message="已读", read_at="2026-01-01T00:00Z")
    accounts.user_update(user=world.member, roles=[Role.MEMBER, Role.STAFF], full_name="刘安泽")
    with django_assert_num_queries(1):
        user = UserBackend().get_user(world.member.pk)
        assert user.roles == frozenset({Role.MEMBER, Role.STAFF})
        assert user.unread_at_sign_in == 1
    assert UserBackend().get_user(world.admin.pk).unread_at_sign_in == 0
    world.stranger.role_grants.all().delete()
    assert UserBackend().get_user(world.stranger.pk).roles == frozenset()
    world.stranger.is_active = False
    world.stranger.save()
    assert UserBackend().get_user(world.stranger.pk) is None
    assert UserBackend().get_user(10**9) is None


def test_what_a_user_typed_is_never_taken_for_a_stand_in(world, assigned, client_for):
    client = client_for(world.staff)
    client.get(reverse("proposals:list") + "?page=1")  # the layout is kept
    page = client.get(reverse("proposals:list") + f"?page=1&q={layout.CSRF}{layout.BELL}").content.decode()
    assert f'value="/proposals/?page=1&amp;q={layout.CSRF}{layout.BELL}"' in page
    assert page.count('class="bell"') == 1


def test_the_session_is_read_as_django_reads_it(world, client_for):
    import datetime

    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.utils import timezone

    client = client_for(world.staff)
    home = reverse("core:home_staff")
    assert client.get(home).status_code == 200
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    cache.clear()  # the cached copy (cached_db) lives as long as the session did
    assert client.get(home).status_code == 302  # expired: signed out
    client.cookies["sessionid"] = "not-a-session-key-at-all"
    assert client.get(home).status_code == 302
    client.cookies["sessionid"] = ""
    assert client.get(home).status_code == 302
