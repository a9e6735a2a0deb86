"""Links drawn by the hundred: reversed once, not once per row (DECISIONS PC4, PC5)."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# An id no row has: reverse() once with it, then put each row's id in its place.
SENTINEL = 987654321


def reversed_once(name: str, *args: object) -> str:
    """reverse() with fixed arguments, once per process for each script prefix and URL conf
    (what else reverse() depends on; the project has no i18n_patterns): each reverse() walks
    the URL resolver."""
    return _reversed_for(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=64)
def _reversed_for(name: str, args: tuple[object, ...], _prefix: str, _urlconf: object) -> str:
    return reverse(name, args=list(args))


class PkLink:
    """A URL whose last argument is an integer id, reversed once (`reversed_once`); calling it
    with an id gives what reverse() gives for that id."""

    def __init__(self, name: str, *args: object):
        url = reversed_once(name, *args, SENTINEL)
        self.head, _sep, self.tail = url.rpartition(str(SENTINEL))

    def __call__(self, pk: int) -> str:
        return f"{self.head}{int(pk)}{self.tail}"
