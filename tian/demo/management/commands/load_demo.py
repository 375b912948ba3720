from django.core.management.base import BaseCommand

from tian.demo.committee import load_people_and_organisations
from tian.demo.proposals import load_proposals


class Command(BaseCommand):
    help = "Load the demo committee and its proposals (safe to run again: nothing is duplicated)."

    def handle(self, *args, **options):
        result = load_people_and_organisations()
        self.stdout.write(f"Demo committee: {result['committee']} ({result['created_users']} accounts created)")
        proposals = load_proposals(result["committee"])
        self.stdout.write(f"Demo proposals: {proposals['total']} ({proposals['created']} created)")
        self.stdout.write("Demo logins (one per role):")
        for role, username in result["logins"]:
            self.stdout.write(f"  {role.label}: {username}  /  {result['password']}")
        self.stdout.write(
            "Office staff, supervisors and the administrator also type a code from an authenticator app after the "
            f"password (two-factor sign-in): add the demo key {result['totp_secret']} to any TOTP app, or run "
            "`make demo-code` for the current code.")
