"""Reads about one protocol for its pages."""

from collections import defaultdict

from django.db.models import Max

from .models import Protocol, ProtocolVersion, ReviewComment, Status


def latest_comments(protocol: Protocol) -> dict[str, list[ReviewComment]]:
    """The support team's comments of the latest return, by section, while it is returned."""
    if protocol.status != Status.RETURNED:
        return {}
    latest = protocol.comments.aggregate(n=Max("round"))["n"]
    by_section = defaultdict(list)
    for comment in protocol.comments.filter(round=latest).select_related("author"):
        by_section[comment.section].append(comment)
    return dict(by_section)


def versions(protocol: Protocol) -> list[ProtocolVersion]:
    return list(protocol.versions.select_related("saved_by").order_by("-number"))
