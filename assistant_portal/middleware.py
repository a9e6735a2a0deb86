from django.utils.cache import add_never_cache_headers


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
