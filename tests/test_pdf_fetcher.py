"""WeasyPrint may read the project's static files and nothing else."""

import pytest

from assistant_portal.security.pdf import STATIC, render_pdf, static_only_fetcher


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        (STATIC / ".." / "manage.py").as_uri(),
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.css",
        "ftp://example.com/x",
    ],
)
def test_fetcher_refuses_everything_outside_static(url):
    with pytest.raises(Exception):  # noqa: B017  ValueError or WeasyPrint's own refusal
        static_only_fetcher().fetch(url)


def test_fetcher_serves_static_files():
    css = next(STATIC.rglob("*.css"))
    response = static_only_fetcher().fetch(css.as_uri())
    assert response is not None


def test_render_ignores_hostile_urls_and_escaped_html(caplog):
    # what a user typed reaches a PDF autoescaped; links it names are not fetched
    html = (
        "<html><body><h1>&lt;script&gt;alert(1)&lt;/script&gt; Ахметов</h1>"
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:1/x.png">'
        "</body></html>"
    )
    pdf = render_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert b"root:x:0:0" not in pdf
