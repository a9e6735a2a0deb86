"""Links into the protocol forms (built by the protocols-core views)."""

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

# What reverse() leaves unquoted in a path (django.urls.resolvers).
_SAFE = RFC3986_SUBDELIMS + "/~:@"


def window_url(pupil_id: int, annex: str, key: str) -> str:
    """The form of one pupil's window (opens or creates its protocol)."""
    return reverse("protocols:window", args=[pupil_id, str(annex), key])


def on_demand_key(annex: str, today) -> str:
    """A key for an on-demand protocol (annex И has no schedule window)."""
    return f"{annex}:{today.isoformat()}"


class WindowLinks:
    """One pupil's window links from one reverse() (per process, `_reversed`): a year's grid has
    ~120 of them, and each reverse() walks the URL resolver. Equal to `window_url`
    (tests/protocols/test_year.py)."""

    def __init__(self, pupil_id: int):
        head, _sep, tail = _reversed("protocols:window", _SENTINEL, "A", "k").rpartition(
            str(_SENTINEL)
        )
        self.prefix = f"{head}{int(pupil_id)}{tail.removesuffix('A/k/')}"

    def __call__(self, annex: str, key: str) -> str:
        return self.prefix + _window_part(annex, key)


@lru_cache(maxsize=8192)
def _window_part(annex: str, key: str) -> str:
    """The annex and key of a window link, quoted as reverse() quotes them (the same keys recur
    for every pupil of a school and every request)."""
    return f"{quote(str(annex), safe=_SAFE)}/{quote(key, safe=_SAFE)}/"


class PkLink:
    """A URL with one integer id, reversed once per page instead of once per row (as the
    gradebook's): reverse with a sentinel id, then put each id in its place."""

    def __init__(self, name: str):
        self.head, _sep, self.tail = _reversed(name, _SENTINEL).rpartition(str(_SENTINEL))

    def __call__(self, pk: int) -> str:
        return f"{self.head}{int(pk)}{self.tail}"


# An id no row has, replaced by the real one in a link reversed once.
_SENTINEL = 987654321


def _reversed(name: str, *args: object) -> str:
    """reverse() with fixed arguments, once per process for each script prefix and URL conf
    (what else reverse() depends on; the project has no i18n_patterns): each reverse() walks
    the resolver, and the week reversed a link per pupil and per page."""
    return _reversed_for(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=64)
def _reversed_for(name: str, args: tuple[object, ...], _prefix: str, _urlconf: object) -> str:
    return reverse(name, args=list(args))
