"""The audit log told in sentences: each entry's ``action`` and ``data`` (its ``kind`` and parameters, see
``tian.audit.models.Kind``) as one sentence in the reader's language, with the labels people know for roles,
states and the steps of the timeline, and the proposals it concerns named by number and title.

Here rather than in ``tian.audit``, which sits below the apps whose labels it needs. Entries written before
``data`` existed are read from their English ``detail`` where its pattern is known (``legacy_data``), else
their detail is shown as it is."""

import re
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tian.accounts.models import User
from tian.accounts.roles import Role
from tian.audit.models import AuditEntry, Kind
from tian.disclosure.policy import for_display
from tian.organisations.models import Session, Unit
from tian.proposals.models import State
from tian.proposals.selectors import visible_proposals
from tian.proposals.timeline import ACTION_LABELS
from tian.proposals.workflow import TRANSITIONS

Action = AuditEntry.Action

# The part of the site an address belongs to, by its start (the first that matches), named as the menu names it.
AREAS = [
    ("/accounts/users/", gettext_lazy("Users")),
    ("/accounts/tokens/", gettext_lazy("API tokens")),
    ("/accounts/2fa/", gettext_lazy("Two-factor sign-in")),
    ("/accounts/password/", gettext_lazy("Change password")),
    ("/manage/settings/", gettext_lazy("Settings")),
    ("/manage/", gettext_lazy("People and units")),
    ("/proposals/review/", gettext_lazy("Review")),
    ("/proposals/", gettext_lazy("Proposals")),
    ("/unit/", gettext_lazy("Unit inbox")),
    ("/supervision/key/", gettext_lazy("Key proposals")),
    ("/supervision/", gettext_lazy("Supervision")),
    ("/notifications/", gettext_lazy("Notifications")),
    ("/search/", gettext_lazy("Search")),
    ("/stats/", gettext_lazy("Statistics")),
    ("/import/", gettext_lazy("Import")),
    ("/documents/", gettext_lazy("Documents")),
    ("/api/", gettext_lazy("API")),
    ("/audit/", gettext_lazy("Audit log")),
    ("/public/", gettext_lazy("Public portal")),
    ("/admin/", gettext_lazy("System admin")),
    ("/home/", gettext_lazy("Home")),
]
# Addresses that concern one proposal: its pages, its documents, its API resource.
PROPOSAL_PATHS = re.compile(r"^/(?:proposals|unit/proposals|supervision/key|documents/proposals|api/v\d+/proposals)"
                            r"/(\d+)(?:[/.]|$)")
STEP_PATH = re.compile(r"^/proposals/\d+/do/([\w-]+)/")


def describe(entries, viewer) -> list[AuditEntry]:
    """``entries`` with ``entry.sentence`` (safe HTML) and ``entry.who`` (the person column) set on each. What the
    sentences name is read once for the whole list: the proposals concerned (by number and title where ``viewer``
    may open them, their titles as the disclosure policy lets them read it), units, sessions and, for old entries,
    the people's names."""
    entries = list(entries)
    facts = {entry.pk: entry.data or legacy_data(entry) for entry in entries}
    proposal_ids, unit_ids, session_ids, usernames = set(), set(), set(), set()
    for entry in entries:
        data = facts[entry.pk]
        pk = _proposal_id(entry, data)
        if pk:
            proposal_ids.add(pk)
        if entry.object_id.isdigit() and data.get("kind") == Kind.DOWNLOAD:
            if entry.object_type == "unit":
                unit_ids.add(int(entry.object_id))
            elif entry.object_type == "session":
                session_ids.add(int(entry.object_id))
        if data.get("user") and not data.get("user_name"):
            usernames.add(data["user"])
    names = _Names(
        proposals={p.pk: p for p in for_display(viewer, visible_proposals(viewer).filter(pk__in=proposal_ids).only(
            "pk", "committee_id", "year", "number", "title"))} if proposal_ids else {},
        units=dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {},
        sessions={s.pk: s.name for s in Session.objects.filter(pk__in=session_ids).select_related("term")}
        if session_ids else {},
        people=dict(User.objects.filter(username__in=usernames).values_list("username", "full_name"))
        if usernames else {},
    )
    for entry in entries:
        entry.who = _who(entry)
        entry.sentence = sentence(entry, facts[entry.pk], names)
    return entries


@dataclass
class _Names:
    """What a page of entries names, by id (the people by user name)."""

    proposals: dict
    units: dict
    sessions: dict
    people: dict


def _proposal_id(entry, data) -> int | None:
    if entry.object_type == "proposal" and entry.object_id.isdigit():
        return int(entry.object_id)
    match = PROPOSAL_PATHS.match(data.get("path", "")) if data.get("kind") == Kind.REFUSED else None
    return int(match.group(1)) if match else None


def _say(message: str, **params) -> SafeString:
    """``message`` (a translated, trusted text) with ``params`` escaped (or kept, when already safe HTML)."""
    escaped = {name: conditional_escape(value) for name, value in params.items()}
    return mark_safe(message % escaped)  # noqa: S308 - our catalogue's text, every value in it escaped


def _person(entry) -> str:
    if entry.actor is not None:
        return entry.actor.full_name or entry.actor.get_username()
    if entry.username in ("", "system"):
        return _("The system")
    return entry.username


def _who(entry) -> str:
    """The person column: the user name, with the person's name where it says more."""
    if entry.actor is None:
        return _person(entry)
    name, username = entry.actor.full_name, entry.username or entry.actor.get_username()
    return f"{username}（{name}）" if name and name != username else username


def _account(data, names) -> str:
    """The account an entry is about, by the person's name (as it was), else its user name."""
    return data.get("user_name") or names.people.get(data.get("user", "")) or data.get("user", "")


def _roles(codes) -> str:
    """The roles' labels, in the order the roles are declared."""
    labels = [str(role.label) for role in Role if role in codes]
    return "、".join(labels + [_("a role no longer in use") for code in codes if code not in Role.values])


def _state(code: str) -> str:
    return str(State(code).label) if code in State.values else _("a state no longer in use")


def _proposal(pk: int, names) -> SafeString:
    proposal = names.proposals.get(pk)
    if proposal is None:  # deleted, or not the reader's to open (someone's draft): its record only
        return _say(_("(record %(id)s)"), id=pk)
    title = format_html("《{}》", Truncator(proposal.title).chars(40))
    return format_html("{}{}", proposal.number_year, title) if proposal.number else title


def _token(data) -> SafeString:
    prefix = format_html("<code>{}…</code>", data.get("prefix", ""))
    if data.get("token"):
        return _say(_("“%(name)s” (%(prefix)s)"), name=data["token"], prefix=prefix)
    return prefix


def _field_labels(fields) -> str:
    labels = []
    for name in fields:
        try:
            labels.append(str(User._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:  # a field since removed
            labels.append(_("another detail"))
    return "、".join(labels)


def _account_changes(fields, values: dict) -> str:
    """What changed on an account: each field with its value before and after where the entry kept them (the
    account disabled or enabled in words of its own, an organisation by the name it had), else the field's name
    (personal data, and entries written before the values were kept)."""
    changes = []
    for name in fields:
        label = _field_labels([name])
        if name not in values:
            changes.append(label)
            continue
        before, after = values[name]
        if name == "is_active":
            changes.append(_("account enabled again") if after else _("account disabled"))
        elif isinstance(after, bool):
            changes.append(_("%(field)s: %(value)s") % {"field": label, "value": _("Yes") if after else _("No")})
        elif before in ("", None):
            changes.append(_("%(field)s set to “%(after)s”") % {"field": label, "after": after})
        elif after in ("", None):
            changes.append(_("%(field)s “%(before)s” removed") % {"field": label, "before": before})
        else:
            changes.append(_("%(field)s from “%(before)s” to “%(after)s”")
                           % {"field": label, "before": before, "after": after})
    return "、".join(changes)


def sentence(entry, data: dict, names) -> SafeString:
    """What ``entry`` records, as a sentence."""
    kind = data.get("kind", "")
    person = _person(entry)
    user = _account(data, names)
    own = bool(entry.actor is not None and data.get("user") == entry.actor.get_username())
    if kind == Kind.SIGNED_IN:
        return _say(_("%(person)s signed in with the password"), person=person)
    if kind == Kind.SECOND_FACTOR:
        if data.get("method") == "recovery":
            return _say(_("%(person)s completed the second step of signing in with a recovery code"), person=person)
        return _say(_("%(person)s completed the second step of signing in with a code from the authenticator app"),
                    person=person)
    if kind == Kind.SIGN_IN_FAILED and data.get("reason") == "inactive":
        return _say(_("Signing in as “%(username)s” was refused: the account is disabled"),
                    username=data.get("username") or entry.username)
    if kind == Kind.SIGN_IN_FAILED:
        return _say(_("Signing in as “%(username)s” failed: wrong user name or password"),
                    username=data.get("username") or entry.username)
    if kind == Kind.SIGN_IN_THROTTLED:
        return _say(_("Signing in as “%(username)s” was refused: too many failed sign-ins from this address just "
                      "now"), username=data.get("username") or entry.username)
    if kind == Kind.WRONG_CODE:
        if data.get("setting_up"):
            return _say(_("%(person)s typed a wrong code while setting up two-factor sign-in"), person=person)
        return _say(_("%(person)s typed a wrong code at the second step of signing in"), person=person)
    if kind == Kind.SIGNED_OUT:
        if data.get("reason") == "absolute_timeout":
            return _say(_("%(person)s was signed out: the sign-in had lasted as long as one may"), person=person)
        return _say(_("%(person)s signed out"), person=person)
    if kind == Kind.TWO_FACTOR_SET_UP:
        return _say(_("%(person)s set up two-factor sign-in with an authenticator app"), person=person)
    if kind == Kind.RECOVERY_CODES_RENEWED:
        return _say(_("%(person)s made new recovery codes; the old ones no longer work"), person=person)
    if kind == Kind.TWO_FACTOR_OFF:
        return _say(_("%(person)s turned two-factor sign-in off"), person=person)
    if kind == Kind.TWO_FACTOR_RESET:
        return _say(_("%(person)s reset the two-factor sign-in of %(user)s"), person=person, user=user)
    if kind == Kind.ACCOUNT_CREATED:
        return _say(_("%(person)s created the account of %(user)s"), person=person, user=user)
    if kind == Kind.ROLES_CHANGED:
        before, after = _roles(data.get("before", [])), _roles(data.get("after", []))
        if not before:
            return _say(_("%(person)s gave %(user)s the roles “%(after)s”"), person=person, user=user, after=after)
        if not after:
            return _say(_("%(person)s took all roles from %(user)s (they were “%(before)s”)"), person=person,
                        user=user, before=before)
        return _say(_("%(person)s changed the roles of %(user)s from “%(before)s” to “%(after)s”"), person=person,
                    user=user, before=before, after=after)
    if kind == Kind.ACCOUNT_CHANGED:
        return _say(_("%(person)s changed the account of %(user)s: %(fields)s"), person=person, user=user,
                    fields=_account_changes(data.get("fields", []), data.get("values") or {}))
    if kind == Kind.PASSWORD_RESET:
        return _say(_("%(person)s reset the password of %(user)s, to be changed at the next sign-in"),
                    person=person, user=user)
    if kind == Kind.PASSWORD_CHANGED:
        if own:
            return _say(_("%(person)s changed their own password"), person=person)
        return _say(_("%(person)s changed the password of %(user)s"), person=person, user=user)
    if kind == Kind.UNLOCKED:
        return _say(_("%(person)s lifted the sign-in lock of %(user)s"), person=person, user=user)
    if kind == Kind.TOKEN_CREATED:
        return _say(_("%(person)s created the API token %(token)s, valid until %(expires)s"), person=person,
                    token=_token(data), expires=data.get("expires", ""))
    if kind == Kind.TOKEN_REVOKED:
        if own:
            return _say(_("%(person)s revoked their API token %(token)s"), person=person, token=_token(data))
        return _say(_("%(person)s revoked the API token %(token)s of %(user)s"), person=person, user=user,
                    token=_token(data))
    if kind == Kind.EVENT:
        return _event(entry, data, person, names)
    if kind == Kind.REFUSED:
        return _refusal(entry, data, person, names)
    if kind == Kind.DOWNLOAD:
        return _download(entry, data, person, names)
    if kind == Kind.CALENDAR_CORRECTED and data.get("source") == "day":
        return _say(_("%(person)s corrected the working-day calendar for %(day)s"), person=person,
                    day=data.get("first", ""))
    if kind == Kind.CALENDAR_CORRECTED:
        return _say(_("%(person)s corrected the working-day calendar: %(n)s days from %(first)s to %(last)s"),
                    person=person, n=data.get("changed", ""), first=data.get("first", ""), last=data.get("last", ""))
    if kind == Kind.ROW_CHANGED:
        return _row_changed(data, person)
    if kind == Kind.SUGGESTIONS_CHANGED:
        return _say(_("%(person)s changed the unit suggestions: %(change)s"), person=person,
                    change=SUGGESTION_CHANGES.get(data.get("change", ""), _("another change")))
    return _say("%(detail)s", detail=entry.detail or entry.get_action_display())


ROW_CHANGES = {"added": gettext_lazy("%(person)s added the %(kind)s “%(name)s”"),
               "changed": gettext_lazy("%(person)s changed the %(kind)s “%(name)s”"),
               "deleted": gettext_lazy("%(person)s deleted the %(kind)s “%(name)s”")}


def _row_changed(data, person) -> SafeString:
    """A row of the managed lists added, changed or deleted, named as the entry wrote it down."""
    try:
        kind = str(apps.get_model(data.get("model", ""))._meta.verbose_name)
    except (LookupError, ValueError):
        kind = data.get("model", "")
    return _say(str(ROW_CHANGES.get(data.get("change"), ROW_CHANGES["changed"])), person=person, kind=kind,
                name=data.get("name", ""))


SUGGESTION_CHANGES = {"trained": gettext_lazy("the model was trained again"),
                      "rule_saved": gettext_lazy("a keyword rule was saved"),
                      "rule_deleted": gettext_lazy("a keyword rule was deleted"),
                      "mapping_saved": gettext_lazy("a unit mapping was saved"),
                      "mapping_deleted": gettext_lazy("a unit mapping was deleted")}


def _event(entry, data, person, names) -> SafeString:
    proposal = _proposal(int(entry.object_id), names) if entry.object_id.isdigit() else ""
    step = ACTION_LABELS.get(data.get("event", ""), _("another step"))
    before, after = data.get("from", ""), data.get("to", "")
    if before and after and before != after:
        return _say(_("%(person)s on proposal %(proposal)s: %(step)s, from “%(from)s” to “%(to)s”"), person=person,
                    proposal=proposal, step=step, **{"from": _state(before), "to": _state(after)})
    return _say(_("%(person)s on proposal %(proposal)s: %(step)s (%(state)s)"), person=person, proposal=proposal,
                step=step, state=_state(after or before))


def _refusal(entry, data, person, names) -> SafeString:
    path = data.get("path", "")
    address = format_html("<code>{} {}</code>", data.get("method", ""), path)
    pk = _proposal_id(entry, data)
    step = STEP_PATH.match(path)
    if pk and step and step.group(1) in TRANSITIONS:
        return _say(_("%(person)s tried to take the step “%(step)s” on proposal %(proposal)s and was refused "
                      "(%(address)s)"), person=person, step=TRANSITIONS[step.group(1)].label,
                    proposal=_proposal(pk, names), address=address)
    if pk:
        page = _say(_("the page of proposal %(proposal)s"), proposal=_proposal(pk, names))
    else:
        area = next((label for start, label in AREAS if path.startswith(start)), None)
        page = (_say(_("the page “%(area)s”"), area=area) if area
                else _say(_("the home page")) if path == "/" else _say(_("a page of the system")))
    if data.get("method") in ("GET", "HEAD"):
        return _say(_("%(person)s tried to open %(page)s and was refused (%(address)s)"), person=person, page=page,
                    address=address)
    return _say(_("%(person)s tried to send a form on %(page)s and was refused (%(address)s)"), person=person,
                page=page, address=address)


def _download(entry, data, person, names) -> SafeString:
    made_from = None
    if entry.object_id.isdigit():
        pk = int(entry.object_id)
        if entry.object_type == "proposal":
            made_from = _say(_("proposal %(proposal)s"), proposal=_proposal(pk, names))
            if pk not in names.proposals:  # the file's name tells the title of a proposal the reader may not open
                return _say(_("%(person)s downloaded a file (%(object)s)"), person=person, object=made_from)
        elif entry.object_type == "unit":
            made_from = names.units.get(pk)
        elif entry.object_type == "session":
            made_from = names.sessions.get(pk)
    if made_from:
        return _say(_("%(person)s downloaded “%(file)s” (%(object)s)"), person=person, file=data.get("file", ""),
                    object=made_from)
    return _say(_("%(person)s downloaded “%(file)s”"), person=person, file=data.get("file", ""))


# Old entries: the English details written before ``data`` existed, read back into the same parameters.
_LEGACY_ACCOUNT = [
    (re.compile(r"^roles of (?P<user>.+): (?P<before>\S+) → (?P<after>\S+)$"), Kind.ROLES_CHANGED),
    (re.compile(r"^account of (?P<user>.+) changed: (?P<fields>.+)$"), Kind.ACCOUNT_CHANGED),
    (re.compile(r"^password reset for (?P<user>.+)$"), Kind.PASSWORD_RESET),
    (re.compile(r"^password changed for (?P<user>.+)$"), Kind.PASSWORD_CHANGED),
    (re.compile(r"^sign-in unlocked for (?P<user>.+)$"), Kind.UNLOCKED),
    (re.compile(r"^two-factor sign-in reset for (?P<user>.+)$"), Kind.TWO_FACTOR_RESET),
    (re.compile(r"^API token (?P<prefix>\S+) created, valid until (?P<expires>\S+)$"), Kind.TOKEN_CREATED),
    (re.compile(r"^API token (?P<prefix>\S+) revoked$"), Kind.TOKEN_REVOKED),
    (re.compile(r"^two-factor sign-in set up$"), Kind.TWO_FACTOR_SET_UP),
    (re.compile(r"^new recovery codes$"), Kind.RECOVERY_CODES_RENEWED),
    (re.compile(r"^two-factor sign-in turned off$"), Kind.TWO_FACTOR_OFF),
]
_LEGACY_SIGN_IN = {
    "second factor: app code": {"kind": Kind.SECOND_FACTOR, "method": "app"},
    "second factor: recovery code": {"kind": Kind.SECOND_FACTOR, "method": "recovery"},
    "wrong second-factor code": {"kind": Kind.WRONG_CODE, "setting_up": False},
    "wrong code while setting up two-factor sign-in": {"kind": Kind.WRONG_CODE, "setting_up": True},
}
_LEGACY_CHANGE = re.compile(r"^(?P<event>[\w.]+) (?P<before>\w*)→(?P<after>\w*)$")
_LEGACY_REFUSAL = re.compile(r"^(?P<method>[A-Z]+) (?P<path>/\S*)$")


def legacy_data(entry) -> dict:
    """The ``data`` an entry written before it existed would have had, read from its detail; ``{}`` if the
    detail is not one the code wrote."""
    detail = entry.detail
    if entry.action == Action.CHANGE and (match := _LEGACY_CHANGE.match(detail)):
        return {"kind": Kind.EVENT, "event": match["event"], "from": match["before"], "to": match["after"]}
    if entry.action == Action.DENIED and (match := _LEGACY_REFUSAL.match(detail)):
        return {"kind": Kind.REFUSED, "method": match["method"], "path": match["path"]}
    if entry.action == Action.DOWNLOAD and detail:
        return {"kind": Kind.DOWNLOAD, "file": detail}
    if entry.action in (Action.LOGIN, Action.LOGIN_FAILED) and detail in _LEGACY_SIGN_IN:
        return dict(_LEGACY_SIGN_IN[detail])
    if entry.action == Action.LOGIN_FAILED and detail.startswith("refused: too many failed sign-ins"):
        return {"kind": Kind.SIGN_IN_THROTTLED, "username": entry.username}
    if not detail:
        kind = {Action.LOGIN: Kind.SIGNED_IN, Action.LOGIN_FAILED: Kind.SIGN_IN_FAILED,
                Action.LOGOUT: Kind.SIGNED_OUT}.get(entry.action)
        return {"kind": kind, "username": entry.username} if kind else {}
    if entry.action == Action.ACCOUNT:
        for pattern, kind in _LEGACY_ACCOUNT:
            if match := pattern.match(detail):
                data = {"kind": kind, **match.groupdict()}
                if kind == Kind.ROLES_CHANGED:
                    data["before"] = [r for r in data["before"].split(",") if r != "-"]
                    data["after"] = [r for r in data["after"].split(",") if r != "-"]
                elif kind == Kind.ACCOUNT_CHANGED:
                    data["fields"] = data["fields"].split(", ")
                elif kind == Kind.TOKEN_REVOKED or kind == Kind.TOKEN_CREATED:
                    data["user"] = entry.username  # tokens were audited for their owner's own
                return data
    return {}
