"""Moving a whole committee between installations (and between SQLite and PostgreSQL) as one JSON file.

The file lists every row that belongs to the committee — people, organisations, calendar, proposals,
co-signatures, assignments, replies, evaluations, supervision, deadlines, awards, events — model by model
in dependency order, each sorted by primary key, with attachments' contents inlined (base64). Primary keys
are kept, so a round trip gives identical data and exporting again gives the same file; an import is refused
where this database holds a row with one of those ids (another committee's: nothing is overwritten). The
accounts come with their roles, tokens, password history and second factors, and the audit entries of what they
did; the calendar's corrections are merged by date. Notifications, the task queue and the search index are not
moved: the index is rebuilt after an import.
"""

import base64
import datetime
import decimal
import json
import uuid

from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import connection, transaction

from tian.core import versions
from tian.organisations.models import Committee

FORMAT = "tian-committee-export"
VERSION = 1

# (model, how its rows reach the committee); None means "all rows" (shared tables such as the calendar).
# Models that moved between apps since exports were first written: an older export names them the old way.
RENAMED = {"core.CalendarDay": "deadlines.CalendarDay"}

MODELS = [
    ("organisations.Committee", "pk"),
    ("organisations.Term", "committee"),
    ("organisations.Session", "term__committee"),
    ("organisations.Sector", "committee"),
    ("organisations.Party", "committee"),
    ("organisations.Member", "committee"),
    ("organisations.CollectiveProposer", "committee"),
    ("organisations.Unit", "committee"),
    ("organisations.SupervisingOffice", "committee"),
    ("organisations.LeadOfficial", "committee"),
    ("accounts.User", "committee"),
    ("accounts.RoleGrant", "user__committee"),
    ("accounts.ApiToken", "user__committee"),
    ("accounts.PasswordHistory", "user__committee"),
    ("otp_totp.TOTPDevice", "user__committee"),
    ("otp_static.StaticDevice", "user__committee"),
    ("otp_static.StaticToken", "device__user__committee"),
    ("core.CalendarDay", None),
    ("proposals.TopicCategory", "committee"),
    ("proposals.DeclineGround", "committee"),
    ("handling.OutcomeClass", "committee"),
    ("proposals.Proposal", "committee"),
    ("proposals.CoSignature", "proposal__committee"),
    ("proposals.Attachment", "proposal__committee"),
    ("proposals.NumberSequence", "committee"),
    ("proposals.Event", "proposal__committee"),
    ("handling.Assignment", "proposal__committee"),
    ("handling.ReassignmentRequest", "assignment__proposal__committee"),
    ("handling.ContactRecord", "assignment__proposal__committee"),
    ("handling.AssistingOpinion", "assignment__proposal__committee"),
    ("handling.Reply", "proposal__committee"),
    ("handling.ReplyCoSignature", "reply__proposal__committee"),
    ("handling.Evaluation", "proposal__committee"),
    ("supervision.SupervisionReview", "reply__proposal__committee"),
    ("supervision.SupervisionActivity", "proposal__committee"),
    ("deadlines.ExtensionRequest", "assignment__proposal__committee"),
    ("deadlines.Reminder", "assignment__proposal__committee"),
    ("deadlines.FollowUp", "reply__proposal__committee"),
    ("stats.Award", "committee"),
    ("suggest.UnitRule", "committee"),
    ("suggest.UnitMapping", "committee"),
    ("suggest.SuggestionOutcome", "committee"),
    ("suggest.UnitModel", "committee"),
    ("audit.AuditEntry", "actor__committee"),
]
# Shared by the committees of a database: merged by date on import (the same day entered on both sides is one).
SHARED_BY_DATE = "core.CalendarDay"
# Rows nothing refers to by id: each keeps its id where it is free here, else takes a new one (the new
# installation's own first audit entries, a failed sign-in, have ids an export's have too).
NEW_ID_WHERE_TAKEN = {"audit.AuditEntry"}
CHUNK = 500


class TransferError(Exception):
    pass


def _rows(label: str, path, committee: Committee):
    model = apps.get_model(label)
    value = committee.pk if path == "pk" else committee
    qs = model.objects.all() if path is None else model.objects.filter(**{path: value})
    return model, qs.order_by("pk")


def export_committee(committee: Committee) -> dict:
    data = {"format": FORMAT, "version": VERSION, "committee": committee.name, "models": {}}
    for label, path in MODELS:
        model, qs = _rows(label, path, committee)
        objects = json.loads(json.dumps(serializers.serialize("python", qs), default=_plain))
        for item in objects:
            item.pop("model", None)
            fields = item["fields"]
            for key, value in list(fields.items()):
                if isinstance(value, list):
                    fields[key] = sorted(value)  # many-to-many ids, in a stable order
        if label == "proposals.Attachment":
            contents = {a.pk: a for a in qs}
            for item in objects:
                attachment = contents[item["pk"]]
                try:
                    with attachment.file.open("rb") as f:
                        item["content"] = base64.b64encode(f.read()).decode("ascii")
                except OSError as e:
                    raise TransferError(f"attachment {attachment.pk} ({attachment.name}) of proposal "
                                        f"{attachment.proposal_id}: its file cannot be read ({e.strerror or e}); "
                                        f"restore it from a backup first") from e
        data["models"][label] = objects
    return data


def _plain(value):
    """JSON for what the serializer leaves as Python objects; datetimes keep their microseconds, so that
    exporting again after an import gives the same text on any database."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, datetime.date | datetime.time | uuid.UUID | decimal.Decimal):
        return str(value) if not isinstance(value, datetime.date) else value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)


def _objects(data: dict, label: str) -> list[dict]:
    models = data["models"]
    return models.get(label) or models.get(RENAMED.get(label, ""), []) or []


def _check_shape(data) -> None:
    """Refuse what is not an export of this format, before anything is read from it."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise TransferError("not a TiAn committee export (or a version this installation cannot read)")
    if not isinstance(data.get("committee"), str) or not isinstance(data.get("models"), dict) or not all(
            isinstance(rows, list) and all(isinstance(o, dict) and "pk" in o and isinstance(o.get("fields"), dict)
                                           for o in rows) for rows in data["models"].values()):
        raise TransferError("the export is incomplete or damaged: its committee or its rows are missing")


def _check_clashes(data: dict) -> None:
    """Refuse an import that would write over rows of this database: every row keeps its id, and a row saved with
    the id of another committee's row would change that row (a database may hold several committees)."""
    for label, _path in MODELS:
        if label == SHARED_BY_DATE or label in NEW_ID_WHERE_TAKEN:
            continue
        model, ids = apps.get_model(label), [o["pk"] for o in _objects(data, label)]
        if any(model.objects.filter(pk__in=ids[i:i + CHUNK]).exists() for i in range(0, len(ids), CHUNK)):
            raise TransferError(f"{label}: this database holds rows with the ids of the export's; importing would "
                                f"change them. Import into a database without them (docs/operations.md).")
    names = [o["fields"].get("username") for o in _objects(data, "accounts.User")]
    taken = set(apps.get_model("accounts.User").objects.filter(username__in=names).values_list("username", flat=True))
    if taken:
        raise TransferError(f"accounts.User: these user names are taken here already: {', '.join(sorted(taken))}")


def _calendar_days(objects: list[dict]) -> list[dict]:
    """The export's calendar corrections this database lacks, as new rows (by date, not by id): the same day entered
    on both sides is kept once; the same day corrected differently is refused."""
    model = apps.get_model(SHARED_BY_DATE)
    here = {str(day.date): day for day in model.objects.all()}
    new = []
    for o in objects:
        mine = here.get(o["fields"]["date"])
        if mine is None:
            new.append({**o, "pk": None})
        elif mine.is_workday != o["fields"]["is_workday"]:
            raise TransferError(f"{SHARED_BY_DATE}: {mine.date} is corrected differently here and in the export; "
                                f"correct it on one side first")
    return new


def _new_ids_where_taken(label: str, objects: list[dict]) -> tuple[list[dict], list[dict]]:
    """The rows that keep their ids, and those whose ids are taken here, to be added with new ones once the id
    sequences have moved past the kept ones."""
    model, ids = apps.get_model(label), [o["pk"] for o in objects]
    taken = {pk for i in range(0, len(ids), CHUNK)
             for pk in model.objects.filter(pk__in=ids[i:i + CHUNK]).values_list("pk", flat=True)}
    return [o for o in objects if o["pk"] not in taken], [{**o, "pk": None} for o in objects if o["pk"] in taken]


def _refer_to_accounts_here(label: str, objects: list[dict], users: set) -> None:
    """References to accounts the export does not hold (an operator's, of no committee, who corrected the calendar)
    become none where the column allows it; otherwise the import is refused."""
    model = apps.get_model(label)
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is apps.get_model("accounts.User"):
            for o in objects:
                value = o["fields"].get(field.name)
                if value is not None and value not in users:
                    if not field.null:
                        raise TransferError(f"{label} {o['pk']}: refers to account {value}, which the export "
                                            f"does not hold")
                    o["fields"][field.name] = None


@transaction.atomic
def import_committee(data: dict) -> dict:
    """Load an export into this installation. The committee must not exist here yet, nor any row with the id of one
    of the export's; nothing is written if anything fails."""
    _check_shape(data)
    if Committee.objects.filter(name=data["committee"]).exists():
        raise TransferError(f"committee {data['committee']} already exists here")
    _check_clashes(data)
    users = {o["pk"] for o in _objects(data, "accounts.User")}
    counts, anew = {}, []
    for label, _path in MODELS:
        objects = _objects(data, label)
        counts[label] = len(objects)
        if label == SHARED_BY_DATE:
            objects = _calendar_days(objects)
        elif label in NEW_ID_WHERE_TAKEN:
            objects, later = _new_ids_where_taken(label, objects)
            _refer_to_accounts_here(label, later, users)
            anew.append((label, later))
        if label not in (SHARED_BY_DATE, "accounts.User"):
            _refer_to_accounts_here(label, objects, users)
        payload = [{"model": label.lower(), "pk": o["pk"], "fields": o["fields"]} for o in objects]
        for deserialised, original in zip(serializers.deserialize("python", payload), objects, strict=True):
            if label == "proposals.Attachment":
                attachment = deserialised.object
                name, content = attachment.file.name, base64.b64decode(original["content"])
                storage = attachment.file.storage
                if storage.exists(name):
                    with storage.open(name, "rb") as f:
                        same = f.read() == content
                    if not same:  # a different file of that name: store ours beside it
                        attachment.file.name = storage.save(name, ContentFile(content))
                else:
                    attachment.file.name = storage.save(name, ContentFile(content))
            deserialised.save()
    # New rows arrived with their own ids: move the id sequences past them (PostgreSQL).
    models = [apps.get_model(label) for label, _path in MODELS]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    for label, objects in anew:
        for deserialised in serializers.deserialize("python", [{"model": label.lower(), "pk": None,
                                                                 "fields": o["fields"]} for o in objects]):
            deserialised.save()
    # The rows keep their ids and revisions: the committee's versions move, so that nothing kept here under the same
    # ids before is read for them.
    versions.bump(Committee.objects.get(name=data["committee"]).pk, versions.NAMES, versions.PROPOSALS,
                  versions.PUBLIC)
    return counts
