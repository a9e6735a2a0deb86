"""Who may see which notification: only its own user (outsiders get 404)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Notification


def notifications_of(user) -> QuerySet[Notification]:
    """The user's own notifications: the one place the rule lives."""
    return Notification.objects.filter(user=user)


def get_notification_for_user(user, notification_id: int) -> Notification:
    return get_object_or_404(notifications_of(user), pk=notification_id)


def unread_count(user) -> int:
    return notifications_of(user).unread().count()
