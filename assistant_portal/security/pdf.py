"""PDF rendering that can read nothing but the project's own static files.

WeasyPrint would otherwise fetch any URL a template (or text typed by a user that slipped into
one) names: `file:///etc/passwd`, the cloud metadata address, an intranet host. The fetcher
allows only `data:` and `file:` URLs inside `static/`; everything else is refused and logged,
and the render goes on without it (RECIPES §4).
"""

import threading
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings

STATIC = Path(settings.BASE_DIR) / "static"


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self, root: Path):
            super().__init__(allowed_protocols={"file", "data"})  # http(s), ftp refused
            self.root = Path(root).resolve()

        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if not path.is_relative_to(self.root):
                    raise ValueError(f"outside the static folder: {url}")
            return super().fetch(url, headers)

    return StaticOnlyFetcher


_local = threading.local()  # a fetcher keeps per-call state: one per thread


def static_only_fetcher():
    if not hasattr(_local, "fetcher"):
        _local.fetcher = _fetcher_class()(STATIC)
    return _local.fetcher


def render_pdf(html: str) -> bytes:
    """Render HTML (from a template: autoescaped) to PDF; relative URLs resolve in static/."""
    from weasyprint import HTML

    return HTML(
        string=html, base_url=STATIC.as_uri() + "/", url_fetcher=static_only_fetcher()
    ).write_pdf()
