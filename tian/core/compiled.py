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
from django.db.models.query import get_related_populators

STAND_IN = -7_654_321  # never an id: ids are positive
MAX_KEPT = 1000  # queries per connection (some are per user), the least recently used dropped first


def _compiled(connection, key, build, takes_value=True, stand_in=STAND_IN):
    kept = getattr(connection, "tian_compiled", None)
    if kept is None:
        kept = connection.tian_compiled = OrderedDict()
    found = kept.get(key)
    if found is not None:
        kept.move_to_end(key)
    else:
        compiler = build(stand_in).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        # Where the value goes: a text column takes the stand-in as text.
        positions = tuple(i for i, p in enumerate(params) if p == stand_in or p == str(stand_in))
        if takes_value and not positions:
            raise ValueError(f"the query {key!r} does not take its value as a parameter")
        names = [alias or expression.target.attname for expression, _sql, alias in compiler.select]
        converters = compiler.get_converters([expression for expression, _sql, _alias in compiler.select])
        found = kept[key] = (sql, tuple(params), positions, names, compiler, converters)
        while len(kept) > MAX_KEPT:
            kept.popitem(last=False)
    return found


def _run(connection, sql, params, positions, value) -> list:
    params = list(params)
    for position in positions:
        params[position] = value
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch(key, build, value) -> list[dict]:
    """The rows of ``build(value)`` (a queryset) as dicts of column name to value, compiled once under ``key``.
    ``key`` must name everything ``build`` depends on besides ``value``."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, params, positions, names, compiler, converters = _compiled(connection, key, build)
    rows = _run(connection, sql, params, positions, value)
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [dict(zip(names, row, strict=True)) for row in rows]


def fetch_objects(key, build, value=None, *, stand_in=STAND_IN) -> list:
    """The model instances of ``build(value)`` (a queryset; ``select_related`` and ``select_for_update`` as the
    ORM does them), compiled once under ``key``: what iterating the queryset gives, without building and
    compiling it each time. ``value=None``: the query takes no value (``build`` is called with a stand-in it
    ignores). ``stand_in``: for a column that refuses a negative number (the ORM answers "no rows" without
    asking), a value of its range that the column never holds."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql, params, positions, _names, compiler, converters = _compiled(connection, key, build, value is not None,
                                                                     stand_in)
    rows = _run(connection, sql, params, positions, value)
    if converters:
        rows = compiler.apply_converters(rows, converters)
    # What the ORM's ModelIterable works out from the compiler before the rows, kept with the compiler.
    shape = getattr(compiler, "tian_shape", None)
    if shape is None:
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        shape = compiler.tian_shape = (
            klass_info["model"], start, end, [column[0].target.attname for column in select[start:end]],
            get_related_populators(klass_info, select, connection.alias),
            tuple((compiler.annotation_col_map or {}).items()))
    model, start, end, names, populators, annotations = shape
    objects = []
    for row in rows:
        obj = model.from_db(connection.alias, names, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations:
            setattr(obj, name, row[position])
        objects.append(obj)
    return objects
