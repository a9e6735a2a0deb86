"""Settings for the Celery worker processes that test_worker_kill.py starts and kills.

The test's own database (passed as JSON), its own Redis database and queue, a visibility
timeout of two seconds so a killed worker's task comes back at once (SPEC §7: the default hour
would stall the test), and e-mail written to files the test can count.
"""

import json
import os

from assistant_portal.settings.test import *  # noqa: F403

DATABASES = {"default": json.loads(os.environ["KILL_TEST_DATABASE"])}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["KILL_TEST_BROKER"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = os.environ["KILL_TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
DIGEST_SEND_LEASE_SECONDS = 1
if os.environ.get("KILL_TEST_SLOW_MAIL"):
    MAILERS = {
        "default": {
            "BACKEND": "tests.notifications.backends.SlowBackend",
            "OPTIONS": {"file_path": os.environ["KILL_TEST_MAIL_DIR"]},
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": os.environ["KILL_TEST_MAIL_DIR"]},
        }
    }
