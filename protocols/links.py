"""Links into the protocol forms (built by the protocols-core views)."""

from functools import lru_cache
from urllib.parse import quote

from django.urls import reverse
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
    """One pupil's window links, reverse() once: a year's grid has ~120 of them, and each
    reverse() walks the URL resolver. Equal to `window_url` (tests/protocols/test_year.py)."""

    def __init__(self, pupil_id: int):
        self.prefix = reverse("protocols:window", args=[pupil_id, "A", "k"]).removesuffix("A/k/")

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

    _SENTINEL = 987654321

    def __init__(self, name: str):
        url = reverse(name, args=[self._SENTINEL])
        self.head, _sep, self.tail = url.rpartition(str(self._SENTINEL))

    def __call__(self, pk: int) -> str:
        return f"{self.head}{int(pk)}{self.tail}"
