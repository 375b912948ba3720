"""``Idempotency-Key`` on POST: a retried request gets the first answer instead of doing the work twice.

The first request with a key claims a row (account, key, method, address; unique) before it runs, with the
fingerprint of its body; once answered with a success, the row keeps the status and body. A retry with the same
key and body gets that answer again (header ``Idempotent-Replayed: true``); with another body, 422
``idempotency_key_reused``; while the first is still running, 409 ``idempotency_in_progress``. A refusal frees
the key (the corrected request may use it again). Keys are kept ``KEEP_HOURS`` (docs/api.md, docs/decisions.md:
a database row rather than the cache, so that every process and a restart see it).

Applied to every POST of the API by two decorators on its router: ``claim`` runs after authentication and
validation (it needs the account), ``complete`` around the whole operation (it needs the serialized answer)."""

import datetime
import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tian.api.errors import FieldErrors, Refused
from tian.api.models import IdempotentRequest

HEADER = "Idempotency-Key"
KEEP_HOURS = 24
MAX_LENGTH = 200

PARAMETER = {
    "name": HEADER, "in": "header", "required": False,
    "description": "Any unique text (a UUID) per logical request: a retry with the same key returns the first "
                   f"answer instead of acting twice (kept {KEEP_HOURS} hours).",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH},
}


class Replay(Exception):
    def __init__(self, row: IdempotentRequest):
        self.row = row


def _fingerprint(request) -> str:
    try:
        canonical = json.dumps(json.loads(request.body or b"null"), sort_keys=True, ensure_ascii=False)
    except (ValueError, UnicodeDecodeError):
        canonical = request.body.decode("latin-1")
    return hashlib.sha256(canonical.encode()).hexdigest()


# A claim never answered after this long was left by a request that died (a killed worker): requests end long before.
ABANDONED_AFTER = datetime.timedelta(minutes=2)


def claim(view_func):
    @functools.wraps(view_func)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not getattr(request.user, "is_authenticated", False):
            return view_func(request, *args, **kwargs)
        if not 1 <= len(key) <= MAX_LENGTH:
            raise FieldErrors({HEADER: [str(_("Send at most %(n)s characters.") % {"n": MAX_LENGTH})]})
        scope = {"user": request.user, "key": key, "method": request.method, "path": request.path_info}
        fingerprint = _fingerprint(request)
        # Keys past their time go, whoever's they are (one indexed delete per keyed request keeps the table small).
        IdempotentRequest.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(hours=KEEP_HOURS)).delete()
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(**scope, fingerprint=fingerprint)
        except IntegrityError:
            row = IdempotentRequest.objects.filter(**scope).first()
            if row is None:  # freed meanwhile
                raise Refused(409, "idempotency_in_progress", _("A request with this Idempotency-Key is being "
                                                                 "served; try again in a moment.")) from None
            if row.fingerprint != fingerprint:
                raise Refused(422, "idempotency_key_reused", _("This Idempotency-Key was used for another "
                                                                "request; use a new key for a new request.")) from None
            if row.status is None and row.created_at >= timezone.now() - ABANDONED_AFTER:
                raise Refused(409, "idempotency_in_progress", _("A request with this Idempotency-Key is being "
                                                                 "served; try again in a moment.")) from None
            if row.status is None:
                # Claimed longer ago than any request runs and never answered: its worker died (its transaction, and
                # whatever it did, rolled back). The retry takes the key over and is served.
                row = _take_over(row, scope, fingerprint)
            else:
                raise Replay(row) from None
        request.idempotent_request = row
        return view_func(request, *args, **kwargs)

    return wrapper


def _take_over(row, scope: dict, fingerprint: str):
    try:
        with transaction.atomic():
            IdempotentRequest.objects.filter(pk=row.pk, status__isnull=True).delete()
            return IdempotentRequest.objects.create(**scope, fingerprint=fingerprint)
    except IntegrityError:  # another retry took it over first
        raise Refused(409, "idempotency_in_progress", _("A request with this Idempotency-Key is being served; try "
                                                         "again in a moment.")) from None


# The answer's headers a retry gets again with its body: where the new thing is, and its version.
REPLAYED_HEADERS = ("Location", "ETag")


def complete(run):
    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        response = None
        try:
            response = run(request, *args, **kwargs)
            return response
        finally:
            row = getattr(request, "idempotent_request", None)
            if row is not None:
                request.idempotent_request = None
                if response is not None and 200 <= response.status_code < 300:
                    row.status, row.body = response.status_code, response.content.decode()
                    row.headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
                    row.save(update_fields=["status", "body", "headers"])
                else:
                    IdempotentRequest.objects.filter(pk=row.pk).delete()

    return wrapper


def install(api):
    api.add_decorator(claim, mode="operation")
    api.add_decorator(complete, mode="view")

    @api.exception_handler(Replay)
    def replay(request, exc):
        response = HttpResponse(exc.row.body, status=exc.row.status, content_type="application/json")
        for name, value in exc.row.headers.items():
            response[name] = value
        response["Idempotent-Replayed"] = "true"
        return response
