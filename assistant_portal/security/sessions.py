"""Session clock: idle and absolute end, kept in the session itself."""

import time

from django.conf import settings

STARTED = "_security_started"
LAST_ACTIVE = "_security_last_active"
# Last activity is written at most this often, so an ordinary page costs no session UPDATE.
TOUCH_GRANULARITY = 60


def start(session, now: float | None = None) -> None:
    now = time.time() if now is None else now
    session[STARTED] = now
    session[LAST_ACTIVE] = now


def seconds_left(session, now: float | None = None) -> int:
    """Seconds until the session ends, by whichever comes first: idleness or the total."""
    now = time.time() if now is None else now
    started = session.get(STARTED, now)
    last = session.get(LAST_ACTIVE, now)
    idle_left = settings.SESSION_IDLE_SECONDS - (now - last)
    total_left = settings.SESSION_ABSOLUTE_SECONDS - (now - started)
    return max(0, int(min(idle_left, total_left)))


def touch(session, now: float | None = None, *, force: bool = False) -> None:
    now = time.time() if now is None else now
    if force or now - session.get(LAST_ACTIVE, 0) >= TOUCH_GRANULARITY:
        session[LAST_ACTIVE] = now
