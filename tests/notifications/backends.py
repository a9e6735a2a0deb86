"""Mail backends that fail, for the retry tests (selected with the `MAILERS` setting)."""

import smtplib

from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.locmem import EmailBackend

FAILURES = {"left": 0}


class FlakyBackend(EmailBackend):
    """Refuses the next FAILURES["left"] messages like a busy SMTP server, then delivers."""

    def send_messages(self, messages):
        if FAILURES["left"] > 0:
            FAILURES["left"] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class SlowBackend(FileBackend):
    """An SMTP server that accepts the message, then never answers the end of the session in
    time: the worker is killed after the message left and before its row is marked sent (the
    one window where exactly-once over SMTP is impossible)."""

    def send_messages(self, messages):
        import time

        sent = super().send_messages(messages)
        time.sleep(120)
        return sent
