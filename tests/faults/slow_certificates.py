"""Imported by a test worker (CELERY_IMPORTS): each certificate's PDF takes a second longer."""

import time

from course import certificates

_attach = certificates._attach_pdf


def _slow_attach(cert):
    time.sleep(1)
    return _attach(cert)


certificates._attach_pdf = _slow_attach
