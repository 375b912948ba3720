"""Writing a parsed legacy page through the same service functions as the UI (next step)."""


def import_user(username=None):
    raise NotImplementedError("importing into the database is not built yet; use --dry-run")


def import_record(record, *, by):
    raise NotImplementedError("importing into the database is not built yet; use --dry-run")
