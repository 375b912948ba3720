# The calendar corrections move to the base app (core), which reads them: the table is renamed here, the model
# is created in core's state by core 0001 and leaves deadlines' state in 0004. No row is touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0002_calendar_day_changed_at'),
    ]
    # core 0001 takes the renamed table into its state; the base app names no domain app, so the order is said here.
    run_before = [
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(name='calendarday', table='core_calendarday'),
    ]
