import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyadmin.settings")

app = Celery("partyadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
