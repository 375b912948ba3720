"""The administrator's forms (issue #22, point 7): a member, collective proposer or unit is created with its
sign-in account on one form, the saved row is in sight afterwards, user names may be Chinese, and every error
keeps what was typed and stands next to its field."""

import re

from django.urls import reverse

from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.audit.models import AuditEntry, Kind
from tian.organisations.models import CollectiveProposer, Member, Unit

MEMBERS = reverse("organisations:create", args=["members"])


def _member(world, **extra):
    return {"name": "王小红", "gender": "", "sector": world.sector.pk, "party": world.party.pk,
            "mobile": "13912345678", "office_phone": "", "workplace": "区第一中学", "terms": [world.term.pk],
            "is_active": "on", **extra}


def _field_errors(html: str, field_id: str) -> str:
    """The error list standing next to the field ``field_id`` (includes/form.html), as text."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_errors">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


def test_a_member_and_their_login_are_made_in_one_form(world, client_for):
    client = client_for(world.staff)
    response = client.post(MEMBERS, _member(world, **{"login-create": "on"}))
    member = Member.objects.get(name="王小红")
    assert response.status_code == 302
    assert response.url == f"{reverse('organisations:list', args=['members'])}?saved={member.pk}#row-{member.pk}"
    user = User.objects.get(member=member)
    # The user name defaults to the member's Chinese name; the role is the member's; the phone is their mobile.
    assert (user.username, user.full_name, user.phone) == ("王小红", "王小红", "13912345678")
    assert user.roles == {Role.MEMBER} and user.must_change_password
    entry = AuditEntry.objects.filter(data__kind=Kind.ROLES_CHANGED, object_id=str(user.pk)).get()
    assert entry.actor == world.staff and entry.data["after"] == ["member"]
    # The generated password is shown once, on the list the form returns to, with the new row marked.
    page = client.get(response.url).content.decode()
    password = re.search(r'<strong class="secret">([^<]+)</strong>', page).group(1)
    assert user.check_password(password)
    assert f'id="row-{member.pk}" aria-current="true"' in page and "刚保存" in page
    assert 'class="secret"' not in client.get(response.url).content.decode()


def test_without_the_box_ticked_no_account_is_made(world, client_for):
    response = client_for(world.staff).post(MEMBERS, _member(world))
    assert response.status_code == 302
    assert not User.objects.filter(member__name="王小红").exists()


def test_a_unit_handler_account_takes_the_unit_and_the_typed_password(world, client_for):
    response = client_for(world.staff).post(reverse("organisations:create", args=["units"]), {
        "name": "区档案馆", "full_name": "广元市朝天区档案馆", "kind": "government", "office_phone": "0839-8621111",
        "leader": "", "order": 9, "is_active": "on", "login-create": "on", "login-full_name": "李经办",
        "login-password": "Dang-an-2024x"})
    assert response.status_code == 302
    user = User.objects.get(username="区档案馆")
    assert user.unit == Unit.objects.get(name="区档案馆") and user.full_name == "李经办"
    assert user.roles == {Role.UNIT_HANDLER} and user.check_password("Dang-an-2024x")


def test_a_collective_proposer_gets_its_account_on_its_form(world, client_for):
    response = client_for(world.admin).post(reverse("organisations:create", args=["collective-proposers"]), {
        "name": "九三学社朝天区支社", "kind": "party", "contact_name": "赵联络", "contact_phone": "0839-8620001",
        "is_active": "on", "login-create": "on", "login-username": "九三学社"})
    assert response.status_code == 302
    user = User.objects.get(username="九三学社")
    assert user.collective == CollectiveProposer.objects.get(name="九三学社朝天区支社")
    assert user.roles == {Role.COLLECTIVE}


def test_a_taken_user_name_keeps_every_input_and_saves_nothing(world, client_for):
    data = _member(world, **{"login-create": "on", "login-username": "刘安泽", "login-password": "Typed-pass-77"})
    response = client_for(world.staff).post(MEMBERS, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Member.objects.filter(name="王小红").exists()
    assert "这个用户名已存在" in _field_errors(html, "id_login-username")
    for value in ("王小红", "13912345678", "区第一中学", "刘安泽", "Typed-pass-77"):
        assert f'value="{value}"' in html, value
    assert re.search(r'name="login-create"[^>]*checked', html)


def test_a_bad_member_field_and_a_weak_password_show_both_errors(world, client_for):
    before = Member.objects.count()
    data = _member(world, name="", **{"login-create": "on", "login-username": "王小红", "login-password": "abc"})
    response = client_for(world.staff).post(MEMBERS, data)
    html = response.content.decode()
    assert response.status_code == 200 and Member.objects.count() == before
    assert _field_errors(html, "id_name")  # 这个字段是必填项
    assert "密码太短，至少要有 8 个字符" in _field_errors(html, "id_login-password")  # Django 5.2's, in Chinese
    assert 'value="王小红"' in html


def test_a_member_with_an_account_is_not_offered_a_second(world, client_for):
    member = world.member.member
    html = client_for(world.staff).get(reverse("organisations:edit", args=["members", member.pk])).content.decode()
    assert 'name="login-create"' not in html
    assert reverse("accounts:user_edit", args=[world.member.pk]) in html


def test_staff_are_not_offered_an_account_with_a_role_they_may_not_grant(world, client_for):
    url = reverse("organisations:create", args=["supervising-offices"])
    assert 'name="login-create"' not in client_for(world.staff).get(url).content.decode()
    assert 'name="login-create"' in client_for(world.admin).get(url).content.decode()


def test_a_saved_row_is_shown_on_the_page_that_holds_it(world, client_for):
    for n in range(60):
        Member.objects.create(committee=world.committee, name=f"安{n:02d}")
    client = client_for(world.staff)
    client.post(MEMBERS, _member(world, name="赵末位"))  # sorted by name: after every 安, on page 2
    member = Member.objects.get(name="赵末位")
    page = client.get(f"{reverse('organisations:list', args=['members'])}?saved={member.pk}").content.decode()
    assert "赵末位" in page and f'id="row-{member.pk}" aria-current="true"' in page


def test_a_user_with_a_chinese_name_is_created_and_shown(world, client_for):
    member = Member.objects.create(committee=world.committee, name="欧阳明月")
    client = client_for(world.staff)
    form = client.get(reverse("accounts:user_create")).content.decode()
    assert "中文姓名" in form  # the help says Chinese names are welcome
    response = client.post(reverse("accounts:user_create"), {
        "username": "欧阳明月", "full_name": "欧阳明月", "phone": "", "email": "", "roles": ["member"],
        "member": member.pk, "password": ""})
    user = User.objects.get(username="欧阳明月")
    assert response.url == f"{reverse('accounts:user_list')}?saved={user.pk}#user-{user.pk}"
    page = client.get(response.url).content.decode()
    assert f'id="user-{user.pk}"' in page and "刚保存" in page and 'class="secret"' in page


def test_a_user_name_with_a_space_is_refused_in_plain_chinese_and_nothing_typed_is_lost(world, client_for):
    response = client_for(world.staff).post(reverse("accounts:user_create"), {
        "username": "欧阳 明月", "full_name": "欧阳明月", "phone": "13812345678", "roles": ["staff"],
        "password": "Given-pass-42"})
    html = response.content.decode()
    assert "不能有空格" in _field_errors(html, "id_username")
    assert not User.objects.filter(full_name="欧阳明月").exists()
    for value in ("欧阳 明月", "欧阳明月", "13812345678", "Given-pass-42"):
        assert f'value="{value}"' in html, value
    assert re.search(r'value="staff"[^>]*checked', html)


def test_roles_carry_one_requirement_not_a_star_each(world, client_for):
    client = client_for(world.staff)
    html = client.get(reverse("accounts:user_create")).content.decode()
    roles = re.search(r'<div class="field[^"]*">\s*<fieldset class="plain"><legend class="label">角色（至少选一个）', html)
    assert roles and "required" not in roles.group(0)
    response = client.post(reverse("accounts:user_create"), {"username": "新人", "full_name": "新人",
                                                             "password": ""})
    assert "请至少选择一个角色" in _field_errors(response.content.decode(), "id_roles")


def test_the_member_choice_offers_only_members_without_an_account(world, client_for):
    html = client_for(world.staff).get(reverse("accounts:user_create")).content.decode()
    options = re.search(r'<select name="member".*?</select>', html, re.S).group(0)
    assert "徐丽娟" not in options  # has an account
    Member.objects.create(committee=world.committee, name="无账号委员")
    html = client_for(world.staff).get(reverse("accounts:user_create")).content.decode()
    assert "无账号委员" in re.search(r'<select name="member".*?</select>', html, re.S).group(0)
