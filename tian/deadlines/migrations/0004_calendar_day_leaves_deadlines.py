# The calendar corrections now belong to core (core 0001); the table stays as core named it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0003_calendar_day_table_to_core'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='CalendarDay')],
            database_operations=[],
        ),
    ]
