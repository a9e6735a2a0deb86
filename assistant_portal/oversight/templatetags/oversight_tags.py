from django import template
from django.utils.http import urlencode

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key, "")


@register.simple_tag
def query_suffix(request) -> str:
    """The chosen year and period, carried to the page a number links to."""
    kept = {k: request.GET[k] for k in ("year", "period") if request.GET.get(k)}
    return f"?{urlencode(kept)}" if kept else ""
