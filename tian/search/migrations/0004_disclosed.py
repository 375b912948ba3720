"""Which search documents are of disclosed proposals (``SearchDocument.disclosed``), with the indexes the public
search reads them through: a B-tree of their ids, and on PostgreSQL a GIN index of their vectors
(``PostgresFTS.index_disclosed``). The documents already indexed take the value from their proposals."""

from django.db import migrations, models

from tian.search.backends import PostgresFTS


def fill(apps, schema_editor):
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchDocument.objects.filter(proposal__is_public=True).update(disclosed=True)
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            PostgresFTS.index_disclosed(cursor)


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_document_disclosed_vector")


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0005_public_newest_index"),
        ("search", "0003_vectors_inline"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="disclosed",
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(condition=models.Q(("disclosed", True)), fields=["proposal"],
                               name="search_document_disclosed"),
        ),
        migrations.RunPython(fill, unfill),
    ]
