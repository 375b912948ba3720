"""The audit log reads as sentences in Chinese (issue #22, point 3): each kind of entry, made the way people make
it, shows on the audit page as staff read it in words, with role, state and step labels and the proposal's number
and title, and no English word or raw code (role codes, state codes, event action names, arrows between codes)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tests.test_two_factor import code_for, set_up, sign_in
from tian.accounts import services as account_services
from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.audit.models import AuditEntry
from tian.handling import services as handling
from tian.organisations.models import LeadOfficial
from tian.proposals.models import State

# Names, not English words: the product, and standards named as such.
ALLOWED_WORDS = {"TiAn", "API", "English"}
ENGLISH = re.compile(r"(?<![/.\w])[A-Za-z][A-Za-z'’-]{2,}")
ACTION_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b")  # contact.recorded
ARROW = re.compile(r"\w\s*→\s*\w")  # handling→handling, staff → staff,supervisor
CODES = set(Role.values) | set(State.values) | {"denied", "login_failed", "second_factor", "roles_changed"}


class _Page(HTMLParser):
    """A page's visible text (code shown as code, scripts and styles left out) and the sentences of its table."""

    HIDDEN = ("script", "style", "template", "code")

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.sentences: list[str] = []
        self._hidden = 0
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        for name in ("title", "aria-label", "placeholder", "alt"):
            if attrs.get(name):
                self.text.append(attrs[name])
        if tag == "td" and attrs.get("data-label") == "事项":
            self._cell = []

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if tag == "td" and self._cell is not None:
            self.sentences.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)  # the whole sentence, its address or token prefix included
        if not self._hidden:
            self.text.append(data)


def read(response) -> _Page:
    assert response.status_code == 200
    page = _Page()
    page.feed(response.content.decode())
    return page


def problems(page: _Page) -> list[str]:
    """English words and raw codes in the page's visible text."""
    text = " ".join(page.text)
    usernames = set(User.objects.values_list("username", flat=True))
    found = [word for word in ENGLISH.findall(text) if word not in ALLOWED_WORDS and word not in usernames]
    found += ACTION_CODE.findall(text) + ARROW.findall(text)
    found += [code for code in CODES - usernames if re.search(rf"(?<![\w/.-]){re.escape(code)}(?![\w/.-])", text)]
    return found


def audit_page(world, **filters) -> _Page:
    """The audit page as office staff read it (signed in once per test: their sign-in is an entry too)."""
    if not hasattr(world, "audit_reader"):
        world.audit_reader = Client()
        world.audit_reader.force_login(world.staff)
    page = read(world.audit_reader.get(reverse("audit:search"), filters))
    assert not problems(page), problems(page)
    return page


# Signing in ------------------------------------------------------------------------------------------------------

def test_a_sign_in_with_the_app_code_reads_as_a_sentence(world):
    client, _ = sign_in(world.member)
    device, _codes = set_up(client)
    client, _ = sign_in(world.member)
    assert client.post("/accounts/2fa/verify/", {"code": code_for(device)}).status_code == 302
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN, actor=world.member).first()
    assert entry.data == {"kind": "second_factor", "method": "app"}
    page = audit_page(world, action="login")
    assert "刘安泽 使用验证器动态码完成第二步登录验证" in page.sentences
    assert "刘安泽 输入密码登录" in page.sentences
    assert "刘安泽 使用验证器应用设置了双因素登录" in audit_page(world, action="account").sentences


def test_a_sign_in_with_a_recovery_code_and_a_wrong_code_read_as_sentences(world):
    client, _ = sign_in(world.member)
    _device, codes = set_up(client)
    client, _ = sign_in(world.member)
    client.post("/accounts/2fa/verify/", {"code": "000000"})
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)  # a minute later
    assert client.post("/accounts/2fa/verify/", {"code": codes[0]}).status_code == 302
    assert "刘安泽 使用恢复码完成第二步登录验证" in audit_page(world, action="login").sentences
    assert "刘安泽 第二步登录验证时输入的验证码不对" in audit_page(world, action="login_failed").sentences


def test_a_failed_sign_in_reads_as_a_sentence(world):
    Client().post(reverse("accounts:login"), {"username": "刘安泽", "password": "wrong"})
    page = audit_page(world, action="login_failed")
    assert page.sentences == ["以用户名「刘安泽」登录失败：用户名或密码错误"]


def test_my_sign_ins_read_as_sentences(world, client_for):
    client = Client()
    client.post(reverse("accounts:login"), {"username": "刘安泽", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "刘安泽", "password": PASSWORD})
    page = read(client.get(reverse("audit:history")))
    assert not problems(page), problems(page)
    assert page.sentences == ["刘安泽 输入密码登录", "以用户名「刘安泽」登录失败：用户名或密码错误"]


# Accounts ---------------------------------------------------------------------------------------------------------

def test_a_role_change_names_the_roles_by_their_labels(world):
    account_services.user_update(user=world.staff, roles=[Role.STAFF, Role.SUPERVISOR], by=world.admin,
                                 office=world.offices["区政府办公室"])
    official = LeadOfficial.objects.create(committee=world.committee, name="王建", title="副区长")
    account_services.user_update(user=world.lead_handler, roles=[Role.UNIT_HANDLER, Role.LEAD_OFFICIAL],
                                 by=world.staff, full_name="区民政局经办人", lead_official=official)
    sentences = audit_page(world, action="account").sentences
    assert "管理员 将 提案委 的角色由「提案委工作人员」改为「提案委工作人员、督办单位」" in sentences
    assert "提案委 将 区民政局经办人 的角色由「承办单位经办人」改为「承办单位经办人、牵头领导」" in sentences
    # Each change with its values, the organisation by its name (new messages: zh-hans from the merged catalogue).
    assert "提案委 修改了 区民政局经办人 的账户信息：姓名/名称由「区民政局」改为「区民政局经办人」、牵头领导设为「王建」" in sentences


def test_a_new_account_and_a_password_reset_read_as_sentences(world):
    account_services.user_create(username="区档案馆", full_name="区档案馆经办人", password=None,
                                 roles=[Role.UNIT_HANDLER], unit=world.units["区妇联"], by=world.staff)
    account_services.user_set_password(user=world.member, password="Reset-by-staff-7", by=world.staff)
    account_services.user_unlock(user=world.member, by=world.staff)
    sentences = audit_page(world, person="tiwei").sentences
    assert "提案委 为 区档案馆经办人 设置角色「承办单位经办人」" in sentences
    assert "提案委 重置了 刘安泽 的密码，需在下次登录时修改" in sentences
    assert "提案委 解除了 刘安泽 的登录锁定" in sentences


def test_a_password_changed_by_its_owner_reads_as_a_sentence(world, client_for):
    client = client_for(world.member)
    client.post(reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": "My-own-secret-9",
                                                      "new_password2": "My-own-secret-9"})
    assert "刘安泽 修改了自己的密码" in audit_page(world, action="account").sentences


def test_a_token_created_and_revoked_reads_as_sentences(world, client_for):
    client = client_for(world.member)
    client.post(reverse("accounts:tokens"), {"name": "办公系统"})
    token = world.member.api_tokens.get()
    client.post(reverse("accounts:tokens"), {"revoke": token.pk})
    entry = AuditEntry.objects.get(data__kind="token_created")
    sentences = audit_page(world, action="account").sentences
    assert f"刘安泽 创建了接口令牌 「办公系统」（{token.prefix}…），有效期至 {entry.data['expires']}" in sentences
    assert f"刘安泽 吊销了自己的接口令牌 「办公系统」（{token.prefix}…）" in sentences


def test_a_two_factor_reset_reads_as_a_sentence(world, client_for):
    client, _ = sign_in(world.supervisor)
    set_up(client)
    client_for(world.staff).post(f"/accounts/users/{world.supervisor.pk}/2fa-reset/")
    assert "提案委 重置了 区政府办公室 的双因素登录" in audit_page(world, action="account").sentences


# The proposal, refusals and downloads -----------------------------------------------------------------------------

def test_a_state_change_names_the_proposal_the_step_and_the_states(world, assigned):
    assignment = assigned.assignments.get(unit=world.units["区民政局"])
    handling.assignment_sign_for(assignment=assignment, by=world.lead_handler)
    handling.contact_record(assignment=assignment, by=world.lead_handler, method="phone",
                            contacted_on=datetime.date.today(), summary="电话沟通。")
    assigned.refresh_from_db()
    number = assigned.number_year
    sentences = audit_page(world, action="change").sentences
    assert f"区民政局 对提案 {number}《关于加强全区未成年人关爱保护工作的建议》：记录办前沟通（办理中）" in sentences
    assert (f"区民政局 对提案 {number}《关于加强全区未成年人关爱保护工作的建议》：已签收，状态由「已交办」变为「办理中」"
            in sentences)
    assert (f"提案委 对提案 {number}《关于加强全区未成年人关爱保护工作的建议》：已立案，状态由「待审查」变为「已立案」"
            in sentences)
    # The proposal filter finds them by the number people write.
    found = audit_page(world, proposal=f"{assigned.year}-{assigned.number}").sentences
    assert len(found) == AuditEntry.objects.filter(object_type="proposal", object_id=str(assigned.pk)).count() >= 5
    assert audit_page(world, proposal="未成年人").sentences == found


def test_a_draft_is_not_named_by_its_title(world):
    from tian.proposals import services
    from tian.proposals.models import TopicCategory

    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    draft = services.proposal_create_draft(by=world.member, committee=world.committee,
                                           lead_member=world.member.member, title="尚未提交的草稿标题", body="建议。",
                                           category=category)
    page = audit_page(world, action="change")
    assert page.sentences == [f"刘安泽 对提案 （记录号 {draft.pk}）：开始起草（草稿）"]


def test_a_refused_access_says_what_was_refused(world, client_for, assigned):
    member = client_for(world.member)
    assert member.get(reverse("accounts:user_list")).status_code == 403
    member.post(reverse("proposals:action", args=[assigned.pk, "close"]))
    sentences = audit_page(world, action="denied").sentences
    assert "刘安泽 试图打开「用户」页面，被拒绝（GET /accounts/users/）" in sentences
    assert (f"刘安泽 试图对提案 {assigned.number_year}《关于加强全区未成年人关爱保护工作的建议》 执行「办结」，被拒绝"
            f"（POST /proposals/{assigned.pk}/do/close/）") in sentences


def test_a_download_names_the_file_and_the_proposal(world, client_for, assigned):
    response = client_for(world.staff).get(reverse("documents:proposal_form", args=[assigned.pk, "docx"]))
    assert response.status_code == 200
    sentences = audit_page(world, action="download").sentences
    assert sentences == [f"提案委 下载了「提案单 {assigned.number_year}.docx」"
                         f"（提案 {assigned.number_year}《关于加强全区未成年人关爱保护工作的建议》）"]


# Old entries, the filters and the cost of the page ----------------------------------------------------------------

@pytest.mark.parametrize("action, detail, sentence", [
    ("login", "second factor: app code", "提案委 使用验证器动态码完成第二步登录验证"),
    ("login", "second factor: recovery code", "提案委 使用恢复码完成第二步登录验证"),
    ("login_failed", "wrong second-factor code", "提案委 第二步登录验证时输入的验证码不对"),
    ("account", "roles of 区民政局: unit_handler → supervisor,unit_handler",
     "提案委 将 区民政局 的角色由「承办单位经办人」改为「承办单位经办人、督办单位」"),
    ("account", "roles of 区民政局: - → unit_handler", "提案委 为 区民政局 设置角色「承办单位经办人」"),
    ("account", "password reset for 刘安泽", "提案委 重置了 刘安泽 的密码，需在下次登录时修改"),
    ("account", "API token abcdefgh revoked", "提案委 吊销了自己的接口令牌 abcdefgh…"),
    ("denied", "GET /accounts/users/", "提案委 试图打开「用户」页面，被拒绝（GET /accounts/users/）"),
    ("download", "提案汇编.docx", "提案委 下载了「提案汇编.docx」"),
])
def test_old_entries_without_data_read_from_their_detail(world, action, detail, sentence):
    audit_page(world)
    AuditEntry.objects.all().delete()  # the standing people's own entries and the reader's sign-in
    AuditEntry.objects.create(action=action, actor=world.staff, username="tiwei", detail=detail)
    assert audit_page(world).sentences == [sentence]


def test_an_old_state_change_reads_as_a_sentence(world, assigned):
    audit_page(world)
    AuditEntry.objects.all().delete()
    AuditEntry.objects.create(action="change", actor=world.lead_handler, username="区民政局", object_type="proposal",
                              object_id=str(assigned.pk), detail="contact.recorded handling→handling")
    assert audit_page(world).sentences == [
        f"区民政局 对提案 {assigned.number_year}《关于加强全区未成年人关爱保护工作的建议》：记录办前沟通（办理中）"]


def test_the_filters_by_action_person_and_date_keep_working(world, client_for):
    client_for(world.member).get(reverse("accounts:user_list"))
    client_for(world.cosigner).get(reverse("accounts:user_list"))
    AuditEntry.objects.create(action="denied", actor=world.member, username="刘安泽", detail="GET /stats/",
                              at=datetime.datetime(2024, 5, 1, 9, tzinfo=datetime.UTC))
    assert len(audit_page(world, action="denied").sentences) == 3
    assert len(audit_page(world, action="denied", person="刘安泽").sentences) == 2
    assert len(audit_page(world, action="denied", person="徐丽娟").sentences) == 1
    assert audit_page(world, action="denied", start="2024-04-30", end="2024-05-02").sentences == [
        "刘安泽 试图打开「统计分析」页面，被拒绝（GET /stats/）"]
    labels = audit_page(world).text
    for label in ("人员(用户名或姓名)", "提案（编号如 2023-15，或案由中的词语）", "操作", "起始日期", "截止日期", "拒绝访问"):
        assert label in labels


def test_the_page_reads_what_it_names_in_a_few_queries_whatever_the_rows(world, assigned, client_for):
    staff = client_for(world.staff)

    def reads() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(reverse("audit:search")).status_code == 200
        return len([q for q in captured.captured_queries if q["sql"].startswith("SELECT")])

    def add_entries(n):
        """Entries about another proposal (maybe long gone), a refusal, an old account change, a download."""
        AuditEntry.objects.create(action="change", actor=world.staff, username="tiwei", object_type="proposal",
                                  object_id=str(assigned.pk + n), detail="proposal.registered submitted→registered")
        AuditEntry.objects.create(action="denied", actor=world.member, username="刘安泽",
                                  detail=f"GET /proposals/{assigned.pk + n}/")
        AuditEntry.objects.create(action="account", actor=world.staff, username="tiwei", object_type="user",
                                  object_id=str(world.member.pk), detail=f"password reset for 刘安泽{n}")
        client_for(world.staff).get(reverse("documents:proposal_form", args=[assigned.pk, "docx"]))

    add_entries(0)
    few = reads()
    for n in range(1, 11):
        add_entries(n)
    assert reads() == few


def test_the_administrator_reads_the_record_not_the_title_of_proposals_they_may_not_open(world, assigned, client_for):
    """The audit log names proposals as its reader may see them: the administrator has no tie to an undisclosed
    proposal, so it is named by its record only."""
    client_for(world.member).get(reverse("accounts:user_list"))
    admin = client_for(world.admin)
    page = read(admin.get(reverse("audit:search"), {"action": "change"}))
    assert page.sentences and "未成年人" not in " ".join(page.text)
    assert f"提案委 对提案 （记录号 {assigned.pk}）：已立案，状态由「待审查」变为「已立案」" in page.sentences
