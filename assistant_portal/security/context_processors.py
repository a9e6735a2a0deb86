from django.conf import settings


def session(request):
    """Seconds until the session ends, for the warning dialog (`<body data-session-left>`)."""
    return {
        "session_seconds_left": getattr(request, "session_seconds_left", None),
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
