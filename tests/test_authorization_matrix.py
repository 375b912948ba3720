"""Every URL of the site against every role, with real objects: allowed, 403, 404, 405 or sent to sign in.

A URL pattern without an entry here fails the test, so nobody adds a page without deciding who may open it.
API operations are checked against the published schema: every operation but the public ones needs a
signed-in caller.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tian.handling import services as handling
from tian.proposals import services
from tian.proposals.models import Attachment, TopicCategory
from tian.suggest.models import UnitMapping, UnitRule

ROLES = ["anon", "member", "stranger", "collective", "staff", "lead_handler", "other_handler", "supervisor",
         "official", "admin"]
LOGGED_IN = [r for r in ROLES if r != "anon"]
OK, LOGIN, FORBIDDEN, MISSING, NOT_ALLOWED = "ok", "login", 403, 404, 405


def only(*roles, others=FORBIDDEN, anon=LOGIN):
    """``roles`` get OK, the other signed-in roles ``others``, the anonymous visitor ``anon``."""
    return {r: OK if r in roles else (anon if r == "anon" else others) for r in ROLES}


def post_only(*roles, others=FORBIDDEN):
    """A POST endpoint opened with GET: the permitted roles are told 405, the others refused."""
    return {r: NOT_ALLOWED if r in roles else (LOGIN if r == "anon" else others) for r in ROLES}


EVERYONE = {r: OK for r in ROLES}
SIGNED_IN = only(*LOGGED_IN)
SEES_P = ["member", "staff", "lead_handler", "supervisor", "official"]  # who may see the proposal
STAFF = ["staff", "admin"]
HANDLERS = ["lead_handler", "other_handler"]
PROPOSERS = ["member", "stranger", "collective"]


def visible(anon=MISSING):
    return {r: OK if r in SEES_P else (anon if r == "anon" else MISSING) for r in ROLES}


MATRIX = {
    "dashboard:home": only(*LOGGED_IN, anon=OK),  # a visitor at the site's address reads the public portal
    "dashboard:home_staff": only("staff"), "dashboard:home_unit": only(*HANDLERS), "dashboard:home_supervisor": only("supervisor"),
    "dashboard:home_lead_official": only("official"), "dashboard:home_member": only("member", "stranger"),
    "dashboard:home_collective": only("collective"), "dashboard:home_admin": only("admin"),
    "dashboard:toggle_large_text": EVERYONE,
    "accounts:login": EVERYONE, "accounts:logout": {r: NOT_ALLOWED for r in ROLES},
    "accounts:password_change": SIGNED_IN, "accounts:tokens": SIGNED_IN,
    "accounts:user_list": only(*STAFF), "accounts:user_create": only(*STAFF), "accounts:user_edit": only(*STAFF),
    "accounts:user_unlock": only(*STAFF), "accounts:user_reset_two_factor": only(*STAFF),
    "accounts:two_factor": SIGNED_IN, "accounts:two_factor_setup": SIGNED_IN, "accounts:two_factor_verify": SIGNED_IN,
    "organisations:index": only(*STAFF), "organisations:calendar_days": only(*STAFF), "organisations:settings": only("admin"),
    "organisations:list": only(*STAFF), "organisations:create": only(*STAFF), "organisations:edit": only(*STAFF),
    # Handing a unit's open work over changes handling units: the office's (Perm.ASSIGN), not the administrator's.
    "organisations:unit_hand_over": only("staff"), "organisations:unit_hand_over_result": only("staff"),
    "proposals:list": only("staff"), "proposals:review_queue": only("staff"), "proposals:follow_ups": only("staff"),
    "proposals:mine": only(*PROPOSERS), "proposals:new": only(*PROPOSERS, "staff"),
    "proposals:detail": {**visible(), "anon": LOGIN},
    "proposals:edit": {**{r: FORBIDDEN if r in SEES_P else MISSING for r in ROLES}, "anon": LOGIN},
    "proposals:autosave": post_only(*LOGGED_IN), "proposals:upload": post_only(*LOGGED_IN),
    "proposals:invite": post_only(*LOGGED_IN), "proposals:action": post_only(*LOGGED_IN),
    "proposals:attachment": {**visible(), "anon": LOGIN},
    "proposals:cosign_withdraw": post_only(*LOGGED_IN), "proposals:cosign_respond": post_only(*LOGGED_IN),
    "proposals:reassignment_decide": post_only("staff"), "proposals:extension_decide": post_only("staff"),
    "proposals:remind": post_only(*LOGGED_IN),
    "proposals:key": {**{r: FORBIDDEN if r in SEES_P else MISSING for r in ROLES}, "staff": OK, "anon": LOGIN},
    "proposals:adjust": {**{r: FORBIDDEN if r in SEES_P else MISSING for r in ROLES}, "staff": OK, "anon": LOGIN},
    "proposals:bulk": post_only("staff"), "proposals:bulk_result": only("staff"),
    "suggest:manage": only("staff"), "suggest:rule_new": only("staff"), "suggest:rule_edit": only("staff"),
    "suggest:mapping_new": only("staff"), "suggest:mapping_edit": only("staff"),
    "suggest:retrain": post_only("staff"), "suggest:rule_delete": post_only("staff"),
    "suggest:mapping_delete": post_only("staff"),
    "handling:inbox": only(*HANDLERS),
    "handling:work": {**only("lead_handler"), "other_handler": MISSING},
    "handling:sign": post_only(*HANDLERS), "handling:reassign": post_only(*HANDLERS),
    "handling:contact": post_only(*HANDLERS), "handling:opinion": post_only(*HANDLERS),
    "handling:reply": post_only(*HANDLERS), "handling:extension": post_only(*HANDLERS),
    "handling:cosign": post_only(*HANDLERS), "handling:follow_up": post_only(*HANDLERS),
    "handling:remind_assisting": post_only(*HANDLERS),
    "supervision:queue": only("supervisor"), "supervision:review": only("supervisor"),
    "supervision:key_proposals": only("supervisor", "official"),
    "supervision:record_activity": post_only("supervisor", "official"),
    "notifications:list": SIGNED_IN, "notifications:open": post_only(*LOGGED_IN),
    "notifications:mark_all_read": post_only(*LOGGED_IN), "notifications:deliveries": only(*STAFF),
    "search:search": SIGNED_IN, "search:similar": only(*PROPOSERS, "staff"),
    # merge candidates for whoever may merge the proposal now: the office, while it is under review (here it is handled)
    "search:candidates": {**{r: FORBIDDEN if r in SEES_P else MISSING for r in ROLES}, "anon": LOGIN},
    "stats:index": only("staff", "supervisor", "admin"), "stats:behind": only("staff", "supervisor", "admin"),
    "stats:download": only("staff", "supervisor", "admin"), "stats:awards": only("staff"),
    "importers:legacy": only("staff"), "importers:excel": only(*STAFF), "importers:excel_template": only(*STAFF),
    "documents:index": only("staff"), "documents:reply_letter": {**visible(), "member": MISSING, "anon": LOGIN},
    "documents:proposal_form": {**visible(), "anon": LOGIN}, "documents:proposal_print": {**visible(), "anon": LOGIN},
    "documents:assignment_notice": only("staff", "lead_handler"), "documents:compilation": only("staff"),
    "audit:search": only(*STAFF), "audit:history": SIGNED_IN,
    "portal:index": EVERYONE, "portal:search": EVERYONE, "portal:feed": EVERYONE, "portal:data": EVERYONE,
    "portal:export": EVERYONE, "portal:detail": {r: MISSING for r in ROLES},
    "set_language": EVERYONE,
}


def url_names():
    def walk(resolver, ns=None):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                namespace = pattern.namespace or ns
                if namespace not in ("admin", "api"):
                    yield from walk(pattern, namespace)
            elif pattern.name:
                yield f"{ns}:{pattern.name}" if ns else pattern.name

    return set(walk(get_resolver()))


def test_every_url_has_an_entry():
    assert url_names() == set(MATRIX), "add the new URL to MATRIX with who may open it"


@pytest.fixture
def setting(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    category = TopicCategory.objects.get(committee=world.committee, name="社会建设")
    p = services.proposal_create_draft(by=world.member, committee=world.committee, lead_member=world.member.member,
                                       title="关于矩阵的建议", body="建议。", category=category)
    attachment = Attachment.objects.create(proposal=p, file=SimpleUploadedFile("a.pdf", b"%PDF-1.4"), name="a.pdf",
                                           size=8, uploaded_by=world.member)
    p = services.proposal_submit(proposal=p, by=world.member)
    p = services.proposal_register(proposal=p, by=world.staff)
    rule = UnitRule.objects.create(committee=world.committee, keywords="养老", unit=world.units["区民政局"])
    mapping = UnitMapping.objects.create(committee=world.committee, old_unit=world.units["区教科局"])
    mapping.new_units.set([world.units["区民政局"]])
    p = handling.proposal_assign(proposal=p, by=world.staff, lead_units=[world.units["区民政局"]],
                                 assisting_units=[world.units["区教科局"]], is_key=True,
                                 lead_officials=[world.lead_official],
                                 supervising_offices=[world.offices["区政府办公室"]])
    for a in p.assignments.all():
        handling.assignment_sign_for(assignment=a, by=world.handler_for(a.unit.name))
    lead = p.assignments.get(role="lead")
    reply = handling.reply_save(assignment=lead, by=world.lead_handler, body="答复。", outcome="A",
                                contact_name="贺威", contact_phone="0839-1", reply_date=datetime.date.today())
    reply = handling.reply_submit(reply=reply, by=world.lead_handler)
    reply = handling.reply_cosign(reply=reply, by=world.assisting_handler).reply
    signature = reply.cosignatures.get()
    kwargs = {
        "accounts:user_edit": {"pk": world.member.pk}, "accounts:user_unlock": {"pk": world.member.pk},
        "accounts:user_reset_two_factor": {"pk": world.member.pk},
        "organisations:list": {"slug": "members"}, "organisations:create": {"slug": "members"},
        "organisations:edit": {"slug": "members", "pk": world.member.member.pk},
        "organisations:unit_hand_over": {"pk": world.units["区民政局"].pk},
        "organisations:unit_hand_over_result": {"pk": world.units["区民政局"].pk},
        "proposals:detail": {"pk": p.pk}, "proposals:edit": {"pk": p.pk}, "proposals:autosave": {"pk": p.pk},
        "proposals:upload": {"pk": p.pk}, "proposals:invite": {"pk": p.pk},
        "proposals:action": {"pk": p.pk, "name": "close"}, "proposals:attachment": {"pk": attachment.pk},
        "proposals:cosign_withdraw": {"pk": 1}, "proposals:cosign_respond": {"pk": 1},
        "proposals:reassignment_decide": {"pk": 1}, "proposals:extension_decide": {"pk": 1},
        "proposals:remind": {"pk": lead.pk}, "proposals:key": {"pk": p.pk}, "proposals:adjust": {"pk": p.pk},
        "handling:work": {"proposal_pk": p.pk}, "handling:sign": {"pk": lead.pk}, "handling:reassign": {"pk": lead.pk},
        "handling:contact": {"pk": lead.pk}, "handling:opinion": {"pk": lead.pk}, "handling:reply": {"pk": lead.pk},
        "handling:extension": {"pk": lead.pk}, "handling:cosign": {"pk": signature.pk},
        "handling:follow_up": {"pk": 1}, "handling:remind_assisting": {"pk": lead.pk},
        "suggest:rule_edit": {"pk": rule.pk}, "suggest:rule_delete": {"pk": rule.pk},
        "suggest:mapping_edit": {"pk": mapping.pk}, "suggest:mapping_delete": {"pk": mapping.pk},
        "supervision:review": {"pk": reply.pk}, "supervision:record_activity": {"proposal_pk": p.pk},
        "notifications:open": {"pk": 1}, "search:candidates": {"pk": p.pk},
        "stats:download": {"table": "units"}, "importers:excel_template": {"kind": "members"},
        "documents:reply_letter": {"pk": reply.pk, "fmt": "docx"},
        "documents:proposal_form": {"pk": p.pk, "fmt": "docx"}, "documents:proposal_print": {"pk": p.pk},
        "documents:assignment_notice": {"unit_pk": world.units["区民政局"].pk, "fmt": "docx"},
        "documents:compilation": {"session_pk": world.session.pk, "fmt": "docx"},
        "portal:detail": {"pk": p.pk}, "portal:export": {"session_pk": world.current_session.pk, "fmt": "csv"},
    }
    return kwargs


def outcome(response) -> str | int:
    if response.status_code in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    if response.status_code < 400:
        return OK
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says(world, setting, role):
    client = Client()
    if role != "anon":
        client.force_login(getattr(world, role))
    wrong = []
    for name, expected in sorted(MATRIX.items()):
        response = client.get(reverse(name, kwargs=setting.get(name, {})))
        got = outcome(response)
        if got != expected[role]:
            wrong.append(f"{name}: expected {expected[role]}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_api_operations_need_a_signed_in_caller_except_the_public_ones(world):
    schema = Client().get("/api/v1/openapi.json").json()
    anonymous = Client()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            url = path.replace("{action}", "submit")
            for param in ("proposal_id", "cosignature_id", "assignment_id", "reply_id", "request_id",
                          "extension_id", "notification_id", "invitation_id", "follow_up_id", "unit_id"):
                url = url.replace("{" + param + "}", "1")
            response = getattr(anonymous, method)(url, content_type="application/json")
            public = path.startswith("/api/v1/public/")
            assert (response.status_code != 401) if public else response.status_code == 401, (method, path)
            assert bool(operation.get("security")) != public, (method, path)
