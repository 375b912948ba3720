"""Queries run on every request, built and compiled by the ORM once per connection.

Building a query with the ORM and compiling it to SQL costs a signed-in request more than the database takes to
answer it: 2–3 ms for the user with their roles, or for the proposal page's check of what the user may open,
against a few tenths of a millisecond to run. Their SQL is the same every time but for one value (a user's or a
proposal's id, an API token's digest), so ``fetch`` compiles the query once for a stand-in value and then runs that SQL with the real
one in its place. The compiled query is kept on the connection (one per thread; at most ``MAX_KEPT``), with the converters the ORM
would apply to its columns (SQLite returns dates as text).
"""

from collections import OrderedDict

from django.db import DEFAULT_DB_ALIAS, connections

STAND_IN = -7_654_321  # never an id: ids are positive
STAND_IN_TEXT = str(STAND_IN)
MAX_KEPT = 1000  # queries per connection (some are per user), the least recently used dropped first


def _is_stand_in(param) -> bool:
    return param == STAND_IN or param == STAND_IN_TEXT  # a text column takes the stand-in as text


def _compiled(connection, key, build):
    kept = getattr(connection, "tian_compiled", None)
    if kept is None:
        kept = connection.tian_compiled = OrderedDict()
    found = kept.get(key)
    if found is not None:
        kept.move_to_end(key)
    else:
        compiler = build(STAND_IN).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if not any(_is_stand_in(p) for p in params):
            raise ValueError(f"the query {key!r} does not take its value as a parameter")
        names = [alias or expression.target.attname for expression, _sql, alias in compiler.select]
        converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
        found = kept[key] = (sql, tuple(params), names, compiler, converters)
        while len(kept) > MAX_KEPT:
            kept.popitem(last=False)
    return found


def fetch(key, build, value) -> list[dict]:
    """The rows of ``build(value)`` (a queryset) as dicts of column name to value, compiled once under ``key``.
    ``key`` must name everything ``build`` depends on besides ``value``."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, params, names, compiler, converters = _compiled(connection, key, build)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value if _is_stand_in(p) else p for p in params])
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [dict(zip(names, row, strict=True)) for row in rows]
