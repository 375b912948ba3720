"""Sessions in the database, as Django keeps them, read with one statement written once.

Every signed-in request reads its session first; Django's own store builds that query with the ORM each time,
which costs more than the database takes to answer it. The table, the columns and the rule (the key matches and
the session has not expired) are Django's own, so sessions written by either store are read by both."""

from types import SimpleNamespace

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if not self.session_key:
            self._session_key = None
            return None
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            # Only the quoted table name is put into the text; the values are parameters.
            cursor.execute(f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608
                           [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return SimpleNamespace(session_data=row[0])
