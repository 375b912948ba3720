import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tian.importers.legacy import MAX_PAGE_BYTES, LegacyParseError, parse
from tian.importers.legacy_import import ImportProblem, import_record, import_user
from tian.organisations.selectors import current_committee


def _files(paths):
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path
        else:
            raise CommandError(f"{raw}: no such file or folder")


class Command(BaseCommand):
    help = "Import proposal pages saved from the legacy system (files or folders of UTF-8 text pages)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument("--json", action="store_true", help="print each parsed page as one JSON object")
        parser.add_argument("--user", help="the office staff account the import acts as")

    def handle(self, *args, paths, dry_run, user, **options):
        as_json = options["json"]

        failures = 0
        if not dry_run and current_committee() is None:
            raise CommandError("no committee is set up yet (run load_demo or create one in the admin first)")
        try:
            actor = None if dry_run else import_user(user)
        except ImportProblem as e:
            raise CommandError(str(e)) from e
        for path in _files(paths):
            if path.stat().st_size > MAX_PAGE_BYTES:
                failures += 1
                self.stderr.write(f"{path}: larger than {MAX_PAGE_BYTES // (1024 * 1024)} MB, not a proposal page")
                continue
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as e:
                failures += 1
                self.stderr.write(f"{path}: not UTF-8 text ({e})")
                continue
            try:
                record = parse(text)
            except LegacyParseError as e:
                failures += 1
                self.stderr.write(f"{path}:{e.line}: expected {e.expected}" + (f", found {e.found!r}" if e.found else ""))
                continue
            if as_json:
                self.stdout.write(_dumps(record.as_json()))
            if dry_run:
                if not as_json:
                    self.stdout.write(f"{path}: OK {record.year}年度第{record.number}号 {record.title}")
                continue
            try:
                report = import_record(record, by=actor)
            except Exception as e:  # noqa: BLE001 - one bad page must not stop the others; it wrote nothing
                failures += 1
                self.stderr.write(f"{path}: not imported: {e}")
                continue
            self.stdout.write(f"{path}: {report}")
        if failures:
            raise CommandError(f"{failures} page(s) could not be imported")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
