"""The Celery app and the one beat schedule (DESIGN §2.3).

django-celery-beat's DatabaseScheduler copies `beat_schedule` into its admin-editable table when
beat starts: an entry disabled in the admin stays disabled, but its timing and arguments come from
here again at each start, so this file is the source of truth for when jobs run.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyadmin.settings")

app = Celery("partyadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Times are China time: CELERY_TIMEZONE is Asia/Shanghai.
app.conf.beat_schedule = {
    "daily-oversight": {
        "task": "partyadmin.daily_oversight",
        "schedule": crontab(hour=1, minute=0, app=app),
    },
}
