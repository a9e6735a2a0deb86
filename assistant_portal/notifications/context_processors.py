from .access import unread_count


def unread(request):
    """The unread count for the navbar badge: one query, only when a page shows it."""
    user = request.user
    cache = {}

    def count():
        if "n" not in cache:
            cache["n"] = unread_count(user) if user.is_authenticated else 0
        return cache["n"]

    return {"unread_notifications": count}
