"""PostgreSQL: the search vectors kept in the rows of search_searchdocument (``PostgresFTS.store_inline``).

The storage setting applies to rows written from now on, so the vectors already there are written again (at
100,000 proposals about a minute); SQLite's index is not touched."""

from django.db import migrations

from tian.search.backends import PostgresFTS


def vectors_inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        PostgresFTS.store_inline(cursor)
        # "|| ''" makes a new value: an unchanged one would keep its place in the TOAST table.
        cursor.execute("UPDATE search_searchdocument SET vector = vector || ''::tsvector WHERE vector IS NOT NULL")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0002_keywords"),
    ]

    operations = [
        migrations.RunPython(vectors_inline, migrations.RunPython.noop, elidable=True),
    ]
