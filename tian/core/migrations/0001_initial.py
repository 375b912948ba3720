# The calendar corrections, moved from deadlines (whose 0003 renamed the table to this app's name, and runs before
# this one: the base depends on no domain app, so the order is said there, by its ``run_before``).

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CalendarDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('date', models.DateField(unique=True, verbose_name='date')),
                        ('is_workday', models.BooleanField(verbose_name='working day')),
                        ('note', models.CharField(blank=True, help_text='e.g. 国庆节 or 调休上班', max_length=60,
                                                  verbose_name='note')),
                        ('changed_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name': 'calendar correction',
                        'verbose_name_plural': 'calendar corrections',
                        'ordering': ['-date'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
