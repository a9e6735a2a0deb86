import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


class NoStoreMiddleware:
    """Pages about children must not stay in browser or proxy caches.

    Every response of a signed-in user gets Cache-Control: no-store; static files are served
    by WhiteNoise before this runs and keep their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


# --- The database is down -----------------------------------------------------------------


def _note_database_error(sender, request=None, **kwargs):
    """Django's exception handling sends this wherever the error arose — a view, or a
    middleware such as the session's or the user's lazy load — before it builds its 500 (or
    DEBUG's technical page); we only mark the request, the middleware answers."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OperationalError | InterfaceError):
        request.database_unavailable = error


got_request_exception.connect(_note_database_error, dispatch_uid="database-unavailable")


def database_unavailable_response(request) -> HttpResponse:
    """503 in the visitor's language (cookie or browser; the user's own setting would need the
    database), from a template that touches neither the database, the session nor auth."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        html = render_to_string("503.html", {"language": language})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "60"
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Users get "try again in a minute" (503) instead of a 500 or the debug page when
    PostgreSQL is down — on every page, login and the public verification included.

    Placed before the session middleware, so errors raised while loading or saving the
    session are covered too. Recovery needs nothing here: Django drops a connection that had
    an error at the end of the request (CONN_HEALTH_CHECKS also checks a reused one before
    the first query), so the first request after PostgreSQL returns connects afresh.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, "database_unavailable", None)
        if error is None:
            return response
        log.error("database unavailable: %s %s: %s", request.method, request.path, error)
        return database_unavailable_response(request)


NUL = "\x00"


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


def _without_nul(data: QueryDict) -> QueryDict:
    clean = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        clean.setlist(key.replace(NUL, ""), [v.replace(NUL, "") for v in values])
    clean._mutable = False
    return clean


class NulByteMiddleware:
    """The one place that keeps NUL characters away from PostgreSQL.

    PostgreSQL text cannot hold U+0000: a NUL in any search, form field or JSON value reached the
    database and answered 500 ("A string literal cannot contain NUL"). Nobody types one; it comes
    from pasted binary or a probe. So query strings and form fields (and uploaded file names)
    lose their NULs and the request goes on with the rest of what was typed; a path or another
    body (JSON) with a NUL is refused with 400 in the user's language, since removing bytes from
    a structured body could change its meaning.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path:
            return self._refuse(request)
        if _has_nul(request.GET):
            request.GET = _without_nul(request.GET)
        form = request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded")
        if request.method == "POST" and form:
            if _has_nul(request.POST):
                request.POST = _without_nul(request.POST)
            for upload in request.FILES.values():
                if upload.name and NUL in upload.name:
                    upload.name = upload.name.replace(NUL, "")
        elif request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            if b"\x00" in request.body or b"\\u0000" in request.body:
                return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request):
        message = _(
            "The request contains a NUL character, which cannot be saved. Remove it and try again."
        )
        if request.content_type == "application/json":
            return JsonResponse({"error": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
