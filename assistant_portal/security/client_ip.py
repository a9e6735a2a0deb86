"""The client address for lockout (django-axes' AXES_CLIENT_IP_CALLABLE).

django-ipware is not installed, so axes' own proxy settings would do nothing: this function
is the one rule. Without a declared proxy it is REMOTE_ADDR, so a forged X-Forwarded-For
changes nothing. With TRUSTED_PROXY_COUNT = N, each trusted proxy appended the address it
saw, so the client is the N-th entry from the right; entries further left are whatever the
client sent and are ignored.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
