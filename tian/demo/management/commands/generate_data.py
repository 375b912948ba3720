import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tian.demo.synthetic import generate
from tian.organisations.models import Member
from tian.search.index import rebuild


class Command(BaseCommand):
    help = ("Generate a large synthetic committee for benchmarks: ~2,000 members, ~200 units and N proposals in "
            "every state, deterministic for a seed. Add --index to build the search index too.")

    def add_arguments(self, parser):
        parser.add_argument("--proposals", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--index", action="store_true", help="also build the full-text search index")

    def handle(self, *args, proposals, seed, index, **options):
        if Member.objects.exists():  # an installation in use: its committee would be filled with invented people
            raise CommandError("generate_data fills a database of its own, for benchmarks (DATABASE_URL naming an "
                               "empty one); this database holds a committee's members already")
        started = time.monotonic()
        result = generate(proposals=proposals, seed=seed, stdout=self.stdout)
        if index:
            rebuild()
        # Bulk-loaded tables have no planner statistics until autovacuum runs; without them PostgreSQL plans some
        # joins badly. Gather them now, as a maintained database would have. Not on SQLite: its statistics
        # count the NULLs of a mostly empty foreign key (merged_into) and make it scan instead of using the index.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"generated {result} in {time.monotonic() - started:.1f}s")
