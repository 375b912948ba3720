from django.core.management.base import BaseCommand

from tian.search.index import rebuild


class Command(BaseCommand):
    help = "Rebuild the Chinese full-text search index of all proposals."

    def handle(self, *args, **options):
        count = rebuild(stdout=self.stdout)
        self.stdout.write(f"indexed {count} proposals")
