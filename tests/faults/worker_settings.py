"""Settings for the Celery worker processes that test_worker_killed.py starts and kills: the
test's own database (as JSON), its own Redis database and queue, and the broker's default
one-hour visibility timeout — so a killed worker's chunk does NOT come back during the test;
only the sweeper can drive the batch to its end."""

import json
import os

from assistant_portal.settings.test import *  # noqa: F403

DATABASES = {"default": json.loads(os.environ["FAULT_TEST_DATABASE"])}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["FAULT_TEST_BROKER"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = os.environ["FAULT_TEST_QUEUE"]
MEDIA_ROOT = os.environ["FAULT_TEST_MEDIA"]
if os.environ.get("FAULT_TEST_SLOW"):
    # one second per certificate, so the test can kill the worker half-way
    CELERY_IMPORTS = ["tests.faults.slow_certificates"]
