"""Mail backends that fail, for the retry tests (selected with the `MAILERS` setting)."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend

FAILURES = {"left": 0}


class FlakyBackend(EmailBackend):
    """Refuses the next FAILURES["left"] messages like a busy SMTP server, then delivers."""

    def send_messages(self, messages):
        if FAILURES["left"] > 0:
            FAILURES["left"] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class SlowBackend(EmailBackend):
    """An SMTP server that never answers in time: the worker is killed while it waits."""

    def send_messages(self, messages):
        import time

        time.sleep(120)
        return super().send_messages(messages)
