import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assistant_portal.settings.local")

app = Celery("assistant_portal")
# Every Celery setting lives in Django settings with the CELERY_ prefix.
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
