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

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_resolver, get_urlconf, reverse
from django.utils import translation
from django.utils.formats import date_format
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
    resolver = get_resolver(get_urlconf())
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


@dataclass(frozen=True)
class _Line:
    text: str
    url: str  # absolute
    due: str  # e.g. "мерзімі: 14.09.2026", or ""


def _lines(sections: list[DigestSection], site_url: str) -> list:
    """The sections with every text translated and formatted once, for both templates: the
    template engine's per-variable cost is most of a digest's build time."""
    due = gettext("due %(date)s")
    return [
        (
            str(section.title),
            [
                (
                    str(title),
                    [
                        _Line(
                            text=str(item.text),
                            url=f"{site_url}{item.url}" if item.url else "",
                            due=due % {"date": date_format(item.due, "SHORT_DATE_FORMAT")}
                            if item.due
                            else "",
                        )
                        for item in items
                    ],
                )
                for title, items in section.groups
                if items
            ],
        )
        for section in sections
    ]


def render_digest(user, sections: list[DigestSection], week: WeekRange) -> RenderedDigest:
    """The digest as e-mail subject, plain text and HTML, in the recipient's language."""
    language = user.language or settings.LANGUAGE_CODE
    site_url = settings.SITE_URL.rstrip("/")
    with translation.override(language):
        context = {
            "user": user,
            "sections": _lines(sections, site_url),
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
