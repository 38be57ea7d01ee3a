"""Seed the working-day calendar from the chinesecalendar package (every year it covers).

Uses the same loader as `manage.py load_holidays`, with the historical model; one bulk insert.
"""

from django.db import migrations


def load(apps, schema_editor):
    from partyadmin.workdays import load_chinese_calendar

    load_chinese_calendar(model=apps.get_model("partyadmin", "Holiday"))


class Migration(migrations.Migration):

    dependencies = [
        ("partyadmin", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
