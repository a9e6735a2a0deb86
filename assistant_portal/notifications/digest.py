"""What goes into a weekly digest: the content interface the apps fill in.

Each app with something to remind people of registers a *provider* in its own `digest.py`
(found by `autodiscover_modules("digest")`), a function

    provider(users: list[User], week: WeekRange) -> dict[user_id, list[DigestSection]]

that answers for every given user at once with a fixed number of queries (never one per
user), and leaves out users it has nothing for. Texts are lazy translations, so one batch
serves recipients of every language: they are rendered inside the recipient's language.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_resolver, get_urlconf, reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assistant_portal.annotations import StrOrPromise

__all__ = [
    "PROVIDERS",
    "DigestItem",
    "DigestSection",
    "RenderedDigest",
    "WeekRange",
    "build_digests",
    "register",
    "render_digest",
    "url_or_fallback",
]


@dataclass(frozen=True)
class WeekRange:
    """A Monday-Sunday week (SPEC §3 "school week")."""

    start: date  # Monday
    end: date  # Sunday

    @classmethod
    def of(cls, day: date) -> "WeekRange":
        monday = day - timedelta(days=day.weekday())
        return cls(start=monday, end=monday + timedelta(days=6))

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class DigestItem:
    """One line: a text (lazy translation or a name), an optional link and due date."""

    text: StrOrPromise
    url: str = ""  # a path on this site; made absolute for e-mail
    due: date | None = None
    kind: str = ""  # "due", "overdue", "review", "lateness": styles the line


@dataclass
class DigestSection:
    """A heading (e.g. a pupil's name) with its lines, grouped in sub-lists by `title`."""

    title: StrOrPromise
    groups: list[tuple[StrOrPromise, list[DigestItem]]] = field(default_factory=list)
    kind: str = ""  # which provider made it

    def is_empty(self) -> bool:
        return not any(items for _title, items in self.groups)


Provider = Callable[[list, WeekRange], dict[int, list[DigestSection]]]

# name -> provider, in the order sections appear in a digest
PROVIDERS: dict[str, Provider] = {}


def register(name: str) -> Callable[[Provider], Provider]:
    def decorator(fn: Provider) -> Provider:
        PROVIDERS[name] = fn
        return fn

    return decorator


def url_or_fallback(name: str, args: list, fallback: tuple[str, list]) -> str:
    """reverse(name), or the fallback page when no URL has that name (yet).

    Protocol pages are built on another branch; until they land, digest links go to the
    pupil's page rather than failing. The name is looked up first (cheap) instead of catching
    NoReverseMatch, which costs as much as rendering a line and would hide wrong arguments.
    """
    if _url_name_exists(name):
        return reverse(name, args=args)
    return reverse(fallback[0], args=fallback[1])


def _url_name_exists(name: str) -> bool:
    return _name_in(get_resolver(get_urlconf()), name)


# Per resolver (a changed ROOT_URLCONF is another resolver): a digest run asks for the same
# few names once per line, hundreds of thousands of times at national scale.
@lru_cache(maxsize=64)
def _name_in(resolver, name: str) -> bool:
    *namespaces, view = name.split(":")
    for namespace in namespaces:
        if namespace not in resolver.namespace_dict:
            return False
        resolver = resolver.namespace_dict[namespace][1]
    return view in resolver.reverse_dict


def build_digests(users: list, week: WeekRange) -> dict[int, list[DigestSection]]:
    """Every provider's sections per user; users with nothing are left out (no empty digests)."""
    result: dict[int, list[DigestSection]] = {}
    for provider in PROVIDERS.values():
        for user_id, sections in provider(users, week).items():
            sections = [s for s in sections if not s.is_empty()]
            if sections:
                result.setdefault(user_id, []).extend(sections)
    return result


@dataclass(frozen=True)
class RenderedDigest:
    language: str
    subject: str
    text: str
    html: str


@lru_cache(maxsize=4096)
def _due(language: str, template: str, day: date) -> str:
    # A digest's dates repeat (the same Mondays for every pupil): format each once per language.
    return template % {"date": date_format(day, "SHORT_DATE_FORMAT")}


def _bodies(sections: list[DigestSection], site_url: str) -> tuple[str, SafeString]:
    """The sections as plain text and as HTML, in the active language, written out here
    rather than looped over in the templates: at 100,000 recipients the template engine's
    per-node cost was most of a digest's build time. The templates keep the frame."""
    language = translation.get_language()
    due_template = gettext("due %(date)s")
    text: list[str] = []
    html: list[str] = []
    for section in sections:
        title = str(section.title)
        text.append(f"\n== {title} ==\n")
        html.append(format_html("<h2>{}</h2>\n", title))
        for group_title, items in section.groups:
            if not items:
                continue
            group_title = str(group_title)
            if group_title:
                text.append(f"\n{group_title}:\n")
                html.append(format_html("<h3>{}</h3>\n", group_title))
            html.append("<ul>\n")
            for item in items:
                line = str(item.text)
                url = f"{site_url}{item.url}" if item.url else ""
                due = f" — {_due(language, due_template, item.due)}" if item.due else ""
                text.append(f"- {line}{due}\n  {url}\n" if url else f"- {line}{due}\n")
                if url:
                    html.append(format_html('<li><a href="{}">{}</a>{}</li>\n', url, line, due))
                else:
                    html.append(format_html("<li>{}{}</li>\n", line, due))
            html.append("</ul>\n")
    return "".join(text), mark_safe("".join(html))  # noqa: S308  every part escaped above


def render_digest(user, sections: list[DigestSection], week: WeekRange) -> RenderedDigest:
    """The digest as e-mail subject, plain text and HTML, in the recipient's language."""
    language = user.language or settings.LANGUAGE_CODE
    site_url = settings.SITE_URL.rstrip("/")
    with translation.override(language):
        text, html = _bodies(sections, site_url)
        context = {
            "user": user,
            "sections_text": text,
            "sections_html": html,
            "week": week,
            "list_url": site_url + reverse("notifications:list"),
            "preferences_url": site_url + reverse("notifications:preferences"),
        }
        day = date_format(week.start, "SHORT_DATE_FORMAT")
        subject = _("Weekly digest, week of %(date)s") % {"date": day}
        return RenderedDigest(
            language=language,
            subject=subject,
            text=render_to_string("notifications/email/digest.txt", context).strip() + "\n",
            html=render_to_string("notifications/email/digest.html", context),
        )
