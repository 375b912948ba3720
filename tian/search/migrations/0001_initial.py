import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from tian.search.backends import engine


def create_index(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        engine(schema_editor.connection).create(cursor)


def drop_index(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        engine(schema_editor.connection).drop(cursor)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("proposals", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("proposal", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                  related_name="search_document", serialize=False,
                                                  to="proposals.proposal")),
                ("title_tokens", models.TextField(blank=True)),
                ("body_tokens", models.TextField(blank=True)),
                ("keywords", models.JSONField(blank=True, default=dict)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.RunPython(create_index, drop_index),
    ]
