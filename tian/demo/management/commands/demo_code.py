from django.core.management.base import BaseCommand

from tian.accounts import twofactor
from tian.demo.committee import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo accounts (staff, supervisors, administrator)."

    def handle(self, *args, **options):
        self.stdout.write(twofactor.current_code(DEMO_TOTP_KEY))
