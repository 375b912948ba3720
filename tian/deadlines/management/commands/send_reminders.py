from django.core.management.base import BaseCommand

from tian.deadlines.services import scan


class Command(BaseCommand):
    help = ("Send due deadline reminders and escalations, create due follow-ups and retry failed mail/SMS. "
            "Safe to run every few minutes (cron or a systemd timer): nothing is ever sent twice.")

    def handle(self, *args, **options):
        result = scan()
        self.stdout.write(f"reminders sent: {result['reminders']}, follow-ups created: {result['follow_ups']}, "
                          f"deliveries retried: {result['retried']}")
