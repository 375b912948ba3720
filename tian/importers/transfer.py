"""Moving a whole committee between installations (and between SQLite and PostgreSQL) as one JSON file.

The file lists every row that belongs to the committee — people, organisations, calendar, proposals,
co-signatures, assignments, replies, evaluations, supervision, deadlines, awards, events — model by model
in dependency order, each sorted by primary key, with attachments' contents inlined (base64). Primary keys
are kept, so a round trip gives identical data and exporting again gives the same file. Notifications,
the task queue and the search index are not moved: the index is rebuilt after an import.
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
]


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
                with attachment.file.open("rb") as f:
                    item["content"] = base64.b64encode(f.read()).decode("ascii")
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


@transaction.atomic
def import_committee(data: dict) -> dict:
    """Load an export into this installation. The committee must not exist here yet; nothing is written
    if anything fails."""
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise TransferError("not a TiAn committee export (or a version this installation cannot read)")
    if Committee.objects.filter(name=data["committee"]).exists():
        raise TransferError(f"committee {data['committee']} already exists here")
    counts = {}
    for label, _path in MODELS:
        objects = data["models"].get(label, []) or data["models"].get(RENAMED.get(label, ""), [])
        model = apps.get_model(label)
        if label in ("accounts.User", "accounts.RoleGrant", "core.CalendarDay"):
            clashes = model.objects.filter(pk__in=[o["pk"] for o in objects])
            if label == "accounts.User":
                clashes = clashes | model.objects.filter(username__in=[o["fields"]["username"] for o in objects])
            if clashes.exists():
                raise TransferError(f"{label}: rows with the same ids or names exist here already")
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
        counts[label] = len(objects)
    # New rows arrived with their own ids: move the id sequences past them (PostgreSQL).
    models = [apps.get_model(label) for label, _path in MODELS]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    # The rows keep their ids and revisions: the committee's versions move, so that nothing kept here under the same
    # ids before is read for them.
    versions.bump(Committee.objects.get(name=data["committee"]).pk, versions.NAMES, versions.PROPOSALS,
                  versions.PUBLIC)
    return counts
