"""Links into the protocol forms (built by the protocols-core views)."""

from functools import lru_cache
from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

from assistant_portal.links import SENTINEL, PkLink, reversed_once

__all__ = ["PkLink", "WindowLinks", "on_demand_key", "window_url"]

# What reverse() leaves unquoted in a path (django.urls.resolvers).
_SAFE = RFC3986_SUBDELIMS + "/~:@"


def window_url(pupil_id: int, annex: str, key: str) -> str:
    """The form of one pupil's window (opens or creates its protocol)."""
    return reverse("protocols:window", args=[pupil_id, str(annex), key])


def on_demand_key(annex: str, today) -> str:
    """A key for an on-demand protocol (annex И has no schedule window)."""
    return f"{annex}:{today.isoformat()}"


class WindowLinks:
    """One pupil's window links from one reverse() (per process, `reversed_once`): a year's
    grid has ~120 of them, and each reverse() walks the URL resolver. Equal to `window_url`
    (tests/protocols/test_year.py)."""

    def __init__(self, pupil_id: int):
        head, _sep, tail = reversed_once("protocols:window", SENTINEL, "A", "k").rpartition(
            str(SENTINEL)
        )
        self.prefix = f"{head}{int(pupil_id)}{tail.removesuffix('A/k/')}"

    def __call__(self, annex: str, key: str) -> str:
        return self.prefix + _window_part(annex, key)


@lru_cache(maxsize=8192)
def _window_part(annex: str, key: str) -> str:
    """The annex and key of a window link, quoted as reverse() quotes them (the same keys recur
    for every pupil of a school and every request)."""
    return f"{quote(str(annex), safe=_SAFE)}/{quote(key, safe=_SAFE)}/"
