"""The first answer to a POST sent with an ``Idempotency-Key`` (``idempotency.py``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotentRequest(models.Model):
    """One key of one account for one address: the request's fingerprint and the answer it got. A row without a
    status is a request still being served (a retry meanwhile is told to wait)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)  # those of the answer a client reads again (Location, ETag)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key", "method", "path"],
                                               name="idempotency_unique_key")]

    def __str__(self):
        return f"{self.method} {self.path} · {self.key}"
