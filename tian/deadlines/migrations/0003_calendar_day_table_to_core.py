# The calendar corrections move to the base app (core), which reads them: the table is renamed here, the model
# is created in core's state by core 0001 and leaves deadlines' state in 0004. No row is touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0002_calendar_day_changed_at'),
    ]

    operations = [
        migrations.AlterModelTable(name='calendarday', table='core_calendarday'),
    ]
