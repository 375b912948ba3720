import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tian.audit.models import AuditEntry


class Command(BaseCommand):
    help = "Delete audit entries older than AUDIT_RETENTION_DAYS (at least 183 days; default 365)."

    def handle(self, *args, **options):
        cutoff = timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
        deleted, _ = AuditEntry.objects.filter(at__lt=cutoff).delete()
        self.stdout.write(f"deleted {deleted} entries older than {cutoff:%Y-%m-%d}")
