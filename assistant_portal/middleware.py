from django.http import HttpResponseBadRequest, JsonResponse, QueryDict
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


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
    """The one place that keeps NUL characters away from PostgreSQL (issue #12 defect 12).

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
        message = _("The request contains a NUL character, which cannot be saved. Remove it "
                    "and try again.")  # fmt: skip
        if request.content_type == "application/json":
            return JsonResponse({"error": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
