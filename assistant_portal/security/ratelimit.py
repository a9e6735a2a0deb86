"""Counting requests in Django's cache: one fixed window per key.

The counter lives in the default cache, so with the shared Redis cache of production every
worker and host counts together; with the local-memory default each process counts alone
(enough for development and tests).
"""

import hashlib

from django.core.cache import cache
from django.utils import timezone


def over_limit(scope: str, who: str, *, limit: int, seconds: int) -> bool:
    """Count one more request of `who` in `scope`; True once more than `limit` came within
    the current window of `seconds`. `who` is hashed: an e-mail address never becomes a key."""
    window = int(timezone.now().timestamp() // seconds)
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{window}:{digest}"
    cache.add(key, 0, timeout=seconds + 60)
    try:
        return cache.incr(key) > limit
    except ValueError:  # the key expired between add and incr: this is the first request
        cache.add(key, 1, timeout=seconds + 60)
        return False
