"""Every URL pattern of the project, with its full name and keyword arguments."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]


def _walk(patterns, namespace: str = "", kwargs: tuple = ()):
    for p in patterns:
        keys = tuple(p.pattern.converters) if hasattr(p.pattern, "converters") else ()
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}{p.namespace}:"
            yield from _walk(p.url_patterns, ns, kwargs + keys)
        elif isinstance(p, URLPattern):
            yield Route(name=f"{namespace}{p.name or '<unnamed>'}", kwargs=kwargs + keys)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))
