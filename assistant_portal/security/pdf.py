"""PDF rendering that can read nothing but the project's own static files; the one place the
project calls WeasyPrint.

WeasyPrint would otherwise fetch any URL a template (or text typed by a user that slipped into
one) names: `file:///etc/passwd`, the cloud metadata address, an intranet host. The fetcher
allows only `data:` and `file:` URLs inside `static/`; everything else is refused and logged,
and the render goes on without it (RECIPES §4). Fonts and layout caches are kept per thread:
a fetcher keeps per-call state and a FontConfiguration is not thread-safe, and reusing them
makes every render after the first much faster.
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


_local = threading.local()


def static_only_fetcher():
    if not hasattr(_local, "fetcher"):
        from weasyprint.text.fonts import FontConfiguration

        _local.fetcher = _fetcher_class()(STATIC)
        _local.fonts = FontConfiguration()
        _local.cache = {}
    return _local.fetcher


def html_to_document(html: str):
    """Lay out HTML (from a template: autoescaped) whose relative URLs point into `static/`."""
    from weasyprint import HTML

    fetcher = static_only_fetcher()
    return HTML(string=html, base_url=STATIC.as_uri() + "/", url_fetcher=fetcher).render(
        font_config=_local.fonts, cache=_local.cache
    )


def render_pdf(html: str) -> bytes:
    return html_to_document(html).write_pdf()
